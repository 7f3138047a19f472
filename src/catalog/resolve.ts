/**
 * @module
 * Which catalog service an event belongs to (docs/api.md, the service catalog).
 */
import { inArray } from "drizzle-orm";
import { jsonKeys, type Database } from "../db/client";
import { serviceAliases, serviceRepositories } from "../db/schema";
import type { ServiceHints } from "../events/canonical";
import { repositoryKey } from "../lib/repository";

/** The part of the catalog a set of events can match: alias keys and repository keys to slugs. */
export interface CatalogView {
  aliases: Map<string, string>;
  repositories: Map<string, string>;
}

export interface Resolution {
  /** The catalog slug, or the name kept as given when the catalog does not know it. */
  service: string;
  /** The name as the event gave it (explicitly, by default, or as its first hint). */
  name: string;
  /** Set when the catalog did not know the name: what to record as a suggestion. */
  suggestion: { kind: "name" | "repository"; key: string } | null;
}

/** The service used when an event names none and gives no hint. */
export const UNKNOWN_SERVICE = "unknown";

/** Loads the catalog entries matching these names and repository URLs, in one round trip. */
export async function lookupCatalog(db: Database, names: Iterable<string>, repositories: Iterable<string>): Promise<CatalogView> {
  const nameKeys = [...new Set([...names].map((n) => n.toLowerCase()))];
  const repoKeys = [...new Set([...repositories].map(repositoryKey))];
  const view: CatalogView = { aliases: new Map(), repositories: new Map() };
  if (nameKeys.length === 0 && repoKeys.length === 0) return view;
  const [aliasRows, repoRows] = await db.batch([
    db.select().from(serviceAliases).where(inArray(serviceAliases.alias, jsonKeys(nameKeys))),
    db.select().from(serviceRepositories).where(inArray(serviceRepositories.repoKey, jsonKeys(repoKeys))),
  ]);
  for (const row of aliasRows) view.aliases.set(row.alias, row.slug);
  for (const row of repoRows) view.repositories.set(row.repoKey, row.slug);
  return view;
}

/**
 * Resolves an event's service: an explicit (or default) name through slugs and aliases, kept
 * as given when unknown; else the first hint that matches, repositories before names; else the
 * first hint as given.
 *
 * @example
 * resolveService("Shopping_Cart", emptyHints, { aliases: new Map([["shopping_cart", "cart"]]), repositories: new Map() })
 * // { service: "cart", name: "Shopping_Cart", suggestion: null }
 */
export function resolveService(name: string | null, hints: ServiceHints, catalog: CatalogView): Resolution {
  if (name !== null) {
    const slug = catalog.aliases.get(name.toLowerCase());
    return slug
      ? { service: slug, name, suggestion: null }
      : { service: name, name, suggestion: { kind: "name", key: name.toLowerCase() } };
  }
  for (const repo of hints.repositories) {
    const slug = catalog.repositories.get(repositoryKey(repo));
    if (slug) return { service: slug, name: repo, suggestion: null };
  }
  for (const hint of hints.names) {
    const slug = catalog.aliases.get(hint.toLowerCase());
    if (slug) return { service: slug, name: hint, suggestion: null };
  }
  const firstRepo = hints.repositories[0];
  if (firstRepo !== undefined) return { service: firstRepo, name: firstRepo, suggestion: { kind: "repository", key: repositoryKey(firstRepo) } };
  const firstName = hints.names[0];
  if (firstName !== undefined) return { service: firstName, name: firstName, suggestion: { kind: "name", key: firstName.toLowerCase() } };
  return { service: UNKNOWN_SERVICE, name: UNKNOWN_SERVICE, suggestion: null };
}

/**
 * The same rule in SQL, for events already stored: the catalog slug of a lower-cased name `key`, or null.
 * @example `COALESCE(${slugOfNameSql("lower(d.service_name)")}, d.service_name)`
 */
export function slugOfNameSql(key: string): string {
  return `(SELECT a.slug FROM service_aliases a WHERE a.alias = ${key})`;
}

/**
 * The service a stored event belongs to under today's catalog, in SQL: its name through the aliases,
 * else its repository (recorded as a suggestion when it was unknown) through the repositories, else
 * the service resolved when it was written.
 */
export function resolvedServiceSql(name: string, stored: string): string {
  return `COALESCE(
    ${slugOfNameSql(`lower(${name})`)},
    (SELECT r.slug FROM service_suggestions g JOIN service_repositories r ON r.repo_key = g.match_key WHERE g.kind = 'repository' AND g.name = ${name}),
    ${stored})`;
}
