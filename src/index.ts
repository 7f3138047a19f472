/**
 * @module
 * The Worker entry: the HTTP app, the Cron Triggers, and the Durable Object class.
 */
import { createApp } from "./app";
import { configOf } from "./config";
import type { Env } from "./env";
import { recompute } from "./metrics/recompute";
import { recomputePending } from "./metrics/pending";
import { expireRaw } from "./raw/retention";

export { IntegrationObject } from "./ingest/integration-object";

/** The quarter-hourly trigger (wrangler.toml): numbers are at most this stale after events change. */
const FRESHNESS_CRON = "*/15 * * * *";

const app = createApp();

export default {
  fetch: app.fetch,
  /**
   * The nightly trigger always recomputes (today's windows move even without new events) and
   * applies payload retention, each even if the other fails (a bad setting fails both at once);
   * the quarter-hourly one recomputes only when something changed since the last run.
   */
  async scheduled(controller, env, _ctx) {
    const now = new Date(controller.scheduledTime);
    const { linkWindowHours, environmentAliases } = configOf(env);
    const run = async () => console.log(`cron ${controller.cron}: recompute ${JSON.stringify(await recompute(env.DB, { linkWindowHours, environmentAliases, now }))}`);
    if (controller.cron === FRESHNESS_CRON) {
      if (await recomputePending(env.DB)) await run();
      else console.log(`cron ${controller.cron}: nothing changed since the last recompute`);
      return;
    }
    const expire = async () => console.log(`cron ${controller.cron}: payload retention ${JSON.stringify(await expireRaw(env, now))}`);
    const outcomes = await Promise.allSettled([run(), expire()]);
    for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
  },
} satisfies ExportedHandler<Env>;
