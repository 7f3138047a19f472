/**
 * @module
 * Serves the dashboard at `/` and `/dashboard`, with its script and stylesheet: everything the page
 * loads comes from this Worker, and its Content-Security-Policy lets it talk to nothing else.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { DASHBOARD_SCRIPT } from "./client-script";
import { DashboardPage } from "./page";
import { DASHBOARD_STYLES } from "./styles";

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = { "content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };

/** FNV-1a of the assets: a version that changes whenever they do, computed without async crypto. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

const ASSET_VERSION = fnv1a(DASHBOARD_SCRIPT + DASHBOARD_STYLES);

/** An asset, revalidated by its ETag so a changed deploy is picked up at once. */
function asset(body: string, type: string, ifNoneMatch: string | undefined): Response {
  const etag = `"${ASSET_VERSION}"`;
  const headers = { "content-type": type, etag, "cache-control": "public, max-age=300, must-revalidate", ...SECURITY_HEADERS };
  if (ifNoneMatch === etag) return new Response(null, { status: 304, headers });
  return new Response(body, { headers });
}

export const dashboardRoutes = new Hono<AppEnv>();

for (const path of ["/", "/dashboard"]) {
  dashboardRoutes.get(path, (c) => {
    const html = "<!doctype html>" + String(<DashboardPage assetVersion={ASSET_VERSION} />);
    return c.html(html, 200, { ...SECURITY_HEADERS, "cache-control": "no-cache" });
  });
}

dashboardRoutes.get("/dashboard/app.js", (c) => asset(DASHBOARD_SCRIPT, "text/javascript; charset=utf-8", c.req.header("if-none-match")));
dashboardRoutes.get("/dashboard/app.css", (c) => asset(DASHBOARD_STYLES, "text/css; charset=utf-8", c.req.header("if-none-match")));
