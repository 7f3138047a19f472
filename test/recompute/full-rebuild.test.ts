/**
 * The full rebuild's own parts: the events copied in, the rebuild marked pending until it ends, and
 * its progress from chunk to chunk across runs.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { recompute } from "../../src/metrics/recompute";
import { clearDerived as clearDerivedStatements, rebuildInChunks, requestFullRebuild } from "../../src/metrics/recompute/full-rebuild";
import { Runner } from "../../src/metrics/recompute/runner";
import { clearDerived, deploymentEvents, env, incidentEvents, insert, prefix, rows } from "./rows";

// Each test starts from empty derived tables: a phase over the whole history sees every row there.
beforeEach(clearDerived);

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

    await env.DB.batch(clearDerivedStatements(env.DB));
    // The lookup's one range (a statement for it, two for its batch) and the end of its stage (two
    // more), the same for the lead samples, then one chunk of the copy: every event, since no test
    // writes a thousand deployments.
    expect(await rebuildInChunks(new Runner(env.DB, 11), { stage: "ids", after: null }, 168, 1000)).toBe(false);
    expect(await env.DB.prepare("SELECT full_stage FROM metric_state WHERE id = 1").first("full_stage")).toBe("copy");

    expect(await rows("SELECT id, service, environment, at, counted FROM metric_deployment_ids WHERE id LIKE ? ORDER BY id", p)).toEqual([
      { id: `${p}-d1`, service: `${p}-svc`, environment: "production", at: "2025-06-01T10:00:00.000Z", counted: 1 },
      { id: `${p}-d2`, service: `${p}-svc`, environment: "staging", at: "2025-06-02T10:00:00.000Z", counted: 0 },
    ]);
    expect(await rows("SELECT id, service, environment, at, day, counted, kind FROM metric_deployments WHERE id LIKE ? ORDER BY id", p)).toEqual([
      { id: `${p}-d1`, service: `${p}-svc`, environment: "production", at: "2025-06-01T10:00:00.000Z", day: "2025-06-01", counted: 1, kind: "rollback" },
      { id: `${p}-d2`, service: `${p}-svc`, environment: "staging", at: "2025-06-02T10:00:00.000Z", day: "2025-06-02", counted: 0, kind: null },
    ]);
    expect(await rows("SELECT id, service, day, resolved_day, restore_seconds FROM metric_incidents WHERE id LIKE ?", p)).toEqual([
      { id: `${p}-i1`, service: `${p}-svc`, day: "2025-06-01", resolved_day: "2025-06-01", restore_seconds: 1.5 },
    ]);
    expect(await env.DB.prepare("SELECT full_pending FROM metric_state WHERE id = 1").first("full_pending")).toBe(1);
  });

  it("copies each deployment where its lookup by id put it, though the catalog moved its service in between, and the next run moves both", async () => {
    const p = prefix("between");
    await deploymentEvents([{ id: `${p}-d1`, service: `${p}-Name`, at: "2025-06-01T10:00:00.000Z" }]);
    await env.DB.batch(clearDerivedStatements(env.DB));
    // The lookup's one range and the end of its stage, the same for the lead samples: the copy is next.
    expect(await rebuildInChunks(new Runner(env.DB, 10), { stage: "ids", after: null }, 168, 1000)).toBe(false);
    // The catalog gives the name a service before the copy, as an operator's edit would.
    await insert("services", [{ slug: `${p}-svc`, name: `${p}-svc`, created_at: "2025-01-01T00:00:00.000Z", updated_at: "2025-01-01T00:00:00.000Z" }]);
    await insert("service_aliases", [{ alias: `${p}-name`, slug: `${p}-svc` }]);
    await insert("metric_dirty_names", [{ kind: "name", key: `${p}-name` }]);
    const places = () =>
      rows(
        `SELECT 'row' AS of, id, service FROM metric_deployments WHERE id LIKE ?1
         UNION ALL SELECT 'lookup', id, service FROM metric_deployment_ids WHERE id LIKE ?1 ORDER BY 1`,
        p,
      );

    expect((await recompute(env.DB, { linkWindowHours: 168 })).complete).toBe(true);
    expect(await places()).toEqual([
      { of: "lookup", id: `${p}-d1`, service: `${p}-Name` },
      { of: "row", id: `${p}-d1`, service: `${p}-Name` },
    ]);
    await recompute(env.DB, { linkWindowHours: 168 });
    expect(await places()).toEqual([
      { of: "lookup", id: `${p}-d1`, service: `${p}-svc` },
      { of: "row", id: `${p}-d1`, service: `${p}-svc` },
    ]);
  });

  it("leaves out of the copy a deployment that changed after its lookup was written, for its queued change to copy", async () => {
    const p = prefix("changed");
    await deploymentEvents([{ id: `${p}-d1`, service: `${p}-svc`, at: "2025-06-01T10:00:00.000Z" }]);
    await env.DB.batch(clearDerivedStatements(env.DB));
    expect(await rebuildInChunks(new Runner(env.DB, 10), { stage: "ids", after: null }, 168, 1000)).toBe(false);
    // The event moves a day later before the copy, and the drain queues its change.
    await env.DB.batch([
      env.DB.prepare("UPDATE deployments SET occurred_at = '2025-06-02T10:00:00.000Z', finished_at = '2025-06-02T10:00:00.000Z' WHERE id = ?").bind(`${p}-d1`),
      env.DB.prepare("INSERT INTO metric_changes (kind, id) VALUES ('deployment', ?)").bind(`${p}-d1`),
    ]);
    const places = () =>
      rows(
        `SELECT 'row' AS of, id, at FROM metric_deployments WHERE id LIKE ?1
         UNION ALL SELECT 'lookup', id, at FROM metric_deployment_ids WHERE id LIKE ?1 ORDER BY 1`,
        p,
      );

    expect(await rebuildInChunks(new Runner(env.DB, 900), { stage: "copy", after: null }, 168, 1000)).toBe(true);
    expect(await places()).toEqual([{ of: "lookup", id: `${p}-d1`, at: "2025-06-01T10:00:00.000Z" }]);
    expect((await recompute(env.DB, { linkWindowHours: 168 })).changed_records).toBeGreaterThan(0);
    expect(await places()).toEqual([
      { of: "lookup", id: `${p}-d1`, at: "2025-06-02T10:00:00.000Z" },
      { of: "row", id: `${p}-d1`, at: "2025-06-02T10:00:00.000Z" },
    ]);
  });

  it("stops when its budget runs out and goes on from the next chunk, stage by stage, until it is done", async () => {
    const p = prefix("resume");
    // Three events, and between the first two a rowid that no event holds any more.
    await deploymentEvents(
      [`${p}-d0`, `${p}-gone`, `${p}-d1`, `${p}-d2`].map((id, n) => ({ id, service: `${p}-${"axbc"[n]}`, at: `2025-06-0${n + 1}T10:00:00.000Z` })),
    );
    await env.DB.prepare("DELETE FROM deployments WHERE id = ?").bind(`${p}-gone`).run();
    const progress = async () => (await env.DB.prepare("SELECT full_pending, full_stage, full_after FROM metric_state WHERE id = 1").first<{ full_pending: number; full_stage: string | null; full_after: string | null }>())!;
    const seen = [await recompute(env.DB, { full: true, linkWindowHours: 168, queryBudget: 2, rowsPerChunk: 1 }).then(progress)];
    for (let i = 0; i < 200 && seen.at(-1)!.full_pending === 1; i++) seen.push(await recompute(env.DB, { linkWindowHours: 168, queryBudget: 2, rowsPerChunk: 1 }).then(progress));

    expect(seen[0]).toEqual({ full_pending: 1, full_stage: "ids", full_after: null });
    expect(seen.at(-1)).toEqual({ full_pending: 0, full_stage: null, full_after: null });
    // One chunk per run, never back to a stage or a service already done.
    const stages = seen.map((s) => s.full_stage);
    expect(stages.indexOf("samples")).toBeGreaterThan(stages.lastIndexOf("ids"));
    expect(stages.indexOf("copy")).toBeGreaterThan(stages.lastIndexOf("samples"));
    expect(stages.indexOf("derive")).toBeGreaterThan(stages.lastIndexOf("copy"));
    // The lookup by id goes event by event (every one this file wrote), in rowid order, each range
    // starting at the next event rather than at the next rowid.
    const events = seen.filter((s) => s.full_stage === "ids" && s.full_after !== null).map((s) => Number(s.full_after));
    const rowids = (await env.DB.prepare("SELECT rowid FROM deployments ORDER BY rowid").all<{ rowid: number }>()).results.map((r) => r.rowid);
    expect(events).toEqual(rowids);
    const marks = (stage: string) => seen.filter((s) => s.full_stage === stage && s.full_after !== null).map((s) => s.full_after!);
    for (const stage of ["samples", "copy", "derive"]) expect(marks(stage)).toEqual([...new Set(marks(stage))].sort());
    expect(marks("samples")).toEqual(expect.arrayContaining([0, 1, 2].map((n) => `${p}-d${n}`)));
    for (const stage of ["copy", "derive"]) expect(marks(stage)).toEqual(expect.arrayContaining([`${p}-a`, `${p}-b`, `${p}-c`]));
    expect(await rows("SELECT id FROM metric_deployments WHERE id LIKE ? ORDER BY id", p)).toEqual([0, 1, 2].map((n) => ({ id: `${p}-d${n}` })));
  });

  it("starts over when asked for again while one is under way", async () => {
    const p = prefix("restart");
    await deploymentEvents([{ id: `${p}-d`, service: `${p}-svc`, at: "2025-06-01T10:00:00.000Z" }]);
    await recompute(env.DB, { full: true, linkWindowHours: 168, queryBudget: 20, rowsPerChunk: 1 });
    expect(await env.DB.prepare("SELECT full_after FROM metric_state WHERE id = 1").first("full_after")).not.toBeNull();
    await requestFullRebuild(env.DB).run();
    await recompute(env.DB, { linkWindowHours: 168, queryBudget: 2, rowsPerChunk: 1 });
    expect(await env.DB.prepare("SELECT full_pending, full_stage, full_after FROM metric_state WHERE id = 1").first()).toEqual({ full_pending: 1, full_stage: "ids", full_after: null });
  });

  it("keeps a restart asked for between two of its batches, in every stage, for the next run", async () => {
    const p = prefix("midway");
    await deploymentEvents([`${p}-d0`, `${p}-d1`].map((id, n) => ({ id, service: `${p}-${n}`, at: `2025-06-0${n + 1}T10:00:00.000Z` })));
    for (const stage of ["ids", "samples", "copy", "derive"] as const) {
      await env.DB.batch(clearDerivedStatements(env.DB));
      // A run under way at `stage`; a migration that empties a derived table asks for the restart meanwhile.
      await env.DB.prepare("UPDATE metric_state SET full_stage = ? WHERE id = 1").bind(stage).run();
      await env.DB.prepare("UPDATE metric_state SET full_pending = 1, full_stage = 'restart', full_after = NULL WHERE id = 1").run();
      // The run in progress stops at its first batch, whose mark moves nothing, and says it is not done.
      expect(await rebuildInChunks(new Runner(env.DB, 1000), { stage, after: null }, 168, 1)).toBe(false);
      expect(await env.DB.prepare("SELECT full_pending, full_stage FROM metric_state WHERE id = 1").first()).toEqual({ full_pending: 1, full_stage: "restart" });
    }
  });
});
