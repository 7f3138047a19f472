/**
 * @module
 * Per-day rollups (`metric_days`): per (service, environment, day), the counted and unsuccessful
 * deployments, the failed ones and the rework.
 */
import type { Range } from "./range";
import { dayStart } from "./sql";

const DAY_SUMS = "sum(m.counted), sum(1 - m.counted), sum(m.failed), sum(m.rework)";

/**
 * The rollups of every day `range` touched, from the last counted deployment before each group's
 * work, and of the days of deployments whose links moved (`flag` in `metric_work_ids`) outside them.
 */
export function dayRollups(d1: D1Database, range: Range): D1PreparedStatement[] {
  return [
    d1.prepare(`DELETE FROM metric_days WHERE (environment, day, service) IN (SELECT d.environment, d.day, d.service FROM ${range.rows("metric_days", "d", "day", "substr(w.prev_at, 1, 10)")})`),
    d1.prepare(`
      INSERT INTO metric_days (service, environment, day, deployments, unsuccessful, failed, rework)
      SELECT m.service, m.environment, m.day, ${DAY_SUMS}
      FROM ${range.rows("metric_deployments", "m", "at", dayStart("substr(w.prev_at, 1, 10)"))}
      -- Grouped in primary-key order: one sort serves the grouping and the inserts, which walk the key forward.
      GROUP BY m.environment, m.day, m.service`),
    ...(range.outside === null ? [] : [movedDays(d1, range.outside)]),
  ];
}

/** The rollups of the days of deployments whose links moved, where `outside` says a day is not the range's own: each read by its own range. */
function movedDays(d1: D1Database, outside: (q: string) => string): D1PreparedStatement {
  return d1.prepare(`
      INSERT OR REPLACE INTO metric_days (service, environment, day, deployments, unsuccessful, failed, rework)
      SELECT m.service, m.environment, m.day, ${DAY_SUMS}
      FROM (SELECT DISTINCT q.service, q.environment, q.day FROM (
              SELECT k.service, k.environment, substr(k.at, 1, 10) AS day FROM metric_work_ids f CROSS JOIN metric_deployment_ids k ON k.id = f.id
              WHERE f.kind = 'flag') q
            WHERE ${outside("q")}) moved_days
        CROSS JOIN metric_deployments m ON m.service = moved_days.service AND m.environment = moved_days.environment
          AND m.at >= moved_days.day AND m.at < date(moved_days.day, '+1 day') AND m.day = moved_days.day
      GROUP BY m.service, m.environment, m.day`);
}
