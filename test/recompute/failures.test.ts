/**
 * Failures and recoveries: deployments with their flags and linked incidents in, `failed`,
 * `recovered_at` and `recovery_seconds` out.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { failuresAndRecoveries } from "../../src/metrics/recompute/failures";
import { CHUNK } from "../../src/metrics/recompute/range";
import { clearDerived, derivedDeployments, env, insert, prefix, rows, wholeHistory } from "./rows";

// Each test starts from empty derived tables: a phase over the whole history sees every row there.
beforeEach(clearDerived);

describe("failures and recoveries", () => {
  it("fail a deployment an incident links to or a rollback follows, recovered when its last incident is resolved or at the rollback", async () => {
    const p = prefix("failures");
    const svc = `${p}-svc`;
    const deployment = (id: string, at: string, more: Record<string, unknown> = {}) => ({
      id: `${p}-${id}`,
      service: svc,
      environment: "production",
      at,
      day: at.slice(0, 10),
      counted: 1,
      rollback: 0,
      failed: 0,
      ...more,
    });
    await derivedDeployments([
      deployment("d1", "2025-06-01T00:00:00.000Z"),
      deployment("d2", "2025-06-02T00:00:00.000Z"),
      deployment("d3", "2025-06-03T00:00:00.000Z"),
      deployment("d4", "2025-06-04T00:00:00.000Z", { rollback: 1 }),
      // Failed by an earlier run; nothing links to it any more.
      deployment("d5", "2025-06-05T00:00:00.000Z", { failed: 1, recovered_at: "2025-06-05T01:00:00.000Z", recovery_seconds: 3600 }),
    ]);
    const incident = (id: string, deploymentId: string, resolved: string | null) => ({
      id: `${p}-${id}`,
      service: svc,
      environment: "production",
      created_at: "2025-06-01T01:00:00.000Z",
      day: "2025-06-01",
      resolved_at: resolved,
      deployment_id: `${p}-${deploymentId}`,
      linked_by: "time",
    });
    await insert("metric_incidents", [
      incident("i1", "d1", "2025-06-01T06:00:00.000Z"),
      incident("i2", "d1", "2025-06-01T12:00:00.000Z"),
      incident("i3", "d2", null),
    ]);
    await insert("metric_work_ids", [
      { kind: "flag", id: `${p}-d1` },
      { kind: "flag", id: `${p}-d2` },
    ]);

    await env.DB.batch([wholeHistory(), failuresAndRecoveries(env.DB, CHUNK)]);

    expect(await rows("SELECT id, failed, recovered_at, recovery_seconds FROM metric_deployments WHERE service LIKE ? ORDER BY id", p)).toEqual([
      { id: `${p}-d1`, failed: 1, recovered_at: "2025-06-01T12:00:00.000Z", recovery_seconds: 43200 },
      // Its incident is still open.
      { id: `${p}-d2`, failed: 1, recovered_at: null, recovery_seconds: null },
      // d4 rolled it back.
      { id: `${p}-d3`, failed: 1, recovered_at: "2025-06-04T00:00:00.000Z", recovery_seconds: 86400 },
      { id: `${p}-d4`, failed: 0, recovered_at: null, recovery_seconds: null },
      { id: `${p}-d5`, failed: 0, recovered_at: null, recovery_seconds: null },
    ]);
  });
});
