/**
 * @module
 * Our own format, `POST /webhooks/generic/:id/deployments` and `/incidents`, with
 * `Authorization: Bearer <secret>`: one item or `{"items":[...]}` (up to `MAX_ITEMS`), applied
 * in order in one transaction; each item is recorded or updated (never backwards) by `dedup_key`.
 */
import { Hono, type Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../../env";
import type { CanonicalEvent } from "../../events/canonical";
import { bearerToken } from "../../http/auth";
import { capBatch } from "../../http/batch";
import { readJsonBody } from "../../http/body";
import { validate } from "../../http/validate";
import { submit } from "../../ingest/client";
import { sha256Hex } from "../../lib/crypto";
import { acceptedOrUnauthorized, readBodyAuthenticated, unauthorized } from "../credentials";
import { genericOutcome } from "../outcome";
import { normalizeGenericDeployment, normalizeGenericIncident } from "./normalize";
import { batchSchema, genericDeploymentSchema, genericIncidentSchema, MAX_ITEMS } from "./schema";

const CHALLENGE = { "www-authenticate": "Bearer" };

/** The items of a body: the body itself, or its `items`; refuses more than `MAX_ITEMS`. */
function itemsOf<S extends z.ZodType>(schema: S, raw: unknown): { item: z.output<S>; raw: unknown }[] {
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw) && "items" in raw) {
    const listed = (raw as { items: unknown }).items;
    capBatch(listed, MAX_ITEMS, "items");
    return validate(batchSchema(schema), raw).items.map((item, i) => ({ item, raw: (listed as unknown[])[i] }));
  }
  return [{ item: validate(schema, raw), raw }];
}

function route<S extends z.ZodType>(schema: S, normalize: (item: z.output<S>, raw: unknown) => CanonicalEvent) {
  return async (c: Context<AppEnv>) => {
    const token = bearerToken(c.req.raw);
    if (!token) throw unauthorized("missing bearer token", CHALLENGE);
    const id = c.req.param("id")!;
    const credential = { kind: "secret", hash: await sha256Hex(token) } as const;
    const refused = () => unauthorized("invalid bearer token", CHALLENGE);
    const events = await readBodyAuthenticated(c, id, "generic", credential, refused, async () =>
      itemsOf(schema, await readJsonBody(c.req.raw)).map(({ item, raw }) => normalize(item, raw)),
    );
    const reply = await submit(c, id, {
      vendor: "generic",
      credential,
      // A pipeline that retries after a timeout can send the same key to have the retry dropped.
      delivery_id: c.req.header("Idempotency-Key") ?? null,
      commands: events.map((event) => ({ op: "record", event, mode: "update" })),
    });
    const results = acceptedOrUnauthorized(reply, "invalid bearer token", CHALLENGE);
    return c.json({ results: results.map((r) => ({ result: genericOutcome(r), id: r.id })) }, 202);
  };
}

export const genericRoutes = new Hono<AppEnv>();

genericRoutes.post("/webhooks/generic/:id/deployments", route(genericDeploymentSchema, normalizeGenericDeployment));
genericRoutes.post("/webhooks/generic/:id/incidents", route(genericIncidentSchema, normalizeGenericIncident));
