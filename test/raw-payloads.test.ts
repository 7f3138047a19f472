import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import deployment from "./fixtures/generic/deployment.json";
import { ADMIN, callJson, createIntegration, drain, env, integrationStub, withExpectedErrors } from "./helpers";
import type { IntegrationObject } from "../src/ingest/integration-object";

async function objectsOf(integrationId: string): Promise<R2Object[]> {
  const listed = await env.RAW.list({ prefix: "raw/" });
  return listed.objects.filter((o) => o.key.includes(`/${integrationId}/`));
}

function post(integration: { id: string; secret: string }, body: unknown) {
  return callJson("POST", `/webhooks/generic/${integration.id}/deployments`, body, { authorization: `Bearer ${integration.secret}` });
}

describe("original payloads in R2", () => {
  it("packs a drain batch into one object, keeps D1 free of payloads, and shows every delivery newest first", async () => {
    const integration = await createIntegration("generic");
    const started = { ...deployment, status: "in_progress", finished_at: undefined, description: "first delivery" };
    const first = await post(integration, started);
    const second = await post(integration, deployment);
    const other = await post(integration, { ...deployment, dedup_key: "another-one" });
    expect([first.status, second.status, other.status]).toEqual([202, 202, 202]);
    const id = first.json.results[0].id;
    expect(second.json.results[0].id).toBe(id);
    await drain(integration.id);

    const objects = await objectsOf(integration.id);
    expect(objects).toHaveLength(1);
    const { results } = await env.DB.prepare("SELECT raw FROM deployments WHERE integration_id = ?").bind(integration.id).all<{ raw: string }>();
    expect(results.map((r) => r.raw)).toEqual(["", ""]);

    const detail = await callJson("GET", `/api/v1/deployments/${id}`, undefined, ADMIN);
    expect(detail.status, detail.text).toBe(200);
    expect(detail.json.raw).toEqual(deployment);
    expect(detail.json.earlier_raw).toEqual([{ seq: expect.any(Number), received_at: expect.any(String), raw: JSON.parse(JSON.stringify(started)) }]);
  });

  it("reads one payload with a range request on its gzip member", async () => {
    const integration = await createIntegration("generic");
    const posted = await post(integration, { items: [{ ...deployment, dedup_key: "a" }, { ...deployment, dedup_key: "b", description: "b".repeat(3000) }] });
    await drain(integration.id);
    const [object] = await objectsOf(integration.id);
    const { results } = await env.DB.prepare("SELECT offset, length FROM raw_payloads JOIN raw_objects o ON o.id = object_id WHERE o.key = ? ORDER BY offset").bind(object!.key).all<{ offset: number; length: number }>();
    expect(results).toHaveLength(2);
    // The members lie end to end, each a gzip member of its own: the large one compressed.
    expect(results[1]!.offset).toBe(results[0]!.length);
    expect(results[0]!.length + results[1]!.length).toBe(object!.size);
    expect(results[1]!.length).toBeLessThan(3000);
    const b = await callJson("GET", `/api/v1/deployments/${posted.json.results[1].id}`, undefined, ADMIN);
    expect(b.json.raw.description).toBe("b".repeat(3000));
  });

  it("stores a small payload as an uncompressed gzip member, which any gzip reader still reads", async () => {
    const integration = await createIntegration("generic");
    const small = { ...deployment, dedup_key: "small" };
    const large = { ...deployment, dedup_key: "large", description: "c".repeat(3000) };
    const posted = await post(integration, { items: [small, large] });
    expect(posted.status, posted.text).toBe(202);
    await drain(integration.id);
    const [object] = await objectsOf(integration.id);
    const bytes = new Uint8Array(await (await env.RAW.get(object!.key))!.arrayBuffer());
    const { results } = await env.DB.prepare("SELECT offset, length FROM raw_payloads JOIN raw_objects o ON o.id = object_id WHERE o.key = ? ORDER BY offset").bind(object!.key).all<{ offset: number; length: number }>();
    const members = results.map((r) => bytes.subarray(r.offset, r.offset + r.length));
    const texts = members.map((m) => new TextDecoder().decode(m));
    // The small payload's JSON lies in its member as sent (a stored block); the large one's does not.
    expect(texts[0]).toContain('"dedup_key":"small"');
    expect(texts[1]).not.toContain("c".repeat(100));
    const gunzip = (member: Uint8Array) => new Response(new Blob([member]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
    expect(await Promise.all(members.map(gunzip))).toEqual([JSON.stringify(small), JSON.stringify(large)]);
    for (const [i, id] of posted.json.results.map((r: { id: string }) => r.id).entries()) {
      const detail = await callJson("GET", `/api/v1/deployments/${id}`, undefined, ADMIN);
      expect(detail.json.raw).toEqual([small, large][i]);
    }
  });

  it("keeps acknowledged events while R2 cannot be written, then stores each once", async () => {
    const integration = await createIntegration("generic");
    const stub = integrationStub(integration.id);
    for (let i = 0; i < 3; i++) expect((await post(integration, { ...deployment, dedup_key: `r2-fault-${i}` })).status).toBe(202);
    // The object as deployed without its bucket binding: every drain's write fails.
    type Drains = { outbox: { target: typeof env } };
    await runInDurableObject(stub, (instance: IntegrationObject) => {
      const { outbox } = instance as unknown as Drains;
      outbox.target = { ...outbox.target, RAW: undefined as unknown as R2Bucket };
    });
    await withExpectedErrors(/^outbox drain failed/, async () => {
      expect(await runDurableObjectAlarm(stub)).toBe(true);
    });
    expect(await stub.pendingCount()).toBe(3);
    const stored = () => env.DB.prepare("SELECT count(*) AS n FROM deployments WHERE integration_id = ?").bind(integration.id).first<number>("n");
    expect(await stored()).toBe(0);

    await runInDurableObject(stub, (instance: IntegrationObject) => {
      (instance as unknown as Drains).outbox.target = env;
    });
    await drain(integration.id);
    expect(await stored()).toBe(3);
    const list = await callJson("GET", `/api/v1/deployments?integration=${integration.id}`, undefined, ADMIN);
    for (const item of list.json.items) {
      const detail = await callJson("GET", `/api/v1/deployments/${item.id}`, undefined, ADMIN);
      expect(detail.json.raw.dedup_key).toBe(item.dedup_key);
    }
  });
});
