/**
 * Migration 0014 on a database written before it: the commits, payload references and day rollups
 * that the Worker wrote into rowid tables are all there after the move to WITHOUT ROWID tables, and
 * the API and the recompute read them as before; the recompute's queues move too.
 */
import { describe, expect, it } from "vitest";
import deployment from "./fixtures/generic/deployment.json";
import { ADMIN, callJson, createIntegration, drain, env } from "./helpers";

const TABLES = ["deployment_commits", "raw_payloads", "metric_days"];
/** The recompute's queues, empty between runs. */
const QUEUES = ["metric_changes", "metric_dirty_names", "metric_dirty", "metric_work", "metric_work_ids"];

const rowsOf = async (table: string) => (await env.DB.prepare(`SELECT * FROM ${table}`).all()).results.map((r) => JSON.stringify(r)).sort();

const tableSql = async (table: string) => env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").bind(table).first<string>("sql");

/**
 * Puts `table` back in the form it had before 0014 (the same definition with a rowid), with the same
 * rows and indexes.
 */
async function asBefore(table: string) {
  const rows = (await env.DB.prepare(`SELECT * FROM ${table}`).all()).results;
  const indexes = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL").bind(table).all<{ sql: string }>();
  const definition = (await tableSql(table))!.replace(/\s*WITHOUT ROWID\s*$/, "");
  const statements = [env.DB.prepare(`DROP TABLE ${table}`), env.DB.prepare(definition), ...indexes.results.map((i) => env.DB.prepare(i.sql))];
  for (const row of rows) {
    const columns = Object.keys(row);
    statements.push(env.DB.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`).bind(...Object.values(row)));
  }
  await env.DB.batch(statements);
}

describe("migration 0014 (WITHOUT ROWID)", () => {
  it("keeps every commit, payload reference and rollup of a database written before it", async () => {
    const integration = await createIntegration("generic");
    const auth = { authorization: `Bearer ${integration.secret}` };
    const first = await callJson("POST", `/webhooks/generic/${integration.id}/deployments`, deployment, auth);
    const second = { ...deployment, dedup_key: "checkout-prod-1843", finished_at: "2024-03-29T07:25:45Z", commits: [{ sha: "a".repeat(40), committed_at: 1711690000000 }, ...deployment.commits] };
    await callJson("POST", `/webhooks/generic/${integration.id}/deployments`, second, auth);
    // An update: a second payload reference for the first deployment.
    await callJson("POST", `/webhooks/generic/${integration.id}/deployments`, { ...deployment, description: "Release 2024.03.28, again" }, auth);
    await drain(integration.id);
    expect((await callJson("POST", "/api/v1/recompute?full=true", undefined, ADMIN)).status).toBe(200);

    const written = Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await rowsOf(t)] as const)));
    expect(written.deployment_commits).toHaveLength(3);
    expect(written.raw_payloads).toHaveLength(3);
    expect(written.metric_days).toHaveLength(2);
    const detailBefore = (await callJson("GET", `/api/v1/deployments/${first.json.results[0].id}`, undefined, ADMIN)).json;

    for (const table of [...TABLES, ...QUEUES]) await asBefore(table);
    for (const table of [...TABLES, ...QUEUES]) expect(await tableSql(table)).not.toMatch(/WITHOUT ROWID/);

    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0014_"));
    expect(migration, "migration 0014").toBeDefined();
    await env.DB.batch(migration!.queries.map((q) => env.DB.prepare(q)));

    for (const table of TABLES) {
      expect(await tableSql(table)).toMatch(/WITHOUT ROWID\s*$/);
      expect(await rowsOf(table)).toEqual(written[table]);
    }
    for (const table of QUEUES) expect(await tableSql(table)).toMatch(/WITHOUT ROWID\s*$/);
    expect(await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('deployment_commits_sha', 'metric_days_group') ORDER BY name").all()).toMatchObject({
      results: [{ name: "deployment_commits_sha" }, { name: "metric_days_group" }],
    });
    expect((await callJson("GET", `/api/v1/deployments/${first.json.results[0].id}`, undefined, ADMIN)).json).toEqual(detailBefore);
    expect((await callJson("POST", "/api/v1/recompute?full=true", undefined, ADMIN)).status).toBe(200);
    expect(await rowsOf("metric_days")).toEqual(written.metric_days);
  });
});
