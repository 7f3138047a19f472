/**
 * @module
 * Failures and recoveries of `metric_deployments`: a deployment failed when an incident links to it
 * or the next counted one is a rollback; it recovered when all its incidents are resolved (at the
 * latest resolution), or else at that rollback.
 */
import type { Range } from "./range";
import { secondsBetween } from "./sql";

/**
 * The failures over `range`. Only a deployment that may fail now or may have failed before can
 * change: one that had failed, one just before a rollback, and one whose links moved (`flag` in
 * `metric_work_ids`). A deployment of the range that an incident outside it links to had failed
 * already (or is flagged by that incident's own step). The candidates' keys are joined to the table,
 * never tested against it row by row. One probe of the links and one of the table's key (is the next
 * counted deployment a rollback?) per candidate; materialized, so SQLite does not inline them into
 * each SET term. Only changed rows are written.
 */
export function failuresAndRecoveries(d1: D1Database, range: Range): D1PreparedStatement {
  const failed = "(outcomes.counted AND (outcomes.incidents > 0 OR outcomes.rolled_back_at IS NOT NULL))";
  const recoveredAt = `CASE
              WHEN NOT outcomes.counted THEN NULL
              WHEN outcomes.incidents > 0 THEN CASE WHEN outcomes.any_open THEN NULL ELSE outcomes.last_resolved_at END
              ELSE outcomes.rolled_back_at
            END`;
  return d1.prepare(`
      WITH failed_or_rollback AS MATERIALIZED (
          SELECT m.failed, m.rollback, m.service, m.environment, m.at, m.id FROM ${range.rows("metric_deployments", "m", "at", "w.prev_at")}
          WHERE m.failed = 1 OR m.rollback = 1),
        candidate_keys AS MATERIALIZED (
          SELECT f.service, f.environment, f.at, f.id FROM failed_or_rollback f WHERE f.failed = 1
          UNION SELECT p.service, p.environment, p.at, p.id FROM failed_or_rollback f CROSS JOIN metric_deployments p
            ON p.service = f.service AND p.environment = f.environment AND (p.at, p.id) = (
              SELECT q.at, q.id FROM metric_deployments q WHERE q.service = f.service AND q.environment = f.environment
                AND (q.at, q.id) < (f.at, f.id) AND q.counted = 1 ORDER BY q.at DESC, q.id DESC LIMIT 1)
            WHERE f.rollback = 1
          UNION SELECT k.service, k.environment, k.at, k.id FROM metric_work_ids x CROSS JOIN metric_deployment_ids k ON k.id = x.id WHERE x.kind = 'flag'),
        candidates AS MATERIALIZED (
          SELECT m.id, m.service, m.environment, m.at, m.counted, m.failed AS was_failed, m.recovered_at AS was_recovered_at,
            m.recovery_seconds AS was_recovery_seconds, count(i.id) AS incidents, max(i.resolved_at IS NULL) AS any_open, max(i.resolved_at) AS last_resolved_at
          FROM candidate_keys c CROSS JOIN metric_deployments m ON m.service = c.service AND m.environment = c.environment AND m.at = c.at AND m.id = c.id
            LEFT JOIN metric_incidents i ON i.deployment_id = m.id
          GROUP BY m.service, m.environment, m.at, m.id),
        outcomes AS MATERIALIZED (
          SELECT candidates.*, CASE WHEN candidates.counted AND candidates.incidents = 0 THEN (
              SELECT CASE WHEN q.rollback = 1 THEN q.at END FROM metric_deployments q WHERE q.service = candidates.service AND q.environment = candidates.environment
                AND (q.at, q.id) > (candidates.at, candidates.id) AND q.counted = 1 ORDER BY q.at, q.id LIMIT 1) END AS rolled_back_at
          FROM candidates),
        failures AS (
          SELECT outcomes.service, outcomes.environment, outcomes.at, outcomes.id, outcomes.was_failed, outcomes.was_recovered_at, outcomes.was_recovery_seconds, ${failed} AS failed, ${recoveredAt} AS recovered_at,
            CASE WHEN ${failed} THEN ${secondsBetween("outcomes.at", recoveredAt)} END AS recovery_seconds
          FROM outcomes)
      UPDATE metric_deployments SET failed = failures.failed, recovered_at = failures.recovered_at, recovery_seconds = failures.recovery_seconds
      FROM failures
      WHERE (metric_deployments.service, metric_deployments.environment, metric_deployments.at, metric_deployments.id)
          = (failures.service, failures.environment, failures.at, failures.id)
        AND (failures.failed IS NOT failures.was_failed OR failures.recovered_at IS NOT failures.was_recovered_at OR failures.recovery_seconds IS NOT failures.was_recovery_seconds)`);
}
