// Load generation with autocannon, and side-by-side runs that interleave targets in short
// rounds so that background noise on the machine weighs on both alike.
import autocannon from "autocannon";

/**
 * Runs autocannon once.
 * @param {import("autocannon").Options} options
 */
export async function load(options) {
  const result = await autocannon({ connections: 32, duration: 10, ...options });
  return {
    total: result.requests.total,
    seconds: result.duration,
    ok: result["2xx"],
    non2xx: result.non2xx + result.errors + result.timeouts,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
  };
}

/**
 * Runs `targets` in turn for `rounds` rounds of `duration / rounds` seconds each and sums each one
 * up: rps over the whole time, and the worst round's p50 and p99.
 */
export async function sideBySide(targets, { duration, connections, rounds = 5 }) {
  const slice = Math.max(1, Math.round(duration / rounds));
  const runs = targets.map(() => []);
  for (let i = 0; i < rounds; i++) {
    for (const [t, target] of targets.entries()) runs[t].push(await load({ ...target, duration: slice, connections }));
  }
  return runs.map((list) => ({
    rps: list.reduce((n, r) => n + r.total, 0) / list.reduce((n, r) => n + r.seconds, 0),
    ok: list.reduce((n, r) => n + r.ok, 0),
    non2xx: list.reduce((n, r) => n + r.non2xx, 0),
    p50_ms: Math.max(...list.map((r) => r.p50_ms)),
    p99_ms: Math.max(...list.map((r) => r.p99_ms)),
  }));
}
