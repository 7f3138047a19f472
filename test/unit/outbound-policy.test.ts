/**
 * How the outbound queue judges an attempt: what is retried, after how long, and what is final.
 */
import { describe, expect, it } from "vitest";
import { judge, retryAfterMs } from "../../src/ingest/outbound-policy";

const NOW = Date.parse("2026-12-07T12:00:00Z");

describe("outbound policy", () => {
  it("doubles the wait from 1 s and caps it at 10 minutes", () => {
    const waits = [1, 2, 3, 4, 10, 11, 50].map((attempts) => judge({ error: "network error" }, attempts, NOW));
    expect(waits.map((v) => (v.kind === "retry" ? v.at - NOW : null))).toEqual([1000, 2000, 4000, 8000, 512_000, 600_000, 600_000]);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    expect(retryAfterMs("120", NOW)).toBe(120_000);
    expect(retryAfterMs("Mon, 07 Dec 2026 12:00:30 GMT", NOW)).toBe(30_000);
    expect(retryAfterMs("Mon, 07 Dec 2026 11:00:00 GMT", NOW)).toBe(0);
    expect(retryAfterMs("soon", NOW)).toBeNull();
    expect(retryAfterMs(null, NOW)).toBeNull();
  });

  it("delivers on 2xx, retries network errors, 5xx, 408 and 429, and takes any other answer (3xx included) as final", () => {
    expect(judge({ status: 204, retryAfter: null }, 1, NOW)).toEqual({ kind: "forwarded", status: 204 });
    expect(judge({ error: "network error" }, 3, NOW)).toEqual({ kind: "retry", status: null, error: "network error", at: NOW + 4000 });
    for (const status of [500, 502, 503, 408, 429]) expect(judge({ status, retryAfter: null }, 1, NOW)).toMatchObject({ kind: "retry", status, at: NOW + 1000 });
    for (const status of [301, 302, 307, 400, 401, 403, 404, 410, 422]) expect(judge({ status, retryAfter: null }, 1, NOW)).toEqual({ kind: "failed", status });
  });

  it("honours Retry-After on 429 and 503, within the cap", () => {
    expect(judge({ status: 429, retryAfter: "7" }, 1, NOW)).toMatchObject({ kind: "retry", at: NOW + 7000 });
    expect(judge({ status: 503, retryAfter: "86400" }, 1, NOW)).toMatchObject({ kind: "retry", at: NOW + 600_000 });
  });
});
