/**
 * @module
 * The per-integration token bucket its Durable Object applies to every authenticated request.
 * The state lives in memory only: it costs nothing on the hot path, and an evicted object simply
 * starts again with a full bucket.
 */
import type { RateLimit } from "./protocol";

/** The deployment's default when wrangler's vars leave it unset. */
const DEFAULT_RATE_LIMIT: RateLimit = { requests_per_second: 50, burst: 200 };

/**
 * The limit from wrangler vars `RATE_LIMIT_PER_SECOND` and `RATE_LIMIT_BURST`, each falling back
 * to `DEFAULT_RATE_LIMIT` when unset or empty; anything but a positive number is a named error.
 */
export function defaultRateLimit(perSecond: string | undefined, burst: string | undefined): RateLimit {
  const positive = (name: string, v: string | undefined, fallback: number) => {
    if (v === undefined || v.trim() === "") return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, or empty for ${fallback}; got ${JSON.stringify(v).slice(0, 40)}`);
    return n;
  };
  return {
    requests_per_second: positive("RATE_LIMIT_PER_SECOND", perSecond, DEFAULT_RATE_LIMIT.requests_per_second),
    burst: positive("RATE_LIMIT_BURST", burst, DEFAULT_RATE_LIMIT.burst),
  };
}

export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.at = now;
  }

  /** Whether this bucket was built for `limit`, so a changed config gets a new one. */
  fits(limit: RateLimit): boolean {
    return limit.requests_per_second === this.limit.requests_per_second && limit.burst === this.limit.burst;
  }

  /**
   * Takes one token. Returns 0 when the request may proceed, else the whole seconds (at least 1)
   * until a token is available, for `Retry-After`.
   */
  take(now: number): number {
    const elapsed = Math.max(0, now - this.at) / 1000;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsed * this.limit.requests_per_second);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.limit.requests_per_second));
  }
}

/** An integration's bucket, rebuilt when its limit changes. */
export class RateLimiter {
  private bucket: TokenBucket | undefined;

  constructor(private readonly defaultLimit: RateLimit) {}

  /** Spends one token under `limit` (the default when null): 0 when allowed, else the seconds to wait. */
  take(limit: RateLimit | null | undefined): number {
    const applied = limit ?? this.defaultLimit;
    if (!this.bucket?.fits(applied)) this.bucket = new TokenBucket(applied, Date.now());
    return this.bucket.take(Date.now());
  }
}
