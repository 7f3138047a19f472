/**
 * The full rebuild's own parts: the events copied in, the rebuild marked pending until it ends, and
 * the indexes it drops while it loads built again.
 */
import { describe, expect, it } from "vitest";
import { recompute } from "../../src/metrics/recompute";
import { clearDerived as clearDerivedStatements, copyHistory } from "../../src/metrics/recompute/full-rebuild";
import { bulkIndexes } from "../../src/metrics/recompute/indexes";
import { Runner } from "../../src/metrics/recompute/runner";
import { deploymentEvents, env, incidentEvents, insert, prefix, rows } from "./rows";


describe("the full rebuild", () => {
  it("copies finished deployments and counted incidents, each under the service the catalog gives today", async () => {
    const p = prefix("copy");
    await deploymentEvents([
      { id: `${p}-d1`, service: `${p}-Old-Name`, at: "2025-06-01T10:00:00.000Z", kind: "rollback" },
      { id: `${p}-d2`, service: `${p}-svc`, environment: "staging", at: "2025-06-02T10:00:00.000Z", status: "aborted" },
      { id: `${p}-d3`, service: `${p}-svc`, at: "2025-06-03T10:00:00.000Z", status: "in_progress" },
    ]);
    await incidentEvents([
      { id: `${p}-i1`, service: `${p}-Old-Name`, created_at: "2025-06-01T12:00:00.000Z", resolved_at: "2025-06-01T12:00:01.500Z" },
      { id: `${p}-i2`, service: `${p}-svc`, created_at: "2025-06-01T12:00:00.000Z", counted: 0 },
    ]);
    await insert("services", [{ slug: `${p}-svc`, name: `${p}-svc`, created_at: "2025-01-01T00:00:00.000Z", updated_at: "2025-01-01T00:00:00.000Z" }]);
    await insert("service_aliases", [{ alias: `${p}-old-name`, slug: `${p}-svc` }]);

    await env.DB.batch([...clearDerivedStatements(env.DB), ...copyHistory(env.DB, [])]);

    expect(await rows("SELECT id, service, environment, at, day, counted, kind FROM metric_deployments WHERE id LIKE ? ORDER BY id", p)).toEqual([
      { id: `${p}-d1`, service: `${p}-svc`, environment: "production", at: "2025-06-01T10:00:00.000Z", day: "2025-06-01", counted: 1, kind: "rollback" },
      { id: `${p}-d2`, service: `${p}-svc`, environment: "staging", at: "2025-06-02T10:00:00.000Z", day: "2025-06-02", counted: 0, kind: null },
    ]);
    expect(await rows("SELECT id, service, day, resolved_day, restore_seconds FROM metric_incidents WHERE id LIKE ?", p)).toEqual([
      { id: `${p}-i1`, service: `${p}-svc`, day: "2025-06-01", resolved_day: "2025-06-01", restore_seconds: 1.5 },
    ]);
    expect(await env.DB.prepare("SELECT full_pending FROM metric_state WHERE id = 1").first("full_pending")).toBe(1);
  });

  it("ends with every index the migrations gave the derived tables, though it drops some while it loads them", async () => {
    const indexes = async () =>
      (await env.DB.prepare("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'metric%' ORDER BY name").all()).results;
    const migrated = await indexes();
    // A name the schema no longer has would be skipped, and its table loaded row by row again.
    const found = await bulkIndexes(new Runner(env.DB, 10));
    expect({ copy: found.copy.map((i) => i.name).sort(), links: found.links.map((i) => i.name), flags: found.flags.map((i) => i.name).sort() }).toEqual({
      copy: ["metric_deployments_id", "metric_incidents_link_change", "metric_incidents_link_deployment", "metric_incidents_link_sha", "metric_incidents_resolved"],
      links: ["metric_incidents_deployment"],
      flags: ["metric_days_group", "metric_deployments_failed_day"],
    });
    expect(found.samples.map((i) => i.name).sort()).toEqual(["metric_lead_samples_day", "metric_lead_samples_repeated"]);
    await recompute(env.DB, { full: true, linkWindowHours: 168 });
    expect(await indexes()).toEqual(migrated);
    expect(await env.DB.prepare("SELECT full_pending FROM metric_state WHERE id = 1").first("full_pending")).toBe(0);
  });
});
