import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import anatomyRecommended from "./fixtures/devgrid/anatomy-recommended.txt?raw";
import anatomyRequired from "./fixtures/devgrid/anatomy-required.json";
import workflow1 from "./fixtures/devgrid/workflow-1-basic.json";
import workflow3 from "./fixtures/devgrid/workflow-3-change-id.txt?raw";
import workflow4 from "./fixtures/devgrid/workflow-4-failed.txt?raw";
import rollback from "./fixtures/devgrid/workflow-5-rollback.json";
import workflow6 from "./fixtures/devgrid/workflow-6-hotfix.txt?raw";
import workflow7 from "./fixtures/devgrid/workflow-7-backfill.txt?raw";
import { ADMIN, call, callJson, countRows, createIntegration, drain, env, integrationStub, type CreatedIntegration } from "./helpers";
import { devgridEventSchema, normalizeDevGridEvent } from "../src/vendors/devgrid/events";

/** DevGrid's doc annotates some examples with `// ...` comments; a pipeline sends them without. */
const withoutComments = (text: string) => JSON.parse(text.replace(/\s*\/\/[^\n"]*$/gm, ""));

const key = (i: CreatedIntegration) => ({ "x-api-key": i.secret });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function deploymentsOf(id: string) {
  const list = await callJson("GET", `/api/v1/deployments?integration=${id}&limit=50`, undefined, ADMIN);
  expect(list.status).toBe(200);
  return list.json.items as any[];
}

describe("DevGrid adapter", () => {
  const at = "2026-01-01T00:00:00.000Z";
  const normalize = (e: unknown) => normalizeDevGridEvent(devgridEventSchema.parse(e), e, at);

  it("maps success and failed, and reads initiator as an email or a name", () => {
    expect(normalize(withoutComments(workflow4)).status).toBe("failure");
    // The doc's own initiator is an obfuscated placeholder without an "@": a name.
    expect(normalize(withoutComments(anatomyRecommended)).deployer).toEqual({ id: null, name: "[email protected]", email: null });
    const byEmail = normalize({ ...anatomyRequired, attributes: { ...anatomyRequired.attributes, initiator: "dev@example.com" } });
    expect(byEmail.deployer).toEqual({ id: null, name: null, email: "dev@example.com" });
  });

  it("dedups by dedup_id, else build_id with env and status, else not at all", () => {
    const attrs = { env: "production", status: "success" };
    expect(normalize({ ...anatomyRequired, attributes: { ...attrs, dedup_id: "d1", build_id: 7 } }).dedup_key).toBe("d1");
    expect(normalize({ ...anatomyRequired, attributes: { ...attrs, build_id: 7 } }).dedup_key).toBe('["7","production","success"]');
    expect(normalize(anatomyRequired).dedup_key).toBeNull();
  });
});

describe("DevGrid events webhook", () => {
  it("stores the documented basic event and answers 201 with it, its id and timestamp", async () => {
    const integration = await createIntegration("devgrid");
    const before = new Date().toISOString();
    const res = await callJson("POST", "/events", workflow1, key(integration));
    expect(res.status, res.text).toBe(201);
    expect(res.json).toEqual({ events: [{ ...workflow1.events[0], id: expect.stringMatching(UUID), timestamp: expect.stringMatching(ISO) }] });
    expect(res.json.events[0].timestamp >= before).toBe(true);
    await drain(integration.id);
    const [stored, ...rest] = await deploymentsOf(integration.id);
    expect(rest).toHaveLength(0);
    expect(stored).toMatchObject({
      id: res.json.events[0].id,
      service: "my-app",
      environment: "production",
      environment_raw: "production",
      status: "success",
      finished_at: res.json.events[0].timestamp,
      commits: [{ sha: "a1b2c3d4", repository: null }],
    });
  });

  it("stores every documented event shape in one request, in order", async () => {
    const integration = await createIntegration("devgrid", { environment: "staging" });
    const events = [anatomyRequired, withoutComments(anatomyRecommended), withoutComments(workflow3), withoutComments(workflow4), rollback, withoutComments(workflow6)];
    const res = await callJson("POST", "/events", { events }, key(integration));
    expect(res.status, res.text).toBe(201);
    expect(res.json.events).toHaveLength(6);
    expect(new Set(res.json.events.map((e: any) => e.id)).size).toBe(6);
    await drain(integration.id);
    const stored = await deploymentsOf(integration.id);
    const bySeq = [...stored].sort((a, b) => a.seq - b.seq);
    expect(bySeq.map((d) => d.id)).toEqual(res.json.events.map((e: any) => e.id));
    expect(bySeq.map((d) => [d.service, d.status, d.kind, d.change_id])).toEqual([
      ["your-app-id", "success", null, null],
      ["your-app-id", "success", null, "CHG0012345"],
      ["my-app", "success", null, "CHG0012345"],
      ["my-app", "failure", null, null],
      ["my-app", "success", null, "CHG0012346"],
      ["my-app", "success", "hotfix", "CHG0012347"],
    ]);
    expect(bySeq[1]).toMatchObject({ url: "https://...", description: "Deploy v2.1.0", deployer: { name: "[email protected]", email: null } });
    // The events name their environment, so the integration's default does not apply.
    expect(bySeq.every((d) => d.environment === "production")).toBe(true);
  });

  it("keeps custom attributes in the stored raw event", async () => {
    const integration = await createIntegration("devgrid");
    const res = await callJson("POST", "/events", { events: [withoutComments(workflow6)] }, key(integration));
    await drain(integration.id);
    const detail = await callJson("GET", `/api/v1/deployments/${res.json.events[0].id}`, undefined, ADMIN);
    expect(detail.json.raw).toEqual(withoutComments(workflow6));
    expect(detail.json.raw.attributes.deployment_type).toBe("hotfix");
  });

  it("backfills at the event's own timestamp, in UTC", async () => {
    const integration = await createIntegration("devgrid");
    const res = await callJson("POST", "/events", withoutComments(workflow7), key(integration));
    expect(res.status, res.text).toBe(201);
    expect(res.json.events[0]).toMatchObject({ timestamp: "2025-01-15T14:30:00.000Z", entityId: "my-app" });
    const offset = await callJson("POST", "/events", { events: [{ ...anatomyRequired, timestamp: "2025-01-15T16:30:00+02:00", attributes: { ...anatomyRequired.attributes, dedup_id: "o" } }] }, key(integration));
    expect(offset.json.events[0].timestamp).toBe("2025-01-15T14:30:00.000Z");
    await drain(integration.id);
    expect((await deploymentsOf(integration.id)).map((d) => d.finished_at)).toEqual(["2025-01-15T14:30:00.000Z", "2025-01-15T14:30:00.000Z"]);
  });

  it("drops a redelivered event: same dedup_id, or same build, environment and status", async () => {
    const integration = await createIntegration("devgrid");
    const withDedup = { ...anatomyRequired, attributes: { ...anatomyRequired.attributes, dedup_id: "deploy-1" } };
    const build = (status: string) => ({ ...anatomyRequired, attributes: { env: "production", status, build_id: "build-123" } });
    const first = await callJson("POST", "/events", { events: [withDedup, build("failed")] }, key(integration));
    const again = await callJson("POST", "/events", { events: [withDedup, build("failed"), build("success")] }, key(integration));
    expect(again.status).toBe(201);
    expect(again.json.events.slice(0, 2).map((e: any) => e.id)).toEqual(first.json.events.map((e: any) => e.id));
    // Without any dedup key every event is new.
    await callJson("POST", "/events", { events: [anatomyRequired, anatomyRequired] }, key(integration));
    await drain(integration.id);
    expect(await countRows("deployments", integration.id)).toBe(5);
  });

  it("answers a redelivered event without a timestamp with the time its first delivery was stored at", async () => {
    const integration = await createIntegration("devgrid");
    const event = { ...anatomyRequired, attributes: { ...anatomyRequired.attributes, dedup_id: "untimed" } };
    const first = await callJson("POST", "/events", { events: [event] }, key(integration));
    await new Promise((r) => setTimeout(r, 20));
    const again = await callJson("POST", "/events", { events: [event] }, key(integration));
    expect(again.json.events[0]).toEqual(first.json.events[0]);
    await drain(integration.id);
    expect((await deploymentsOf(integration.id)).map((d) => d.finished_at)).toEqual([first.json.events[0].timestamp]);
  });

  it("keeps taking events in an object created before its records kept that time", async () => {
    const integration = await createIntegration("devgrid");
    const event = (dedup_id: string) => ({ ...anatomyRequired, attributes: { ...anatomyRequired.attributes, dedup_id } });
    const first = await callJson("POST", "/events", { events: [event("before")] }, key(integration));
    const stub = integrationStub(integration.id);
    await runInDurableObject(stub, (_instance, state) => {
      // The object as it was: `records` with a rowid and without the column, the last number
      // given in the outbox only, and a view with a trigger that once accepted new records.
      state.storage.sql.exec(`CREATE VIEW first_records (key) AS SELECT NULL WHERE 0;
        CREATE TRIGGER first_records_insert INSTEAD OF INSERT ON first_records BEGIN SELECT 1; END;
        DELETE FROM meta WHERE key = 'seq';
        CREATE TABLE records_then (key TEXT PRIMARY KEY, id TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT);
        INSERT INTO records_then SELECT key, id, seq, state FROM records; DROP TABLE records; ALTER TABLE records_then RENAME TO records`);
    });
    await evictDurableObject(stub);
    const later = await callJson("POST", "/events", { events: [event("after"), event("before")] }, key(integration));
    expect(later.status).toBe(201);
    // The event stored before has no time kept: its redelivery shows this request's, as it used to.
    expect(later.json.events[1].id).toBe(first.json.events[0].id);
    const again = await callJson("POST", "/events", { events: [event("after")] }, key(integration));
    expect(again.json.events[0]).toEqual(later.json.events[0]);
    const left = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name LIKE 'first_records%'").toArray(),
    );
    expect(left).toEqual([]);
    await drain(integration.id);
    const { results } = await env.DB.prepare("SELECT dedup_key, seq FROM deployments WHERE integration_id = ? ORDER BY seq").bind(integration.id).all();
    expect(results).toEqual([
      { dedup_key: "before", seq: 1 },
      { dedup_key: "after", seq: 2 },
    ]);
  });

  it("answers every credential failure with the same 401 and stores nothing", async () => {
    const integration = await createIntegration("devgrid");
    const devlake = await createIntegration("devlake");
    const deleted = await createIntegration("devgrid");
    expect((await callJson("DELETE", `/api/v1/integrations/${deleted.id}`, undefined, ADMIN)).status).toBe(204);
    const bodies = new Set<string>();
    const cases: Record<string, string>[] = [{}, { "x-api-key": "" }, { "x-api-key": "wrong" }, key(devlake), key(deleted), { authorization: `Bearer ${integration.secret}` }];
    for (const headers of cases) {
      const res = await callJson("POST", "/events", workflow1, headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      bodies.add(res.text);
    }
    expect(bodies.size).toBe(1);
    expect(JSON.parse([...bodies][0]!)).toEqual({ errors: [{ status: 401, title: "Unauthorized", detail: "missing or invalid x-api-key" }] });
    await drain(integration.id);
    expect(await countRows("deployments", integration.id)).toBe(0);
  });

  it.each([
    ["events", (b: any) => delete b.events],
    ["events.0.entityId", (b: any) => delete b.events[0].entityId],
    ["events.0.attributes", (b: any) => delete b.events[0].attributes],
    ["events.0.attributes.env", (b: any) => delete b.events[0].attributes.env],
    ["events.0.attributes.status", (b: any) => delete b.events[0].attributes.status],
  ])("answers 400 naming %s when it is missing, storing nothing", async (field, strip) => {
    const integration = await createIntegration("devgrid");
    const body = JSON.parse(JSON.stringify({ events: [anatomyRequired, anatomyRequired] }));
    strip(body);
    const res = await callJson("POST", "/events", body, key(integration));
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: any) => e.detail)).toEqual([`param is missing or the value is empty: ${field}`]);
    await drain(integration.id);
    expect(await countRows("deployments", integration.id)).toBe(0);
  });

  it("refuses another event type, an unknown status, an empty list and malformed JSON", async () => {
    const integration = await createIntegration("devgrid");
    const wrongType = await callJson("POST", "/events", { events: [{ ...anatomyRequired, type: "event-build" }] }, key(integration));
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.errors[0].detail).toMatch(/^events\.0\.type: .*event-deploy/);
    const badStatus = await callJson("POST", "/events", { events: [{ ...anatomyRequired, attributes: { env: "production", status: "meh" } }] }, key(integration));
    expect(badStatus.json.errors[0].detail).toBe('events.0.attributes.status: must be success or failed, not "meh"');
    expect((await callJson("POST", "/events", { events: [] }, key(integration))).status).toBe(400);
    const malformed = await call("POST", "/events", workflow7, key(integration));
    expect(malformed.status).toBe(400);
    expect((await malformed.json<any>()).errors[0].detail).toMatch(/^malformed JSON: .*\(line 4 column \d+\)/);
    await drain(integration.id);
    expect(await countRows("deployments", integration.id)).toBe(0);
  });
});
