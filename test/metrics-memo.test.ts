import { describe, expect, it } from "vitest";
import { ADMIN, callJson, env } from "./helpers";

describe("memoised metrics answers", () => {
  it("answers a repeated window without D1 until the next recompute, which replaces the answer", async () => {
    expect((await callJson("POST", "/api/v1/recompute", undefined, ADMIN)).status).toBe(200);
    const query = `/api/v1/metrics?service=memo-${crypto.randomUUID().slice(0, 8)}`;
    const first = await callJson("GET", query, undefined, ADMIN);
    expect(first.status).toBe(200);
    // With the snapshots and rollups out of reach, only the memo can answer.
    await env.DB.exec("ALTER TABLE metric_days RENAME TO metric_days_away");
    await env.DB.exec("ALTER TABLE metric_snapshots RENAME TO metric_snapshots_away");
    try {
      const again = await callJson("GET", query, undefined, ADMIN);
      expect(again.status).toBe(200);
      expect(again.json).toEqual(first.json);
    } finally {
      await env.DB.exec("ALTER TABLE metric_days_away RENAME TO metric_days");
      await env.DB.exec("ALTER TABLE metric_snapshots_away RENAME TO metric_snapshots");
    }
    expect((await callJson("POST", "/api/v1/recompute", undefined, ADMIN)).status).toBe(200);
    const fresh = await callJson("GET", query, undefined, ADMIN);
    expect(fresh.json.as_of > first.json.as_of).toBe(true);
  });
});
