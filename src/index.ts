/**
 * @module
 * The Worker entry: the HTTP app, the nightly Cron Trigger, and the Durable Object class.
 */
import { createApp } from "./app";
import type { Env } from "./env";
import { recompute } from "./metrics/job";
import { linkWindowHours } from "./metrics/routes";
import { expireRaw } from "./raw/retention";

export { IntegrationObject } from "./ingest/integration-object";

const app = createApp();

export default {
  fetch: app.fetch,
  /**
   * The nightly Cron Trigger runs the same recompute as `POST /api/v1/recompute`, and payload
   * retention; each runs even if the other fails.
   */
  async scheduled(controller, env, _ctx) {
    const now = new Date(controller.scheduledTime);
    const [recomputed, expired] = await Promise.allSettled([
      recompute(env.DB, { linkWindowHours: linkWindowHours(env), now }).then((summary) => console.log(`cron ${controller.cron}: recompute ${JSON.stringify(summary)}`)),
      expireRaw(env, now).then((report) => console.log(`cron ${controller.cron}: payload retention ${JSON.stringify(report)}`)),
    ]);
    for (const outcome of [recomputed, expired]) if (outcome.status === "rejected") throw outcome.reason;
  },
} satisfies ExportedHandler<Env>;
