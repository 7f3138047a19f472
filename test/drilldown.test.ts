/**
 * The drill-down endpoints: the records behind each metric add up to the metric's own figures on a
 * scenario posted through the real routes, for all services, one service and one team; each record
 * says why it is there (the incident and how it linked, the rollback, the reason for rework).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, callJson, createIntegration, drain, putService, type CreatedIntegration } from "./helpers";

const WINDOW = "from=2026-03-01&to=2026-04-01";
let generic: CreatedIntegration;
const ids = new Map<string, string>();

function median(values: number[]): number | null {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = (v.length - 1) / 2;
  return (v[Math.floor(mid)]! + v[Math.ceil(mid)]!) / 2;
}

async function post(kind: "deployments" | "incidents", items: unknown[]) {
  const res = await callJson("POST", `/webhooks/generic/${generic.id}/${kind}`, { items }, { authorization: `Bearer ${generic.secret}` });
  expect(res.status, res.text).toBe(202);
}

/** Every record of a metric, following the cursor with small pages. */
async function allRecords(metric: string, query: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; text: string; json: any } = await callJson("GET", `/api/v1/metrics/${metric}/records?${query}&limit=2${cursor ? `&cursor=${cursor}` : ""}`, undefined, ADMIN);
    expect(res.status, res.text).toBe(200);
    items.push(...res.json.items);
    cursor = res.json.next_cursor;
  } while (cursor);
  return items;
}

beforeAll(async () => {
  await putService("shop", { name: "Shop", team: "red" });
  await putService("other", { name: "Other", team: "blue" });
  generic = await createIntegration("generic");
  const deploy = (key: string, service: string, at: string, commits: { sha: string; committed_at?: string }[], extra: Record<string, unknown> = {}) => ({
    dedup_key: key,
    service,
    finished_at: at,
    commits,
    ...extra,
  });
  await post("deployments", [
    deploy("d1", "shop", "2026-03-02T10:00:00Z", [{ sha: "aaa1", committed_at: "2026-03-01T10:00:00Z" }]),
    deploy("d2", "shop", "2026-03-03T10:00:00Z", [
      { sha: "bbb2", committed_at: "2026-03-03T08:00:00Z" },
      { sha: "ccc3", committed_at: "2026-03-03T09:00:00Z" },
    ]),
    deploy("d3", "shop", "2026-03-04T10:00:00Z", [{ sha: "eee5" }]),
    // Back to what d1 shipped: a rollback, which makes d3 a failure.
    deploy("d4", "shop", "2026-03-05T10:00:00Z", [{ sha: "aaa1" }]),
    deploy("d5", "shop", "2026-03-06T10:00:00Z", [{ sha: "fff6", committed_at: "2026-03-06T09:30:00Z" }], { kind: "hotfix" }),
    deploy("d6", "shop", "2026-03-06T12:00:00Z", [{ sha: "ggg7", committed_at: "2026-03-06T11:00:00Z" }], { status: "failure" }),
    // Clock skew: committed after it was deployed, a dropped sample.
    deploy("d7", "other", "2026-03-02T10:00:00Z", [{ sha: "hhh8", committed_at: "2026-03-02T11:00:00Z" }, { sha: "iii9", committed_at: "2026-03-01T10:00:00Z" }]),
  ]);
  await post("incidents", [
    { dedup_key: "i1", service: "shop", title: "named", created_at: "2026-03-03T11:00:00Z", resolved_at: "2026-03-03T13:00:00Z", links: { deployment_id: "d2" } },
    { dedup_key: "i2", service: "shop", title: "by time", created_at: "2026-03-06T11:00:00Z", resolved_at: "2026-03-06T11:45:00Z" },
    { dedup_key: "i3", service: "shop", title: "alone", created_at: "2026-03-20T11:00:00Z", resolved_at: "2026-03-20T12:00:00Z" },
    { dedup_key: "i4", service: "other", title: "open", created_at: "2026-03-02T12:00:00Z" },
  ]);
  await drain(generic.id);
  for (const d of (await callJson("GET", "/api/v1/deployments?limit=500", undefined, ADMIN)).json.items) ids.set(d.dedup_key, d.id);
  for (const i of (await callJson("GET", "/api/v1/incidents?limit=500", undefined, ADMIN)).json.items) ids.set(i.dedup_key, i.id);
  const recompute = await callJson("POST", "/api/v1/recompute", undefined, ADMIN);
  expect(recompute.json.complete, recompute.text).toBe(true);
});

