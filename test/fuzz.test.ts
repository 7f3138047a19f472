/**
 * Property-based fuzzing (fast-check) of every vendor route and of the admin and read API:
 * mutated documented examples, random bodies, headers and paths. Properties: never a 5xx; every
 * 4xx is a JSON error in the route's shape that names the problem; after draining, the stored rows
 * are exactly the accepted events, with their payloads intact; unknown extra fields are kept.
 * A failure prints fast-check's seed and path, so a run can be replayed with `{ seed, path }`.
 */
import { SELF } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { ADMIN, BASE, callJson, createIntegration, drain, env, type CreatedIntegration } from "./helpers";
import { errorDetails, send, VENDOR_ROUTES, type VendorRoute } from "./vendor-routes";
import { storedRaw } from "./stored";

/** Few runs each: the whole suite must stay quick on two cores. */
const RUNS = { numRuns: 12 };
vi.setConfig({ testTimeout: 600_000 });
const UNLIMITED = { rate_limit: { requests_per_second: 1_000_000, burst: 1_000_000 } };

type Path = (string | number)[];
type Mutation = { kind: "delete"; path: Path } | { kind: "replace"; path: Path; value: unknown } | { kind: "add"; path: Path; key: string; value: unknown };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every path inside a JSON value (the root excluded), and every path of an object (the root included). */
function pathsOf(value: unknown, at: Path = []): { all: Path[]; objects: Path[] } {
  const out = { all: [] as Path[], objects: isObject(value) ? [at] : ([] as Path[]) };
  const children: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : isObject(value) ? Object.entries(value) : [];
  for (const [k, v] of children) {
    const sub = pathsOf(v, [...at, k]);
    out.all.push([...at, k], ...sub.all);
    out.objects.push(...sub.objects);
  }
  return out;
}

function parentOf(root: unknown, path: Path): any {
  let node: any = root;
  for (const k of path.slice(0, -1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = node[k];
  }
  return node !== null && typeof node === "object" ? node : undefined;
}

function applyMutation(root: unknown, m: Mutation): void {
  if (m.kind === "add") {
    const node = m.path.reduce<any>((at, k) => (at !== null && typeof at === "object" ? at[k] : undefined), root);
    if (isObject(node)) node[m.key] = m.value;
    return;
  }
  const parent = parentOf(root, m.path);
  if (parent === undefined) return;
  const key = m.path[m.path.length - 1]!;
  if (m.kind === "replace") parent[key] = m.value;
  else if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
}

const jsonValue = fc.jsonValue({ maxDepth: 2 });

/** Values where parsers break: edge times and numbers, besides arbitrary JSON. */
const edgeValue = fc.oneof(
  jsonValue,
  fc.date().map((d) => (Number.isNaN(d.getTime()) ? "Invalid Date" : d.toISOString())),
  fc.constantFrom(
    "",
    " ",
    "2024-02-30",
    "2024-13-01 00:00:00",
    "9999-12-31T23:59:59Z",
    "+275760-09-13T00:00:00Z",
    "0000-01-01",
    "2021-04-28 21:50:00 +2500",
    "1711603200000",
    "null",
    "x".repeat(5000),
    "\u0000",
    "😀",
  ),
  fc.constantFrom(0, -1, 8.64e15, 8.64e15 + 1, Number.MAX_SAFE_INTEGER, 1e21, -1e21, 1.5, 2 ** 53 + 1),
);

function mutations(fixture: unknown) {
  const { all, objects } = pathsOf(fixture);
  const path = fc.constantFrom(...all);
  return fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant("delete" as const), path }),
      fc.record({ kind: fc.constant("replace" as const), path, value: edgeValue }),
      fc.record({ kind: fc.constant("add" as const), path: fc.constantFrom(...objects), key: fc.string({ maxLength: 12 }), value: jsonValue }),
    ),
    { minLength: 1, maxLength: 3 },
  ) as fc.Arbitrary<Mutation[]>;
}

/** The raw payloads an accepted body is stored as: DevGrid keeps each event, our batches each item. */
function rawsOf(route: VendorRoute, body: any): unknown[] {
  if (route.vendor === "devgrid") return body.events;
  if (route.vendor === "generic" && isObject(body) && "items" in body) return body.items as unknown[];
  return [body];
}

/** Whether a 2xx reply says that something was stored (not ignored, not a duplicate). */
function stored(json: any): boolean {
  if (json?.result === "ignored" || json?.result === "duplicate" || json?.result === "duplicate_deploy") return false;
  if (Array.isArray(json?.results)) return json.results.some((r: any) => r.result === "ok");
  return true;
}

async function storedRaws(integrationId: string): Promise<string[]> {
  await drain(integrationId);
  const { results } = await env.DB.prepare(
    `SELECT id FROM deployments WHERE integration_id = ?1 UNION ALL SELECT id FROM incidents WHERE integration_id = ?1
     UNION ALL SELECT id FROM ci_runs WHERE integration_id = ?1`,
  )
    .bind(integrationId)
    .all<{ id: string }>();
  return (await Promise.all(results.map(async (r) => JSON.stringify(await storedRaw(r.id))))).sort();
}

