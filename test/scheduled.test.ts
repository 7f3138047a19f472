/**
 * The Cron Triggers: the nightly one always recomputes, the quarter-hourly one only when events
 * changed since the last recompute.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { expect, it } from "vitest";
import worker from "../src/index";
import { callJson, createIntegration, drain, env } from "./helpers";

async function tick(cron: string, at: string): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.parse(at), cron }), env, ctx);
  await waitOnExecutionContext(ctx);
}

const asOf = async () => (await env.DB.prepare("SELECT as_of FROM metric_state WHERE id = 1").first<{ as_of: string | null }>())?.as_of ?? null;

it("recomputes every quarter hour only after events changed, and every night regardless", async () => {
  await tick("*/15 * * * *", "2026-11-02T10:00:00.000Z");
  expect(await asOf()).toBeNull();

  const generic = await createIntegration("generic");
  const res = await callJson("POST", `/webhooks/generic/${generic.id}/deployments`, { service: "checkout", finished_at: "2026-11-02T09:00:00Z" }, { authorization: `Bearer ${generic.secret}` });
  expect(res.status, res.text).toBe(202);
  await drain(generic.id);

  await tick("*/15 * * * *", "2026-11-02T10:15:00.000Z");
  expect(await asOf()).toBe("2026-11-02T10:15:00.000Z");

  await tick("*/15 * * * *", "2026-11-02T10:30:00.000Z");
  expect(await asOf()).toBe("2026-11-02T10:15:00.000Z");

  await tick("0 0 * * *", "2026-11-03T00:00:00.000Z");
  expect(await asOf()).toBe("2026-11-03T00:00:00.000Z");

  const again = await callJson("POST", `/webhooks/generic/${generic.id}/deployments`, { service: "checkout", finished_at: "2026-11-03T01:00:00Z" }, { authorization: `Bearer ${generic.secret}` });
  expect(again.status, again.text).toBe(202);
  await drain(generic.id);
  await tick("*/15 * * * *", "2026-11-03T01:15:00.000Z");
  expect(await asOf()).toBe("2026-11-03T01:15:00.000Z");
});
