/**
 * @module
 * DevGrid's `POST /events` with `x-api-key: <secret>`. The key alone finds the integration.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { capBatch } from "../../http/batch";
import { readJsonBody } from "../../http/body";
import { validate } from "../../http/validate";
import { submit } from "../../ingest/client";
import { findIntegrationBySecret } from "../../integrations/lookup";
import { unauthorized } from "../credentials";
import { devgridBodySchema, MAX_DEVGRID_EVENTS, normalizeDevGridEvent } from "./events";

const refused = () => unauthorized("missing or invalid x-api-key");

export const devgridRoutes = new Hono<AppEnv>();

devgridRoutes.post("/events", async (c) => {
  const match = await findIntegrationBySecret(c.env.DB, "devgrid", c.req.header("x-api-key") ?? null);
  if (!match) throw refused();
  c.set("integrationId", match.id);
  const raw = await readJsonBody(c.req.raw);
  if (typeof raw === "object" && raw !== null) capBatch((raw as { events?: unknown }).events, MAX_DEVGRID_EVENTS, "events");
  // The whole body is validated before anything is submitted, so one bad event stores nothing.
  const { events } = validate(devgridBodySchema, raw);
  const rawEvents = (raw as { events: object[] }).events;
  const receivedAt = new Date().toISOString();
  const normalized = events.map((event, i) => normalizeDevGridEvent(event, rawEvents[i], receivedAt));
  const reply = await submit(c, match.id, {
    vendor: "devgrid",
    credential: { kind: "secret", hash: match.hash },
    commands: normalized.map((event) => ({ op: "record", event, mode: "first" })),
  });
  if (!reply.ok) throw refused();
  // A redelivered event is answered as stored: its id, and the time its first delivery gave it.
  const stored = normalized.map((event, i) => {
    const result = reply.results[i]!;
    return { ...rawEvents[i], id: result.id, timestamp: result.stored_finished_at ?? event.finished_at };
  });
  return c.json({ events: stored }, 201);
});
