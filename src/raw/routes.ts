/**
 * @module
 * `POST /api/v1/maintenance/move-raw`: moves payloads kept in D1 by earlier versions into R2, a
 * chunk per call (admin token).
 */
import { Hono } from "hono";
import { z } from "zod";
import { queryValidator } from "../api/pagination";
import type { AppEnv } from "../env";
import { requireAdmin } from "../http/auth";
import { MOVE_LIMIT_MAX, moveRaw } from "./move";

export const maintenanceRoutes = new Hono<AppEnv>();
maintenanceRoutes.use("/api/v1/maintenance/*", requireAdmin);

export const moveRawQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MOVE_LIMIT_MAX).default(500).describe(`Rows moved at most by this call (1-${MOVE_LIMIT_MAX}).`),
});

maintenanceRoutes.post("/api/v1/maintenance/move-raw", queryValidator(moveRawQuerySchema), async (c) => {
  return c.json(await moveRaw(c.env.DB, c.env.RAW, c.req.valid("query").limit));
});
