import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import deployment from "./fixtures/generic/deployment.json";
import incident from "./fixtures/generic/incident.json";
import { normalizeGenericDeployment, normalizeGenericIncident } from "../src/vendors/generic/normalize";
import { genericDeploymentSchema, genericIncidentSchema } from "../src/vendors/generic/schema";
import { storedCount } from "./stored";
import { ADMIN, callJson, createIntegration, drain, type CreatedIntegration } from "./helpers";

let integration: CreatedIntegration;

beforeEach(async () => {
  integration = await createIntegration("generic");
});

function post(kind: "deployments" | "incidents", body: unknown, headers: Record<string, string> = { authorization: `Bearer ${integration.secret}` }, id = integration.id) {
  return callJson("POST", `/webhooks/generic/${id}/${kind}`, body, headers);
}

async function deployments() {
  await drain(integration.id);
  return (await callJson("GET", `/api/v1/deployments?integration=${integration.id}&limit=500`, undefined, ADMIN)).json.items as any[];
}

async function incidents() {
  await drain(integration.id);
  const { results } = await env.DB.prepare("SELECT * FROM incidents WHERE integration_id = ? ORDER BY seq").bind(integration.id).all<any>();
  return results;
}

describe("generic webhook: deployments", () => {
  it("records one deployment, with every timestamp form in UTC", async () => {
    const res = await post("deployments", deployment);
    expect(res.status, res.text).toBe(202);
    expect(res.json).toEqual({ results: [{ result: "ok", id: expect.any(String) }] });
    const [stored] = await deployments();
    expect(stored).toMatchObject({
      id: res.json.results[0].id,
      dedup_key: "checkout-prod-1842",
      service: "checkout",
      environment: "production",
      status: "success",
      started_at: "2024-03-28T05:20:11.000Z",
      finished_at: "2024-03-28T05:25:45.000Z",
      deploy_number: "1842",
      change_id: "CHG-7731",
      deployer: { name: "Pam Beesly", email: "pam@example.com" },
      commits: [
        {
          sha: "38d02f1d7aab64678a7ad3eeb2ad2887ce7253f5",
          repository: "https://github.com/acme/checkout",
          branch: "main",
          committed_at: "2024-03-28T05:20:00.000Z",
        },
      ],
    });
  });

  it("accepts a minimal deployment and the rework kinds", async () => {
    const res = await post("deployments", {
      items: [{ service: "minimal-svc" }, { service: "minimal-svc", kind: "Rollback", commit_sha: "abc1234" }, { service: "minimal-svc", kind: "hotfix" }],
    });
    expect(res.json.results.map((r: any) => r.result)).toEqual(["ok", "ok", "ok"]);
    const rows = (await deployments()).sort((a, b) => a.seq - b.seq);
    expect(rows.map((d) => [d.status, d.kind, d.commits.map((c: any) => c.sha)])).toEqual([
      ["success", null, []],
      ["success", "rollback", ["abc1234"]],
      ["success", "hotfix", []],
    ]);
  });

  it("applies a batch in order, updates by dedup_key and never moves backwards", async () => {
    const key = { dedup_key: "d-order", service: "order-svc" };
    const res = await post("deployments", {
      items: [
        { ...key, status: "in_progress", started_at: "2024-03-28T05:00:00Z" },
        { ...key, status: "success", finished_at: "2024-03-28T05:10:00Z" },
        { ...key, status: "in_progress", started_at: "2024-03-28T05:00:00Z" },
      ],
    });
    expect(res.status).toBe(202);
    const [first, second, third] = res.json.results;
    expect([first.result, second.result, third.result]).toEqual(["ok", "ok", "duplicate"]);
    expect(new Set([first.id, second.id, third.id]).size).toBe(1);
    const rows = await deployments();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "success", finished_at: "2024-03-28T05:10:00.000Z" });
  });

  it("answers a redelivery that changes nothing with duplicate and the record's id", async () => {
    const item = { dedup_key: "d-again", service: "again-svc", status: "success", finished_at: "2024-03-28T05:10:00Z" };
    const first = await post("deployments", item);
    const again = await post("deployments", item);
    expect(again.status).toBe(202);
    expect(again.json).toEqual({ results: [{ result: "duplicate", id: first.json.results[0].id }] });
  });

  it("drops a retried request with the same Idempotency-Key", async () => {
    const headers = { authorization: `Bearer ${integration.secret}`, "idempotency-key": crypto.randomUUID() };
    expect((await post("deployments", { service: "retry-svc" }, headers)).json.results[0].result).toBe("ok");
    expect((await post("deployments", { service: "retry-svc" }, headers)).json).toEqual({ results: [{ result: "duplicate", id: null }] });
    expect(await storedCount("deployments", integration.id)).toBe(1);
  });

  it(`takes up to 500 items and refuses 501 with 413 naming the limit`, async () => {
    const items = Array.from({ length: 500 }, (_, i) => ({ service: "bulk-svc", dedup_key: `bulk-${i}`, finished_at: 1711603200000 + i }));
    const ok = await post("deployments", { items });
    expect(ok.status).toBe(202);
    expect(ok.json.results).toHaveLength(500);
    const tooMany = await post("deployments", { items: [...items, { service: "bulk-svc" }] });
    expect(tooMany.status).toBe(413);
    expect(tooMany.json.errors[0].detail).toBe("items: at most 500 items per request, got 501; split them into several requests");
    await drain(integration.id);
    expect(await storedCount("deployments", integration.id)).toBe(500);
  });

  it("names each bad field with its item index, storing nothing", async () => {
    const res = await post("deployments", {
      items: [{ service: "ok-svc" }, { status: "done", finished_at: "soon", commits: [{ branch: "main" }] }],
    });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: any) => e.detail).sort()).toEqual([
      'items.1.finished_at: is not a valid time: "soon"',
      'items.1.status: Invalid option: expected one of "pending"|"in_progress"|"success"|"failure"|"aborted"',
      "param is missing or the value is empty: items.1.commits.0.sha",
    ]);
    expect(res.json.errors[0]).toMatchObject({ status: 400 });
    expect(await storedCount("deployments", integration.id)).toBe(0);
  });

  it("refuses an empty batch and malformed JSON, saying where", async () => {
    expect((await post("deployments", { items: [] })).json.errors[0].detail).toBe("items: needs at least one item");
    const res = await post("deployments", `${JSON.stringify(deployment).slice(0, -1)},}`);
    expect(res.status).toBe(400);
    expect(res.json.errors[0].detail).toMatch(/^malformed JSON: .*position \d+/);
  });

  it("refuses with the same 401 a missing, wrong or another integration's token, and an unknown or other-vendor id", async () => {
    const other = await createIntegration("generic");
    const gitlab = await createIntegration("gitlab");
    const invalid = { errors: [{ status: 401, title: "Unauthorized", detail: "invalid bearer token" }] };
    for (const [headers, id] of [
      [{ authorization: "Bearer wrong" }, integration.id],
      [{ authorization: `Bearer ${other.secret}` }, integration.id],
      [{ authorization: `Bearer ${integration.secret}` }, "00000000-0000-0000-0000-000000000000"],
      [{ authorization: `Bearer ${gitlab.secret}` }, gitlab.id],
    ] as const) {
      const res = await post("deployments", deployment, headers, id);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect(res.json).toEqual(invalid);
    }
    const none = await post("incidents", incident, {});
    expect(none.status).toBe(401);
    expect(none.json.errors[0].detail).toBe("missing bearer token");
    expect(await storedCount("deployments", integration.id)).toBe(0);
  });
});

