/**
 * @module
 * The Worker entry: the HTTP app, the nightly Cron Trigger, and the Durable Object class.
 */
import { createApp } from "./app";
import type { Env } from "./env";
import { recompute } from "./metrics/recompute";
import { recomputeSettings } from "./metrics/routes";

export { IntegrationObject } from "./ingest/integration-object";

const app = createApp();

export default {
  fetch: app.fetch,
  /** The nightly Cron Trigger runs the same recompute as `POST /api/v1/recompute`. */
  async scheduled(controller, env, _ctx) {
    const summary = await recompute(env.DB, { ...recomputeSettings(env), now: new Date(controller.scheduledTime) });
    console.log(`cron ${controller.cron}: recompute ${JSON.stringify(summary)}`);
  },
} satisfies ExportedHandler<Env>;
