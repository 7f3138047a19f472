/**
 * Rollback and rework flags: counted deployments and their repeated commits in, the flags out.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { rollbackAndReworkFlags } from "../../src/metrics/recompute/flags";
import { CHUNK } from "../../src/metrics/recompute/range";
import { clearDerived, derivedDeployments, deploymentEvents, env, insert, prefix, rows, wholeHistory } from "./rows";

// Each test starts from empty derived tables: a phase over the whole history sees every row there.
beforeEach(clearDerived);

describe("rollback and rework flags", () => {
  it("flag a sha that returns after a deployment without it, and what the events say, and clear flags that no longer hold", async () => {
    const p = prefix("flags");
    const svc = `${p}-svc`;
    const list = [
      { id: `${p}-d1`, at: "2025-06-01T00:00:00.000Z", sha: "A" },
      { id: `${p}-d2`, at: "2025-06-02T00:00:00.000Z", sha: "B" },
      // A returns after d2, which did not have it: a rollback.
      { id: `${p}-d3`, at: "2025-06-03T00:00:00.000Z", sha: "A", repeated: true },
      // A again, just after d3 had it: repeated, nothing more.
      { id: `${p}-d4`, at: "2025-06-04T00:00:00.000Z", sha: "A", repeated: true },
      { id: `${p}-d5`, at: "2025-06-05T00:00:00.000Z", sha: "E", kind: "hotfix" },
      { id: `${p}-d6`, at: "2025-06-06T00:00:00.000Z", sha: "F", kind: "rollback" },
      // Flagged by an earlier run, no longer a rollback.
      { id: `${p}-d7`, at: "2025-06-07T00:00:00.000Z", sha: "G", was: 1 },
    ];
    await deploymentEvents(list.map((d) => ({ id: d.id, service: svc, at: d.at, commits: [{ sha: `${p}-${d.sha}` }] })));
    await derivedDeployments(list.map((d) => ({ id: d.id, service: svc, environment: "production", at: d.at, day: d.at.slice(0, 10), counted: 1, kind: d.kind ?? null, rollback: d.was ?? 0, rework: d.was ?? 0 })),
    );
    await insert(
      "metric_lead_samples",
      list.filter((d) => d.repeated).map((d) => ({ deployment_id: d.id, sha: `${p}-${d.sha}`, service: svc, environment: "production", day: d.at.slice(0, 10), repeated: 1 })),
    );

    await env.DB.batch([wholeHistory(), rollbackAndReworkFlags(env.DB, CHUNK)]);

    expect(await rows("SELECT id, rollback, rework FROM metric_deployments WHERE service LIKE ? ORDER BY id", p)).toEqual([
      { id: `${p}-d1`, rollback: 0, rework: 0 },
      { id: `${p}-d2`, rollback: 0, rework: 0 },
      { id: `${p}-d3`, rollback: 1, rework: 1 },
      { id: `${p}-d4`, rollback: 0, rework: 0 },
      { id: `${p}-d5`, rollback: 0, rework: 1 },
      { id: `${p}-d6`, rollback: 1, rework: 1 },
      { id: `${p}-d7`, rollback: 0, rework: 0 },
    ]);
  });
});
