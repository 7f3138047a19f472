/**
 * @module
 * The exponential backoff of everything that retries a write or a send.
 */

/** The wait after `failures` failures in a row: 1 s, doubling, never above `capMs`. */
export function backoffMs(failures: number, capMs: number): number {
  return Math.min(1000 * 2 ** Math.max(0, failures - 1), capMs);
}
