/**
 * @module
 * The Worker entry: the HTTP app, the nightly Cron Trigger, and the Durable Object class.
 */
import { createApp } from "./app";
import type { Env } from "./env";

export { IntegrationObject } from "./ingest/integration-object";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, _env, _ctx) {
    console.log(`cron ${controller.cron} at ${new Date(controller.scheduledTime).toISOString()}`);
  },
} satisfies ExportedHandler<Env>;
