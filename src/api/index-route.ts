/**
 * @module
 * `GET /api/v1`: what this service is and where its routes and documentation are, so that a
 * first request against a fresh deployment answers something a person can follow.
 */
import { Hono } from "hono";
import pkg from "../../package.json";
import type { AppEnv } from "../env";

const DOCS = {
  readme: "README.md",
  metrics: "docs/metrics.md",
  vendors: "docs/vendors/",
  architecture: "docs/architecture.md",
  security: "SECURITY.md",
};

const ROUTES = {
  admin: [
    "POST /api/v1/integrations",
    "GET /api/v1/integrations",
    "GET|PATCH|DELETE /api/v1/integrations/:id",
    "POST /api/v1/integrations/:id/secret",
    "POST|GET /api/v1/tokens",
    "DELETE /api/v1/tokens/:id",
    "PUT /api/v1/services/:slug",
    "POST /api/v1/recompute",
  ],
  read: [
    "GET /api/v1/metrics",
    "GET /api/v1/metrics/timeseries",
    "GET /api/v1/deployments",
    "GET /api/v1/deployments/:id",
    "GET /api/v1/incidents",
    "GET /api/v1/incidents/:id",
    "GET /api/v1/services",
    "GET /api/v1/services/:slug",
    "GET /api/v1/suggestions",
  ],
  ingest: [
    "POST /integrations/deploy/:id",
    "POST /integrations/opslevel/:id/service-created",
    "POST /plugins/webhook/:id/deployments",
    "POST /plugins/webhook/:id/issues",
    "POST /plugins/webhook/:id/issue/:issueKey/close",
    "POST /events",
    "POST /v1/custom-cicd",
    "POST /webhooks/github/:id",
    "POST /webhooks/gitlab/:id",
    "POST /webhooks/pagerduty/:id",
    "POST /webhooks/generic/:id/deployments",
    "POST /webhooks/generic/:id/incidents",
  ],
  health: ["GET /healthz", "GET /healthz?deep=1"],
};

export const apiIndexRoutes = new Hono<AppEnv>();

apiIndexRoutes.get("/api/v1", (c) =>
  c.json({
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    auth: "Authorization: Bearer <admin or read token>",
    docs: DOCS,
    routes: ROUTES,
  }),
);
