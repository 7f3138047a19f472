// Reads on the recomputed history: a standard-window snapshot under load, side by side with
// /healthz, and single requests for arbitrary 90-day windows assembled from the per-day data.
import { ADMIN_TOKEN } from "./server.mjs";
import { sideBySide } from "./load.mjs";
import { median } from "./stats.mjs";

const DAY_MS = 86_400_000;
const day = (ms) => new Date(ms).toISOString().slice(0, 10);

/**
 * The median time of `n` sequential requests, in milliseconds. `urlOf(i)` names a different window
 * each time, so that no answer comes from the per-isolate memo.
 */
async function timed(urlOf, n = 5) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const url = urlOf(i);
    const started = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
    await res.json();
    times.push(performance.now() - started);
  }
  return median(times);
}

export async function benchRead({ base }, { duration, connections }) {
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const snapshot = await fetch(`${base}/api/v1/metrics`, { headers: auth });
  if (!snapshot.ok) throw new Error(`GET /api/v1/metrics: ${snapshot.status} ${await snapshot.text()}`);
  const [health, read] = await sideBySide([{ url: `${base}/healthz` }, { url: `${base}/api/v1/metrics`, headers: auth }], { duration, connections });
  // 90-day windows that are none of the standard ones: the i-th ends a month and i days ago.
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const window = (i) => `from=${day(today - (120 + i) * DAY_MS)}&to=${day(today - (30 + i) * DAY_MS)}`;
  return {
    snapshot_rps: read.rps,
    snapshot_p99_ms: read.p99_ms,
    health_p99_ms: health.p99_ms,
    p99_over_health: read.p99_ms / health.p99_ms,
    snapshot_non_2xx: read.non2xx,
    adhoc_ms: await timed((i) => `${base}/api/v1/metrics?${window(i)}`),
    adhoc_team_ms: await timed((i) => `${base}/api/v1/metrics?${window(i)}&team=team-3`),
  };
}
