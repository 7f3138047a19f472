import { describe, expect, it } from "vitest";
import { ADMIN, callJson, createIntegration, env } from "./helpers";

const PATH = "/api/v1/integrations";

async function storedRule(id: string): Promise<string | null> {
  return (await env.DB.prepare("SELECT incident_rule FROM integrations WHERE id = ?").bind(id).first<{ incident_rule: string | null }>())!.incident_rule;
}

describe("incident rule in the integrations API", () => {
  it("is given at creation, stored as JSON, and shown by GET and the list", async () => {
    const created = await callJson("POST", PATH, { vendor: "pagerduty", name: "pd", incident_rule: { min_priority: "P2", urgency: "high" } }, ADMIN);
    expect(created.status, created.text).toBe(201);
    expect(created.json.incident_rule).toEqual({ min_priority: "P2", urgency: "high" });
    expect(JSON.parse((await storedRule(created.json.id))!)).toEqual({ min_priority: "P2", urgency: "high" });
    expect((await callJson("GET", `${PATH}/${created.json.id}`, undefined, ADMIN)).json.incident_rule).toEqual({ min_priority: "P2", urgency: "high" });
    const listed = (await callJson("GET", PATH, undefined, ADMIN)).json.items.find((i: any) => i.id === created.json.id);
    expect(listed.incident_rule).toEqual({ min_priority: "P2", urgency: "high" });
  });

  it("defaults to none, and takes either part alone", async () => {
    const none = await createIntegration("generic");
    expect((none as any).incident_rule).toBeNull();
    expect(await storedRule(none.id)).toBeNull();
    const urgencyOnly = await createIntegration("pagerduty", { incident_rule: { urgency: "low" } });
    expect((urgencyOnly as any).incident_rule).toEqual({ urgency: "low" });
    const empty = await createIntegration("devlake", { incident_rule: {} });
    expect((empty as any).incident_rule).toBeNull();
  });

  it.each([
    [{ min_priority: "P6" }, "incident_rule.min_priority"],
    [{ min_priority: "p2" }, "incident_rule.min_priority"],
    [{ urgency: "medium" }, "incident_rule.urgency"],
    [{ min_priority: "P2", severity: "high" }, "incident_rule"],
    ["P2", "incident_rule"],
  ])("refuses %j at creation with a 400 naming %s, creating nothing", async (rule, field) => {
    const name = `bad-rule-${crypto.randomUUID()}`;
    const res = await callJson("POST", PATH, { vendor: "generic", name, incident_rule: rule }, ADMIN);
    expect(res.status, res.text).toBe(400);
    expect(res.json.errors[0].detail).toMatch(new RegExp(`^${field.replace(".", "\\.")}: `));
    const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM integrations WHERE name = ?").bind(name).first<{ n: number }>())!;
    expect(n).toBe(0);
  });

  it("PATCH changes only the fields given, removes the rule with null, and answers the integration", async () => {
    const integration = await createIntegration("pagerduty", { service: "checkout", environment: "production", incident_rule: { min_priority: "P3" } });
    const patch = (body: unknown) => callJson("PATCH", `${PATH}/${integration.id}`, body, ADMIN);

    const rule = await patch({ incident_rule: { min_priority: "P1", urgency: "high" } });
    expect(rule.status, rule.text).toBe(200);
    expect(rule.json).toMatchObject({ id: integration.id, name: "pagerduty test", service: "checkout", environment: "production", incident_rule: { min_priority: "P1", urgency: "high" } });

    const renamed = await patch({ name: "  PagerDuty prod  " });
    expect(renamed.json).toMatchObject({ name: "PagerDuty prod", incident_rule: { min_priority: "P1", urgency: "high" } });

    const cleared = await patch({ incident_rule: null });
    expect(cleared.json).toMatchObject({ name: "PagerDuty prod", incident_rule: null });
    expect(await storedRule(integration.id)).toBeNull();

    const shown = await callJson("GET", `${PATH}/${integration.id}`, undefined, ADMIN);
    expect(shown.json).toMatchObject({ name: "PagerDuty prod", service: "checkout", environment: "production", incident_rule: null });
  });

  it("PATCH refuses unknown fields and values with a 400 naming them, and changes nothing", async () => {
    const integration = await createIntegration("generic", { incident_rule: { urgency: "high" } });
    for (const [body, detail] of [
      [{ incident_rule: { min_priority: "P9" } }, /^incident_rule\.min_priority: /],
      [{ incident_rule: { urgency: "high", extra: 1 } }, /^incident_rule: .*"extra"/],
      [{ environment: "staging" }, /"environment"/],
      [{ name: "" }, /name/],
      [{}, /give name, incident_rule, forward or notify/],
    ] as const) {
      const res = await callJson("PATCH", `${PATH}/${integration.id}`, body, ADMIN);
      expect(res.status, res.text).toBe(400);
      expect(res.json.errors[0].detail, res.text).toMatch(detail);
    }
    const malformed = await callJson("PATCH", `${PATH}/${integration.id}`, "{not json", ADMIN);
    expect(malformed.status).toBe(400);
    const shown = await callJson("GET", `${PATH}/${integration.id}`, undefined, ADMIN);
    expect(shown.json).toMatchObject({ name: "generic test", environment: null, incident_rule: { urgency: "high" } });
  });

  it("PATCH answers 404 for an unknown or deleted integration", async () => {
    const gone = await createIntegration("generic");
    expect((await callJson("DELETE", `${PATH}/${gone.id}`, undefined, ADMIN)).status).toBe(204);
    for (const id of [crypto.randomUUID(), gone.id]) {
      const res = await callJson("PATCH", `${PATH}/${id}`, { incident_rule: null }, ADMIN);
      expect(res.status).toBe(404);
    }
    expect(await storedRule(gone.id)).toBeNull();
  });

  it("PATCH of the rule makes the next recompute a full one, so the rule reaches past incidents", async () => {
    const t = await createIntegration("generic");
    // No recompute here: one would empty the derived tables under other test files.
    await env.DB.prepare("INSERT INTO metric_state (id, as_of, full_pending) VALUES (1, NULL, 0) ON CONFLICT(id) DO UPDATE SET full_pending = 0").run();
    expect((await callJson("PATCH", `${PATH}/${t.id}`, { incident_rule: { min_priority: "P2" } }, ADMIN)).status).toBe(200);
    const state = await env.DB.prepare("SELECT full_pending FROM metric_state WHERE id = 1").first<{ full_pending: number }>();
    expect(state?.full_pending).toBe(1);
  });
});
