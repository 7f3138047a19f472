import { describe, expect, it } from "vitest";
import { figuresOfWindows, windowFigures } from "../src/metrics/figures";
import { percentile } from "../src/metrics/percentile";
import { env } from "./helpers";

/** A pseudo-random sequence with many ties, so that equal values sit at the ranks read. */
function values(n: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return (x % 40) * 1800 + (x % 3) * 0.25;
  });
}

/** Lead samples of one service over several days, in an environment of this test's own. */
async function seed(environment: string, samples: number[]): Promise<void> {
  const rows = samples.map((seconds, i) => ({ deployment_id: `${environment}-${i}`, sha: `sha-${i}`, day: `2026-03-${String(1 + (i % 28)).padStart(2, "0")}`, seconds }));
  await env.DB.prepare(
    `INSERT INTO metric_lead_samples (deployment_id, sha, service, environment, day, seconds)
     SELECT value->>'deployment_id', value->>'sha', 'ranks-svc', ?, value->>'day', value->>'seconds' FROM json_each(?)`,
  )
    .bind(environment, JSON.stringify(rows))
    .run();
}

describe("order statistics of a window", () => {
  it("gives the same median, p90 and dropped count over all services as per group, and as the definitions, for any count", async () => {
    for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 101, 1000]) {
      const environment = `ranks-${n}-${crypto.randomUUID().slice(0, 8)}`;
      const samples = values(n, n + 7);
      // Clock skew: negative samples sort first and are counted as dropped, never ranked; with no
      // sample at all, the group still reports them.
      const dropped = Array.from({ length: n === 0 ? 2 : n % 4 }, (_, i) => -60 * (i + 1));
      await seed(environment, [...dropped, ...samples]);
      const window = { from: "2026-03-01", to: "2026-04-01", environments: [environment], service: null, team: null };
      // Over all services, the samples of every service ranked together; per service, each service's alone.
      const all = (await windowFigures(env.DB, { ...window, group: "all" })).groups.get("*")!;
      const perService = (await windowFigures(env.DB, { ...window, group: "service" })).groups.get("ranks-svc");
      const expected = { median: percentile(samples, 50), p90: percentile(samples, 90), samples: n, dropped: dropped.length };
      expect(all.lead, `n = ${n}`).toEqual(expected);
      expect(perService?.lead ?? { median: null, p90: null, samples: 0, dropped: 0 }, `n = ${n}`).toEqual(expected);
    }
  });

  it("gives the snapshots' figures, every window and scope taken from one read of the widest, as one window read alone does", async () => {
    await env.DB.prepare("INSERT OR REPLACE INTO metric_teams (service, team) VALUES ('ranks-svc', 'ranks-team')").run();
    const froms = ["2026-03-01", "2026-03-11", "2026-03-25"];
    const day = (i: number) => `2026-03-${String(1 + (i % 28)).padStart(2, "0")}`;
    for (const n of [0, 1, 2, 5, 12, 101, 1000]) {
      const environment = `snap-${n}-${crypto.randomUUID().slice(0, 8)}`;
      // Days 1 to 28 of March, so that every window holds a different share; dropped values among them.
      await seed(environment, [...Array.from({ length: n % 5 }, (_, i) => -30 * (i + 1)), ...values(n, n + 3)]);
      const recoveries = [...values(n, n + 5), ...Array.from({ length: n % 3 }, () => null)];
      await env.DB.prepare(
        `INSERT INTO metric_deployments (id, service, environment, at, day, counted, failed, recovery_seconds)
         SELECT ? || key, 'ranks-svc', ?, value->>'day' || 'T12:00:00.000Z', value->>'day', 1, 1, value->>'v' FROM json_each(?)`,
      )
        .bind(`${environment}-d`, environment, JSON.stringify(recoveries.map((v, i) => ({ day: day(i), v }))))
        .run();
      await env.DB.prepare(
        `INSERT INTO metric_incidents (id, service, environment, created_at, day, resolved_at, resolved_day, restore_seconds)
         SELECT ? || key, 'ranks-svc', ?, value->>'day' || 'T00:00:00.000Z', value->>'day', value->>'day' || 'T06:00:00.000Z', value->>'day', value->>'v' FROM json_each(?)`,
      )
        .bind(`${environment}-i`, environment, JSON.stringify(values(n, n + 9).map((v, i) => ({ day: day(i), v }))))
        .run();
      // Rollups of two services, one without a team; days with only unsuccessful deployments among them.
      const rollups = Array.from({ length: Math.min(n, 40) }, (_, i) => ({
        service: i % 3 === 0 ? "ranks-solo" : "ranks-svc",
        day: day(i * 5),
        deployments: i % 4 === 0 ? 0 : 1 + (i % 5),
        unsuccessful: i % 2,
        failed: i % 3 === 1 ? 1 : 0,
        rework: i % 7 === 0 ? 1 : 0,
      }));
      await env.DB.prepare(
        `INSERT OR REPLACE INTO metric_days (service, environment, day, deployments, unsuccessful, failed, rework)
         SELECT value->>'service', ?, value->>'day', value->>'deployments', value->>'unsuccessful', value->>'failed', value->>'rework' FROM json_each(?)`,
      )
        .bind(environment, JSON.stringify(rollups))
        .run();
      const { figures } = await figuresOfWindows(env.DB, [environment], froms, "2026-04-01");
      for (const from of froms) {
        for (const group of ["all", "service", "team"] as const) {
          const { groups } = await windowFigures(env.DB, { from, to: "2026-04-01", environments: [environment], service: null, team: null, group });
          expect(figures.get(from)?.get(group), `${group} from ${from}, n = ${n}`).toEqual(groups);
        }
      }
    }
  });

  it("gives a snapshot to a group whose only figure in the window is a percentile", async () => {
    const environment = `lonely-${crypto.randomUUID().slice(0, 8)}`;
    await env.DB.prepare(
      `INSERT INTO metric_incidents (id, service, environment, created_at, day, resolved_at, resolved_day, restore_seconds)
       VALUES (?, 'lonely-svc', ?, '2026-03-02T00:00:00.000Z', '2026-03-02', '2026-03-02T01:00:00.000Z', '2026-03-02', 3600)`,
    )
      .bind(`${environment}-i`, environment)
      .run();
    const q = { from: "2026-03-01", to: "2026-04-01", environments: [environment], service: null, team: null, group: "service" } as const;
    const { figures } = await figuresOfWindows(env.DB, [environment], [q.from], q.to);
    const ranked = (await windowFigures(env.DB, q)).groups;
    expect(ranked.get("lonely-svc")?.restore).toEqual({ median: 3600, samples: 1 });
    expect(figures.get(q.from)!.get("service")).toEqual(ranked);
  });
});

