import { describe, expect, it } from "vitest";
import devlakeIssue from "./fixtures/devlake/issue-incident.json";
import genericIncident from "./fixtures/generic/incident.json";
import triggered from "./fixtures/pagerduty/incident.triggered.json";
import { ADMIN, callJson, createIntegration, drain, env } from "./helpers";
import { hmacHex, postRaw } from "./signing";

interface Stored {
  dedup_key: string;
  priority: string | null;
  priority_raw: string | null;
  urgency: string | null;
}

async function stored(id: string): Promise<Stored[]> {
  await drain(id);
  const { results } = await env.DB.prepare("SELECT dedup_key, priority, priority_raw, urgency FROM incidents WHERE integration_id = ? ORDER BY seq").bind(id).all<Stored>();
  return results;
}

describe("incident priority on ingest", () => {
  it("PagerDuty: the priority's name and the urgency", async () => {
    const secret = `pd-${crypto.randomUUID()}`;
    const integration = await createIntegration("pagerduty", { secret });
    const post = async (incidentId: string, data: Record<string, unknown>) => {
      const body = structuredClone(triggered) as any;
      body.event.data = { ...body.event.data, id: incidentId, ...data };
      const text = JSON.stringify(body);
      const res = await postRaw(`/webhooks/pagerduty/${integration.id}`, text, { "x-webhook-id": crypto.randomUUID(), "x-pagerduty-signature": `v1=${await hmacHex(secret, text)}` });
      expect(res.status, res.text).toBe(202);
    };
    await post("PD-1", {});
    await post("PD-2", { priority: { summary: "SEV-2", type: "priority_reference" }, urgency: "low" });
    await post("PD-3", { priority: { summary: "Business hours", type: "priority_reference" }, urgency: "High" });
    await post("PD-4", { priority: null, urgency: undefined });
    expect(await stored(integration.id)).toEqual([
      { dedup_key: "PD-1", priority: "P1", priority_raw: "P1", urgency: "high" },
      { dedup_key: "PD-2", priority: "P2", priority_raw: "SEV-2", urgency: "low" },
      { dedup_key: "PD-3", priority: null, priority_raw: "Business hours", urgency: "high" },
      { dedup_key: "PD-4", priority: null, priority_raw: null, urgency: null },
    ]);
  });

  it("DevLake: priority, else severity, in either key case", async () => {
    const integration = await createIntegration("devlake");
    const post = async (body: Record<string, unknown>) => {
      const res = await callJson("POST", `/api/rest/plugins/webhook/${integration.id}/issues`, body, { authorization: `Bearer ${integration.secret}` });
      expect(res.status, res.text).toBe(200);
    };
    await post({ ...devlakeIssue, issue_key: "DL-1" });
    await post({ ...devlakeIssue, issue_key: "DL-2", priority: "High" });
    await post({ ...devlakeIssue, issue_key: "DL-3", priority: "", severity: "SEV1" });
    const { priority: _p, severity: _s, issue_key: _k, ...camel } = devlakeIssue;
    await post({ ...camel, issueKey: "DL-4", Priority: "urgent", Severity: "3" });
    await post({ ...camel, issueKey: "DL-5", Severity: "whenever" });
    expect(await stored(integration.id)).toEqual([
      { dedup_key: "DL-1", priority: null, priority_raw: null, urgency: null },
      { dedup_key: "DL-2", priority: "P2", priority_raw: "High", urgency: null },
      { dedup_key: "DL-3", priority: "P1", priority_raw: "SEV1", urgency: null },
      { dedup_key: "DL-4", priority: "P3", priority_raw: "3", urgency: null },
      { dedup_key: "DL-5", priority: null, priority_raw: "whenever", urgency: null },
    ]);
  });

  it("generic: priority and urgency, listed and shown by the incidents API; an unknown urgency is a 400 naming it", async () => {
    const integration = await createIntegration("generic");
    const auth = { authorization: `Bearer ${integration.secret}` };
    const post = (body: Record<string, unknown>) => callJson("POST", `/webhooks/generic/${integration.id}/incidents`, { ...genericIncident, ...body }, auth);
    expect((await post({ dedup_key: "G-1", priority: "critical", urgency: "LOW" })).status).toBe(202);
    expect((await post({ dedup_key: "G-2", priority: 4 })).status).toBe(202);
    expect((await post({ dedup_key: "G-3" })).status).toBe(202);
    const bad = await post({ dedup_key: "G-4", urgency: "medium" });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].detail).toMatch(/^urgency: /);
    expect(await stored(integration.id)).toEqual([
      { dedup_key: "G-1", priority: "P1", priority_raw: "critical", urgency: "low" },
      { dedup_key: "G-2", priority: "P4", priority_raw: "4", urgency: null },
      { dedup_key: "G-3", priority: null, priority_raw: null, urgency: null },
    ]);

    const list = await callJson("GET", `/api/v1/incidents?integration=${integration.id}`, undefined, ADMIN);
    const byKey = new Map(list.json.items.map((i: any) => [i.dedup_key, i]));
    expect(byKey.get("G-1")).toMatchObject({ priority: "P1", priority_raw: "critical", urgency: "low" });
    expect(byKey.get("G-3")).toMatchObject({ priority: null, priority_raw: null, urgency: null });
    const one = await callJson("GET", `/api/v1/incidents/${(byKey.get("G-2") as any).id}`, undefined, ADMIN);
    expect(one.json).toMatchObject({ priority: "P4", priority_raw: "4", urgency: null });
  });
});
