/**
 * @module
 * 405 for a known path asked with a method it does not serve (Hono alone answers 404).
 */
import type { Hono } from "hono";
import { ApiError } from "./errors";

function patternOf(path: string): RegExp {
  const source = path
    .split("/")
    .map((part) => (part.startsWith(":") ? "[^/]+" : part === "*" ? ".*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}/?$`);
}

/**
 * Builds a not-found handler that answers 405 with `Allow` when the path exists under another
 * method. Call it after every route is registered.
 */
export function methodNotAllowedHandler(app: Hono<any>) {
  const routes = app.routes.filter((r) => r.method !== "ALL").map((r) => ({ method: r.method, pattern: patternOf(r.path) }));
  return (request: Request): never => {
    const path = new URL(request.url).pathname;
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      throw new ApiError(405, [{ field: null, detail: `${request.method} is not allowed here; use ${allowed.join(", ")}` }], { allow: allowed.join(", ") });
    }
    throw ApiError.of(404, `no route ${request.method} ${path}`);
  };
}