/** A rejection must be JSON in the route's shape, each detail saying something. */
function expectNamedError(route: Pick<VendorRoute, "errorShape">, res: { status: number; text: string; json: any }) {
  const details = errorDetails(route, res.json);
  expect(details, `${res.status} ${res.text}`).not.toBeNull();
  expect(details!.length).toBeGreaterThan(0);
  for (const d of details!) expect(d.trim().length, res.text).toBeGreaterThan(3);
}

/**
 * Tracks what an integration must hold: the payloads of every accepted event, in any order. SEI
 * may store one payload twice (a CI run and a deployment), so it is compared as a set.
 */
class Ledger {
  private expected: string[] = [];
  constructor(
    private readonly route: VendorRoute,
    private readonly integration: CreatedIntegration,
  ) {}

  async check(res: { status: number; json: any }, body: unknown): Promise<void> {
    if (res.status < 300 && stored(res.json)) this.expected.push(...rawsOf(this.route, body).map((r) => JSON.stringify(r)));
    const actual = await storedRaws(this.integration.id);
    const want = [...this.expected].sort();
    if (this.route.vendor === "harness-sei") {
      expect([...new Set(actual)]).toEqual([...new Set(want)]);
      expect(actual.length).toBeLessThanOrEqual(2 * want.length);
    } else {
      expect(actual).toEqual(want);
    }
  }
}

let n = 0;
const uniqueKey = () => ({ key: `fuzz-${Date.now()}-${++n}`, n: 9_000_000 + n });

describe.each(VENDOR_ROUTES.map((r) => [r.name, r] as const))("fuzz: %s", (_name, route) => {
  let integration: CreatedIntegration;
  let ledger: Ledger;
  beforeAll(async () => {
    integration = await createIntegration(route.vendor, UNLIMITED);
    ledger = new Ledger(route, integration);
  });

  it("mutated documented examples: never a 5xx, named 4xx, stored rows exactly the accepted events", async () => {
    await fc.assert(
      fc.asyncProperty(mutations(route.fixture), async (ms) => {
        const body = structuredClone(route.fixture);
        for (const m of ms) applyMutation(body, m);
        const { key, n } = uniqueKey();
        route.keyed(body, key, n);
        const res = await send(route, integration, JSON.stringify(body));
        expect(res.status, res.text).toBeLessThan(500);
        expect(res.json, res.text).not.toBeUndefined();
        if (res.status >= 400) expectNamedError(route, res);
        await ledger.check(res, body);
      }),
      RUNS,
    );
  });

  it("random bodies: never a 5xx, named 4xx, nothing stored unless accepted", async () => {
    const body = fc.oneof(
      jsonValue.map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 40 }).map((b) => String.fromCharCode(...b)),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const res = await send(route, integration, text);
        expect(res.status, res.text).toBeLessThan(500);
        if (res.status >= 400) expectNamedError(route, res);
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(text);
        } catch {
          expect(res.status).toBeGreaterThanOrEqual(400);
        }
        await ledger.check(res, parsed);
      }),
      RUNS,
    );
  });

  it("random headers on a valid body: never a 5xx, named 4xx", async () => {
    const names = ["content-type", "content-encoding", "x-github-event", "x-hub-signature-256", "x-pagerduty-signature", "x-gitlab-token", "authorization", "x-api-key", "idempotency-key", "x-webhook-id", "x-github-delivery"];
    const value = fc.string({ maxLength: 30, unit: fc.constantFrom(..."abcAZ09 =:,;/+-_.\t\"'()[]{}".split("")) });
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 3 }), async (extra) => {
        const body = structuredClone(route.fixture);
        const { key, n } = uniqueKey();
        route.keyed(body, key, n);
        const text = JSON.stringify(body);
        const { path, headers } = await route.request(integration, text);
        // A redelivery id repeated across runs would be dropped as a redelivery: keep them unique.
        for (const h of ["idempotency-key", "x-webhook-id", "x-github-delivery"]) if (extra[h] !== undefined) extra[h] = `${extra[h]}-${key}`;
        const res = await SELF.fetch(`${BASE}${path}`, { method: "POST", body: text, headers: { "content-type": "application/json", ...headers, ...extra } });
        const reply = await res.text();
        const json = reply ? JSON.parse(reply) : null;
        expect(res.status, reply).toBeLessThan(500);
        if (res.status >= 400) expectNamedError(route, { status: res.status, text: reply, json });
        await ledger.check({ status: res.status, json }, body);
      }),
      { numRuns: 6 },
    );
  });
});

