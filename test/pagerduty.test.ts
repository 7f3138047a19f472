import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import acknowledged from "./fixtures/pagerduty/incident.acknowledged.json";
import priorityUpdated from "./fixtures/pagerduty/incident.priority_updated.json";
import resolved from "./fixtures/pagerduty/incident.resolved.json";
import triggered from "./fixtures/pagerduty/incident.triggered.json";
import { normalizePagerDutyIncident, pagerdutyIncidentSchema } from "../src/vendors/pagerduty/incident";
import { pagerdutySignatures } from "../src/vendors/pagerduty/signature";
import { ADMIN, callJson, createIntegration, drain, putService, type CreatedIntegration } from "./helpers";
import { hmacHex, postRaw } from "./signing";

let integration: CreatedIntegration;
let signingSecret: string;

beforeEach(async () => {
  // PagerDuty generates the signing secret; the integration is created with it.
  signingSecret = `pd-${crypto.randomUUID()}`;
  integration = await createIntegration("pagerduty", { secret: signingSecret });
});

interface Options {
  secret?: string;
  id?: string;
  webhookId?: string;
  signature?: string | null;
}

/** Posts as PagerDuty does: the body signed with the subscription's secret. */
async function post(body: unknown, o: Options = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = { "x-webhook-id": o.webhookId ?? crypto.randomUUID(), "x-webhook-subscription": "PY1OL64" };
  const signature = o.signature === undefined ? `v1=${await hmacHex(o.secret ?? signingSecret, text)}` : o.signature;
  if (signature !== null) headers["x-pagerduty-signature"] = signature;
  return postRaw(`/webhooks/pagerduty/${o.id ?? integration.id}`, text, headers);
}

/** The integration's incidents, straight from D1. */
async function incidents(id = integration.id) {
  await drain(id);
  const { results } = await env.DB.prepare("SELECT * FROM incidents WHERE integration_id = ? ORDER BY seq").bind(id).all<any>();
  return results;
}

function forIncident<T extends typeof triggered>(event: T, incidentId: string): T {
  return { ...event, event: { ...event.event, data: { ...event.event.data, id: incidentId } } };
}

