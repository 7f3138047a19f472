/**
 * @module
 * The service catalog's routes (`PUT/GET /api/v1/services`) and the suggestions of unknown names.
 */
import { Hono } from "hono";
import { database } from "../db/client";
import type { AppEnv } from "../env";
import { requireAdmin, requireReader } from "../http/auth";
import { readJsonBody } from "../http/body";
import { ApiError } from "../http/errors";
import { validate } from "../http/validate";
import { putSchema, readServices, SLUG, suggestions, upsertService } from "./catalog";

export const catalogRoutes = new Hono<AppEnv>();

catalogRoutes.put("/api/v1/services/:slug", requireAdmin, async (c) => {
  const slug = c.req.param("slug");
  if (!SLUG.test(slug)) throw ApiError.of(400, "slug must be 1-100 letters, digits, '_', '.' or '-', starting with a letter or digit", "slug");
  const body = validate(putSchema, await readJsonBody(c.req.raw));
  const db = database(c.env.DB);
  const { created } = await upsertService(c.env.DB, slug, { name: body.name, team: body.team ?? null, aliases: body.aliases, repositories: body.repositories });
  const [view] = await readServices(db, slug);
  return c.json(view, created ? 201 : 200);
});

catalogRoutes.get("/api/v1/services", requireReader, async (c) => {
  return c.json({ items: await readServices(database(c.env.DB)), next_cursor: null });
});

catalogRoutes.get("/api/v1/services/:slug", requireReader, async (c) => {
  const [view] = await readServices(database(c.env.DB), c.req.param("slug"));
  if (!view) throw ApiError.of(404, `no service with slug ${JSON.stringify(c.req.param("slug"))}`);
  return c.json(view);
});

catalogRoutes.get("/api/v1/suggestions", requireReader, async (c) => {
  return c.json({ items: await suggestions(database(c.env.DB)), next_cursor: null });
});
