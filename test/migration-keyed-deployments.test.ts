/**
 * Migration 0016 on a database written before it: `metric_deployments`, a rowid table with an index
 * by group, becomes one WITHOUT ROWID table keyed by group, recreated empty, and the next recompute is
 * a full rebuild from the start that derives the same rows into it.
 */
import { describe, expect, it } from "vitest";
import deployment from "./fixtures/generic/deployment.json";
import incident from "./fixtures/generic/incident.json";
import { ADMIN, callJson, createIntegration, drain, env } from "./helpers";

const derivedRows = async () => (await env.DB.prepare("SELECT * FROM metric_deployments ORDER BY id").all()).results;
const daysRows = async () => (await env.DB.prepare("SELECT * FROM metric_days ORDER BY environment, day, service").all()).results;
const indexesOf = async () =>
  (await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'metric_deployments' AND sql IS NOT NULL ORDER BY name").all<{ name: string }>()).results.map(
    (r) => r.name,
  );

/** The table as migrations 0001 to 0015 left it. */
const BEFORE = [
  `CREATE TABLE metric_deployments (
    id text NOT NULL, service text NOT NULL, environment text NOT NULL, at text NOT NULL, day text NOT NULL, counted integer NOT NULL, kind text,
    rollback integer DEFAULT 0 NOT NULL, rework integer DEFAULT 0 NOT NULL, failed integer DEFAULT 0 NOT NULL, recovered_at text, recovery_seconds real)`,
  "CREATE INDEX metric_deployments_group ON metric_deployments (service, environment, at, id)",
  "CREATE INDEX metric_deployments_failed_day ON metric_deployments (environment, day, service, counted, recovery_seconds) WHERE failed = 1",
];

describe("migration 0016 (metric_deployments keyed by group)", () => {
  it("recreates the table WITHOUT ROWID, keyed by group, and has the next recompute rebuild it", async () => {
    const integration = await createIntegration("generic");
    const auth = { authorization: `Bearer ${integration.secret}` };
    await callJson("POST", `/webhooks/generic/${integration.id}/deployments`, deployment, auth);
    await callJson("POST", `/webhooks/generic/${integration.id}/deployments`, { ...deployment, dedup_key: "checkout-prod-1843", finished_at: "2024-03-29T07:25:45Z", status: "failure" }, auth);
    await callJson("POST", `/webhooks/generic/${integration.id}/deployments`, { ...deployment, dedup_key: "checkout-prod-1844", finished_at: "2024-03-30T07:25:45Z", kind: "rollback" }, auth);
    await callJson("POST", `/webhooks/generic/${integration.id}/incidents`, incident, auth);
    await drain(integration.id);
    expect((await callJson("POST", "/api/v1/recompute?full=true", undefined, ADMIN)).status).toBe(200);
    const derived = await derivedRows();
    expect(derived).toHaveLength(3);
    expect(derived.filter((r) => r.failed === 1)).toHaveLength(1);
    expect(derived.filter((r) => r.rollback === 1)).toHaveLength(1);
    const days = await daysRows();

    // As before 0016: a rowid table and its group index, holding the rows.
    await env.DB.batch([
      env.DB.prepare("DROP TABLE metric_deployments"),
      ...BEFORE.map((s) => env.DB.prepare(s)),
      env.DB.prepare(`INSERT INTO metric_deployments SELECT ${Object.keys(derived[0]!).map((c) => `value->>'${c}'`).join(", ")} FROM json_each(?)`).bind(JSON.stringify(derived)),
    ]);
    expect(await env.DB.prepare("SELECT count(rowid) AS n FROM metric_deployments").first("n")).toBe(3);
    expect(await indexesOf()).toEqual(["metric_deployments_failed_day", "metric_deployments_group"]);
    // This version on the table before 0016 (deployed before the migration is applied) derives the same.
    expect((await callJson("POST", "/api/v1/recompute?full=true", undefined, ADMIN)).status).toBe(200);
    expect(await derivedRows()).toEqual(derived);

    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0016_"));
    expect(migration, "migration 0016").toBeDefined();
    await env.DB.batch(migration!.queries.map((q) => env.DB.prepare(q)));

    const sql = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'metric_deployments'").first<string>("sql");
    expect(sql).toMatch(/PRIMARY KEY\(`service`, `environment`, `at`, `id`\)\s*\)\s*WITHOUT ROWID\s*$/);
    expect(await indexesOf()).toEqual(["metric_deployments_failed_day"]);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM metric_deployments").first("n")).toBe(0);
    // `restart`, as 0015 does: a version before this one, running between the migration and the deploy,
    // starts its rebuild over rather than going on with a stage left half done.
    expect(await env.DB.prepare("SELECT full_pending, full_stage, full_after FROM metric_state WHERE id = 1").first()).toEqual({ full_pending: 1, full_stage: "restart", full_after: null });

    const run = await callJson("POST", "/api/v1/recompute", undefined, ADMIN);
    expect(run.json).toMatchObject({ mode: "full", complete: true });
    expect(await derivedRows()).toEqual(derived);
    expect(await daysRows()).toEqual(days);
  });
});
