/**
 * @module
 * Admin and read-token authentication for the JSON API.
 */
import { eq } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { database } from "../db/client";
import { tokens } from "../db/schema";
import type { AppEnv } from "../env";
import { sha256Hex, timingSafeEqualString } from "../lib/crypto";
import { ApiError } from "./errors";

/** The bearer token of a request, or null. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/**
 * Whether `token` is `ADMIN_TOKEN` or, during a rotation, `ADMIN_TOKEN_NEXT`. Both are compared
 * in constant time, always, so the time does not tell which one matched.
 */
async function isAdmin(token: string, env: AppEnv["Bindings"]): Promise<boolean> {
  const [current, next] = await Promise.all([matches(token, env.ADMIN_TOKEN), matches(token, env.ADMIN_TOKEN_NEXT)]);
  return current || next;
}

async function matches(token: string, adminToken: string | undefined): Promise<boolean> {
  // An unset admin token must never match an empty or absent one.
  if (!adminToken) return false;
  return timingSafeEqualString(token, adminToken);
}

async function isReadToken(d1: D1Database, token: string): Promise<boolean> {
  const hash = await sha256Hex(token);
  const rows = await database(d1).select({ id: tokens.id }).from(tokens).where(eq(tokens.tokenHash, hash)).limit(1);
  return rows.length > 0;
}

const missing = () => new ApiError(401, [{ field: null, detail: "missing bearer token" }], { "www-authenticate": "Bearer" });
const invalid = () => new ApiError(401, [{ field: null, detail: "invalid bearer token" }], { "www-authenticate": "Bearer" });

/** Admin routes: `Authorization: Bearer $ADMIN_TOKEN` (or `$ADMIN_TOKEN_NEXT`). A read token gets 403. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.raw);
  if (!token) throw missing();
  if (await isAdmin(token, c.env)) return next();
  if (await isReadToken(c.env.DB, token)) throw ApiError.of(403, "this token is read-only; this route needs the admin token");
  throw invalid();
});

/** Read routes: the admin token or a read token. */
export const requireReader = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.raw);
  if (!token) throw missing();
  if ((await isAdmin(token, c.env)) || (await isReadToken(c.env.DB, token))) return next();
  throw invalid();
});