describe("fuzz: unknown fields", () => {
  it.each(VENDOR_ROUTES.map((r) => [r.name, r] as const))("%s: a valid payload with extra unknown fields is accepted and keeps them in the raw payload", async (_name, route) => {
    const integration = await createIntegration(route.vendor, UNLIMITED);
    const ledger = new Ledger(route, integration);
    const { objects } = pathsOf(route.fixture);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...objects), fc.string({ minLength: 1, maxLength: 10 }), jsonValue, async (path, name, value) => {
        const body = structuredClone(route.fixture);
        const key = `x_fuzz_${name}`;
        applyMutation(body, { kind: "add", path, key, value });
        const unique = uniqueKey();
        route.keyed(body, unique.key, unique.n);
        const res = await send(route, integration, JSON.stringify(body));
        expect(res.status, res.text).toBeLessThan(300);
        await ledger.check(res, body);
      }),
      { numRuns: 5 },
    );
  });
});

describe("fuzz: paths and methods", () => {
  it("never answers a 5xx, and answers every 4xx with a named JSON error", async () => {
    const segment = fc.oneof(fc.string({ maxLength: 12 }), fc.uuid(), fc.constantFrom("..", ".", "%2e%2e", "%00", "deploy", "webhooks", "api", "v1"));
    const prefix = fc.constantFrom("", "/integrations/deploy", "/integrations/opslevel", "/webhooks/github", "/webhooks/gitlab", "/webhooks/pagerduty", "/webhooks/generic", "/api/rest/plugins/webhook", "/plugins/webhook/connections", "/api/v1/integrations", "/api/v1/deployments", "/api/v1/services", "/api/v1/tokens", "/events", "/v1/custom-cicd");
    const method = fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    await fc.assert(
      fc.asyncProperty(method, prefix, fc.array(segment, { maxLength: 3 }), fc.boolean(), async (m, p, segments, admin) => {
        const path = `${p}/${segments.map((s) => encodeURIComponent(s)).join("/")}`;
        const res = await SELF.fetch(`${BASE}${path}`, { method: m, headers: admin ? ADMIN : {}, body: m === "GET" ? undefined : "{}" });
        const text = await res.text();
        expect(res.status, `${m} ${path}: ${text}`).toBeLessThan(500);
        // A success may be a page (`/` is the dashboard); every refusal is JSON. Everything under
        // DevLake's paths answers in DevLake's shape (405 and 404 too), the rest in ours.
        if (res.status < 400) return;
        // The URL's own normalisation (a ".." segment) decides which route the request reached.
        const reached = new URL(`${BASE}${path}`).pathname;
        expectNamedError({ errorShape: reached.includes("/plugins/webhook/") ? "devlake" : "standard" }, { status: res.status, text, json: JSON.parse(text) });
      }),
      { numRuns: 40 },
    );
  });
});

describe("fuzz: admin and read API", () => {
  const standard = { errorShape: "standard" as const };
  const check = (res: { status: number; text: string; json: any }) => {
    expect(res.status, res.text).toBeLessThan(500);
    if (res.status >= 400) expectNamedError(standard, res);
  };

  it("POST /api/v1/integrations with mutated bodies", async () => {
    const valid = { vendor: "generic", name: "fuzz", service: "svc", environment: "prod", rate_limit: { requests_per_second: 5, burst: 10 } };
    await fc.assert(
      fc.asyncProperty(mutations(valid), async (ms) => {
        const body = structuredClone(valid);
        for (const m of ms) applyMutation(body, m);
        const res = await callJson("POST", "/api/v1/integrations", body, ADMIN);
        check(res);
        if (res.status === 201) expect(res.json.secret).toMatch(/^[0-9a-f]{32}$/);
      }),
      RUNS,
    );
  });

  it("PUT /api/v1/services/:slug with random slugs and mutated bodies", async () => {
    const valid = { name: "Fuzz", team: "core", aliases: ["fz"], repositories: ["acme/fuzz"] };
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 20 }), mutations(valid), async (slug, ms) => {
        const body = structuredClone(valid);
        for (const m of ms) applyMutation(body, m);
        check(await callJson("PUT", `/api/v1/services/${encodeURIComponent(`fz-${slug}`)}`, body, ADMIN));
      }),
      RUNS,
    );
  });

  it("POST /api/v1/integrations/:id/secret and /api/v1/tokens with random bodies", async () => {
    const integration = await createIntegration("generic");
    await fc.assert(
      fc.asyncProperty(jsonValue, async (body) => {
        check(await callJson("POST", `/api/v1/integrations/${integration.id}/secret`, JSON.stringify(body), ADMIN));
        check(await callJson("POST", "/api/v1/tokens", JSON.stringify(body), ADMIN));
      }),
      RUNS,
    );
  });

  it("GET /api/v1/deployments with random query strings", async () => {
    const param = fc.constantFrom("limit", "cursor", "service", "team", "environment", "status", "integration", "from", "to", "x");
    const value = fc.oneof(fc.string({ maxLength: 16 }), fc.integer().map(String), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(param, value), { maxLength: 4 }), async (pairs) => {
        const query = new URLSearchParams(pairs).toString();
        const res = await callJson("GET", `/api/v1/deployments?${query}`, undefined, ADMIN);
        check(res);
        if (res.status === 200) expect(Array.isArray(res.json.items)).toBe(true);
      }),
      RUNS,
    );
  });
});
