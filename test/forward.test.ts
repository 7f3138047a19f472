/**
 * `forward` and `notify` on integrations: what the API takes and shows, and what the integration's
 * object queues for them in the transaction that accepts a delivery, read from its own storage.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import githubStatus from "./fixtures/github/deployment_status.json";
import gitlabDeployment from "./fixtures/gitlab/deployment.json";
import { describe, expect, it } from "vitest";
import type { IntegrationObject } from "../src/ingest/integration-object";
import { ADMIN, call, callJson, countRows, createIntegration, env, integrationStub } from "./helpers";
import { hmacHex, postRaw } from "./signing";

const CREDENTIAL = "Bearer old-tool-credential-never-shown";

interface QueuedRow {
  lane: string;
  ref: string;
  suffix: string;
  content_type: string | null;
  headers: string;
  body: string;
}

/** The outbound queue as the object stores it, in order. */
function queued(id: string): Promise<QueuedRow[]> {
  return runInDurableObject(integrationStub(id), (_: IntegrationObject, state) =>
    state.storage.sql
      .exec<Record<string, SqlStorageValue>>("SELECT lane, ref, suffix, content_type, headers, body FROM outbound ORDER BY id")
      .toArray()
      .map((r) => ({ ...r, body: new TextDecoder().decode(r.body as ArrayBuffer) }) as QueuedRow),
  );
}

function post(id: string, secret: string, kind: string, body: string, headers: Record<string, string> = {}) {
  return call("POST", `/webhooks/generic/${id}/${kind}`, body, { authorization: `Bearer ${secret}`, "content-type": "application/json", ...headers });
}

describe("forward and notify settings", () => {
  it.each([
    [{ forward: { url: "http://old-tool.example.com/hook" } }, "forward.url", "must be https"],
    [{ forward: { url: "ftp://127.0.0.1/hook" } }, "forward.url", "must be https"],
    [{ forward: { url: "https://user:pw@old-tool.example.com/" } }, "forward.url", "must not carry a user or password"],
    [{ forward: { url: "not a url" } }, "forward.url", "absolute URL"],
    [{ forward: { url: "https://old-tool.example.com/", headers: { "Bad Name": "x" } } }, "forward.headers", "not a valid header name"],
    [{ forward: { url: "https://old-tool.example.com/", headers: { Host: "x" } } }, "forward.headers", "cannot be configured"],
    [{ forward: { url: "https://old-tool.example.com/", headers: { "X-A": "a\r\nX-B: b" } } }, "forward.headers", "line breaks"],
    [{ notify: { url: "https://hooks.example.com/", format: "teams" } }, "notify.format", ""],
    [{ notify: { url: "http://10.0.0.1/", format: "json" } }, "notify.url", "must be https"],
  ])("refuses %j at creation with a 400 naming %s, creating nothing", async (extra, field, detail) => {
    const before = await countRows("integrations");
    const res = await callJson("POST", "/api/v1/integrations", { vendor: "generic", name: "bad", ...extra }, ADMIN);
    expect(res.status, res.text).toBe(400);
    expect(res.text).toContain(field);
    expect(res.text).toContain(detail);
    expect(await countRows("integrations")).toBe(before);
  });

  it("takes http to loopback and https; shows the URL and header names, never a header's value, anywhere", async () => {
    const forward = { url: "http://127.0.0.1:9/old", headers: { Authorization: CREDENTIAL } };
    const created = await callJson("POST", "/api/v1/integrations", { vendor: "generic", name: "shadow", forward, notify: { url: "http://[::1]:9/n", format: "slack" } }, ADMIN);
    expect(created.status, created.text).toBe(201);
    expect(created.json.forward).toEqual({ url: forward.url, header_names: ["Authorization"], duplicates: false });
    expect(created.json.notify).toEqual({ url: "http://[::1]:9/n", format: "slack", suspect_minutes: 60 });
    const id = created.json.id;
    const shown = await callJson("GET", `/api/v1/integrations/${id}`, undefined, ADMIN);
    const listed = await callJson("GET", "/api/v1/integrations", undefined, ADMIN);
    expect(shown.json.forward).toEqual(created.json.forward);
    expect(listed.json.items.find((i: { id: string }) => i.id === id).forward).toEqual(created.json.forward);
    const d1 = JSON.stringify(await env.DB.prepare("SELECT * FROM integrations WHERE id = ?").bind(id).all());
    for (const text of [created.text, shown.text, listed.text, d1]) expect(text).not.toContain("old-tool-credential");

    const patched = await callJson("PATCH", `/api/v1/integrations/${id}`, { forward: { url: "https://old.example.com/x", duplicates: true }, notify: null }, ADMIN);
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.forward).toEqual({ url: "https://old.example.com/x", header_names: [], duplicates: true });
    expect(patched.json.notify).toBeNull();
    const refused = await callJson("PATCH", `/api/v1/integrations/${id}`, { forward: { url: "http://example.com/" } }, ADMIN);
    expect(refused.status).toBe(400);
    expect((await callJson("PATCH", `/api/v1/integrations/${id}`, { forward: null }, ADMIN)).json.forward).toBeNull();
  });
});

