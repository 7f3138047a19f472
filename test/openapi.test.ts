/**
 * The OpenAPI document against the app: every route it answers is documented and nothing else,
 * every request example is accepted with the documented status, and every answer has the
 * documented shape.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp } from "../src/app";
import { API_OPERATIONS } from "../src/openapi/api";
import type { Operation, SchemaSource } from "../src/openapi/operation";
import { DRILLDOWN_METRICS } from "../src/api/drilldown/records";
import { devlakeErrorSchema, drilldownRecordSchemas, errorSchema, metricsSchema, pageSchema } from "../src/openapi/responses";
import { WEBHOOK_OPERATIONS } from "../src/openapi/webhooks";
import { ADMIN, call, callJson, createIntegration, drain, type CreatedIntegration } from "./helpers";
import { hmacHex } from "./signing";

const OPERATIONS = [...API_OPERATIONS, ...WEBHOOK_OPERATIONS];
const SHARED: Record<string, z.ZodType> = { Error: errorSchema, DevLakeError: devlakeErrorSchema, Metrics: metricsSchema };

const zodOf = (source: SchemaSource): z.ZodType => (source instanceof z.ZodType ? source : SHARED[source.ref]!);

const VENDOR_OF_TAG: Record<string, string> = {
  OpsLevel: "opslevel",
  GitHub: "github",
  GitLab: "gitlab",
  PagerDuty: "pagerduty",
  Generic: "generic",
  DevLake: "devlake",
  DevGrid: "devgrid",
  "Harness SEI": "harness-sei",
};

async function getDocument() {
  const res = await callJson("GET", "/openapi.json");
  expect(res.status).toBe(200);
  return res.json as { openapi: string; servers: { url: string }[]; paths: Record<string, Record<string, any>>; components: any };
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 with a relative server, and every operation declares its security", async () => {
    const doc = await getDocument();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: "/" }]);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(Array.isArray(op.security), `${method} ${path}`).toBe(true);
        // `GET /api/v1` only says where the reference is, so that a first request needs no token.
        if (path.startsWith("/api/") && path !== "/api/v1") expect(op.security.length, `${method} ${path} needs a bearer`).toBeGreaterThan(0);
        for (const requirement of op.security) {
          for (const scheme of Object.keys(requirement)) expect(doc.components.securitySchemes[scheme], scheme).toBeDefined();
        }
      }
    }
  });

  it("documents every route the app answers, and nothing else", async () => {
    const doc = await getDocument();
    const routed = new Set(
      createApp()
        .routes.filter((r) => r.method !== "ALL")
        .map((r) => `${r.method} ${r.path.replace(/\/$/, "") || "/"}`.replace(/:(\w+)/g, "{$1}")),
    );
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)));
    expect([...routed].filter((r) => !documented.has(r)), "routes missing from the document").toEqual([]);
    expect([...documented].filter((d) => !routed.has(d)), "documented operations no route answers").toEqual([]);
  });

  it("serves the operations declared in the source, each with its own operationId, and the shared schemas", async () => {
    const doc = await getDocument();
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId as string));
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0)).toBe(OPERATIONS.length);
    expect(Object.keys(doc.components.schemas).sort()).toEqual(Object.keys(SHARED).sort());
  });

  it("documents a 4xx in the error shape for every API operation, and 400/401/413/429 for every webhook", () => {
    for (const op of OPERATIONS) {
      const rejections = Object.keys(op.responses).filter((s) => Number(s) >= 400 && Number(s) < 500);
      if (op.tag === "Reference" || op.tag === "Dashboard") continue;
      expect(rejections.length, `${op.method} ${op.path}`).toBeGreaterThan(0);
      if (op.tag in VENDOR_OF_TAG) {
        const needed = op.security.length === 0 ? ["400", "413", "429"] : ["400", "401", "413", "429"];
        for (const status of needed) expect(Object.keys(op.responses), `${op.method} ${op.path}`).toContain(status);
      }
    }
  });
});

/** Calls the app; the reply is parsed as JSON when it says it is JSON. */
async function reply(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await call(method, path, body, headers);
  // Decoded by hand: workerd warns when `.text()` reads a type it does not know as text (NDJSON).
  const text = new TextDecoder().decode(await res.arrayBuffer());
  const json: unknown = res.headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : null;
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", text, json };
}

/** What a documented request needs: credentials, path parameters, and the data it reads. */
class Fixture {
  private integrations = new Map<string, CreatedIntegration>();
  private readToken: string | null = null;

  async integration(vendor: string): Promise<CreatedIntegration> {
    let found = this.integrations.get(vendor);
    if (!found) {
      found = await createIntegration(vendor, vendor === "generic" ? { rate_limit: { requests_per_second: 1000, burst: 1000 } } : {});
      this.integrations.set(vendor, found);
    }
    return found;
  }

  async read(): Promise<string> {
    if (!this.readToken) {
      const res = await callJson("POST", "/api/v1/tokens", { name: "openapi test" }, ADMIN);
      this.readToken = res.json.token as string;
    }
    return this.readToken;
  }

