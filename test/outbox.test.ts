import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import documented from "./fixtures/opslevel/deploy.json";
import { callJson, countRows, createIntegration, drain, duringD1Outage, env, integrationStub } from "./helpers";
import type { IntegrationObject } from "../src/ingest/integration-object";
import { DRAIN_ROWS } from "../src/ingest/outbox";
import type { IngestReply, IngestRequest } from "../src/ingest/protocol";
import { normalizeOpsLevelDeploy, opslevelDeploySchema } from "../src/vendors/opslevel/deploy";

async function storedSeqs(integrationId: string): Promise<number[]> {
  const { results } = await env.DB.prepare("SELECT seq FROM deployments WHERE integration_id = ? ORDER BY seq").bind(integrationId).all<{ seq: number }>();
  return results.map((r) => r.seq);
}

/** An OpsLevel deploy as the object receives it, with `dedupId` and `raw` as its stored payload. */
function deployEvent(payload: object, dedupId: string, raw: unknown = {}) {
  return normalizeOpsLevelDeploy(opslevelDeploySchema.parse({ ...payload, dedup_id: dedupId }), raw);
}

/** An OpsLevel request of `events`, each kept as first received, as a route sends it to the object. */
function deployRequest(...events: ReturnType<typeof deployEvent>[]): IngestRequest {
  return { vendor: "opslevel", credential: { kind: "id" }, commands: events.map((event) => ({ op: "record", event, mode: "first" })) };
}

/** A reply's first result, or why its request was refused. */
function firstResult(reply: IngestReply): string {
  return reply.ok ? reply.results[0]!.result : reply.reason;
}

/**
 * One request of two OpsLevel deploys straight to the object, the second of which cannot be stored
 * (JSON cannot hold a BigInt): its transaction fails after the first one was applied.
 */
async function ingestFailingAfterFirst(integrationId: string, payload: object, first: string, second: string) {
  const { runInDurableObject } = await import("cloudflare:test");
  return runInDurableObject(integrationStub(integrationId), (instance: IntegrationObject) =>
    instance.ingest(deployRequest(deployEvent(payload, first), deployEvent(payload, second, { big: 1n }))).then(
      () => "applied",
      (error: unknown) => `failed: ${String(error)}`,
    ),
  );
}