describe("PagerDuty V3 webhook", () => {
  it("takes the secret PagerDuty generated at creation, shows it once, and refuses a short or reused one", async () => {
    expect(integration.secret).toBe(signingSecret);
    const short = await callJson("POST", "/api/v1/integrations", { vendor: "pagerduty", name: "pd", secret: "too-short" }, ADMIN);
    expect(short.status).toBe(400);
    expect(short.json.errors[0].detail).toMatch(/^secret: /);
    const reused = await callJson("POST", "/api/v1/integrations", { vendor: "pagerduty", name: "pd", secret: signingSecret }, ADMIN);
    expect(reused.status).toBe(409);
    expect((await callJson("GET", `/api/v1/integrations/${integration.id}`, undefined, ADMIN)).json.secret).toBeUndefined();
  });

  it("records triggered, acknowledged and resolved as one incident, service from the catalog alias", async () => {
    await putService("api-service", { name: "API Service", aliases: ["API Service"] });
    for (const event of [triggered, acknowledged, resolved]) {
      const res = await post(event);
      expect(res.status, res.text).toBe(202);
      expect(res.text).toBe('{"result":"ok"}');
    }
    const rows = await incidents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      dedup_key: "PGR0VU2",
      service: "api-service",
      service_name: "API Service",
      environment: "production",
      status: "resolved",
      counted: 1,
      title: "A little bump in the road",
      url: "https://acme.pagerduty.com/incidents/PGR0VU2",
      created_at: "2020-04-09T15:16:27.000Z",
      resolved_at: "2020-04-09T16:02:45.120Z",
    });
  });

  it("keeps an incident resolved when triggered and acknowledged arrive after the resolution", async () => {
    expect((await post(forIncident(resolved, "PLATE01"))).json).toEqual({ result: "ok" });
    expect((await post(forIncident(triggered, "PLATE01"))).json).toEqual({ result: "stale" });
    expect((await post(forIncident(acknowledged, "PLATE01"))).json).toEqual({ result: "stale" });
    const [row] = await incidents();
    expect(row).toMatchObject({ status: "resolved", created_at: "2020-04-09T15:16:27.000Z", resolved_at: "2020-04-09T16:02:45.120Z" });
  });

  it("falls back to the service id when the catalog does not know the service name", async () => {
    await putService("svc-by-pd-id", { name: "By PagerDuty id", aliases: ["PIDONLY1"] });
    const event = structuredClone(triggered);
    event.event.data.id = "PSVCID1";
    event.event.data.service = { ...event.event.data.service, id: "PIDONLY1", summary: "Name nobody catalogued" };
    await post(event);
    expect((await incidents())[0]).toMatchObject({ service: "svc-by-pd-id", service_name: "PIDONLY1" });
  });

  it("accepts any one valid signature among several", async () => {
    const text = JSON.stringify(triggered);
    const good = await hmacHex(signingSecret, text);
    const res = await post(triggered, { signature: `v1=${"0".repeat(64)}, v1=${good}` });
    expect(res.status).toBe(202);
  });

  it("drops a redelivery with the same X-Webhook-Id", async () => {
    const webhookId = crypto.randomUUID();
    expect((await post(triggered, { webhookId })).json).toEqual({ result: "ok" });
    expect((await post(resolved, { webhookId })).json).toEqual({ result: "duplicate" });
    expect((await incidents()).map((r) => r.status)).toEqual(["open"]);
  });

  it("acknowledges and ignores other event types", async () => {
    const res = await post(priorityUpdated);
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ result: "ignored", message: 'event_type "incident.priority_updated" is not tracked' });
    expect(await incidents()).toEqual([]);
  });

  it("refuses with the same 401 a missing, wrong or another integration's signature, and an unknown, revoked or other-vendor id", async () => {
    const other = await createIntegration("pagerduty");
    const generic = await createIntegration("generic");
    const revoked = await createIntegration("pagerduty");
    await callJson("DELETE", `/api/v1/integrations/${revoked.id}`, undefined, ADMIN);
    const mismatch = { errors: [{ status: 401, title: "Unauthorized", detail: "X-PagerDuty-Signature does not match this request" }] };
    for (const options of [
      { secret: "wrong-secret-0123456789" },
      { secret: other.secret },
      { id: "00000000-0000-0000-0000-000000000000" },
      { id: revoked.id, secret: revoked.secret },
      { id: generic.id, secret: generic.secret },
    ]) {
      const res = await post(triggered, options);
      expect(res.status, JSON.stringify(options)).toBe(401);
      expect(res.json).toEqual(mismatch);
    }
    for (const signature of [null, "v0=abc", `sha256=${"a".repeat(64)}`]) {
      const res = await post(triggered, { signature });
      expect(res.status).toBe(401);
      expect(res.json.errors[0].detail).toMatch(/^missing or malformed X-PagerDuty-Signature/);
    }
    expect(await incidents()).toEqual([]);
  });

  it.each([
    ["event.data.id", (b: any) => delete b.event.data.id],
    ["event.data.created_at", (b: any) => delete b.event.data.created_at],
    ["event.occurred_at", (b: any) => delete b.event.occurred_at],
    ["event.event_type", (b: any) => delete b.event.event_type],
    ["event.id", (b: any) => delete b.event.id],
    ["event", (b: any) => delete b.event],
  ])("names the missing %s", async (field, remove) => {
    const body = structuredClone(triggered);
    remove(body);
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: any) => e.detail)).toEqual([`param is missing or the value is empty: ${field}`]);
    expect(await incidents()).toEqual([]);
  });

  it("says where a signed body is malformed JSON", async () => {
    const text = `${JSON.stringify(triggered).slice(0, -1)},}`;
    const res = await post(text);
    expect(res.status).toBe(400);
    expect(res.json.errors[0].detail).toMatch(new RegExp(`^malformed JSON: .*position ${text.length - 1}`));
  });
});

describe("PagerDuty adapter (unit)", () => {
  it("resolves at the resolved event's occurred_at and opens otherwise", () => {
    const parse = (b: unknown) => normalizePagerDutyIncident(pagerdutyIncidentSchema.parse(b), b);
    expect(parse(resolved)).toMatchObject({ status: "resolved", resolved_at: "2020-04-09T16:02:45.120Z", service_hints: { names: ["API Service", "PF9KMXH"] } });
    expect(parse(acknowledged)).toMatchObject({ status: "open", resolved_at: null, created_at: "2020-04-09T15:16:27.000Z" });
  });

  it("reads every v1 signature of the header", () => {
    expect(pagerdutySignatures(`v1=${"a".repeat(64)},v1=${"b".repeat(64)}`)).toEqual(["a".repeat(64), "b".repeat(64)]);
    expect(pagerdutySignatures("v1=short, v2=x")).toEqual([]);
  });
});