describe.each([WINDOW, `${WINDOW}&service=shop`, `${WINDOW}&team=blue`])("records add up to the metrics (%s)", (query) => {
  it("each metric's records give its figures", async () => {
    const m = (await callJson("GET", `/api/v1/metrics?${query}`, undefined, ADMIN)).json;

    const counted = await allRecords("deployment_frequency", query);
    expect(counted.length).toBe(m.deployment_frequency.count);

    const lead = await allRecords("change_lead_time", query);
    expect(lead.filter((s) => !s.dropped).length).toBe(m.change_lead_time.samples);
    expect(lead.filter((s) => s.dropped).length).toBe(m.change_lead_time.dropped);
    expect(median(lead.filter((s) => !s.dropped).map((s) => s.lead_seconds))).toBe(m.change_lead_time.median_seconds);

    const failed = await allRecords("change_failure_rate", query);
    expect(failed.length).toBe(m.change_failure_rate.failed);
    expect(counted.length).toBe(m.change_failure_rate.total);

    const recovery = await allRecords("failed_deployment_recovery_time", query);
    expect(recovery.filter((r) => r.recovery_seconds !== null).length).toBe(m.failed_deployment_recovery_time.samples);
    expect(recovery.filter((r) => r.recovery_seconds === null).length).toBe(m.failed_deployment_recovery_time.unrecovered);
    expect(median(recovery.filter((r) => r.recovery_seconds !== null).map((r) => r.recovery_seconds))).toBe(m.failed_deployment_recovery_time.median_seconds);

    const restored = await allRecords("time_to_restore_service", query);
    expect(restored.length).toBe(m.time_to_restore_service.samples);
    expect(median(restored.map((r) => r.restore_seconds))).toBe(m.time_to_restore_service.median_seconds);

    const rework = await allRecords("deployment_rework_rate", query);
    expect(rework.length).toBe(m.deployment_rework_rate.rework);
  });
});

describe("what each record says", () => {
  it("the scenario's numbers are the ones worked out by hand", async () => {
    const m = (await callJson("GET", `/api/v1/metrics?${WINDOW}&service=shop`, undefined, ADMIN)).json;
    // d1..d5 count (d6 failed to deploy); d2 (i1), d3 (rolled back by d4) and d5 (i2, by time) failed.
    expect(m.deployment_frequency.count).toBe(5);
    expect(m.change_failure_rate.failed).toBe(3);
    expect(m.deployment_rework_rate.rework).toBe(2);
    expect(m.time_to_restore_service.samples).toBe(3);
  });

  it("failed deployments name the incident and how it linked, or the rollback, and their recovery", async () => {
    const failed = await allRecords("change_failure_rate", `${WINDOW}&service=shop`);
    const byId = new Map(failed.map((f) => [f.id, f]));
    expect(byId.get(ids.get("d2"))).toMatchObject({
      incidents: [{ id: ids.get("i1"), title: "named", linked_by: "explicit", resolved_at: "2026-03-03T13:00:00.000Z" }],
      rolled_back_by: null,
      recovery_seconds: 3 * 3600,
    });
    expect(byId.get(ids.get("d3"))).toMatchObject({ incidents: [], rolled_back_by: { id: ids.get("d4"), at: "2026-03-05T10:00:00.000Z" }, recovery_seconds: 24 * 3600 });
    expect(byId.get(ids.get("d5"))).toMatchObject({ incidents: [{ id: ids.get("i2"), linked_by: "time" }], recovery_seconds: 6300 });
    expect(failed.map((f) => f.id)).toEqual([ids.get("d5"), ids.get("d3"), ids.get("d2")]);
  });

  it("rework says rollback to which commit (and who shipped it first) or hotfix", async () => {
    const rework = await allRecords("deployment_rework_rate", `${WINDOW}&service=shop`);
    expect(rework).toMatchObject([
      { id: ids.get("d5"), reason: "hotfix", kind: "hotfix", rollback_to: [] },
      { id: ids.get("d4"), reason: "rollback", rollback_to: [{ sha: "aaa1", deployed_before_by: ids.get("d1") }] },
    ]);
  });

  it("counted deployments carry their commits and lead times; incidents their link or none", async () => {
    const counted = await allRecords("deployment_frequency", `${WINDOW}&service=shop`);
    expect(counted.find((d) => d.id === ids.get("d2")).commits).toEqual([
      { sha: "bbb2", lead_seconds: 7200, repeated: false },
      { sha: "ccc3", lead_seconds: 3600, repeated: false },
    ]);
    expect(counted.find((d) => d.id === ids.get("d4")).commits).toEqual([{ sha: "aaa1", lead_seconds: null, repeated: true }]);
    const restored = await allRecords("time_to_restore_service", `${WINDOW}&service=shop`);
    expect(restored.find((i) => i.id === ids.get("i3"))).toMatchObject({ deployment_id: null, linked_by: null, restore_seconds: 3600 });
  });
});

describe("bad requests", () => {
  it.each([
    ["/api/v1/metrics/velocity/records", 404, "no metric named"],
    ["/api/v1/metrics/change_failure_rate/records?from=2026-13-01", 400, "from must be a date"],
    ["/api/v1/metrics/change_failure_rate/records?from=2026-03-02&to=2026-03-01", 400, "from must be before to"],
    ["/api/v1/metrics/change_failure_rate/records?cursor=nope", 400, "cursor is not one this API issued"],
    ["/api/v1/metrics/change_failure_rate/records?limit=501", 400, "limit"],
  ])("%s answers %i", async (path, status, detail) => {
    const res = await callJson("GET", path, undefined, ADMIN);
    expect(res.status).toBe(status);
    expect(res.text).toContain(detail);
  });

  it("needs a token", async () => {
    expect((await callJson("GET", "/api/v1/metrics/change_failure_rate/records")).status).toBe(401);
  });
});
