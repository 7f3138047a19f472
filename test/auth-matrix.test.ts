import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import opslevelServiceCreated from "./fixtures/opslevel/service-created.json";
import { ADMIN, BASE, callJson, countRows, createIntegration, drain, type CreatedIntegration } from "./helpers";
import { errorDetails, send, VENDOR_ROUTES, type Target, type VendorRoute } from "./vendor-routes";

let readToken: string;
let seq = 0;

beforeAll(async () => {
  readToken = (await callJson("POST", "/api/v1/tokens", { name: "matrix" }, ADMIN)).json.token;
});

function validBody(route: VendorRoute): string {
  const body = structuredClone(route.fixture);
  const n = 7_000_000 + ++seq;
  route.keyed(body, `matrix-${Date.now()}-${n}`, n);
  return JSON.stringify(body);
}

async function revoked(vendor: string): Promise<CreatedIntegration> {
  const integration = await createIntegration(vendor);
  expect((await callJson("DELETE", `/api/v1/integrations/${integration.id}`, undefined, ADMIN)).status).toBe(204);
  return integration;
}

const tables = ["deployments", "incidents", "ci_runs"];
async function storedFor(id: string): Promise<number> {
  await drain(id);
  let n = 0;
  for (const t of tables) n += await countRows(t, id);
  return n;
}

describe.each(VENDOR_ROUTES.map((r) => [r.name, r] as const))("auth matrix: %s", (_name, route) => {
  it("refuses every wrong credential alike, never telling whether the id exists, and stores nothing", async () => {
    const owner = await createIntegration(route.vendor);
    const sibling = await createIntegration(route.vendor);
    const gone = await revoked(route.vendor);
    const foreign = await createIntegration(route.vendor === "generic" ? "gitlab" : "generic");
    const unknownId = crypto.randomUUID();

    const cases: [string, Target, string | null][] =
      route.auth === "id"
        ? [
            ["an unknown id", { id: unknownId, secret: "" }, null],
            ["a malformed id", { id: "not-an-id", secret: "" }, null],
            ["a revoked id", gone, null],
            ["another vendor's id", foreign, null],
          ]
        : route.auth === "secret"
          ? [
              ["a wrong secret", owner, "wrong-secret-0123456789"],
              ["a revoked integration's secret", gone, null],
              ["another vendor's secret", owner, foreign.secret],
              ["the admin token", owner, "test-admin-token"],
              ["a read token", owner, readToken],
            ]
          : [
              ["a wrong secret", owner, "wrong-secret-0123456789"],
              ["another integration's secret", owner, sibling.secret],
              ["an unknown id", { id: unknownId, secret: owner.secret }, null],
              ["a malformed id", { id: "not-an-id", secret: owner.secret }, null],
              ["a revoked id with its own secret", gone, null],
              ["another vendor's id and secret", foreign, null],
              ["the admin token", owner, "test-admin-token"],
              ["a read token", owner, readToken],
            ];

    const expected = route.auth === "id" ? 404 : 401;
    const replies = [];
    for (const [label, target, credential] of cases) {
      const res = await send(route, target, validBody(route), credential ?? undefined);
      expect(res.status, `${label}: ${res.text}`).toBe(expected);
      expect(errorDetails(route, res.json), `${label}: ${res.text}`).not.toBeNull();
      replies.push(res.text);
    }
    expect(new Set(replies).size, replies.join("\n")).toBe(1);

    if (route.auth !== "id") {
      const none = await send(route, owner, validBody(route), null);
      expect(none.status, none.text).toBe(401);
      expect(errorDetails(route, none.json)!.join(" ")).toMatch(/missing|invalid|does not match|unauthorized/);
    }
    for (const i of [owner, sibling, gone, foreign]) expect(await storedFor(i.id)).toBe(0);

    const accepted = await send(route, owner, validBody(route));
    expect(accepted.status, accepted.text).toBeLessThan(300);
    expect(await storedFor(owner.id)).toBeGreaterThan(0);
  });
});

