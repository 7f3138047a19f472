/**
 * @module
 * CORS for the read API: browser dashboards on the origins listed in `CORS_ORIGINS`
 * (comma-separated; none by default, so no cross-origin read is allowed until configured).
 */
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { configOf } from "../config";
import type { AppEnv } from "../env";

/** The allowed origins of a `CORS_ORIGINS` value. */
export function corsOrigins(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o !== "");
}

/** Answers preflights and adds CORS headers for allowed origins; does nothing for others. */
export const readCors = createMiddleware<AppEnv>(async (c, next) => {
  const allowed = configOf(c.env).corsOrigins;
  if (allowed.length === 0) return next();
  return cors({
    origin: (origin) => (allowed.includes(origin) || allowed.includes("*") ? origin : null),
    allowMethods: ["GET", "HEAD", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type"],
    maxAge: 600,
  })(c, next);
});
