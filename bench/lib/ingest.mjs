// Ingest: OpsLevel deploys with unique dedup ids against /healthz on the same server.
import { admin, d1 } from "./server.mjs";
import { load } from "./load.mjs";

const deploy = (service) =>
  JSON.stringify({
    dedup_id: "[<id>]",
    service,
    deployer: { name: "Bench", email: "bench@example.com" },
    deployed_at: "2026-01-01 12:00:00",
    environment: "production",
    description: "benchmark deploy",
    commit: { sha: "38d02f1d7aab64678a7ad3eeb2ad2887ce7253f5", date: "2026-01-01 11:00:00" },
  });

export async function benchIngest({ base, persistDir }, { duration, connections }) {
  const integration = await admin(base, "POST", "/api/v1/integrations", { vendor: "opslevel", name: "bench", rate_limit: { requests_per_second: 1_000_000, burst: 1_000_000 } });
  await admin(base, "PUT", "/api/v1/services/bench-service", { name: "Bench service" });
  // Warm both paths so neither measurement pays for first compilation.
  await load({ url: `${base}/healthz`, duration: 2, connections });
  const health = await load({ url: `${base}/healthz`, duration, connections });
  const ingest = await load({
    url: `${base}/integrations/deploy/${integration.id}`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: deploy("bench-service"),
    idReplacement: true,
    duration,
    connections,
  });
  let stored = 0;
  const deadline = Date.now() + 120_000;
  do {
    await new Promise((r) => setTimeout(r, 1000));
    stored = (await d1(persistDir, `SELECT count(*) AS n FROM deployments WHERE integration_id = '${integration.id}'`))[0].n;
  } while (stored < ingest.ok && Date.now() < deadline);
  return {
    rps: ingest.rps,
    health_rps: health.rps,
    ratio: ingest.rps / health.rps,
    p50_ms: ingest.p50_ms,
    p99_ms: ingest.p99_ms,
    health_p99_ms: health.p99_ms,
    accepted: ingest.ok,
    stored,
    non_2xx: ingest.non2xx,
  };
}
