/**
 * @module
 * Metrics answers memoised per isolate. They change only when a recompute runs, so dashboards
 * polling the same window are answered without touching D1. The isolate that runs a recompute
 * forgets its answers at once; another serves the previous ones for at most `TTL_MS`, and their
 * `as_of` says which recompute they come from.
 */

const TTL_MS = 60_000;
const MAX_ENTRIES = 500;
const memo = new Map<string, { body: object; until: number }>();

/** Forgets every memoised answer; called when a recompute finishes. */
export function forgetAnswers(): void {
  memo.clear();
}

/**
 * The memoised answer for `key`, or the one `compute` makes (then memoised).
 * @example await memoised(`metrics:${JSON.stringify(query)}`, () => assemble(query))
 */
export async function memoised(key: string, compute: () => Promise<object>): Promise<object> {
  const hit = memo.get(key);
  if (hit && hit.until > Date.now()) return hit.body;
  const body = await compute();
  if (memo.size >= MAX_ENTRIES) memo.clear();
  memo.set(key, { body, until: Date.now() + TTL_MS });
  return body;
}
