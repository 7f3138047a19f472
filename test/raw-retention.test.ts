import { describe, expect, it, vi } from "vitest";
import deployment from "./fixtures/generic/deployment.json";
import { ADMIN, callJson, createIntegration, drain, env } from "./helpers";
import { expireRaw, rawRetentionDays } from "../src/raw/retention";

const NOW = new Date("2026-06-01T00:00:00.000Z");

/** One deployment received `daysAgo` days before NOW, its payload moved to R2 as an old database's would be. */
async function oldDeployment(id: string, daysAgo: number) {
  const at = new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString();
  await env.DB.prepare(
    `INSERT INTO deployments (id, integration_id, dedup_key, seq, last_seq, service, service_name, environment, status, occurred_at, received_at, raw)
     VALUES (?, 'old', ?, 1, 1, 'svc', 'svc', 'production', 'success', ?, ?, ?)`,
  )
    .bind(id, id, at, at, JSON.stringify({ id }))
    .run();
  expect((await callJson("POST", "/api/v1/maintenance/move-raw?limit=10", undefined, ADMIN)).json.moved.deployments).toBe(1);
}

const detail = async (id: string) => (await callJson("GET", `/api/v1/deployments/${id}`, undefined, ADMIN)).json;

describe("payload retention", () => {
  it("deletes payload objects older than RAW_RETENTION_DAYS and their references, never a record", async () => {
    await oldDeployment("old-40", 40);
    await oldDeployment("old-31", 31);
    await oldDeployment("recent-29", 29);
    const integration = await createIntegration("generic");
    const fresh = await callJson("POST", `/webhooks/generic/${integration.id}/deployments`, deployment, { authorization: `Bearer ${integration.secret}` });
    await drain(integration.id);

    // Unset, the default, keeps everything.
    expect(await expireRaw({ ...env, RAW_RETENTION_DAYS: "" }, NOW)).toEqual({ kept_from: null, objects_deleted: 0, refs_deleted: 0 });
    expect((await detail("old-40")).raw).toEqual({ id: "old-40" });

    expect(await expireRaw({ ...env, RAW_RETENTION_DAYS: "30" }, NOW)).toEqual({ kept_from: "2026-05-02", objects_deleted: 2, refs_deleted: 2 });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM deployments").first<number>("n")).toBe(4);
    expect(await detail("old-40")).toMatchObject({ id: "old-40", status: "success", raw: null, earlier_raw: [] });
    expect((await detail("old-31")).raw).toBeNull();
    expect((await detail("recent-29")).raw).toEqual({ id: "recent-29" });
    expect((await detail(fresh.json.results[0].id)).raw).toEqual(deployment);
    const keys = (await env.RAW.list({ prefix: "raw/" })).objects.map((o) => o.key);
    expect(keys).toHaveLength(2);
    const named = await env.DB.prepare("SELECT key FROM raw_objects ORDER BY key").all<{ key: string }>();
    expect(named.results.map((r) => r.key)).toEqual([...keys].sort());

    // A second run finds nothing more to delete.
    expect(await expireRaw({ ...env, RAW_RETENTION_DAYS: "30" }, NOW)).toMatchObject({ objects_deleted: 0, refs_deleted: 0 });
  });

  it("names RAW_RETENTION_DAYS when it is not a whole number of days", async () => {
    expect(rawRetentionDays(undefined)).toBeNull();
    expect(rawRetentionDays(" 90 ")).toBe(90);
    // The refused configuration is logged; here that is expected, so it is checked, not printed.
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      for (const bad of ["0", "-3", "1.5", "ninety", "30d"]) {
        expect(() => rawRetentionDays(bad)).toThrow(/RAW_RETENTION_DAYS must be a whole number of days/);
        await expect(expireRaw({ ...env, RAW_RETENTION_DAYS: bad }, NOW)).rejects.toThrow(/RAW_RETENTION_DAYS/);
      }
      expect(error).toHaveBeenCalledWith(expect.stringMatching(/^configuration refused: RAW_RETENTION_DAYS/));
    } finally {
      error.mockRestore();
    }
  });
});
