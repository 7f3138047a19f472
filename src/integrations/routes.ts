/**
 * @module
 * Admin API for integrations: create (the secret is shown once), list, show, change the name or
 * the incident rule, delete (revokes at once).
 */
import { and, desc, eq, isNull, or } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { database } from "../db/client";
import { integrations } from "../db/schema";
import type { AppEnv } from "../env";
import { ApiError } from "../http/errors";
import { readJsonBody, readRawBody, parseJsonBody } from "../http/body";
import { requireAdmin } from "../http/auth";
import { validate } from "../http/validate";
import { integrationObject } from "../ingest/client";
import type { DeliveryLedger } from "../ingest/delivery-log";
import type { IntegrationSettings } from "../ingest/integration-object";
import { SIGNING_VENDORS, VENDORS, type IntegrationConfig } from "../ingest/protocol";
import { randomId, randomSecret, sha256Hex } from "../lib/crypto";
import { forwardSchema, notifySchema, shownForward, type ShownOutbound } from "./outbound-config";
import { incidentRuleSchema, shownIncidentRule, storedIncidentRule } from "./incident-rule";
import { ingestUrls } from "./urls";
import { requestFullRebuild } from "../metrics/recompute/full-rebuild";

/** A secret the vendor generated (PagerDuty makes its own signing secret); else we generate one. */
const vendorSecret = z.string().min(16).max(500).optional();

const nameSchema = z.string().trim().min(1).max(200);

export const createSchema = z.strictObject({
  vendor: z.enum(VENDORS),
  name: nameSchema,
  service: z.string().trim().min(1).max(200).nullish(),
  environment: z.string().trim().min(1).max(100).nullish(),
  secret: vendorSecret,
  /** This integration's own token bucket; absent means the deployment's default. */
  rate_limit: z
    .strictObject({
      requests_per_second: z.number().positive().max(1_000_000),
      burst: z.number().int().min(1).max(1_000_000),
    })
    .nullish(),
  incident_rule: incidentRuleSchema,
  forward: forwardSchema,
  notify: notifySchema,
});

/**
 * What `PATCH` may change: the name, and the incident rule (null removes it), both read only by
 * the API and the recompute. The default service and environment are applied on ingest and stay
 * as created, so that one integration's events are not labelled two ways.
 */
export const patchSchema = z
  .strictObject({ name: nameSchema.optional(), incident_rule: incidentRuleSchema.optional(), forward: forwardSchema, notify: notifySchema })
  .refine((b) => b.name !== undefined || b.incident_rule !== undefined || b.forward !== undefined || b.notify !== undefined, {
    message: "give name, incident_rule, forward or notify to change",
  });

/** The grace period of a rolled secret when the request names none. */
const DEFAULT_GRACE_SECONDS = 24 * 3600;

export const rollSchema = z.strictObject({
  grace_seconds: z.number().int().min(0).max(30 * 24 * 3600).default(DEFAULT_GRACE_SECONDS),
  secret: vendorSecret,
});

type IntegrationRow = typeof integrations.$inferSelect;

function present(row: IntegrationRow, origin: string) {
  return {
    id: row.id,
    vendor: row.vendor,
    name: row.name,
    service: row.defaultService,
    environment: row.defaultEnvironment,
    incident_rule: shownIncidentRule(row.incidentRule),
    created_at: row.createdAt,
    urls: ingestUrls(origin, row.vendor as IntegrationConfig["vendor"], row.id),
  };
}

export const integrationRoutes = new Hono<AppEnv>();
integrationRoutes.use("/api/v1/integrations/*", requireAdmin);

integrationRoutes.post("/api/v1/integrations", async (c) => {
  const body = validate(createSchema, await readJsonBody(c.req.raw));
  const id = randomId();
  const secret = body.secret ?? randomSecret();
  const secretHash = await sha256Hex(secret);
  await refuseTakenSecret(c.env.DB, secretHash);
  const row: IntegrationRow = {
    id,
    vendor: body.vendor,
    name: body.name,
    defaultService: body.service ?? null,
    defaultEnvironment: body.environment ?? null,
    secretHash,
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    createdAt: new Date().toISOString(),
    deletedAt: null,
    incidentRule: storedIncidentRule(body.incident_rule ?? null),
  };
  // The object first: a row in D1 must never name an integration its object does not know.
  await integrationObject(c.env, id).configure({
    id,
    vendor: body.vendor,
    name: body.name,
    service: row.defaultService,
    environment: row.defaultEnvironment,
    secret_hash: row.secretHash,
    ...(SIGNING_VENDORS.includes(body.vendor) ? { signing_key: secret } : {}),
    rate_limit: body.rate_limit ?? null,
    forward: body.forward ?? null,
    notify: body.notify ?? null,
  });
  await database(c.env.DB).insert(integrations).values(row);
  const outbound: ShownOutbound = { forward: shownForward(body.forward), notify: body.notify ?? null };
  return c.json({ ...present(row, new URL(c.req.url).origin), ...outbound, rate_limit: body.rate_limit ?? null, secret }, 201);
});

integrationRoutes.get("/api/v1/integrations", async (c) => {
  const rows = await database(c.env.DB).select().from(integrations).where(isNull(integrations.deletedAt)).orderBy(desc(integrations.createdAt));
  const origin = new URL(c.req.url).origin;
  // The outbound settings live in each object (the forward's headers are credentials): read in parallel.
  const settings = await Promise.all(rows.map((r) => integrationObject(c.env, r.id).settings()));
  return c.json({ items: rows.map((r, i) => ({ ...present(r, origin), ...outboundOf(settings[i] ?? null) })), next_cursor: null });
});

