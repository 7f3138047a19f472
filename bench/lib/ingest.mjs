// Ingest: OpsLevel deploys with unique dedup ids, side by side with /healthz on the same server.
import { admin, d1 } from "./server.mjs";
import { load, sideBySide } from "./load.mjs";

export const deploy = (service) =>
  JSON.stringify({
    dedup_id: "[<id>]",
    service,
    deployer: { name: "Bench", email: "bench@example.com" },
    deployed_at: "2026-01-01 12:00:00",
    environment: "production",
    description: "benchmark deploy",
    commit: { sha: "38d02f1d7aab64678a7ad3eeb2ad2887ce7253f5", date: "2026-01-01 11:00:00" },
  });

/** The bench measures throughput, not the per-integration rate limit (docs/api.md). */
export const UNLIMITED = { requests_per_second: 1_000_000, burst: 1_000_000 };

/**
 * Waits until the outbox has drained, then counts what the integration acknowledged (its sequence
 * numbers are gapless, so the highest one that reached D1 is how many events it accepted, with
 * any lost in between showing as a shortfall of `stored`) and what D1 holds.
 */
async function drained(persistDir, integrationId, atLeast) {
  let previous = -1;
  const deadline = Date.now() + 300_000;
  for (;;) {
    const [row] = await d1(persistDir, `SELECT count(*) AS stored, coalesce(max(seq), 0) AS acknowledged FROM deployments WHERE integration_id = '${integrationId}'`);
    if ((row.stored >= atLeast && row.stored === previous) || Date.now() > deadline) return row;
    previous = row.stored;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export async function benchIngest({ base, persistDir }, { duration, connections }) {
  await admin(base, "PUT", "/api/v1/services/bench-service", { name: "Bench service" });
  const health = { url: `${base}/healthz` };
  const ingestTo = async (name) => {
    const { id } = await admin(base, "POST", "/api/v1/integrations", { vendor: "opslevel", name, rate_limit: UNLIMITED });
    const target = { url: `${base}/integrations/deploy/${id}`, method: "POST", headers: { "content-type": "application/json" }, body: deploy("bench-service"), idReplacement: true };
    return { id, target };
  };
  const warmUp = (await ingestTo("bench warm-up")).target;
  // The same deploy to an id that cannot exist: read, validated and refused (404) before any call to
  // the object. What this harness allows for such a POST, with none of the object's work.
  const floor = { ...warmUp, url: `${base}/integrations/deploy/no-such-integration` };
  // Warm every path (ingest on another integration) so that none pays for first compilation.
  for (const target of [health, warmUp, floor]) await load({ ...target, duration: 1, connections });
  const measured = await ingestTo("bench");
  const [h, i, f] = await sideBySide([health, measured.target, floor], { duration, connections });
  const { stored, acknowledged } = await drained(persistDir, measured.id, i.ok);
  return {
    rps: i.rps,
    health_rps: h.rps,
    ratio: i.rps / h.rps,
    floor_ratio: f.rps / h.rps,
    p50_ms: i.p50_ms,
    p99_ms: i.p99_ms,
    health_p99_ms: h.p99_ms,
    // Acknowledged by the server; `client_2xx` leaves out replies in flight when a round ended.
    accepted: acknowledged,
    client_2xx: i.ok,
    stored,
    non_2xx: i.non2xx,
  };
}
