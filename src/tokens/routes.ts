/**
 * @module
 * Admin API for read-only tokens (dashboards). A token is shown once and stored as SHA-256.
 */
import { desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { database } from "../db/client";
import { tokens } from "../db/schema";
import type { AppEnv } from "../env";
import { readJsonBody } from "../http/body";
import { requireAdmin } from "../http/auth";
import { ApiError } from "../http/errors";
import { validate } from "../http/validate";
import { randomId, randomSecret, sha256Hex } from "../lib/crypto";

export const createSchema = z.strictObject({ name: z.string().trim().min(1).max(200) });

export const tokenRoutes = new Hono<AppEnv>();
tokenRoutes.use("/api/v1/tokens/*", requireAdmin);

tokenRoutes.post("/api/v1/tokens", async (c) => {
  const { name } = validate(createSchema, await readJsonBody(c.req.raw));
  const token = randomSecret();
  const row = { id: randomId(), name, tokenHash: await sha256Hex(token), createdAt: new Date().toISOString() };
  await database(c.env.DB).insert(tokens).values(row);
  return c.json({ id: row.id, name, token, created_at: row.createdAt }, 201);
});

tokenRoutes.get("/api/v1/tokens", async (c) => {
  const rows = await database(c.env.DB)
    .select({ id: tokens.id, name: tokens.name, created_at: tokens.createdAt })
    .from(tokens)
    .orderBy(desc(tokens.createdAt));
  return c.json({ items: rows, next_cursor: null });
});

tokenRoutes.delete("/api/v1/tokens/:id", async (c) => {
  const deleted = await database(c.env.DB).delete(tokens).where(eq(tokens.id, c.req.param("id"))).returning({ id: tokens.id });
  if (deleted.length === 0) throw ApiError.of(404, `no token with id ${JSON.stringify(c.req.param("id"))}`);
  return c.body(null, 204);
});
