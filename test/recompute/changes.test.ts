/**
 * The change phases: changed events in (`metric_changes`, `metric_dirty_names`), their derived copies
 * and the dirty (service, environment, day) out.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { changesStep, namesToChanges } from "../../src/metrics/recompute/changes";
import { clearDerived, derivedDeployments, deploymentEvents, env, incidentEvents, insert, prefix, rows } from "./rows";

// Each test starts from empty derived tables: a phase over the whole history sees every row there.
beforeEach(clearDerived);

describe("a changes step", () => {
  it("copies the changed events and marks the days they counted on before and after, and the days of deployments sharing their commits", async () => {
    const p = prefix("changes");
    await deploymentEvents([
      { id: `${p}-d1`, service: `${p}-svc`, at: "2025-05-02T10:00:00.000Z", kind: "hotfix", commits: [{ sha: `${p}-A` }] },
      // Not finished: never copied.
      { id: `${p}-d2`, service: `${p}-svc`, at: "2025-05-03T10:00:00.000Z", status: "in_progress" },
      { id: `${p}-d3`, service: `${p}-svc`, environment: "staging", at: "2025-05-04T10:00:00.000Z", status: "failure", commits: [{ sha: `${p}-A` }] },
    ]);
    await incidentEvents([
      { id: `${p}-i1`, service: `${p}-svc`, created_at: "2025-05-02T12:00:00.000Z", resolved_at: "2025-05-02T13:30:00.000Z" },
      { id: `${p}-i2`, service: `${p}-svc`, created_at: "2025-05-02T12:00:00.000Z", counted: 0 },
    ]);
    // d3 was already derived, on another day than it is now; the copy of d1 predates this change.
    await derivedDeployments([
      { id: `${p}-d3`, service: `${p}-svc`, environment: "staging", at: "2025-05-01T10:00:00.000Z", day: "2025-05-01", counted: 1, kind: null },
    ]);
    await insert(
      "metric_changes",
      [`${p}-d1`, `${p}-d2`, `${p}-i1`, `${p}-i2`].map((id) => ({ kind: id.startsWith(`${p}-d`) ? "deployment" : "incident", id })),
    );

    const results = await env.DB.batch(changesStep(env.DB));
    expect(results[1]!.meta.changes).toBe(4);

    expect(await rows("SELECT id, service, environment, at, day, counted, kind, rollback, rework, failed FROM metric_deployments WHERE id LIKE ? ORDER BY id", p)).toEqual([
      { id: `${p}-d1`, service: `${p}-svc`, environment: "production", at: "2025-05-02T10:00:00.000Z", day: "2025-05-02", counted: 1, kind: "hotfix", rollback: 0, rework: 0, failed: 0 },
      // Not among the changes: left as it was.
      { id: `${p}-d3`, service: `${p}-svc`, environment: "staging", at: "2025-05-01T10:00:00.000Z", day: "2025-05-01", counted: 1, kind: null, rollback: 0, rework: 0, failed: 0 },
    ]);
    expect(await rows("SELECT id, service, environment, created_at, day, resolved_at, resolved_day, restore_seconds, deployment_id FROM metric_incidents WHERE id LIKE ?", p)).toEqual([
      {
        id: `${p}-i1`,
        service: `${p}-svc`,
        environment: "production",
        created_at: "2025-05-02T12:00:00.000Z",
        day: "2025-05-02",
        resolved_at: "2025-05-02T13:30:00.000Z",
        resolved_day: "2025-05-02",
        restore_seconds: 5400,
        deployment_id: null,
      },
    ]);
    expect(await rows("SELECT service, environment, day FROM metric_dirty WHERE service LIKE ? ORDER BY environment, day", p)).toEqual([
      { service: `${p}-svc`, environment: "production", day: "2025-05-02" },
      // d3 shares d1's commit: its lead sample may change.
      { service: `${p}-svc`, environment: "staging", day: "2025-05-01" },
    ]);
    expect(await rows("SELECT kind, id FROM metric_changes WHERE id LIKE ?", p)).toEqual([]);
    expect(await rows("SELECT kind, id FROM metric_work_ids WHERE id LIKE ?", p)).toEqual([]);
  });

  it("moves a changed deployment's row and its lookup by id together, leaving nothing where it was", async () => {
    const p = prefix("moved");
    await deploymentEvents([{ id: `${p}-d1`, service: `${p}-svc`, at: "2025-05-06T10:00:00.000Z" }]);
    await derivedDeployments([{ id: `${p}-d1`, service: `${p}-old`, environment: "staging", at: "2025-05-01T10:00:00.000Z", day: "2025-05-01", counted: 0 }]);
    await insert("metric_changes", [{ kind: "deployment", id: `${p}-d1` }]);

    await env.DB.batch(changesStep(env.DB));

    expect(await rows("SELECT id, service, environment, at, day, counted FROM metric_deployments WHERE id LIKE ?", p)).toEqual([
      { id: `${p}-d1`, service: `${p}-svc`, environment: "production", at: "2025-05-06T10:00:00.000Z", day: "2025-05-06", counted: 1 },
    ]);
    expect(await rows("SELECT id, service, environment, at, counted FROM metric_deployment_ids WHERE id LIKE ?", p)).toEqual([
      { id: `${p}-d1`, service: `${p}-svc`, environment: "production", at: "2025-05-06T10:00:00.000Z", counted: 1 },
    ]);
    expect(await rows("SELECT service, environment, day FROM metric_dirty WHERE service LIKE ? ORDER BY service", p)).toEqual([
      { service: `${p}-old`, environment: "staging", day: "2025-05-01" },
      { service: `${p}-svc`, environment: "production", day: "2025-05-06" },
    ]);
  });

  it("takes at most its share of the changes, leaving the rest for the next step", async () => {
    const p = prefix("changes-share");
    await insert("metric_changes", Array.from({ length: 5001 }, (_, i) => ({ kind: "ci_run", id: `${p}-${String(i).padStart(5, "0")}` })));
    const results = await env.DB.batch(changesStep(env.DB));
    expect(results[1]!.meta.changes).toBe(5000);
    expect(await rows("SELECT kind, id FROM metric_changes WHERE id LIKE ?", p)).toEqual([{ kind: "ci_run", id: `${p}-05000` }]);
  });
});

describe("catalog keys that changed", () => {
  it("become changes of every event carrying the name or the repository", async () => {
    const p = prefix("names");
    await deploymentEvents([
      { id: `${p}-d1`, service: `${p}-Cart`, at: "2025-05-02T10:00:00.000Z" },
      { id: `${p}-d2`, service: `${p}-other`, at: "2025-05-02T10:00:00.000Z" },
      { id: `${p}-d3`, service: `https://git.example/${p}/shop`, at: "2025-05-02T10:00:00.000Z" },
    ]);
    await incidentEvents([{ id: `${p}-i1`, service: `${p}-cart`, created_at: "2025-05-02T12:00:00.000Z" }]);
    await insert("service_suggestions", [
      { kind: "repository", match_key: `git.example/${p}/shop`, name: `https://git.example/${p}/shop`, first_seen_at: "2025-05-02T10:00:00.000Z", last_seen_at: "2025-05-02T10:00:00.000Z" },
    ]);
    await insert("metric_dirty_names", [
      { kind: "name", key: `${p}-cart` },
      { kind: "repository", key: `git.example/${p}/shop` },
    ]);

    await env.DB.batch(namesToChanges(env.DB));

    expect(await rows("SELECT kind, id FROM metric_changes WHERE id LIKE ? ORDER BY kind, id", p)).toEqual([
      { kind: "deployment", id: `${p}-d1` },
      { kind: "deployment", id: `${p}-d3` },
      { kind: "incident", id: `${p}-i1` },
    ]);
    expect(await rows("SELECT key FROM metric_dirty_names WHERE key LIKE ?", p)).toEqual([]);
  });
});
