/**
 * @module
 * Admin API for integrations: create (the secret is shown once), list, show, delete (revokes at once).
 */
import { and, desc, eq, isNull } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { database } from "../db/client";
import { integrations } from "../db/schema";
import type { AppEnv } from "../env";
import { ApiError } from "../http/errors";
import { readJsonBody } from "../http/body";
import { requireAdmin } from "../http/auth";
import { validate } from "../http/validate";
import { integrationObject } from "../ingest/client";
import { SIGNING_VENDORS, VENDORS, type IntegrationConfig } from "../ingest/protocol";
import { randomId, randomSecret, sha256Hex } from "../lib/crypto";
import { ingestUrls } from "./urls";

const createSchema = z.strictObject({
  vendor: z.enum(VENDORS),
  name: z.string().trim().min(1).max(200),
  service: z.string().trim().min(1).max(200).nullish(),
  environment: z.string().trim().min(1).max(100).nullish(),
  /** A secret the vendor generated (PagerDuty makes its own signing secret); else we generate one. */
  secret: z.string().min(16).max(500).optional(),
});

type IntegrationRow = typeof integrations.$inferSelect;

function present(row: IntegrationRow, origin: string) {
  return {
    id: row.id,
    vendor: row.vendor,
    name: row.name,
    service: row.defaultService,
    environment: row.defaultEnvironment,
    created_at: row.createdAt,
    urls: ingestUrls(origin, row.vendor as IntegrationConfig["vendor"], row.id),
  };
}

export const integrationRoutes = new Hono<AppEnv>();
integrationRoutes.use("*", requireAdmin);

integrationRoutes.post("/", async (c) => {
  const body = validate(createSchema, await readJsonBody(c.req.raw));
  const id = randomId();
  const secret = body.secret ?? randomSecret();
  const secretHash = await sha256Hex(secret);
  const [taken] = await database(c.env.DB).select({ id: integrations.id }).from(integrations).where(eq(integrations.secretHash, secretHash));
  if (taken) throw ApiError.of(409, "this secret is already used by another integration; choose another", "secret");
  const row: IntegrationRow = {
    id,
    vendor: body.vendor,
    name: body.name,
    defaultService: body.service ?? null,
    defaultEnvironment: body.environment ?? null,
    secretHash,
    createdAt: new Date().toISOString(),
    deletedAt: null,
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
  });
  await database(c.env.DB).insert(integrations).values(row);
  return c.json({ ...present(row, new URL(c.req.url).origin), secret }, 201);
});

integrationRoutes.get("/", async (c) => {
  const rows = await database(c.env.DB).select().from(integrations).where(isNull(integrations.deletedAt)).orderBy(desc(integrations.createdAt));
  const origin = new URL(c.req.url).origin;
  return c.json({ items: rows.map((r) => present(r, origin)), next_cursor: null });
});

async function findLive(d1: D1Database, id: string): Promise<IntegrationRow> {
  const [row] = await database(d1).select().from(integrations).where(and(eq(integrations.id, id), isNull(integrations.deletedAt)));
  if (!row) throw ApiError.of(404, `no integration with id ${JSON.stringify(id)}`);
  return row;
}

integrationRoutes.get("/:id", async (c) => {
  return c.json(present(await findLive(c.env.DB, c.req.param("id")), new URL(c.req.url).origin));
});

integrationRoutes.delete("/:id", async (c) => {
  const row = await findLive(c.env.DB, c.req.param("id"));
  await integrationObject(c.env, row.id).revoke();
  await database(c.env.DB).update(integrations).set({ deletedAt: new Date().toISOString() }).where(eq(integrations.id, row.id));
  return c.body(null, 204);
});