describe("generic webhook: incidents", () => {
  it("records an incident with its links, resolved because resolved_at is given", async () => {
    const res = await post("incidents", incident);
    expect(res.status, res.text).toBe(202);
    expect(res.json).toEqual({ results: [{ result: "ok", id: expect.any(String) }] });
    const [row] = await incidents();
    expect(row).toMatchObject({
      id: res.json.results[0].id,
      dedup_key: "INC-2031",
      service: "checkout",
      status: "resolved",
      counted: 1,
      created_at: "2024-03-28T08:02:00.000Z",
      resolved_at: "2024-03-28T08:47:30.000Z",
      link_deployment_id: "checkout-prod-1842",
      link_commit_sha: "38d02f1d7aab64678a7ad3eeb2ad2887ce7253f5",
      link_change_id: null,
    });
  });

  it("opens then resolves one incident by dedup_key; a late open is a duplicate", async () => {
    const open = { dedup_key: "INC-LIFE", service: "life-svc", created_at: "2024-03-28T08:00:00Z" };
    expect((await post("incidents", open)).json.results[0].result).toBe("ok");
    expect((await post("incidents", { ...open, resolved_at: "2024-03-28T09:00:00Z" })).json.results[0].result).toBe("ok");
    expect((await post("incidents", open)).json.results[0].result).toBe("duplicate");
    const rows = await incidents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "resolved", resolved_at: "2024-03-28T09:00:00.000Z" });
  });

  it.each([
    ["dedup_key", "param is missing or the value is empty: items.0.dedup_key"],
    ["created_at", "param is missing or the value is empty: items.0.created_at"],
  ])("names the missing %s with its index", async (field, detail) => {
    const item: Record<string, unknown> = { ...incident };
    delete item[field];
    const res = await post("incidents", { items: [item] });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: any) => e.detail)).toEqual([detail]);
  });

  it("needs resolved_at when the status is resolved", async () => {
    const res = await post("incidents", { dedup_key: "INC-NO-TIME", created_at: "2024-03-28T08:00:00Z", status: "RESOLVED" });
    expect(res.status).toBe(400);
    expect(res.json.errors[0].detail).toBe("resolved_at: is needed when status is resolved");
  });
});

describe("generic adapter (unit)", () => {
  it("fills the canonical defaults", () => {
    const d = normalizeGenericDeployment(genericDeploymentSchema.parse({ repository: "acme/x", commit_sha: "abc1234" }), {});
    expect(d).toMatchObject({ status: "success", dedup_key: null, service: null, service_hints: { repositories: ["acme/x"], names: [] } });
    expect(d.commits).toEqual([{ sha: "abc1234", repository: "acme/x", branch: null, message: null, committed_at: null, authored_at: null }]);
    const i = normalizeGenericIncident(genericIncidentSchema.parse({ dedup_key: 7, created_at: "2024-03-28" }), {});
    expect(i).toMatchObject({ dedup_key: "7", status: "open", counted: true, created_at: "2024-03-28T00:00:00.000Z", links: { change_id: null, deployment_id: null, commit_sha: null } });
  });
});