/** A 409 when a secret's hash is already some integration's, current or within a grace period. */
async function refuseTakenSecret(d1: D1Database, secretHash: string): Promise<void> {
  const [taken] = await database(d1)
    .select({ id: integrations.id })
    .from(integrations)
    .where(or(eq(integrations.secretHash, secretHash), eq(integrations.previousSecretHash, secretHash)))
    .limit(1);
  if (taken) throw ApiError.of(409, "this secret is already used by another integration; choose another", "secret");
}

/** An empty body means `{}`: rolling with the defaults needs no body at all. */
async function readOptionalJsonBody(request: Request): Promise<unknown> {
  const bytes = await readRawBody(request);
  return bytes.byteLength === 0 ? {} : parseJsonBody(bytes);
}

async function findLive(d1: D1Database, id: string): Promise<IntegrationRow> {
  const [row] = await database(d1).select().from(integrations).where(and(eq(integrations.id, id), isNull(integrations.deletedAt)));
  if (!row) throw ApiError.of(404, `no integration with id ${JSON.stringify(id)}`);
  return row;
}

/** The outbound settings an object answered, as shown (none for an object that lost its config). */
function outboundOf(settings: IntegrationSettings | null): ShownOutbound {
  return { forward: settings?.forward ?? null, notify: settings?.notify ?? null };
}

/** One integration, with its rate limit as its object enforces it (null: the deployment's default). */
integrationRoutes.get("/api/v1/integrations/:id", async (c) => {
  const row = await findLive(c.env.DB, c.req.param("id"));
  const settings = (await integrationObject(c.env, row.id).settings()) as IntegrationSettings | null;
  return c.json({ ...present(row, new URL(c.req.url).origin), ...outboundOf(settings), rate_limit: settings?.rate_limit ?? null });
});

/** Changes the fields given and answers the integration as it now is; a changed rule makes the next recompute a full one. */
integrationRoutes.patch("/api/v1/integrations/:id", async (c) => {
  const row = await findLive(c.env.DB, c.req.param("id"));
  const body = validate(patchSchema, await readJsonBody(c.req.raw));
  const changes: Partial<IntegrationRow> = {
    ...(body.name === undefined ? {} : { name: body.name }),
    ...(body.incident_rule === undefined ? {} : { incidentRule: storedIncidentRule(body.incident_rule) }),
  };
  const object = integrationObject(c.env, row.id);
  // The object first: its settings are the ones that act, and a failure here changes nothing in D1.
  const outbound = {
    ...(body.forward === undefined ? {} : { forward: body.forward }),
    ...(body.notify === undefined ? {} : { notify: body.notify }),
  };
  const settings = (await (Object.keys(outbound).length > 0 ? object.changeOutbound(outbound) : object.settings())) as IntegrationSettings | null;
  // A changed rule decides which past incidents count, which only a full rebuild applies; asked for
  // first, so that a failed update costs at most one rebuild too many.
  if (body.incident_rule !== undefined) await requestFullRebuild(c.env.DB).run();
  if (Object.keys(changes).length > 0) await database(c.env.DB).update(integrations).set(changes).where(eq(integrations.id, row.id));
  return c.json({ ...present({ ...row, ...changes }, new URL(c.req.url).origin), ...outboundOf(settings), rate_limit: settings?.rate_limit ?? null });
});

/** The integration's delivery ledger, kept by its object: counts, the latest rejections, the outbox's depth. */
integrationRoutes.get("/api/v1/integrations/:id/deliveries", async (c) => {
  const row = await findLive(c.env.DB, c.req.param("id"));
  const ledger = (await integrationObject(c.env, row.id).deliveries()) as DeliveryLedger | null;
  if (!ledger) throw ApiError.of(404, `no integration with id ${JSON.stringify(row.id)}`);
  return c.json({ integration_id: row.id, ...ledger });
});

integrationRoutes.delete("/api/v1/integrations/:id", async (c) => {
  const row = await findLive(c.env.DB, c.req.param("id"));
  await integrationObject(c.env, row.id).revoke();
  await database(c.env.DB).update(integrations).set({ deletedAt: new Date().toISOString() }).where(eq(integrations.id, row.id));
  return c.body(null, 204);
});

/**
 * Rolls the integration's secret: answers the new one (shown once) while the old one keeps working
 * for `grace_seconds` (default 24 h; 0 ends it at once). The object first, as at creation: it is
 * what checks every request.
 */
integrationRoutes.post("/api/v1/integrations/:id/secret", async (c) => {
  const row = await findLive(c.env.DB, c.req.param("id"));
  const body = validate(rollSchema, await readOptionalJsonBody(c.req.raw));
  const secret = body.secret ?? randomSecret();
  const secretHash = await sha256Hex(secret);
  await refuseTakenSecret(c.env.DB, secretHash);
  const vendor = row.vendor as IntegrationConfig["vendor"];
  const rolled = await integrationObject(c.env, row.id).rollSecret({
    secret_hash: secretHash,
    ...(SIGNING_VENDORS.includes(vendor) ? { signing_key: secret } : {}),
    grace_ms: body.grace_seconds * 1000,
  });
  if (!rolled) throw ApiError.of(404, `no integration with id ${JSON.stringify(row.id)}`);
  const expiresAt = new Date(Date.now() + body.grace_seconds * 1000).toISOString();
  const grace = body.grace_seconds > 0;
  await database(c.env.DB)
    .update(integrations)
    .set({ secretHash, previousSecretHash: grace ? row.secretHash : null, previousSecretExpiresAt: grace ? expiresAt : null })
    .where(eq(integrations.id, row.id));
  return c.json({ id: row.id, secret, previous_secret_expires_at: grace ? expiresAt : null }, 201);
});
