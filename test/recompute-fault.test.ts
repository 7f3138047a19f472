import { describe, expect, it } from "vitest";
import documented from "./fixtures/opslevel/deploy.json";
import { ADMIN, callJson, createIntegration, drain, duringD1Outage } from "./helpers";

const DAY_MS = 86_400_000;
const RECOMPUTE_FAILED = /^unhandled error on POST \/api\/v1\/recompute/;

async function deploy(integrationId: string, service: string, daysAgo: number) {
  const at = new Date(Date.now() - daysAgo * DAY_MS).toISOString();
  const res = await callJson("POST", `/integrations/deploy/${integrationId}`, { ...documented, dedup_id: crypto.randomUUID(), service, deployed_at: at });
  expect(res.status).toBe(202);
}

async function metricsOf(service: string) {
  const res = await callJson("GET", `/api/v1/metrics?service=${service}`, undefined, ADMIN);
  expect(res.status, res.text).toBe(200);
  return res.json;
}

describe("a recompute that fails halfway", () => {
  it("leaves the previous snapshots serving, and the next run completes the work", async () => {
    const service = `fault-${crypto.randomUUID().slice(0, 8)}`;
    const { id } = await createIntegration("opslevel");
    await deploy(id, service, 2);
    await deploy(id, service, 3);
    await drain(id);
    expect((await callJson("POST", "/api/v1/recompute", undefined, ADMIN)).status).toBe(200);
    const before = await metricsOf(service);
    expect(before.deployment_frequency.count).toBe(2);

    await deploy(id, service, 1);
    await drain(id);
    // The per-day rollups cannot be written: the run fails after it has started changing things.
    await duringD1Outage(
      "metric_days",
      async () => {
        const failed = await callJson("POST", "/api/v1/recompute", undefined, ADMIN);
        expect(failed.status).toBe(503);
        const during = await metricsOf(service);
        expect(during.as_of).toBe(before.as_of);
        expect(during.deployment_frequency.count).toBe(2);
      },
      RECOMPUTE_FAILED,
    );

    const next = await callJson("POST", "/api/v1/recompute", undefined, ADMIN);
    expect(next.status).toBe(200);
    expect(next.json.complete).toBe(true);
    const after = await metricsOf(service);
    expect(after.as_of > before.as_of).toBe(true);
    expect(after.deployment_frequency.count).toBe(3);
  });

  it("starts a full rebuild over when one stopped after clearing the derived tables", async () => {
    const service = `fault-full-${crypto.randomUUID().slice(0, 8)}`;
    const { id } = await createIntegration("opslevel");
    await deploy(id, service, 2);
    await deploy(id, service, 3);
    await drain(id);
    expect((await callJson("POST", "/api/v1/recompute", undefined, ADMIN)).status).toBe(200);

    // The copy of the incidents fails, after the derived tables were emptied in a transaction of their own.
    await duringD1Outage(
      "incidents",
      async () => {
        expect((await callJson("POST", "/api/v1/recompute?full=true", undefined, ADMIN)).status).toBe(503);
      },
      RECOMPUTE_FAILED,
    );

    // An ordinary run finishes the rebuild instead of finding nothing to do.
    const next = await callJson("POST", "/api/v1/recompute", undefined, ADMIN);
    expect(next.status).toBe(200);
    expect(next.json.mode).toBe("full");
    expect(next.json.complete).toBe(true);
    const after = await callJson("GET", `/api/v1/metrics/timeseries?service=${service}&granularity=month`, undefined, ADMIN);
    expect(after.status, after.text).toBe(200);
    expect(after.json.buckets.reduce((n: number, b: { deployment_frequency: { count: number } }) => n + b.deployment_frequency.count, 0)).toBe(2);
  });
});