  /** A fresh resource for the operations that delete or roll one. */
  async pathValue(op: Operation, name: string): Promise<string> {
    if (name === "slug") return "checkout";
    if (name === "issueKey") return "DLK-1234";
    if (name === "metric") return "change_failure_rate";
    if (op.tag in VENDOR_OF_TAG) return (await this.integration(VENDOR_OF_TAG[op.tag]!)).id;
    if (op.path.startsWith("/api/v1/integrations")) return (await createIntegration("generic")).id;
    if (op.path.startsWith("/api/v1/tokens")) return (await callJson("POST", "/api/v1/tokens", { name: "to delete" }, ADMIN)).json.id;
    const list = op.path.startsWith("/api/v1/deployments") ? "/api/v1/deployments" : "/api/v1/incidents";
    const items = (await callJson("GET", list, undefined, ADMIN)).json.items as { id: string }[];
    expect(items.length, `${list} needs data for ${op.path}`).toBeGreaterThan(0);
    return items[0]!.id;
  }

  async credentials(op: Operation, body: string): Promise<Record<string, string>> {
    const schemes = op.security[0] ? Object.keys(op.security[0]) : [];
    const secret = async () => (await this.integration(VENDOR_OF_TAG[op.tag]!)).secret;
    const headers: Record<string, string> = {};
    for (const scheme of schemes) {
      if (scheme === "adminBearer") Object.assign(headers, ADMIN);
      else if (scheme === "readBearer") headers.authorization = `Bearer ${await this.read()}`;
      else if (scheme === "webhookBearer") headers.authorization = `Bearer ${await secret()}`;
      else if (scheme === "gitlabToken") headers["x-gitlab-token"] = await secret();
      else if (scheme === "devgridApiKey") headers["x-api-key"] = await secret();
      else if (scheme === "githubSignature") headers["x-hub-signature-256"] = `sha256=${await hmacHex(await secret(), body)}`;
      else if (scheme === "pagerdutySignature") headers["x-pagerduty-signature"] = `v1=${await hmacHex(await secret(), body)}`;
      else throw new Error(`no credential for ${scheme}`);
    }
    for (const h of op.headers ?? []) if (h.example !== undefined) headers[h.name] = h.example;
    return headers;
  }

  async send(op: Operation, value: unknown) {
    let path = op.path;
    for (const name of Object.keys(op.pathParams ?? {})) path = path.replace(`{${name}}`, encodeURIComponent(await this.pathValue(op, name)));
    const body = value === undefined ? undefined : JSON.stringify(value);
    return reply(op.method.toUpperCase(), path, body, await this.credentials(op, body ?? ""));
  }
}

/** The record schema of the list an export (`/api/v1/deployments.ndjson`) writes a line of. */
function exportedItem(op: Operation): z.ZodType {
  const list = OPERATIONS.find((o) => o.method === "get" && o.path === op.path.replace(/\.\w+$/, ""))!;
  return (zodOf(list.responses[200]!.schema!) as z.ZodObject<{ items: z.ZodArray<z.ZodType> }>).shape.items.element;
}

