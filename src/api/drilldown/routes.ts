/**
 * @module
 * `GET /api/v1/metrics/{metric}/records`: the records behind one of the six metrics, with the
 * filters and window of `GET /api/v1/metrics` (`service`, `team`, `environment` — one or several,
 * comma-separated —, `from`, `to`), newest first, paginated as the lists are
 * (`limit` up to 500, `cursor`): `{"items": [...], "next_cursor": ...}`. For each metric:
 *
 * - `deployment_frequency`: the counted deployments, each with its commits and their lead time.
 * - `change_lead_time`: the lead-time samples (`dropped` ones were negative and are not ranked).
 * - `change_failure_rate`, `failed_deployment_recovery_time`: the failed deployments, with the
 *   incidents that link to them (and how: `explicit` or `time`), the rollback that followed them,
 *   and their recovery (`recovery_seconds` null: not yet recovered).
 * - `time_to_restore_service`: the incidents resolved in the window, with their linked deployment.
 * - `deployment_rework_rate`: rollbacks (and the commits they went back to) and hotfixes.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { requireReader } from "../../http/auth";
import { ApiError } from "../../http/errors";
import { queryValidator } from "../pagination";
import { drilldownQuerySchema, drilldownWindow } from "./query";
import { DRILLDOWN_METRICS, records, type DrilldownMetric } from "./records";

export const drilldownRoutes = new Hono<AppEnv>();

drilldownRoutes.get("/api/v1/metrics/:metric/records", requireReader, queryValidator(drilldownQuerySchema), async (c) => {
  const metric = c.req.param("metric");
  if (!(DRILLDOWN_METRICS as readonly string[]).includes(metric)) {
    throw ApiError.of(404, `no metric named ${JSON.stringify(metric).slice(0, 64)}; one of ${DRILLDOWN_METRICS.join(", ")}`, "metric");
  }
  const q = c.req.valid("query");
  const window = drilldownWindow(q, new Date().toISOString().slice(0, 10));
  return c.json(await records(c.env.DB, metric as DrilldownMetric, q, window));
});
