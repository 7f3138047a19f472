/**
 * Several productions: metric routes over several environments pool their samples, and a full
 * recompute moves past events to where the operator's environment aliases put them. Worked by hand.
 */
import { describe, expect, it } from "vitest";
import { recompute } from "../src/metrics/recompute";
import { ADMIN, callJson, env } from "./helpers";
import { deploymentEvents, incidentEvents, prefix } from "./recompute/rows";

const HOURS = 168;

async function get(path: string) {
  const res = await callJson("GET", path, undefined, ADMIN);
  expect(res.status, res.text).toBe(200);
  return res.json;
}

/** Two productions and a staging; lead times in hours: production 1 and 3, prod-ap 8, staging 0.5 and 10. */
async function history(p: string) {
  const svc = `${p}-svc`;
  const deploy = (id: string, environment: string, at: string, committed: string) => ({
    id: `${p}-${id}`,
    service: svc,
    environment,
    at: `2025-07-${at}:00.000Z`,
    commits: [{ sha: `${p}-${id}`, committed_at: `2025-07-${committed}:00.000Z` }],
  });
  await deploymentEvents([
    deploy("P1", "production", "01T10:00", "01T09:00"),
    deploy("P2", "production", "02T10:00", "02T07:00"),
    // Stored as ingest normalised it before the alias existed.
    deploy("E1", "prod-ap", "01T12:00", "01T04:00"),
    deploy("S1", "staging", "03T10:00", "03T09:30"),
    deploy("S2", "staging", "04T10:00", "04T00:00"),
  ]);
  // Fails S1 only: staging's failure, never production's.
  await incidentEvents([{ id: `${p}-I1`, service: svc, environment: "staging", created_at: "2025-07-03T11:00:00.000Z", resolved_at: "2025-07-03T12:00:00.000Z" }]);
  return svc;
}

describe("several environments", () => {
  it("add their counts and rank the union of their samples, not an average of their figures", async () => {
    const p = prefix("envs");
    const svc = await history(p);
    await recompute(env.DB, { full: true, linkWindowHours: HOURS });
    const window = `service=${svc}&from=2025-07-01&to=2025-07-08`;

    const production = await get(`/api/v1/metrics?${window}`);
    expect(production.filters.environment).toBe("production");
    // 3600 and 10800 s.
    expect(production.change_lead_time).toMatchObject({ median_seconds: 7200, samples: 2 });
    const staging = await get(`/api/v1/metrics?${window}&environment=staging`);
    // 1800 and 36000 s.
    expect(staging.change_lead_time).toMatchObject({ median_seconds: 18900, samples: 2 });

    const both = await get(`/api/v1/metrics?${window}&environment=production,Staging`);
    expect(both.filters.environment).toBe("production,staging");
    // 1800, 3600, 10800, 36000 s: the median of the union is (3600 + 10800) / 2, not the mean 13050 of the two medians.
    // p90 at rank 2.7 of the union: 10800 + 0.7 * (36000 - 10800).
    expect(both.change_lead_time).toMatchObject({ median_seconds: 7200, p90_seconds: 28440, samples: 4 });
    expect(both.deployment_frequency).toMatchObject({ count: 4, deploy_days: 4 });
    // S1 failed (its incident), recovered 2 h later; 1 of 4.
    expect(both.change_failure_rate).toMatchObject({ failed: 1, total: 4, rate: 0.25 });
    expect(both.failed_deployment_recovery_time).toMatchObject({ median_seconds: 7200, samples: 1 });
    expect(both.time_to_restore_service).toMatchObject({ median_seconds: 3600, samples: 1 });

    const weekly = await get(`/api/v1/metrics/timeseries?${window}&environment=production,staging&granularity=day`);
    expect(weekly.filters.environment).toBe("production,staging");
    expect(weekly.buckets.map((b: { deployment_frequency: { count: number } }) => b.deployment_frequency.count)).toEqual([1, 1, 1, 1, 0, 0, 0]);
  });

  it("apply the operator's aliases to past events at the next full recompute, and undo them when they go", async () => {
    const p = prefix("aliases");
    const svc = await history(p);
    const window = `service=${svc}&from=2025-07-01&to=2025-07-08`;
    const stored = async () =>
      (await env.DB.prepare("SELECT environment FROM deployments WHERE id = ?").bind(`${p}-E1`).first<{ environment: string }>())!.environment;

    await recompute(env.DB, { full: true, linkWindowHours: HOURS, environmentAliases: { "prod-ap": "production" } });
    expect(await stored()).toBe("production");
    // 3600, 10800 and prod-ap's 28800 s.
    expect((await get(`/api/v1/metrics?${window}`)).change_lead_time).toMatchObject({ median_seconds: 10800, samples: 3 });
    expect((await get(`/api/v1/metrics?${window}&environment=prod-ap`)).deployment_frequency.count).toBe(0);

    await recompute(env.DB, { full: true, linkWindowHours: HOURS });
    expect(await stored()).toBe("prod-ap");
    expect((await get(`/api/v1/metrics?${window}`)).change_lead_time).toMatchObject({ median_seconds: 7200, samples: 2 });
    expect((await get(`/api/v1/metrics?${window}&environment=prod-ap`)).deployment_frequency.count).toBe(1);
  });

  it("refuse an empty name in the list", async () => {
    const res = await callJson("GET", "/api/v1/metrics?environment=production,,staging", undefined, ADMIN);
    expect(res.status).toBe(400);
    expect(res.text).toContain("environment");
  });
});
