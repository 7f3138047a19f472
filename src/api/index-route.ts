/**
 * @module
 * `GET /api/v1`: what this service is and where its reference, dashboard and documentation are,
 * so that a first request against a fresh deployment answers something a person can follow. The
 * routes themselves are listed by the OpenAPI document, which is checked against the router.
 */
import { Hono } from "hono";
import pkg from "../../package.json";
import type { AppEnv } from "../env";

const LINKS = { openapi: "/openapi.json", reference: "/docs", dashboard: "/", health: "/healthz" };

const DOCS = {
  readme: "README.md",
  api: "docs/api.md",
  drilldown: "docs/api-drilldown.md",
  metrics: "docs/metrics.md",
  vendors: "docs/vendors/",
  grafana: "docs/grafana.md",
  architecture: "docs/architecture.md",
  security: "SECURITY.md",
};

export const apiIndexRoutes = new Hono<AppEnv>();

apiIndexRoutes.get("/api/v1", (c) =>
  c.json({
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    auth: "Authorization: Bearer <admin or read token>",
    links: LINKS,
    docs: DOCS,
  }),
);
