/**
 * @module
 * `GET /`: a small pointer to the API index and the documentation. It has a module of its own so
 * that a dashboard page can take its place.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";

export const homeRoutes = new Hono<AppEnv>();

homeRoutes.get("/", (c) =>
  c.json({
    name: "dora-edge-receiver",
    api: "/api/v1",
    health: "/healthz",
    docs: "README.md",
  }),
);