/** Bodies that fail before any schema applies, or fail the schema of every route. */
const BAD_BODIES: [string, string][] = [
  ["malformed JSON", "{not json"],
  ["an empty body", ""],
  ["an array", "[]"],
  ["a schema violation", JSON.stringify({ object_kind: "deployment", status: 12345 })],
];

describe.each(VENDOR_ROUTES.filter((r) => r.auth !== "id").map((r) => [r.name, r] as const))("auth before body: %s", (_name, route) => {
  it("answers the same 401 to a missing, wrong or foreign credential whatever the body holds, and 400 to a right one", async () => {
    const owner = await createIntegration(route.vendor);
    const sibling = await createIntegration(route.vendor);
    const foreign = await createIntegration(route.vendor === "generic" ? "gitlab" : "generic");
    const credentials: [string, Target, string | null | undefined][] = [
      ["no credential", owner, null],
      ["a wrong secret", owner, "wrong-secret-0123456789"],
      ["another vendor's secret", owner, foreign.secret],
      // Routes found by their secret alone have no id in the URL to get wrong.
      ...(route.auth === "secret"
        ? []
        : ([
            ["another integration's secret", owner, sibling.secret],
            ["an unknown id", { id: crypto.randomUUID(), secret: owner.secret }, undefined],
          ] as [string, Target, string | null | undefined][])),
    ];
    const refusals = new Set<string>();
    for (const [bodyLabel, body] of BAD_BODIES) {
      for (const [label, target, credential] of credentials) {
        const res = await send(route, target, body, credential);
        expect(res.status, `${label} + ${bodyLabel}: ${res.text}`).toBe(401);
        if (label !== "no credential") refusals.add(res.text);
      }
      const right = await send(route, owner, body);
      expect(right.status, `the right credential + ${bodyLabel}: ${right.text}`).toBe(400);
      expect(errorDetails(route, right.json), right.text).not.toBeNull();
    }
    // Only "missing" and "wrong" may differ: a wrong credential never tells which part was wrong.
    expect(refusals.size, [...refusals].join("\n")).toBe(1);
    for (const i of [owner, sibling, foreign]) expect(await storedFor(i.id)).toBe(0);
  });
});

describe("auth matrix: the other vendor routes", () => {
  it("OpsLevel service creation: an unknown, revoked or other vendor's id is the same 404", async () => {
    const gone = await revoked("opslevel");
    const foreign = await createIntegration("generic");
    const texts = [];
    for (const id of [crypto.randomUUID(), "not-an-id", gone.id, foreign.id]) {
      const res = await callJson("POST", `/integrations/opslevel/${id}/service-created`, opslevelServiceCreated);
      expect(res.status, res.text).toBe(404);
      texts.push(res.text);
    }
    expect(new Set(texts).size).toBe(1);
  });

  it("DevLake close: every wrong credential and unknown id is the same 401", async () => {
    const owner = await createIntegration("devlake");
    const sibling = await createIntegration("devlake");
    const gone = await revoked("devlake");
    const close = (id: string, auth: Record<string, string>) => callJson("POST", `/api/rest/plugins/webhook/${id}/issue/K-1/close`, "", auth);
    const texts = [];
    for (const [id, secret] of [
      [owner.id, "wrong"],
      [owner.id, sibling.secret],
      [crypto.randomUUID(), owner.secret],
      [gone.id, gone.secret],
      [owner.id, "test-admin-token"],
      [owner.id, readToken],
    ] as const) {
      const res = await close(id, { authorization: `Bearer ${secret}` });
      expect(res.status).toBe(401);
      texts.push(res.text);
    }
    expect(new Set(texts).size).toBe(1);
    expect((await close(owner.id, {})).status).toBe(401);
  });
});