describe("the outbound queue", () => {
  it("queues each accepted delivery's bytes in order with the vendor's headers but not our credential; rejected ones and duplicates not", async () => {
    const t = await createIntegration("generic", { forward: { url: "http://127.0.0.1:9/base", headers: { Authorization: CREDENTIAL } } });
    const bodies = [`{"dedup_key":"q-1",  "status":"success"}`, `{"dedup_key":"q-2","status":"success" }`, `{ "dedup_key":"q-3"}`];
    expect((await post(t.id, t.secret, "deployments", bodies[0]!, { "idempotency-key": "k-1" })).status).toBe(202);
    expect((await post(t.id, t.secret, "deployments", `{"dedup_key":"q-x","status":"exploded"}`)).status).toBe(400);
    expect((await post(t.id, t.secret, "deployments", bodies[1]!)).status).toBe(202);
    expect((await post(t.id, t.secret, "deployments", bodies[0]!, { "idempotency-key": "k-1" })).status).toBe(202);
    expect((await post(t.id, t.secret, "deployments", bodies[1]!)).status).toBe(202);
    expect((await post(t.id, t.secret, "deployments", bodies[2]!)).status).toBe(202);
    const rows = await queued(t.id);
    expect(rows.map((r) => r.body)).toEqual(bodies);
    expect(rows[0]!.ref).toBe("k-1");
    expect(rows.every((r) => r.lane === "forward" && r.suffix === "/deployments" && r.content_type === "application/json")).toBe(true);
    expect(JSON.parse(rows[0]!.headers)).toContainEqual(["idempotency-key", "k-1"]);
    expect(rows.map((r) => r.headers).join()).not.toContain(t.secret);
  });

  it("queues duplicates too when the forward asks for them", async () => {
    const t = await createIntegration("generic", { forward: { url: "http://127.0.0.1:9/", duplicates: true } });
    const body = `{"dedup_key":"dup-1","status":"success"}`;
    await post(t.id, t.secret, "deployments", body);
    await post(t.id, t.secret, "deployments", body);
    expect((await queued(t.id)).map((r) => r.body)).toEqual([body, body]);
  });

  it("queues pushes: a failed production deployment, a suspect deployment with its link, a resolved incident with its time to restore", async () => {
    const t = await createIntegration("generic", { notify: { url: "http://127.0.0.1:9/n", format: "json", suspect_minutes: 30 } });
    const now = Date.now();
    const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();
    const deploy = { dedup_key: "p-1", service: "checkout", environment: "production", status: "success", finished_at: at(-20) };
    expect((await post(t.id, t.secret, "deployments", JSON.stringify(deploy))).status).toBe(202);
    const old = { dedup_key: "p-0", service: "search", environment: "production", status: "success", finished_at: at(-45) };
    expect((await post(t.id, t.secret, "deployments", JSON.stringify(old))).status).toBe(202);
    const incident = { dedup_key: "INC-1", service: "checkout", title: "checkout errors", created_at: at(0) };
    expect((await post(t.id, t.secret, "incidents", JSON.stringify(incident))).status).toBe(202);
    // Outside the window: no suspect.
    expect((await post(t.id, t.secret, "incidents", JSON.stringify({ ...incident, dedup_key: "INC-2", service: "search" }))).status).toBe(202);
    expect((await post(t.id, t.secret, "incidents", JSON.stringify({ ...incident, resolved_at: at(45) }))).status).toBe(202);
    const failed = { ...deploy, dedup_key: "p-2", status: "failure" };
    expect((await post(t.id, t.secret, "deployments", JSON.stringify(failed))).status).toBe(202);
    expect((await post(t.id, t.secret, "deployments", JSON.stringify({ ...failed, dedup_key: "p-3", environment: "staging" }))).status).toBe(202);

    const pushes = (await queued(t.id)).map((r) => ({ ref: r.ref, lane: r.lane, body: JSON.parse(r.body) }));
    expect(pushes.map((p) => [p.lane, p.body.type, p.body.service])).toEqual([
      ["notify", "suspect_deployment", "checkout"],
      ["notify", "incident_resolved", "checkout"],
      ["notify", "deployment_failed", "checkout"],
    ]);
    const [suspect, resolved, failure] = pushes.map((p) => p.body);
    expect(pushes.map((p) => p.ref)).toEqual([suspect.id, resolved.id, failure.id]);
    expect(suspect).toMatchObject({ environment: "production", minutes_after: 20 });
    expect(suspect.deployment_link).toBe(`https://receiver.test/api/v1/deployments/${suspect.deployment_id}`);
    expect(resolved).toMatchObject({ time_to_restore_seconds: 2700 });
    expect(failure).toMatchObject({ environment: "production" });
  });

  it("writes pushes for Slack as text", async () => {
    const t = await createIntegration("generic", { notify: { url: "http://127.0.0.1:9/n", format: "slack" } });
    await post(t.id, t.secret, "deployments", JSON.stringify({ dedup_key: "s-1", service: "cart", environment: "production", status: "failure", url: "https://ci.example.com/1" }));
    const [row] = await queued(t.id);
    expect(JSON.parse(row!.body)).toEqual({ text: "Production deployment of cart failed: https://ci.example.com/1" });
  });

  it("passes a vendor's event, delivery id and signature through as received, never our credential", async () => {
    const gh = await createIntegration("github", { forward: { url: "http://127.0.0.1:9/gh" } });
    const text = JSON.stringify(githubStatus);
    const signature = `sha256=${await hmacHex(gh.secret, text)}`;
    const sent = { "x-github-event": "deployment_status", "x-github-delivery": "gh-delivery-1", "x-hub-signature-256": signature };
    expect((await postRaw(`/webhooks/github/${gh.id}`, text, sent)).status).toBeLessThan(300);
    const [ghRow] = await queued(gh.id);
    expect(ghRow!.body).toBe(text);
    expect(ghRow!.ref).toBe("gh-delivery-1");
    expect(JSON.parse(ghRow!.headers)).toEqual(expect.arrayContaining(Object.entries(sent)));

    const gl = await createIntegration("gitlab", { forward: { url: "http://127.0.0.1:9/gl", headers: { "X-Gitlab-Token": "old-gitlab-token" } } });
    const res = await postRaw(`/webhooks/gitlab/${gl.id}`, JSON.stringify(gitlabDeployment), { "x-gitlab-token": gl.secret, "x-gitlab-event": "Deployment Hook" });
    expect(res.status, res.text).toBe(202);
    const [glRow] = await queued(gl.id);
    expect(JSON.parse(glRow!.headers)).toContainEqual(["x-gitlab-event", "Deployment Hook"]);
    expect(glRow!.headers).not.toContain(gl.secret);
  });

  it("dead-letters a delivery still failing 3 days after it was queued, and moves on", async () => {
    // Nothing listens on the discard port: every attempt is a real connection failure.
    const t = await createIntegration("generic", { forward: { url: "http://127.0.0.1:9/" } });
    await post(t.id, t.secret, "deployments", `{"dedup_key":"dl-1"}`);
    await post(t.id, t.secret, "deployments", `{"dedup_key":"dl-2"}`);
    const stub = integrationStub(t.id);
    await runInDurableObject(stub, (_: IntegrationObject, state) => {
      state.storage.sql.exec("UPDATE outbound SET queued_at = ?, next_at = 0 WHERE id = (SELECT min(id) FROM outbound)", Date.now() - 3 * 24 * 3600_000 - 1000);
    });
    await runDurableObjectAlarm(stub);
    const ledger = await callJson("GET", `/api/v1/integrations/${t.id}/deliveries`, undefined, ADMIN);
    const rows = ledger.json.forwarding.recent.reverse();
    expect(rows.map((r: { state: string }) => r.state)).toEqual(["dead", "pending"]);
    expect(rows[0].error).toBe("network error");
    // The object's own alarm may retry the new head before the ledger is read.
    expect(rows[1].attempts).toBeGreaterThanOrEqual(1);
    expect(ledger.json.forwarding.counts).toEqual({ pending: 1, forwarded: 0, failed: 0, dead: 1 });
  });
});
