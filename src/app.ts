/**
 * @module
 * The Hono app: every route, and the error handling that keeps every rejection a named 4xx.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { deploymentRoutes } from "./api/deployments";
import { apiIndexRoutes } from "./api/index-route";
import { drilldownRoutes } from "./api/drilldown/routes";
import { exportRoutes } from "./api/export";
import { incidentRoutes } from "./api/incidents";
import { catalogRoutes } from "./catalog/routes";
import { dashboardRoutes } from "./dashboard/routes";
import { configOf } from "./config";
import type { AppEnv } from "./env";
import { ApiError, standardErrorFormat } from "./http/errors";
import { readCors } from "./http/cors";
import { methodNotAllowedHandler } from "./http/method-not-allowed";
import { integrationRoutes } from "./integrations/routes";
import { metricsRoutes } from "./metrics/routes";
import { openApiRoutes } from "./openapi/routes";
import { maintenanceRoutes } from "./raw/routes";
import { tokenRoutes } from "./tokens/routes";
import { genericRoutes } from "./vendors/generic/routes";
import { githubRoutes } from "./vendors/github/routes";
import { gitlabRoutes } from "./vendors/gitlab/routes";
import { devgridRoutes } from "./vendors/devgrid/routes";
import { devlakeRoutes } from "./vendors/devlake/routes";
import { harnessSeiRoutes } from "./vendors/harness-sei/routes";
import { opslevelRoutes } from "./vendors/opslevel/routes";
import { pagerdutyRoutes } from "./vendors/pagerduty/routes";
import { keepRejection } from "./vendors/rejections";

function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException && error.status < 500) return ApiError.of(error.status as 400, error.message || "bad request");
  return null;
}

/** The read API that browser dashboards may call cross-origin (`CORS_ORIGINS`). */
const READ_PATHS = ["/api/v1/metrics", "/api/v1/metrics/*", "/api/v1/deployments", "/api/v1/deployments/*", "/api/v1/incidents", "/api/v1/incidents/*", "/api/v1/suggestions", ...["deployments", "incidents"].flatMap((kind) => [`/api/v1/${kind}.csv`, `/api/v1/${kind}.ndjson`])];

/** Builds the app. */
export function createApp() {
  const app = new Hono<AppEnv>();

  // A bad setting refuses every request with a 503 naming it, rather than serving wrong answers.
  app.use("*", async (c, next) => {
    configOf(c.env);
    await next();
  });

  app.get("/healthz", async (c) => {
    if (c.req.query("deep") === undefined) return c.json({ status: "ok" });
    try {
      await c.env.DB.prepare("SELECT 1").first();
      return c.json({ status: "ok", d1: "ok" });
    } catch {
      return c.json({ status: "degraded", d1: "unreachable" }, 503);
    }
  });

  for (const path of READ_PATHS) app.use(path, readCors);
  app.route("/", apiIndexRoutes);
  app.route("/", opslevelRoutes);
  app.route("/", githubRoutes);
  app.route("/", gitlabRoutes);
  app.route("/", pagerdutyRoutes);
  app.route("/", genericRoutes);
  app.route("/", devlakeRoutes);
  app.route("/", devgridRoutes);
  app.route("/", harnessSeiRoutes);
  app.route("/", integrationRoutes);
  app.route("/", tokenRoutes);
  app.route("/", catalogRoutes);
  app.route("/", exportRoutes);
  app.route("/", deploymentRoutes);
  app.route("/", incidentRoutes);
  app.route("/", metricsRoutes);
  app.route("/", drilldownRoutes);
  app.route("/", dashboardRoutes);
  app.route("/", openApiRoutes);
  app.route("/", maintenanceRoutes);

  const notFound = methodNotAllowedHandler(app);
  app.notFound((c) => notFound(c.req.raw));
  app.onError(async (error, c) => {
    const apiError = toApiError(error);
    if (!apiError) {
      // The route pattern, not the path: an OpsLevel path holds the integration's credential.
      console.error(`unhandled error on ${c.req.method} ${c.req.routePath}: ${String(error)}`);
      return c.json(standardErrorFormat(ApiError.of(503, "the service could not complete this request; retry later")), 503);
    }
    const format = c.get("errorFormat") ?? standardErrorFormat;
    const reply = format(apiError) as object;
    await keepRejection(c, apiError.status, reply);
    return c.json(reply, apiError.status, apiError.headers);
  });
  return app;
}
