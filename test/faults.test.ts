import { abortAllDurableObjects, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import documented from "./fixtures/opslevel/deploy.json";
import { callJson, countRows, createIntegration, drain, duringD1Outage, env, integrationStub } from "./helpers";

/** More failed drains than workerd's own alarm retries (6), so only the object's re-arming can save them. */
const FAILED_RUNS = 10;

async function stored(id: string) {
  const { results } = await env.DB.prepare("SELECT seq, dedup_key FROM deployments WHERE integration_id = ? ORDER BY seq").bind(id).all<{ seq: number; dedup_key: string }>();
  return results;
}

const post = (id: string, dedup: string) => callJson("POST", `/integrations/deploy/${id}`, { ...documented, dedup_id: dedup });

async function scheduledAlarm(id: string): Promise<number | null> {
  return runInDurableObject(integrationStub(id), (_instance, state) => state.storage.getAlarm());
}

describe("faults: D1 failing during the outbox drain", () => {
  it("re-arms itself through more failures than the alarm's retries, then drains in order, exactly once", async () => {
    const { id } = await createIntegration("opslevel");
    const stub = integrationStub(id);
    await duringD1Outage("deployments", async () => {
      for (let run = 0; run < FAILED_RUNS; run++) {
        expect((await post(id, `outage-${run}`)).status).toBe(202);
        await runDurableObjectAlarm(stub);
        // Every failed drain leaves an alarm behind: the object will try again by itself.
        expect(await scheduledAlarm(id)).not.toBeNull();
        expect(await stub.pendingCount()).toBe(run + 1);
      }
    });
    await drain(id);
    const rows = await stored(id);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: FAILED_RUNS }, (_, i) => i + 1));
    expect(rows.map((r) => r.dedup_key)).toEqual(Array.from({ length: FAILED_RUNS }, (_, i) => `outage-${i}`));
    // A further alarm run after recovery writes nothing twice.
    await runDurableObjectAlarm(stub);
    expect(await countRows("deployments", id)).toBe(FAILED_RUNS);
  });

  it("writes nothing of a batch whose later statement fails (atomic), then all of it once", async () => {
    const { id } = await createIntegration("opslevel");
    const stub = integrationStub(id);
    // The deployments statement would succeed; the commits one, later in the same batch, fails.
    await duringD1Outage("deployment_commits", async () => {
      for (let i = 0; i < 3; i++) await post(id, `half-${i}`);
      await runDurableObjectAlarm(stub);
      expect(await countRows("deployments", id)).toBe(0);
      expect(await stub.pendingCount()).toBe(3);
    });
    await drain(id);
    expect((await stored(id)).map((r) => r.dedup_key)).toEqual(["half-0", "half-1", "half-2"]);
    const commits = await env.DB.prepare("SELECT count(*) AS n FROM deployment_commits c JOIN deployments d ON d.id = c.deployment_id WHERE d.integration_id = ?").bind(id).first<number>("n");
    expect(commits).toBe(3);
  });
});

describe("faults: a Durable Object evicted or restarted mid-stream", () => {
  it("loses nothing acknowledged when evicted while posts are in flight", async () => {
    const { id } = await createIntegration("opslevel");
    const stub = integrationStub(id);
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => post(id, `evict-${i}`)));
    const inFlight = Array.from({ length: 20 }, (_, i) => post(id, `evict-${10 + i}`));
    await evictDurableObject(stub);
    const rest = await Promise.all(inFlight);
    const after = await Promise.all(Array.from({ length: 10 }, (_, i) => post(id, `evict-${30 + i}`)));
    await evictDurableObject(stub).catch(() => undefined);
    const acknowledged = [...first, ...rest, ...after].flatMap((r, i) => (r.status === 202 ? [`evict-${i}`] : []));
    expect(acknowledged.length).toBeGreaterThanOrEqual(20);
    await drain(id);
    const rows = await stored(id);
    expect(rows.map((r) => r.dedup_key).sort()).toEqual([...acknowledged].sort());
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
  });

  it("numbers on from the last drained event when evicted with an empty outbox", async () => {
    const { id } = await createIntegration("opslevel");
    for (let i = 0; i < 3; i++) expect((await post(id, `renumber-${i}`)).status).toBe(202);
    await drain(id);
    await evictDurableObject(integrationStub(id));
    expect((await post(id, "renumber-3")).status).toBe(202);
    await drain(id);
    expect((await stored(id)).map((r) => [r.dedup_key, r.seq])).toEqual([
      ["renumber-0", 1],
      ["renumber-1", 2],
      ["renumber-2", 3],
      ["renumber-3", 4],
    ]);
  });

  it("loses nothing acknowledged when every object is aborted (a restart), nor its dedup memory", async () => {
    const { id } = await createIntegration("opslevel");
    const before = await Promise.all(Array.from({ length: 5 }, (_, i) => post(id, `restart-${i}`)));
    expect(before.every((r) => r.status === 202)).toBe(true);
    await abortAllDurableObjects();
    // The redelivered deploys are still known after the restart: duplicates, not new rows.
    const again = await Promise.all(Array.from({ length: 5 }, (_, i) => post(id, `restart-${i}`)));
    expect(again.map((r) => r.json.result)).toEqual(Array(5).fill("duplicate_deploy"));
    expect((await post(id, "restart-5")).status).toBe(202);
    await drain(id);
    const rows = await stored(id);
    expect(rows.map((r) => r.dedup_key).sort()).toEqual(["restart-0", "restart-1", "restart-2", "restart-3", "restart-4", "restart-5"]);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("starts an evicted object's rate-limit bucket full again (the state is in memory, as documented)", async () => {
    const { id } = await createIntegration("opslevel", { rate_limit: { requests_per_second: 0.01, burst: 2 } });
    expect((await post(id, "bucket-0")).status).toBe(202);
    expect((await post(id, "bucket-1")).status).toBe(202);
    expect((await post(id, "bucket-2")).status).toBe(429);
    await evictDurableObject(integrationStub(id));
    expect((await post(id, "bucket-2")).status).toBe(202);
  });
});
