/**
 * The delivery ledger an integration's object keeps for the dashboard, served admin-only at
 * `GET /api/v1/integrations/:id/deliveries`.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ADMIN, call, callJson, createIntegration, drain, integrationStub, type CreatedIntegration } from "./helpers";

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

async function ledger(id: string) {
  const res = await callJson("GET", `/api/v1/integrations/${id}/deliveries`, undefined, ADMIN);
  expect(res.status, res.text).toBe(200);
  return res.json;
}

function postDeployment(t: CreatedIntegration, body: unknown, secret = t.secret) {
  return callJson("POST", `/webhooks/generic/${t.id}/deployments`, body, bearer(secret));
}

describe("delivery ledger", () => {
  it("counts accepted, duplicate and updated events, and shows the outbox waiting", async () => {
    const t = await createIntegration("generic");
    const before = new Date().toISOString();
    const empty = await ledger(t.id);
    expect(empty).toEqual({
      integration_id: t.id,
      last_delivery_at: null,
      counts: { accepted: 0, duplicate: 0, updated: 0, rejected_auth: 0, rejected_validation: 0, rejected_rate_limit: 0, rejected_size: 0 },
      rejected: [],
      outbox: { pending: 0, oldest_at: null },
      forwarding: { counts: { pending: 0, forwarded: 0, failed: 0, dead: 0 }, recent: [] },
      pushes: { counts: { pending: 0, forwarded: 0, failed: 0, dead: 0 }, recent: [] },
    });
    const deploy = { dedup_key: "d-1", status: "in_progress", started_at: "2026-03-01T10:00:00Z" };
    await postDeployment(t, deploy);
    await postDeployment(t, deploy);
    await postDeployment(t, { items: [{ ...deploy, status: "success", finished_at: "2026-03-01T10:05:00Z" }, { dedup_key: "d-2" }] });
    const waiting = await ledger(t.id);
    expect(waiting.counts).toMatchObject({ accepted: 2, duplicate: 1, updated: 1 });
    expect(waiting.last_delivery_at >= before).toBe(true);
    expect(waiting.outbox.pending).toBe(3);
    expect(waiting.outbox.oldest_at >= before).toBe(true);
    await drain(t.id);
    expect((await ledger(t.id)).outbox).toEqual({ pending: 0, oldest_at: null });
  });

  it("keeps each rejection with its reason, status, reply and the start of its body, newest first, and no credential", async () => {
    const t = await createIntegration("generic", { rate_limit: { requests_per_second: 0.01, burst: 2 } });
    const wrongToken = "wrong-token-do-not-keep";
    const refused = await postDeployment(t, { dedup_key: "a" }, wrongToken);
    const invalid = await postDeployment(t, { dedup_key: "b", status: "exploded" });
    const big = await call("POST", `/webhooks/generic/${t.id}/deployments`, JSON.stringify({ description: "x".repeat(1024 * 1024) }), bearer(t.secret));
    await postDeployment(t, { dedup_key: "c" });
    await postDeployment(t, { dedup_key: "d" });
    const limited = await postDeployment(t, { dedup_key: "e" });
    expect([refused.status, invalid.status, big.status, limited.status]).toEqual([401, 400, 413, 429]);

    const seen = await ledger(t.id);
    expect(seen.counts).toMatchObject({ accepted: 2, rejected_auth: 1, rejected_validation: 1, rejected_size: 1, rejected_rate_limit: 1 });
    expect(seen.rejected.map((r: any) => [r.reason, r.status])).toEqual([
      ["rate_limit", 429],
      ["size", 413],
      ["validation", 400],
      ["auth", 401],
    ]);
    expect(seen.rejected[0].reply).toEqual(limited.json);
    expect(seen.rejected[1].reply).toEqual(await big.json());
    expect(seen.rejected[2]).toMatchObject({ reply: invalid.json, body: JSON.stringify({ dedup_key: "b", status: "exploded" }) });
    expect(seen.rejected[3]).toMatchObject({ reply: refused.json });
    expect(seen.rejected[1].body).toBeNull();
    for (const r of seen.rejected) expect(Date.parse(r.at)).not.toBeNaN();
    const stored = JSON.stringify(seen);
    expect(stored).not.toContain(wrongToken);
    expect(stored).not.toContain(t.secret);
  });

  it("keeps at most 100 rejections and at most 2 KB of each body, in the vendor's reply shape", async () => {
    const t = await createIntegration("devlake");
    const body = JSON.stringify({ id: "x", note: "é".repeat(3000) });
    for (let i = 0; i < 103; i++) {
      const res = await call("POST", `/api/rest/plugins/webhook/${t.id}/deployments`, body, bearer(t.secret));
      expect(res.status).toBe(400);
      await res.arrayBuffer();
    }
    const seen = await ledger(t.id);
    expect(seen.counts.rejected_validation).toBe(103);
    expect(seen.rejected).toHaveLength(100);
    expect(new TextEncoder().encode(seen.rejected[0].body).length).toBeLessThanOrEqual(2048 + 2);
    expect(body.startsWith(seen.rejected[0].body.replace(/\uFFFD$/, ""))).toBe(true);
    expect(seen.rejected[0].reply).toMatchObject({ success: false });
  });

  it("keeps nothing for an id nobody created, nor for one that is not an id", async () => {
    const unknown = crypto.randomUUID();
    expect((await callJson("POST", `/webhooks/generic/${unknown}/deployments`, { dedup_key: "x" }, bearer("x"))).status).toBe(401);
    // Whichever the route judges first, a body it refuses leaves nothing either.
    expect((await callJson("POST", `/webhooks/generic/${unknown}/deployments`, { status: "nope" }, bearer("x"))).status).toBeGreaterThanOrEqual(400);
    expect((await callJson("POST", "/webhooks/generic/not-an-id/deployments", { dedup_key: "x" }, bearer("x"))).status).toBe(401);
    const tables = await runInDurableObject(integrationStub(unknown), (_instance, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master").one().n,
    );
    expect(tables).toBe(0);
    expect((await callJson("GET", `/api/v1/integrations/${unknown}/deliveries`, undefined, ADMIN)).status).toBe(404);
  });

  it("is for admins only", async () => {
    const t = await createIntegration("generic");
    expect((await callJson("GET", `/api/v1/integrations/${t.id}/deliveries`)).status).toBe(401);
    expect((await callJson("GET", `/api/v1/integrations/${t.id}/deliveries`, undefined, bearer(t.secret))).status).toBe(401);
  });
});