describe("IntegrationObject: dedup, sequence, outbox", () => {
  it("stores exactly 10 deploys from 100 concurrent posts of 10 dedup ids", async () => {
    const { id } = await createIntegration("opslevel");
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => callJson("POST", `/integrations/deploy/${id}`, { ...documented, dedup_id: `concurrent-${i % 10}` })),
    );
    expect(replies.every((r) => r.status === 202)).toBe(true);
    expect(replies.filter((r) => r.json.result === "duplicate_deploy")).toHaveLength(90);
    expect(replies.filter((r) => r.json.result !== "duplicate_deploy")).toHaveLength(10);
    await drain(id);
    expect(await countRows("deployments", id)).toBe(10);
    expect(await storedSeqs(id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("keeps acknowledged events while D1 fails, then lands each exactly once, in sequence", async () => {
    const { id } = await createIntegration("opslevel");
    const stub = integrationStub(id);
    await duringD1Outage("deployments", async () => {
      for (let i = 0; i < 5; i++) {
        const res = await callJson("POST", `/integrations/deploy/${id}`, { ...documented, dedup_id: `fault-${i}` });
        expect(res.status).toBe(202);
      }
      // The drain runs against the broken database: it fails and keeps every event.
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      expect(await stub.pendingCount()).toBe(5);
    });
    // A repost during the outage was a duplicate, and stays one.
    expect((await callJson("POST", `/integrations/deploy/${id}`, { ...documented, dedup_id: "fault-0" })).json.result).toBe("duplicate_deploy");
    await drain(id);
    expect(await storedSeqs(id)).toEqual([1, 2, 3, 4, 5]);
    const { results } = await env.DB.prepare("SELECT dedup_key FROM deployments WHERE integration_id = ? ORDER BY seq").bind(id).all<{ dedup_key: string }>();
    expect(results.map((r) => r.dedup_key)).toEqual(["fault-0", "fault-1", "fault-2", "fault-3", "fault-4"]);
  });

  it("gives away no sequence number and claims no dedup id in a transaction that fails", async () => {
    const { id } = await createIntegration("opslevel");
    expect(await ingestFailingAfterFirst(id, documented, "rollback-1", "rollback-2")).toMatch(/^failed: .*BigInt/);
    expect((await callJson("POST", `/integrations/deploy/${id}`, { ...documented, dedup_id: "rollback-1" })).json.result).not.toBe("duplicate_deploy");
    await drain(id);
    expect(await storedSeqs(id)).toEqual([1]);
  });

  it("gives away no deploy_number in a transaction that fails", async () => {
    const { id } = await createIntegration("opslevel");
    const { deploy_number: _n, ...withoutNumber } = documented;
    expect(await ingestFailingAfterFirst(id, withoutNumber, "numbered-1", "numbered-2")).toMatch(/^failed: .*BigInt/);
    await callJson("POST", `/integrations/deploy/${id}`, { ...withoutNumber, dedup_id: "numbered-3" });
    await drain(id);
    expect(await env.DB.prepare("SELECT deploy_number FROM deployments WHERE integration_id = ?").bind(id).first("deploy_number")).toBe("1");
  });

  it("claims nothing and gives away no number when a write of a new deploy fails", async () => {
    const { id } = await createIntegration("opslevel");
    const { runInDurableObject } = await import("cloudflare:test");
    const stub = integrationStub(id);
    const { deploy_number: _n, ...withoutNumber } = documented;
    await callJson("POST", `/integrations/deploy/${id}`, { ...withoutNumber, dedup_id: "single-1" });
    const event = deployEvent(withoutNumber, "single-2");
    // A row already holding the next sequence number makes the outbox insert fail, after the key was
    // claimed and the deploy numbered: the transaction must take both back.
    const failing = runInDurableObject(stub, (instance: IntegrationObject, state) => {
      state.storage.sql.exec("INSERT INTO outbox (seq, body) VALUES (2, '{}')");
      return instance.ingest(deployRequest(event));
    });
    await expect(failing).rejects.toThrow(/UNIQUE|PRIMARY KEY/i);
    await runInDurableObject(stub, (_instance, state) => state.storage.sql.exec("DELETE FROM outbox WHERE seq = 2 AND body = '{}'"));
    const again = await callJson("POST", `/integrations/deploy/${id}`, { ...withoutNumber, dedup_id: "single-2" });
    expect(again.status).toBe(202);
    expect(again.json.result).not.toBe("duplicate_deploy");
    await drain(id);
    const { results } = await env.DB.prepare("SELECT dedup_key, seq, deploy_number FROM deployments WHERE integration_id = ? ORDER BY seq").bind(id).all();
    expect(results).toEqual([
      { dedup_key: "single-1", seq: 1, deploy_number: "1" },
      { dedup_key: "single-2", seq: 2, deploy_number: "2" },
    ]);
  });

  it("answers each request on its own: one that fails writes nothing, the others stand", async () => {
    const { id } = await createIntegration("opslevel");
    const { runInDurableObject } = await import("cloudflare:test");
    const request = (dedupId: string, raw: unknown = {}) => deployRequest(deployEvent(documented, dedupId, raw));
    const replies = await runInDurableObject(integrationStub(id), async (instance: IntegrationObject) => {
      const out: string[] = [];
      for (const r of [request("batch-1"), request("batch-2", { big: 1n }), request("batch-3"), request("batch-1")]) {
        out.push(await instance.ingest(r).then(firstResult, () => "failed"));
      }
      return out;
    });
    expect(replies).toEqual(["created", "failed", "created", "duplicate"]);
    await drain(id);
    const { results } = await env.DB.prepare("SELECT dedup_key, seq FROM deployments WHERE integration_id = ? ORDER BY seq").bind(id).all();
    expect(results).toEqual([
      { dedup_key: "batch-1", seq: 1 },
      { dedup_key: "batch-3", seq: 2 },
    ]);
  });

  it("spends a token of the rate limit per request, not per command", async () => {
    const { id } = await createIntegration("opslevel", { rate_limit: { requests_per_second: 0.01, burst: 2 } });
    const { runInDurableObject } = await import("cloudflare:test");
    const replies = await runInDurableObject(integrationStub(id), async (instance: IntegrationObject) => {
      const two = deployRequest(deployEvent(documented, "limited-1"), deployEvent(documented, "limited-2"));
      const out = [firstResult(await instance.ingest(two))];
      for (const dedupId of ["limited-3", "limited-4"]) out.push(firstResult(await instance.ingest(deployRequest(deployEvent(documented, dedupId)))));
      return out;
    });
    expect(replies).toEqual(["created", "created", "rate_limited"]);
    await drain(id);
    expect(await storedSeqs(id)).toEqual([1, 2, 3]);
  });

  it("gives records ids that sort in the order they were accepted", async () => {
    const { id } = await createIntegration("opslevel");
    for (let i = 0; i < 8; i++) {
      await callJson("POST", `/integrations/deploy/${id}`, { ...documented, dedup_id: `ordered-${i}` });
      await new Promise((r) => setTimeout(r, 3));
    }
    await drain(id);
    const { results } = await env.DB.prepare("SELECT id FROM deployments WHERE integration_id = ? ORDER BY seq").bind(id).all<{ id: string }>();
    expect(results).toHaveLength(8);
    expect(results.map((r) => r.id)).toEqual(results.map((r) => r.id).sort());
  });

  it("drains a backlog one batch per alarm, a full batch setting the next drain for now, completely and in sequence", async () => {
    const { id } = await createIntegration("opslevel");
    const total = DRAIN_ROWS * 2 + 50;
    const dedupIds = Array.from({ length: total }, (_, i) => `backlog-${i}`);
    const { runInDurableObject } = await import("cloudflare:test");
    // In one callback, with the drain set at acknowledgement taken away: the first drain is this one.
    const first = await runInDurableObject(integrationStub(id), async (instance: IntegrationObject, state) => {
      await instance.ingest(deployRequest(...dedupIds.map((dedupId) => deployEvent(documented, dedupId))));
      await state.storage.deleteAlarm();
      await instance.alarm();
      return { pending: instance.pendingCount(), next: await state.storage.getAlarm(), now: Date.now() };
    });
    expect(first.pending).toBe(total - DRAIN_ROWS);
    // A burst still reaches D1 within a second: a full batch waits for nothing.
    expect(first.next).not.toBeNull();
    expect(first.next!).toBeLessThanOrEqual(first.now);
    await drain(id);
    expect(await storedSeqs(id)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const { results } = await env.DB.prepare("SELECT dedup_key FROM deployments WHERE integration_id = ? ORDER BY seq").bind(id).all<{ dedup_key: string }>();
    expect(results.map((r) => r.dedup_key)).toEqual(dedupIds);
  });

  it("writes a replayed batch only once (idempotent upserts)", async () => {
    const { id } = await createIntegration("opslevel");
    await callJson("POST", `/integrations/deploy/${id}`, { ...documented, dedup_id: "replay-1" });
    const stub = integrationStub(id);
    // Hand the drain the same outbox twice: the second write must change nothing.
    const { writeRecords } = await import("../src/ingest/drain");
    const { runInDurableObject } = await import("cloudflare:test");
    const records = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ body: string }>("SELECT body FROM outbox ORDER BY seq").toArray().map((r) => JSON.parse(r.body)),
    );
    await writeRecords(env, records);
    await writeRecords(env, records);
    await drain(id);
    expect(await countRows("deployments", id)).toBe(1);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM deployment_commits c JOIN deployments d ON d.id = c.deployment_id WHERE d.integration_id = ?").bind(id).first("n")).toBe(1);
  });

  it("reaches D1 without any help: the alarm is set at acknowledgement", async () => {
    const { id } = await createIntegration("opslevel");
    await callJson("POST", `/integrations/deploy/${id}`, { ...documented, dedup_id: "timely" });
    const deadline = Date.now() + 5000;
    while ((await countRows("deployments", id)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await countRows("deployments", id)).toBe(1);
  });

  it("writes nothing into the object of an id nobody created", async () => {
    const id = crypto.randomUUID();
    expect((await callJson("POST", `/integrations/deploy/${id}`, documented)).status).toBe(404);
    const { runInDurableObject } = await import("cloudflare:test");
    const tables = await runInDurableObject(integrationStub(id), (_instance, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master").one().n,
    );
    expect(tables).toBe(0);
  });

  // It waits out two real backoffs (1 s, then 2 s).
  it("backs off exponentially, and a wake-up of the shared alarm before the retry is due leaves D1 alone", { timeout: 20_000 }, async () => {
    const { id } = await createIntegration("opslevel");
    const stub = integrationStub(id);
    const { runInDurableObject } = await import("cloudflare:test");
    const retry = () =>
      runInDurableObject(stub, async (_instance, state) => {
        const meta = (key: string) => state.storage.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
        return { failures: meta("drain_failures"), wait: meta("drain_retry_at")! - Date.now(), alarm: (await state.storage.getAlarm())! - Date.now() };
      });
    await duringD1Outage("deployments", async () => {
      expect((await callJson("POST", `/integrations/deploy/${id}`, { ...documented, dedup_id: "backoff-1" })).status).toBe(202);
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      const first = await retry();
      expect(first.failures).toBe(1);
      expect(first.wait).toBeGreaterThan(500);
      expect(first.wait).toBeLessThanOrEqual(1000);
      // Woken early (by the outbound queue's alarm, say): no attempt, and the alarm is back at the retry.
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      const early = await retry();
      expect(early.failures).toBe(1);
      expect(early.alarm).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, early.wait + 10));
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      const second = await retry();
      expect(second.failures).toBe(2);
      expect(second.wait).toBeGreaterThan(1500);
      expect(second.wait).toBeLessThanOrEqual(2000);
      await new Promise((resolve) => setTimeout(resolve, second.wait + 10));
    });
    await drain(id);
    expect(await storedSeqs(id)).toEqual([1]);
  });
});
