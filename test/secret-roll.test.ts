import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import workflow1 from "./fixtures/devgrid/workflow-1-basic.json";
import githubStatus from "./fixtures/github/deployment_status.json";
import { ADMIN, callJson, createIntegration, env, integrationStub, type CreatedIntegration } from "./helpers";
import { hmacHex, postRaw } from "./signing";

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now()}-${++counter}`;

async function roll(id: string, body?: unknown) {
  const res = await callJson("POST", `/api/v1/integrations/${id}/secret`, body, ADMIN);
  return res;
}

const postGeneric = (i: CreatedIntegration, secret: string) =>
  callJson(
    "POST",
    `/webhooks/generic/${i.id}/deployments`,
    { service: "roll-generic", dedup_key: unique("roll"), status: "success", finished_at: "2026-01-01T00:00:00Z" },
    { authorization: `Bearer ${secret}` },
  );

const postDevGrid = (secret: string) =>
  callJson("POST", "/events", { events: [{ ...workflow1.events[0], attributes: { ...workflow1.events[0]!.attributes, dedup_id: unique("roll-dg") } }] }, { "x-api-key": secret });

async function postGitHub(i: CreatedIntegration, key: string) {
  const text = JSON.stringify({ ...githubStatus, deployment: { ...githubStatus.deployment, id: Math.floor(Math.random() * 1e9) } });
  return postRaw(`/webhooks/github/${i.id}`, text, {
    "x-github-event": "deployment_status",
    "x-github-delivery": crypto.randomUUID(),
    "x-hub-signature-256": `sha256=${await hmacHex(key, text)}`,
  });
}

describe("rolling an integration's secret", () => {
  it("answers a new secret once; old and new both work during the grace period (Durable Object check)", async () => {
    const integration = await createIntegration("generic");
    const res = await roll(integration.id);
    expect(res.status, res.text).toBe(201);
    expect(res.json.secret).toMatch(/^[0-9a-f]{32}$/);
    expect(res.json.secret).not.toBe(integration.secret);
    const expires = Date.parse(res.json.previous_secret_expires_at);
    expect(Math.abs(expires - Date.now() - 24 * 3600_000)).toBeLessThan(60_000);
    expect((await postGeneric(integration, integration.secret)).status).toBe(202);
    expect((await postGeneric(integration, res.json.secret)).status).toBe(202);
    expect((await postGeneric(integration, "not-a-secret")).status).toBe(401);
  });

  it("finds a DevGrid integration in D1 by either secret during the grace period, and only the new one after", async () => {
    const integration = await createIntegration("devgrid");
    const { json } = await roll(integration.id, { grace_seconds: 1 });
    expect((await postDevGrid(integration.secret)).status).toBe(201);
    expect((await postDevGrid(json.secret)).status).toBe(201);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await postDevGrid(integration.secret);
    expect(expired.status).toBe(401);
    expect(expired.json.errors[0].detail).toBe("missing or invalid x-api-key");
    expect((await postDevGrid(json.secret)).status).toBe(201);
  });

  it("keeps the old GitHub signing key verifying during the grace period, and ends it at once with grace_seconds 0", async () => {
    const integration = await createIntegration("github");
    const first = await roll(integration.id);
    expect((await postGitHub(integration, integration.secret)).status).toBe(202);
    expect((await postGitHub(integration, first.json.secret)).status).toBe(202);
    const second = await roll(integration.id, { grace_seconds: 0 });
    expect(second.json.previous_secret_expires_at).toBeNull();
    expect((await postGitHub(integration, integration.secret)).status).toBe(401);
    expect((await postGitHub(integration, first.json.secret)).status).toBe(401);
    expect((await postGitHub(integration, second.json.secret)).status).toBe(202);
  });

  it("erases an expired signing key from the object's storage", async () => {
    const integration = await createIntegration("github");
    const rolled = await roll(integration.id, { grace_seconds: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await postGitHub(integration, integration.secret)).status).toBe(401);
    const stored = await runInDurableObject(integrationStub(integration.id), (_o, state) =>
      state.storage.sql.exec<{ body: string }>("SELECT body FROM config").one().body,
    );
    expect(stored).not.toContain(integration.secret);
    expect(stored).toContain(rolled.json.secret);
  });

  it("takes a vendor-generated secret, and refuses one another integration uses", async () => {
    const integration = await createIntegration("pagerduty");
    const other = await createIntegration("pagerduty");
    const own = `vendor-made-${crypto.randomUUID()}`;
    const res = await roll(integration.id, { secret: own });
    expect(res.status).toBe(201);
    expect(res.json.secret).toBe(own);
    const taken = await roll(integration.id, { secret: other.secret });
    expect(taken.status).toBe(409);
    expect(taken.json.errors[0].detail).toContain("already used");
  });

  it("stores only hashes, in D1 and in replies after the first", async () => {
    const integration = await createIntegration("generic");
    const { json } = await roll(integration.id);
    const row = await env.DB.prepare("SELECT * FROM integrations WHERE id = ?").bind(integration.id).first<Record<string, string>>();
    const text = JSON.stringify(row);
    expect(text).not.toContain(integration.secret);
    expect(text).not.toContain(json.secret);
    expect(row!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.previous_secret_hash).toMatch(/^[0-9a-f]{64}$/);
    for (const path of ["/api/v1/integrations", `/api/v1/integrations/${integration.id}`]) {
      const listed = await callJson("GET", path, undefined, ADMIN);
      expect(listed.text).not.toContain(json.secret);
      expect(listed.text).not.toContain(integration.secret);
      expect(listed.text).not.toContain(row!.secret_hash);
    }
  });

  it("refuses bad bodies, unknown and deleted ids, and non-admin callers", async () => {
    const integration = await createIntegration("generic");
    const bad = await roll(integration.id, { grace_seconds: -1 });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].detail).toContain("grace_seconds");
    expect((await roll(integration.id, { nope: 1 })).status).toBe(400);
    expect((await roll("00000000-0000-0000-0000-000000000000")).status).toBe(404);
    await callJson("DELETE", `/api/v1/integrations/${integration.id}`, undefined, ADMIN);
    expect((await roll(integration.id)).status).toBe(404);
    const token = (await callJson("POST", "/api/v1/tokens", { name: "roll" }, ADMIN)).json.token;
    expect((await callJson("POST", `/api/v1/integrations/${integration.id}/secret`, {}, { authorization: `Bearer ${token}` })).status).toBe(403);
    expect((await callJson("POST", `/api/v1/integrations/${integration.id}/secret`, {})).status).toBe(401);
  });
});

describe("admin token rotation", () => {
  it("accepts ADMIN_TOKEN and ADMIN_TOKEN_NEXT alike, and nothing else", async () => {
    for (const token of ["test-admin-token", "test-admin-token-next"]) {
      expect((await callJson("GET", "/api/v1/integrations", undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    }
    for (const token of ["test-admin-token-nex", "test-admin-token-next2", "test-admin-token "]) {
      expect((await callJson("GET", "/api/v1/integrations", undefined, { authorization: `Bearer ${token}x` })).status).toBe(401);
    }
  });
});
