/**
 * @module
 * The Worker entry: the HTTP app, the Cron Triggers, and the Durable Object class.
 */
import { createApp } from "./app";
import type { Env } from "./env";
import { recompute } from "./metrics/recompute";
import { recomputePending } from "./metrics/pending";
import { recomputeSettings } from "./metrics/routes";

export { IntegrationObject } from "./ingest/integration-object";

/** The quarter-hourly trigger (wrangler.toml): numbers are at most this stale after events change. */
const FRESHNESS_CRON = "*/15 * * * *";

const app = createApp();

export default {
  fetch: app.fetch,
  /**
   * The nightly trigger always recomputes (today's windows move even without new events); the
   * quarter-hourly one only when something changed since the last run.
   */
  async scheduled(controller, env, _ctx) {
    if (controller.cron === FRESHNESS_CRON && !(await recomputePending(env.DB))) {
      console.log(`cron ${controller.cron}: nothing changed since the last recompute`);
      return;
    }
    const summary = await recompute(env.DB, { ...recomputeSettings(env), now: new Date(controller.scheduledTime) });
    console.log(`cron ${controller.cron}: recompute ${JSON.stringify(summary)}`);
  },
} satisfies ExportedHandler<Env>;
