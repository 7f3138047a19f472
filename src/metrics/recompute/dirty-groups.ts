/**
 * @module
 * One incremental step over the dirty (service, environment) groups (`metric_dirty`): each rebuilt
 * from its first dirty day on.
 */
import { deriveFromSamples } from "./derive";
import { stepLeadSamples } from "./lead-samples";
import { STEP } from "./range";
import { dayStart } from "./sql";

/** Groups rebuilt per step. */
export const GROUPS_PER_STEP = 100;

/**
 * Rebuilds up to GROUPS_PER_STEP dirty groups. Its third statement takes the groups: its
 * `meta.changes` says how many, and fewer than GROUPS_PER_STEP means none is left.
 */
export function dirtyGroupsStep(d1: D1Database, linkWindowHours: number): D1PreparedStatement[] {
  return [
    d1.prepare("DELETE FROM metric_work"),
    d1.prepare("DELETE FROM metric_work_ids"),
    d1.prepare(`
      INSERT INTO metric_work (service, environment, from_at, prev_at)
      SELECT dirty.service, dirty.environment, ${dayStart("dirty.day")},
        COALESCE((SELECT max(m.at) FROM metric_deployments m WHERE m.service = dirty.service AND m.environment = dirty.environment
          AND m.counted = 1 AND m.at < ${dayStart("dirty.day")}), ${dayStart("dirty.day")})
      FROM (SELECT service, environment, min(day) AS day FROM metric_dirty GROUP BY service, environment ORDER BY service, environment LIMIT ?) dirty`).bind(GROUPS_PER_STEP),
    ...stepLeadSamples(d1),
    ...deriveFromSamples(d1, linkWindowHours, STEP),
    d1.prepare("DELETE FROM metric_dirty WHERE (service, environment) IN (SELECT service, environment FROM metric_work)"),
    d1.prepare("DELETE FROM metric_work"),
    d1.prepare("DELETE FROM metric_work_ids"),
  ];
}