describe("signatures are checked on the raw bytes, before parsing", () => {
  it.each(["github", "pagerduty"])("%s: a wrongly signed malformed body is a 401, not a 400; re-serialised bytes do not verify", async (vendor) => {
    const route = VENDOR_ROUTES.find((r) => r.vendor === vendor)!;
    const integration = await createIntegration(vendor);
    const malformed = await send(route, integration, "{not json", "wrong-key-0123456789");
    expect(malformed.status).toBe(401);
    // Signed over compact JSON, sent pretty-printed: same document, other bytes.
    const body = JSON.parse(validBody(route));
    const { path, headers } = await route.request(integration, JSON.stringify(body));
    const res = await SELF.fetch(`${BASE}${path}`, { method: "POST", body: JSON.stringify(body, null, 2), headers: { "content-type": "application/json", ...headers } });
    expect(res.status).toBe(401);
    expect(await storedFor(integration.id)).toBe(0);
  });
});

describe("auth matrix: admin and read API", () => {
  const adminRoutes: [string, (id: string) => string, unknown?][] = [
    ["POST", () => "/api/v1/integrations", { vendor: "opslevel", name: "x" }],
    ["GET", () => "/api/v1/integrations"],
    ["GET", (id) => `/api/v1/integrations/${id}`],
    ["PATCH", (id) => `/api/v1/integrations/${id}`, { name: "x" }],
    ["DELETE", (id) => `/api/v1/integrations/${id}`],
    ["POST", (id) => `/api/v1/integrations/${id}/secret`, {}],
    ["POST", () => "/api/v1/tokens", { name: "x" }],
    ["GET", () => "/api/v1/tokens"],
    ["DELETE", (id) => `/api/v1/tokens/${id}`],
    ["PUT", () => "/api/v1/services/matrix-svc", { name: "x" }],
  ];
  const readRoutes: [string, (id: string) => string][] = [
    ["GET", () => "/api/v1/deployments"],
    ["GET", (id) => `/api/v1/deployments/${id}`],
    ["GET", () => "/api/v1/services"],
    ["GET", () => "/api/v1/services/matrix-svc"],
    ["GET", () => "/api/v1/suggestions"],
  ];

  it("answers 401 to no, wrong and integration credentials and 403 to a read token on admin routes, alike for existing and unknown ids", async () => {
    const integration = await createIntegration("generic");
    for (const [method, path, body] of adminRoutes) {
      for (const [auth, status] of [
        [{}, 401],
        [{ authorization: "Bearer wrong" }, 401],
        [{ authorization: `Bearer ${integration.secret}` }, 401],
        [{ authorization: `Basic ${btoa(`admin:test-admin-token`)}` }, 401],
        [{ authorization: `Bearer ${readToken}` }, 403],
      ] as const) {
        const existing = await callJson(method, path(integration.id), body, auth);
        const unknown = await callJson(method, path(crypto.randomUUID()), body, auth);
        expect(existing.status, `${method} ${path("<id>")} ${JSON.stringify(auth)}`).toBe(status);
        expect(unknown.text).toBe(existing.text);
      }
    }
    // Nothing was done by any refused call: the integration is still there with its secret.
    expect((await callJson("GET", `/api/v1/integrations/${integration.id}`, undefined, ADMIN)).status).toBe(200);
  });

  it("answers 401 to no, wrong and integration credentials on read routes, alike for existing and unknown ids", async () => {
    const integration = await createIntegration("generic");
    for (const [method, path] of readRoutes) {
      const auths: Record<string, string>[] = [{}, { authorization: "Bearer wrong" }, { authorization: `Bearer ${integration.secret}` }];
      for (const auth of auths) {
        const existing = await callJson(method, path(integration.id), undefined, auth);
        const unknown = await callJson(method, path(crypto.randomUUID()), undefined, auth);
        expect(existing.status, `${method} ${path("<id>")}`).toBe(401);
        expect(unknown.text).toBe(existing.text);
      }
    }
  });
});
