/**
 * @module
 * Whether the catalog knows a service name, memoised per isolate. OpsLevel's reply depends on it,
 * and a D1 read on every deploy would be the costliest step of the ingest path. A catalog change
 * clears the memo of the isolate that made it; other isolates see it within `TTL_MS`. Only the
 * reply can be stale: which service a stored deploy belongs to is resolved again when it is
 * written to D1.
 */
import { database } from "../db/client";
import { lookupCatalog } from "./resolve";

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;
const memo = new Map<string, { known: boolean; until: number }>();

/** Forgets every memoised answer; called after the catalog changes. */
export function forgetKnownServices(): void {
  memo.clear();
}

/**
 * True when a slug or alias of the catalog matches `name` case-insensitively. When D1 cannot
 * answer, the name counts as known: the event itself is safe either way.
 */
export async function isKnownService(d1: D1Database, name: string): Promise<boolean> {
  const key = name.toLowerCase();
  const hit = memo.get(key);
  if (hit && hit.until > Date.now()) return hit.known;
  try {
    const view = await lookupCatalog(database(d1), [name], []);
    const known = view.aliases.has(key);
    if (memo.size >= MAX_ENTRIES) memo.clear();
    memo.set(key, { known, until: Date.now() + TTL_MS });
    return known;
  } catch (error) {
    console.error(`catalog lookup failed: ${String(error)}`);
    return true;
  }
}
