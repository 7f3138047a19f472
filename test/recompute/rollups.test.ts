/**
 * Day rollups: derived deployments in, one `metric_days` row per (service, environment, day) out.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { CHUNK, STEP } from "../../src/metrics/recompute/range";
import { dayRollups } from "../../src/metrics/recompute/rollups";
import { clearDerived, derivedDeployments, env, insert, prefix, rows, wholeHistory } from "./rows";

// Each test starts from empty derived tables: a phase over the whole history sees every row there.
beforeEach(clearDerived);

const DAYS = "SELECT service, environment, day, deployments, unsuccessful, failed, rework FROM metric_days WHERE service LIKE ? ORDER BY environment, day";

async function deployments(svc: string) {
  const row = (id: string, environment: string, at: string, more: Record<string, unknown> = {}) => ({
    id: `${svc}-${id}`,
    service: svc,
    environment,
    at,
    day: at.slice(0, 10),
    counted: 1,
    failed: 0,
    rework: 0,
    ...more,
  });
  await derivedDeployments([
    row("d1", "production", "2025-06-01T01:00:00.000Z", { failed: 1 }),
    row("d2", "production", "2025-06-01T02:00:00.000Z", { rework: 1 }),
    row("d3", "production", "2025-06-01T03:00:00.000Z", { counted: 0 }),
    row("d4", "production", "2025-06-02T01:00:00.000Z"),
    row("d5", "staging", "2025-06-01T01:00:00.000Z"),
  ]);
}

describe("day rollups", () => {
  it("of the whole history sum every day's deployments", async () => {
    const svc = `${prefix("rollups")}-svc`;
    await deployments(svc);
    await insert("metric_days", [{ service: svc, environment: "production", day: "2025-05-01", deployments: 9, unsuccessful: 0, failed: 0, rework: 0 }]);

    await env.DB.batch([wholeHistory(), ...dayRollups(env.DB, CHUNK)]);

    expect(await rows(DAYS, svc)).toEqual([
      { service: svc, environment: "production", day: "2025-06-01", deployments: 2, unsuccessful: 1, failed: 1, rework: 1 },
      { service: svc, environment: "production", day: "2025-06-02", deployments: 1, unsuccessful: 0, failed: 0, rework: 0 },
      { service: svc, environment: "staging", day: "2025-06-01", deployments: 1, unsuccessful: 0, failed: 0, rework: 0 },
    ]);
  });

  it("of a step rewrite its groups' days from the last deployment before its work, and the days of deployments whose links moved", async () => {
    const svc = `${prefix("rollups-step")}-svc`;
    await deployments(svc);
    const stale = (environment: string, day: string) => ({ service: svc, environment, day, deployments: 7, unsuccessful: 7, failed: 7, rework: 7 });
    await insert("metric_days", [stale("production", "2025-05-31"), stale("production", "2025-06-01"), stale("production", "2025-06-02"), stale("staging", "2025-06-01")]);
    await insert("metric_work", [{ service: svc, environment: "production", from_at: "2025-06-02T00:00:00.000Z", prev_at: "2025-06-02T00:00:00.000Z" }]);
    // d5's link moved: its day is rolled up again, though its group is not in the step.
    await insert("metric_work_ids", [{ kind: "flag", id: `${svc}-d5` }]);

    await env.DB.batch(dayRollups(env.DB, STEP));

    expect(await rows(DAYS, svc)).toEqual([
      stale("production", "2025-05-31"),
      stale("production", "2025-06-01"),
      { service: svc, environment: "production", day: "2025-06-02", deployments: 1, unsuccessful: 0, failed: 0, rework: 0 },
      { service: svc, environment: "staging", day: "2025-06-01", deployments: 1, unsuccessful: 0, failed: 0, rework: 0 },
    ]);
  });
});
