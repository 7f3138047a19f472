/**
 * @module
 * The service catalog: entries with their aliases and repositories, and the names still unknown to it.
 */
import { and, asc, eq, inArray, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { database, jsonKeys, prepare, type Database } from "../db/client";
import { serviceAliases, serviceRepositories, services } from "../db/schema";
import { ApiError } from "../http/errors";
import { repositoryKey } from "../lib/repository";
import { forgetKnownServices } from "./known-services";

/** What a catalog slug may look like. */
export const SLUG = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export const putSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  team: z.string().trim().min(1).max(200).nullish(),
  aliases: z.array(z.string().trim().min(1).max(200)).max(100).default([]),
  repositories: z.array(z.string().trim().min(1).max(500)).max(100).default([]),
});

export interface ServiceView {
  slug: string;
  name: string;
  team: string | null;
  aliases: string[];
  repositories: string[];
}

/** Reads catalog entries with their aliases (the slug's own excluded) and repository URLs. */
export async function readServices(db: Database, slug?: string): Promise<ServiceView[]> {
  const [rows, aliases, repos] = await db.batch([
    db.select().from(services).where(slug === undefined ? undefined : eq(services.slug, slug)).orderBy(asc(services.slug)),
    db.select().from(serviceAliases).where(slug === undefined ? undefined : eq(serviceAliases.slug, slug)).orderBy(asc(serviceAliases.alias)),
    db.select().from(serviceRepositories).where(slug === undefined ? undefined : eq(serviceRepositories.slug, slug)).orderBy(asc(serviceRepositories.url)),
  ]);
  return rows.map((s) => ({
    slug: s.slug,
    name: s.name,
    team: s.team,
    aliases: aliases.filter((a) => a.slug === s.slug && a.alias !== s.slug.toLowerCase()).map((a) => a.alias),
    repositories: repos.filter((r) => r.slug === s.slug).map((r) => r.url),
  }));
}

/**
 * Creates or updates a catalog entry, refusing any alias or repository that already belongs to
 * another service. `replace` (the admin API) makes the given aliases and repositories the whole
 * list; `merge` (OpsLevel's service-creation webhook) adds them to what the entry has.
 */
export async function upsertService(
  d1: D1Database,
  slug: string,
  entry: Omit<ServiceView, "slug">,
  mode: "replace" | "merge" = "replace",
): Promise<{ created: boolean }> {
  const db = database(d1);
  const aliasKeys = [...new Set([slug, ...entry.aliases].map((a) => a.toLowerCase()))];
  const repos = [...new Map(entry.repositories.map((url) => [repositoryKey(url), url])).entries()].map(([key, url]) => ({ key, url }));
  const [takenAliases, takenRepos, existing] = await db.batch([
    db
      .select()
      .from(serviceAliases)
      .where(and(ne(serviceAliases.slug, slug), inArray(serviceAliases.alias, jsonKeys(aliasKeys)))),
    db
      .select()
      .from(serviceRepositories)
      .where(and(ne(serviceRepositories.slug, slug), inArray(serviceRepositories.repoKey, jsonKeys(repos.map((r) => r.key))))),
    db.select({ slug: services.slug }).from(services).where(eq(services.slug, slug)),
  ]);
  const conflicts = [
    ...takenAliases.map((a) => ({ field: "aliases", detail: `alias ${JSON.stringify(a.alias)} already belongs to service ${JSON.stringify(a.slug)}` })),
    ...takenRepos.map((r) => ({ field: "repositories", detail: `repository ${JSON.stringify(r.url)} already belongs to service ${JSON.stringify(r.slug)}` })),
  ];
  if (conflicts.length > 0) throw new ApiError(409, conflicts);

  const now = new Date().toISOString();
  await d1.batch([
    // Events named by the entry's old or new aliases and repositories are re-attributed at the next recompute.
    prepare(
      d1,
      sql`INSERT OR IGNORE INTO metric_dirty_names (kind, key)
        SELECT 'name', alias FROM service_aliases WHERE slug = ${slug}
        UNION SELECT 'name', value FROM json_each(${JSON.stringify(aliasKeys)})
        UNION SELECT 'repository', repo_key FROM service_repositories WHERE slug = ${slug}
        UNION SELECT 'repository', value->>'key' FROM json_each(${JSON.stringify(repos)})`,
    ),
    prepare(
      d1,
      sql`INSERT INTO services (slug, name, team, created_at, updated_at) VALUES (${slug}, ${entry.name}, ${entry.team}, ${now}, ${now})
        ON CONFLICT(slug) DO UPDATE SET name = excluded.name, team = excluded.team, updated_at = excluded.updated_at`,
    ),
    ...(mode === "replace"
      ? [prepare(d1, sql`DELETE FROM service_aliases WHERE slug = ${slug}`), prepare(d1, sql`DELETE FROM service_repositories WHERE slug = ${slug}`)]
      : []),
    prepare(d1, sql`INSERT OR IGNORE INTO service_aliases (alias, slug) SELECT value, ${slug} FROM json_each(${JSON.stringify(aliasKeys)})`),
    prepare(
      d1,
      sql`INSERT OR IGNORE INTO service_repositories (repo_key, slug, url) SELECT value->>'key', ${slug}, value->>'url' FROM json_each(${JSON.stringify(repos)})`,
    ),
  ]);
  forgetKnownServices();
  return { created: existing.length === 0 };
}

/** A name no catalog entry claims, with how many events carry it. */
export interface Suggestion {
  name: string;
  kind: string;
  count: number;
  first_seen_at: string;
  last_seen_at: string;
}

/** Unknown names still unknown to the catalog, most used first, with how many events carry them. */
export function suggestions(db: Database): Promise<Suggestion[]> {
  return db.all<Suggestion>(sql`
    SELECT s.name, s.kind, s.first_seen_at, s.last_seen_at,
      (SELECT count(*) FROM deployments d WHERE lower(d.service_name) = lower(s.name) AND d.service_name = s.name)
        + (SELECT count(*) FROM incidents i WHERE lower(i.service_name) = lower(s.name) AND i.service_name = s.name) AS count
    FROM service_suggestions s
    WHERE NOT EXISTS (SELECT 1 FROM service_aliases a WHERE s.kind = 'name' AND a.alias = s.match_key)
      AND NOT EXISTS (SELECT 1 FROM service_repositories r WHERE s.kind = 'repository' AND r.repo_key = s.match_key)
    ORDER BY count DESC, s.name ASC
    LIMIT 500`);
}