/** Asserts that every line of an NDJSON text is a record of the exported list. */
function expectNdjsonLines(op: Operation, text: string, what: string) {
  const lines = text.split("\n").filter((line) => line !== "");
  expect(lines.length, `${what} has no line`).toBeGreaterThan(0);
  for (const line of lines) {
    const parsed = exportedItem(op).safeParse(JSON.parse(line));
    expect(parsed.success, `${what}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
  }
}

/** Asserts that an answer has a documented status and, for JSON and NDJSON, the documented shape. */
function expectDocumented(op: Operation, res: { status: number; contentType: string; text: string; json: unknown }, what: string) {
  const spec = op.responses[res.status];
  expect(spec, `${what} answered ${res.status}, which is not documented: ${res.text.slice(0, 300)}`).toBeDefined();
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBeLessThan(300);
  const contentType = spec!.contentType ?? "application/json";
  if (spec!.schema) expect(res.contentType, what).toContain(contentType);
  if (spec!.schema && contentType === "application/json") {
    const parsed = zodOf(spec!.schema).safeParse(res.json);
    expect(parsed.success, `${what}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
  }
  if (contentType === "application/x-ndjson") expectNdjsonLines(op, res.text, what);
  // The example's header row is the one the export writes.
  if (contentType === "text/csv") expect(res.text.split("\r\n")[0], what).toBe((spec!.example as string).split("\r\n")[0]);
}

describe("the document's examples, sent to the app", () => {
  it("validate against their schemas and answer a documented success with the documented shape", async () => {
    const fixture = new Fixture();
    const doc = await getDocument();
    const withBody = OPERATIONS.filter((op) => op.body);
    expect(withBody.length).toBeGreaterThan(20);
    for (const op of withBody) {
      const examples = doc.paths[op.path]![op.method].requestBody.content["application/json"].examples as Record<string, { value: unknown }>;
      expect(Object.keys(examples).length, `${op.method} ${op.path}`).toBeGreaterThan(0);
      for (const [name, { value }] of Object.entries(examples)) {
        const what = `${op.method.toUpperCase()} ${op.path} example ${name}`;
        const valid = zodOf(op.body!.schema).safeParse(value);
        expect(valid.success, `${what}: ${JSON.stringify(valid.error?.issues)}`).toBe(true);
        expectDocumented(op, await fixture.send(op, value), what);
      }
    }
    // The events the examples stored, in D1, for the operations that read them.
    for (const vendor of Object.values(VENDOR_OF_TAG)) await drain((await fixture.integration(vendor)).id);
    await callJson("POST", "/api/v1/recompute", undefined, ADMIN);

    for (const op of OPERATIONS.filter((o) => !o.body && o.method !== "delete")) {
      expectDocumented(op, await fixture.send(op, undefined), `${op.method.toUpperCase()} ${op.path}`);
    }
    for (const op of OPERATIONS.filter((o) => o.method === "delete")) {
      expectDocumented(op, await fixture.send(op, undefined), `DELETE ${op.path}`);
    }
  });

  it("answers each metric's records in that metric's documented shape", async () => {
    const { id, secret } = await createIntegration("generic");
    const at = (hour: number) => `2026-10-01T${String(hour).padStart(2, "0")}:00:00Z`;
    const deployments = [1, 2, 3].map((n) => ({
      dedup_key: `d${n}`,
      service: "checkout",
      environment: "production",
      status: "success",
      kind: n === 3 ? "rollback" : null,
      finished_at: at(n * 4),
      commits: [{ sha: (n === 3 ? "1" : String(n)).repeat(40), committed_at: at(0) }],
    }));
    const incident = { dedup_key: "i1", service: "checkout", environment: "production", title: "errors", created_at: at(5), resolved_at: at(7), links: { deployment_id: "d1" } };
    for (const [kind, body] of [["deployments", { items: deployments }], ["incidents", incident]] as const) {
      const res = await call("POST", `/webhooks/generic/${id}/${kind}`, JSON.stringify(body), { authorization: `Bearer ${secret}`, "content-type": "application/json" });
      expect(res.status, await res.text()).toBe(202);
    }
    await drain(id);
    await callJson("POST", "/api/v1/recompute?full=true", undefined, ADMIN);
    for (const metric of DRILLDOWN_METRICS) {
      const res = await callJson("GET", `/api/v1/metrics/${metric}/records?service=checkout&from=2026-09-01&to=2026-11-01`, undefined, ADMIN);
      expect(res.status, res.text).toBe(200);
      expect(res.json.items.length, metric).toBeGreaterThan(0);
      const parsed = pageSchema(drilldownRecordSchemas[metric]).safeParse(res.json);
      expect(parsed.success, `${metric}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it("has response examples that match their schemas", async () => {
    const doc = await getDocument();
    let examples = 0;
    for (const op of OPERATIONS) {
      for (const [status, spec] of Object.entries(op.responses)) {
        if (spec.example === undefined) continue;
        examples++;
        const what = `${op.method} ${op.path} ${status}`;
        const parsed = zodOf(spec.schema!).safeParse(spec.example);
        expect(parsed.success, `${what}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
        expect(doc.paths[op.path]![op.method].responses[status].content[spec.contentType ?? "application/json"].example).toEqual(spec.example);
        if (spec.contentType === "application/x-ndjson") expectNdjsonLines(op, spec.example as string, what);
        if (spec.contentType === "text/csv") expect((spec.example as string).split("\r\n").length, `${what}: a header row and a record`).toBe(3);
      }
    }
    expect(examples).toBeGreaterThan(2);
    expect(errorSchema.safeParse(doc.components.schemas.Error.examples[0]).success).toBe(true);
  });

  it("holds a rejection to the documented error shape", async () => {
    const op = OPERATIONS.find((o) => o.method === "post" && o.path === "/api/v1/tokens")!;
    const res = await callJson("POST", "/api/v1/tokens", {}, ADMIN);
    expect(res.status).toBe(400);
    expect(zodOf(op.responses[400]!.schema!).safeParse(res.json).success, res.text).toBe(true);
  });
});

describe("the reference", () => {
  it("serves /docs and its assets from the Worker itself", async () => {
    const page = await reply("GET", "/docs");
    expect(page.status).toBe(200);
    const sources = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBe(3);
    for (const source of sources) {
      expect(source, "no third-party origin").toMatch(/^\/docs\//);
      const asset = await reply("GET", source);
      expect(asset.status, source).toBe(200);
      expect(asset.text.length, source).toBeGreaterThan(source.endsWith("init.js") ? 50 : 50_000);
    }
    expect((await reply("GET", "/docs/init.js")).text).toContain('url: "/openapi.json"');
  });
});
