/**
 * @module
 * Metrics answers memoised per isolate. They change only when a recompute runs, so dashboards
 * polling the same window are answered without touching D1. The isolate that runs a recompute
 * forgets its answers at once; another serves the previous ones for at most a minute, and their
 * `as_of` says which recompute they come from.
 */
import { Memo } from "../lib/memo";

const answers = new Memo<object>({ maxEntries: 500, ttlMs: 60_000 });

/** Forgets every memoised answer; called when a recompute finishes. */
export function forgetAnswers(): void {
  answers.clear();
}

/**
 * The memoised answer for `key`, or the one `compute` makes (then memoised).
 * @example await memoised(`metrics:${JSON.stringify(query)}`, () => assemble(query))
 */
export async function memoised(key: string, compute: () => Promise<object>): Promise<object> {
  const hit = answers.get(key);
  if (hit !== undefined) return hit;
  const body = await compute();
  answers.set(key, body);
  return body;
}
