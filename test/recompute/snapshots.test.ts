/**
 * Snapshots: rollups and samples in, one `metric_snapshots` row per (scope, key, standard window) out.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { Runner } from "../../src/metrics/recompute/runner";
import { writeSnapshots } from "../../src/metrics/recompute/snapshots";
import { clearDerived, env, insert, prefix } from "./rows";

// Each test starts from empty derived tables: a phase over the whole history sees every row there.
beforeEach(clearDerived);

describe("snapshots", () => {
  it("hold the standard windows ending tomorrow, for each service and team in production", async () => {
    const p = prefix("snapshots");
    const svc = `${p}-svc`;
    await insert("services", [{ slug: svc, name: svc, team: `${p}-team`, created_at: "2025-01-01T00:00:00.000Z", updated_at: "2025-01-01T00:00:00.000Z" }]);
    const day = (day: string, deployments: number, failed: number, environment = "production") => ({ service: svc, environment, day, deployments, unsuccessful: 0, failed, rework: 0 });
    await insert("metric_days", [day("2025-06-05", 2, 1), day("2025-05-20", 1, 0), day("2025-06-05", 5, 0, "staging")]);
    const sample = (deployment: string, day: string, seconds: number) => ({ deployment_id: `${p}-${deployment}`, sha: `${p}-${deployment}`, service: svc, environment: "production", day, seconds });
    await insert("metric_lead_samples", [sample("a", "2025-06-05", 3600), sample("b", "2025-06-05", 7200), sample("c", "2025-05-20", 60)]);

    const run = new Runner(env.DB, 100);
    await writeSnapshots(run, "2025-06-10");

    const stored = (
      await env.DB.prepare("SELECT scope, key, environment, from_day, to_day, body FROM metric_snapshots WHERE key LIKE ? ORDER BY scope, from_day DESC").bind(`${p}%`).all<{ body: string }>()
    ).results.map(({ body, ...row }) => ({ ...row, figures: JSON.parse(body) }));
    const window = (scope: string, key: string, from_day: string, count: number, failed: number, median: number, samples: number) => ({
      scope,
      key,
      environment: "production",
      from_day,
      to_day: "2025-06-11",
      figures: expect.objectContaining({ count, failed, lead: { median, p90: expect.any(Number), samples, dropped: 0 } }),
    });
    expect(stored).toEqual(
      ["service", "team"].flatMap((scope) => {
        const key = scope === "service" ? svc : `${p}-team`;
        return [window(scope, key, "2025-06-04", 2, 1, 5400, 2), window(scope, key, "2025-05-12", 3, 1, 3600, 3), window(scope, key, "2025-03-13", 3, 1, 3600, 3)];
      }),
    );
    expect(await env.DB.prepare("SELECT team FROM metric_teams WHERE service = ?").bind(svc).first("team")).toBe(`${p}-team`);
  });

  // D1 refuses a bound string over 2 MB, the local one over about 9 MB: together these snapshots pass both.
  it("are all written however many services there are", async () => {
    const p = prefix("snapshots-many");
    const slugs = Array.from({ length: 12_000 }, (_, i) => `${p}-${String(i).padStart(4, "0")}`);
    await insert("services", slugs.map((slug) => ({ slug, name: slug, team: null, created_at: "2025-01-01T00:00:00.000Z", updated_at: "2025-01-01T00:00:00.000Z" })));
    await insert("metric_days", slugs.map((service) => ({ service, environment: "production", day: "2025-06-05", deployments: 1, unsuccessful: 0, failed: 0, rework: 0 })));

    const written = await writeSnapshots(new Runner(env.DB, 100), "2025-06-10");

    const stored = await env.DB.prepare("SELECT count(*) AS n, sum(length(body)) AS chars FROM metric_snapshots WHERE key LIKE ?").bind(`${p}%`).first<{ n: number; chars: number }>();
    expect(stored!.n).toBe(slugs.length * 3);
    expect(stored!.chars).toBeGreaterThan(10_000_000);
    expect(written).toBeGreaterThanOrEqual(slugs.length * 3);
  });
});
