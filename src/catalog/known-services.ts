/**
 * @module
 * Whether the catalog knows a service name, memoised per isolate. OpsLevel's reply depends on it,
 * and a D1 read on every deploy would be the costliest step of the ingest path. A catalog change
 * clears the memo of the isolate that made it; other isolates see it within 30 s. Only the
 * reply can be stale: which service a stored deploy belongs to is resolved again when it is
 * written to D1.
 */
import { database } from "../db/client";
import { Memo } from "../lib/memo";
import { lookupCatalog } from "./resolve";

const memo = new Memo<boolean>({ maxEntries: 10_000, ttlMs: 30_000 });

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
  if (hit !== undefined) return hit;
  try {
    const view = await lookupCatalog(database(d1), [name], []);
    const known = view.aliases.has(key);
    memo.set(key, known);
    return known;
  } catch (error) {
    console.error(`catalog lookup failed: ${String(error)}`);
    return true;
  }
}
