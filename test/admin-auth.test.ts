import { describe, expect, it } from "vitest";
import documented from "./fixtures/opslevel/deploy.json";
import { ADMIN, callJson, createIntegration, env } from "./helpers";

async function readToken(): Promise<string> {
  const res = await callJson("POST", "/api/v1/tokens", { name: "dashboard" }, ADMIN);
  expect(res.status).toBe(201);
  return res.json.token;
}

const adminRoutes: [string, string, unknown?][] = [
  ["POST", "/api/v1/integrations", { vendor: "opslevel", name: "x" }],
  ["GET", "/api/v1/integrations"],
  ["GET", "/api/v1/integrations/00000000-0000-0000-0000-000000000000"],
  ["DELETE", "/api/v1/integrations/00000000-0000-0000-0000-000000000000"],
  ["POST", "/api/v1/tokens", { name: "x" }],
  ["GET", "/api/v1/tokens"],
  ["PUT", "/api/v1/services/auth-test", { name: "x" }],
];
const readRoutes: [string, string][] = [
  ["GET", "/api/v1/deployments"],
  ["GET", "/api/v1/services"],
  ["GET", "/api/v1/suggestions"],
];

describe("admin and read authentication", () => {
  it.each([...adminRoutes, ...readRoutes])("%s %s without a token is 401", async (method, path, body?: unknown) => {
    const res = await callJson(method, path, body);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect(res.json.errors[0].detail).toBe("missing bearer token");
  });

  it.each([...adminRoutes, ...readRoutes])("%s %s with a wrong token is 401", async (method, path, body?: unknown) => {
    const res = await callJson(method, path, body, { authorization: "Bearer test-admin-tokeN" });
    expect(res.status).toBe(401);
    expect(res.json.errors[0].detail).toBe("invalid bearer token");
  });

  it.each(adminRoutes)("%s %s with a read token is 403", async (method, path, body?: unknown) => {
    const token = await readToken();
    const res = await callJson(method, path, body, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(403);
  });

  it.each(readRoutes)("%s %s with a read token is 200", async (method, path) => {
    const token = await readToken();
    expect((await callJson(method, path, undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it("stores read tokens only as SHA-256 and never lists them", async () => {
    const token = await readToken();
    const stored = await env.DB.prepare("SELECT token_hash FROM tokens").all<{ token_hash: string }>();
    expect(stored.results.some((r) => r.token_hash.includes(token))).toBe(false);
    expect(stored.results.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
    const list = await callJson("GET", "/api/v1/tokens", undefined, ADMIN);
    expect(list.text).not.toContain(token);
  });

  it("revokes a deleted read token at once", async () => {
    const created = await callJson("POST", "/api/v1/tokens", { name: "temporary" }, ADMIN);
    expect((await callJson("DELETE", `/api/v1/tokens/${created.json.id}`, undefined, ADMIN)).status).toBe(204);
    expect((await callJson("GET", "/api/v1/services", undefined, { authorization: `Bearer ${created.json.token}` })).status).toBe(401);
  });
});

describe("integrations admin API", () => {
  it("creates an integration, shows the secret once, and stores only its hash", async () => {
    const created = await callJson("POST", "/api/v1/integrations", { vendor: "opslevel", name: "checkout deploys", environment: "prod" }, ADMIN);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      vendor: "opslevel",
      name: "checkout deploys",
      environment: "prod",
      urls: { deploy: `https://receiver.test/integrations/deploy/${created.json.id}` },
    });
    expect(created.json.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.json.secret).toMatch(/^[0-9a-f]{32}$/);

    const shown = await callJson("GET", `/api/v1/integrations/${created.json.id}`, undefined, ADMIN);
    expect(shown.status).toBe(200);
    expect(shown.text).not.toContain(created.json.secret);
    const list = await callJson("GET", "/api/v1/integrations", undefined, ADMIN);
    expect(list.json.items.map((i: any) => i.id)).toContain(created.json.id);
    expect(list.text).not.toContain(created.json.secret);
    const row = await env.DB.prepare("SELECT secret_hash FROM integrations WHERE id = ?").bind(created.json.id).first<{ secret_hash: string }>();
    expect(row!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.secret_hash).not.toContain(created.json.secret);
  });

  it("applies the integration's default environment to events without one", async () => {
    const { id } = await createIntegration("opslevel", { environment: "stg" });
    const { environment: _e, ...body } = documented;
    await callJson("POST", `/integrations/deploy/${id}`, { ...body, dedup_id: "default-env" });
    const { drain } = await import("./helpers");
    await drain(id);
    const row = await env.DB.prepare("SELECT environment, environment_raw FROM deployments WHERE integration_id = ?").bind(id).first();
    expect(row).toEqual({ environment: "staging", environment_raw: null });
  });

  it("deletes an integration: gone from the list, 404 afterwards", async () => {
    const { id } = await createIntegration("opslevel");
    expect((await callJson("DELETE", `/api/v1/integrations/${id}`, undefined, ADMIN)).status).toBe(204);
    expect((await callJson("GET", `/api/v1/integrations/${id}`, undefined, ADMIN)).status).toBe(404);
    expect((await callJson("DELETE", `/api/v1/integrations/${id}`, undefined, ADMIN)).status).toBe(404);
    const list = await callJson("GET", "/api/v1/integrations", undefined, ADMIN);
    expect(list.json.items.map((i: any) => i.id)).not.toContain(id);
  });

  it.each([
    [{ name: "x" }, "param is missing or the value is empty: vendor"],
    [{ vendor: "jenkins", name: "x" }, "vendor:"],
    [{ vendor: "opslevel" }, "param is missing or the value is empty: name"],
    [{ vendor: "opslevel", name: "x", colour: "red" }, "colour"],
  ])("refuses %j naming the problem", async (body, detail) => {
    const res = await callJson("POST", "/api/v1/integrations", body, ADMIN);
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: any) => e.detail).join(" ")).toContain(detail);
  });
});