/** A D1 that remembers the longest value any batch returned: D1 refuses to make one over 2 MB. */
function measuring(d1: D1Database): { d1: D1Database; longest: () => number } {
  let longest = 0;
  const proxy = {
    prepare: (sql: string) => d1.prepare(sql),
    batch: async (list: D1PreparedStatement[]) => {
      const results = await d1.batch(list);
      for (const r of results) for (const row of r.results as Record<string, unknown>[]) for (const v of Object.values(row)) if (typeof v === "string") longest = Math.max(longest, v.length);
      return results;
    },
  };
  return { d1: proxy as unknown as D1Database, longest: () => longest };
}

/** `n` lead samples in `environment`, the k-th (from 0) with the service, day and seconds these SQL expressions of `k` give. */
async function manySamples(n: number, environment: string, service: string, day: string, seconds: string): Promise<void> {
  await env.DB.prepare(
    `WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k + 1 < ?)
     INSERT INTO metric_lead_samples (deployment_id, sha, service, environment, day, seconds)
     SELECT ? || k, 'sha-' || k, ${service}, ?, ${day}, ${seconds} FROM i`,
  )
    .bind(n, environment, environment)
    .run();
}

describe("a window of many samples", () => {
  it("is read in values under D1's 2 MB limit, however many samples the window holds", async () => {
    const environment = `many-${crypto.randomUUID().slice(0, 8)}`;
    // 200,000 lead samples of 12 digits over 30 days and 2,000 services: 2.6 MB as one list, 87 KB a day.
    // The test pool's D1 takes values up to several MB, so the length is checked as D1 returned it.
    const n = 200_000;
    await manySamples(n, environment, "'svc-' || (k % 2000)", "date('2026-03-01', '+' || (k % 30) || ' days')", "100000000000 + (k * 7919) % 1000003");
    const samples = Array.from({ length: n }, (_, k) => 100000000000 + ((k * 7919) % 1000003));
    const { d1, longest } = measuring(env.DB);
    const { groups } = await windowFigures(d1, { from: "2026-03-01", to: "2026-04-01", environments: [environment], service: null, team: null, group: "all" });
    expect(groups.get("*")!.lead).toEqual({ median: percentile(samples, 50), p90: percentile(samples, 90), samples: n, dropped: 0 });
    expect(longest()).toBeLessThan(2_000_000);
  }, 60_000);

  it("is read in values under D1's 2 MB limit for the snapshots, however busy one service is", async () => {
    const environment = `busy-${crypto.randomUUID().slice(0, 8)}`;
    // One service's 200,000 lead samples with fractions, over the 60 days that only the widest standard
    // window holds: 2.1 MB as that band's one list.
    const n = 200_000;
    await manySamples(n, environment, "'busy-svc'", "date('2026-01-01', '+' || (k % 60) || ' days')", "3600 + (k * 7919) % 900000 + 0.125");
    const samples = Array.from({ length: n }, (_, k) => 3600 + ((k * 7919) % 900000) + 0.125);
    const { d1, longest } = measuring(env.DB);
    const { figures } = await figuresOfWindows(d1, [environment], ["2026-03-24", "2026-03-01", "2025-12-31"], "2026-03-31");
    expect(figures.get("2025-12-31")!.get("service")!.get("busy-svc")!.lead).toEqual({ median: percentile(samples, 50), p90: percentile(samples, 90), samples: n, dropped: 0 });
    expect(longest()).toBeLessThan(2_000_000);
  }, 60_000);
});
