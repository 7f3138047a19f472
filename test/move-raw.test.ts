import { describe, expect, it } from "vitest";
import { ADMIN, callJson, env } from "./helpers";

/** Rows as the schema before R2 wrote them: each payload in its `raw` column. */
async function seedLegacy(deployments: number, incidents: number) {
  const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
  await env.DB.batch([
    ...Array.from({ length: deployments }, (_, i) =>
      env.DB.prepare(
        `INSERT INTO deployments (id, integration_id, dedup_key, seq, last_seq, service, service_name, environment, status, occurred_at, received_at, raw)
         VALUES (?, 'legacy', ?, ?, ?, 'svc', 'svc', 'production', 'success', ?, ?, ?)`,
      ).bind(`legacy-d${i}`, `d${i}`, i + 1, i + 1, at(i), at(i), JSON.stringify({ deployment: i, note: "x".repeat(500) })),
    ),
    ...Array.from({ length: incidents }, (_, i) =>
      env.DB.prepare(
        `INSERT INTO incidents (id, integration_id, dedup_key, seq, last_seq, service, service_name, environment, status, counted, created_at, received_at, raw)
         VALUES (?, 'legacy', ?, ?, ?, 'svc', 'svc', 'production', 'triggered', 1, ?, ?, ?)`,
      ).bind(`legacy-i${i}`, `i${i}`, 100 + i, 100 + i, at(i), at(i), JSON.stringify({ incident: i })),
    ),
  ]);
}

const move = (limit: number) => callJson("POST", `/api/v1/maintenance/move-raw?limit=${limit}`, undefined, ADMIN);

describe("POST /api/v1/maintenance/move-raw", () => {
  it("moves payloads from D1 to R2 in resumable chunks, and the API still shows them", async () => {
    await seedLegacy(7, 3);
    // Before the move, the detail route reads the payload from D1.
    expect((await callJson("GET", "/api/v1/deployments/legacy-d4", undefined, ADMIN)).json.raw).toEqual({ deployment: 4, note: "x".repeat(500) });

    const first = await move(4);
    expect(first.status, first.text).toBe(200);
    expect(first.json).toEqual({ moved: { deployments: 4, incidents: 0, ci_runs: 0 }, remaining: { deployments: 3, incidents: 3, ci_runs: 0 }, done: false });
    const second = await move(4);
    expect(second.json).toEqual({ moved: { deployments: 3, incidents: 1, ci_runs: 0 }, remaining: { deployments: 0, incidents: 2, ci_runs: 0 }, done: false });
    const third = await move(4);
    expect(third.json).toMatchObject({ moved: { deployments: 0, incidents: 2, ci_runs: 0 }, done: true });
    expect((await move(4)).json.moved).toEqual({ deployments: 0, incidents: 0, ci_runs: 0 });

    const left = await env.DB.prepare("SELECT (SELECT count(*) FROM deployments WHERE raw <> '') + (SELECT count(*) FROM incidents WHERE raw <> '') AS n").first<number>("n");
    expect(left).toBe(0);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM raw_payloads").first<number>("n")).toBe(10);
    // One object per table per call that moved some of its rows.
    const listed = await env.RAW.list({ prefix: "raw/" });
    expect(listed.objects.filter((o) => o.key.includes("/moved-"))).toHaveLength(4);

    for (const i of [0, 4, 6]) {
      const detail = await callJson("GET", `/api/v1/deployments/legacy-d${i}`, undefined, ADMIN);
      expect(detail.json).toMatchObject({ raw: { deployment: i, note: "x".repeat(500) }, earlier_raw: [] });
    }
    expect((await callJson("GET", "/api/v1/incidents/legacy-i2", undefined, ADMIN)).json.raw).toEqual({ incident: 2 });
  });

  it("needs the admin token and a limit within bounds", async () => {
    expect((await callJson("POST", "/api/v1/maintenance/move-raw")).status).toBe(401);
    const tooMany = await move(1001);
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toContain("limit");
  });
});
