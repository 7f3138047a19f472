/**
 * @module
 * How the outbound queue judges one attempt: which answers are retried and after how long, and
 * when a delivery that keeps failing is given up.
 */
import { backoffMs } from "../lib/backoff";

/** How long one attempt may take. */
export const SEND_TIMEOUT_MS = 10_000;
/** The longest wait between attempts, whatever the backoff or `Retry-After` says. */
const MAX_BACKOFF_MS = 10 * 60_000;
/** A delivery failing this long after it was queued is dead-lettered. */
export const DEAD_AFTER_MS = 3 * 24 * 3600_000;

/** What to do after an attempt: done, retry at `at`, or a final failure. */
export type Verdict = { kind: "forwarded"; status: number } | { kind: "retry"; status: number | null; error: string; at: number } | { kind: "failed"; status: number };

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Judges an answer: 2xx delivered; network errors, timeouts, 5xx, 408 and 429 retried; anything else (3xx included: redirects are not followed) final. */
export function judge(answer: { status: number; retryAfter: string | null } | { error: string }, attempts: number, now: number): Verdict {
  if ("error" in answer) return { kind: "retry", status: null, error: answer.error, at: now + backoffMs(attempts, MAX_BACKOFF_MS) };
  const { status } = answer;
  if (status >= 200 && status < 300) return { kind: "forwarded", status };
  if (status >= 500 || status === 408 || status === 429) {
    const asked = retryAfterMs(answer.retryAfter, now);
    const wait = Math.min(asked ?? backoffMs(attempts, MAX_BACKOFF_MS), MAX_BACKOFF_MS);
    return { kind: "retry", status, error: `HTTP ${status}`, at: now + wait };
  }
  return { kind: "failed", status };
}
