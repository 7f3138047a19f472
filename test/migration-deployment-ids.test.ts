/**
 * Migration 0015 on a database written before it: the id index goes, and the next recompute is a full
 * rebuild from the start, which fills the lookup by deployment id (one statement filling it over the
 * whole history would pass D1's limit on a large one) and derives the same rows.
 */
import { describe, expect, it } from "vitest";
import deployment from "./fixtures/generic/deployment.json";
import { ADMIN, callJson, createIntegration, drain, env } from "./helpers";

const places = async () =>
  (await env.DB.prepare("SELECT id, service, environment, at, counted FROM metric_deployments ORDER BY id").all()).results;

describe("migration 0015 (lookup by deployment id)", () => {
  it("drops the index and has the next recompute rebuild everything, the lookup with it", async () => {
    const integration = await createIntegration("generic");
    const auth = { authorization: `Bearer ${integration.secret}` };
    await callJson("POST", `/webhooks/generic/${integration.id}/deployments`, deployment, auth);
    await callJson("POST", `/webhooks/generic/${integration.id}/deployments`, { ...deployment, dedup_key: "checkout-prod-1843", finished_at: "2024-03-29T07:25:45Z", status: "failure" }, auth);
    await drain(integration.id);
    expect((await callJson("POST", "/api/v1/recompute?full=true", undefined, ADMIN)).status).toBe(200);
    const derived = await places();
    expect(derived).toHaveLength(2);
    const days = (await env.DB.prepare("SELECT * FROM metric_days ORDER BY environment, day, service").all()).results;

    // As before 0015: the id index and no lookup.
    await env.DB.batch([
      env.DB.prepare("DROP TABLE metric_deployment_ids"),
      env.DB.prepare("CREATE INDEX metric_deployments_id ON metric_deployments (id, service, environment, at, day, counted)"),
    ]);
    expect(await env.DB.prepare("SELECT full_pending FROM metric_state WHERE id = 1").first("full_pending")).toBe(0);

    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0015_"));
    expect(migration, "migration 0015").toBeDefined();
    await env.DB.batch(migration!.queries.map((q) => env.DB.prepare(q)));

    expect(await env.DB.prepare("SELECT sql FROM sqlite_master WHERE name = 'metric_deployment_ids'").first("sql")).toMatch(/WITHOUT ROWID\s*$/);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'metric_deployments_id'").first("n")).toBe(0);
    // `restart`, not null: the version before, running between the migration and the deploy, would
    // start a rebuild without the lookup's stages on null, and leaves a stage it does not know alone.
    expect(await env.DB.prepare("SELECT full_pending, full_stage, full_after FROM metric_state WHERE id = 1").first()).toEqual({ full_pending: 1, full_stage: "restart", full_after: null });

    const run = await callJson("POST", "/api/v1/recompute", undefined, ADMIN);
    expect(run.json).toMatchObject({ mode: "full", complete: true });
    expect(await places()).toEqual(derived);
    expect((await env.DB.prepare("SELECT id, service, environment, at, counted FROM metric_deployment_ids ORDER BY id").all()).results).toEqual(derived);
    expect((await env.DB.prepare("SELECT * FROM metric_days ORDER BY environment, day, service").all()).results).toEqual(days);
  });
});
