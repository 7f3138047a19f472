// A thin promise wrapper over autocannon with the figures the report needs.
import autocannon from "autocannon";

/**
 * Runs autocannon and returns rps, latency percentiles and counts of 2xx and other replies.
 * @param {import("autocannon").Options} options
 */
export async function load(options) {
  const result = await autocannon({ connections: 32, duration: 10, ...options });
  return {
    rps: result.requests.average,
    total: result.requests.total,
    ok: result["2xx"],
    non2xx: result.non2xx + result.errors + result.timeouts,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
  };
}
