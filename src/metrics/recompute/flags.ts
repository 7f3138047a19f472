/**
 * @module
 * Rollback and rework flags of `metric_deployments`: a rollback is said so (`kind`), or brings back
 * a sha its environment had before but not just before; rework is a rollback or a hotfix.
 */
import { ROW_OF_LOOKUP } from "../../db/schema";
import type { Range } from "./range";

/**
 * The flags over `range`. Only rows that are or were flagged are looked at, and only those whose
 * flags change are written (a full run's copy starts them at 0). A row is tested against the
 * returning shas by its id, unique as the key is: SQLite tests a four-column key against a subquery
 * far more slowly.
 */
export function rollbackAndReworkFlags(d1: D1Database, range: Range): D1PreparedStatement {
  return d1.prepare(`
      WITH returning_shas AS MATERIALIZED (
          SELECT DISTINCT m.id FROM ${range.rows("metric_lead_samples", "s", "day", "substr(w.from_at, 1, 10)")}
            CROSS JOIN metric_deployment_ids k ON k.id = s.deployment_id CROSS JOIN ${ROW_OF_LOOKUP}
          WHERE s.repeated = 1 AND NOT EXISTS (SELECT 1 FROM deployment_commits c3 WHERE c3.sha = s.sha AND c3.deployment_id = (
            SELECT p.id FROM metric_deployments p WHERE p.service = m.service AND p.environment = m.environment
              AND (p.at, p.id) < (m.at, m.id) AND p.counted = 1 ORDER BY p.at DESC, p.id DESC LIMIT 1))),
        candidates AS MATERIALIZED (
          SELECT m.service, m.environment, m.at, m.id, m.rollback AS was_rollback, m.rework AS was_rework, ifnull(m.kind, '') IN ('rollback', 'hotfix') AS said_rework,
            ifnull(m.kind, '') = 'rollback' OR m.id IN (SELECT id FROM returning_shas) AS rollback
          FROM ${range.rows("metric_deployments", "m", "at", "w.from_at")}
          WHERE m.counted = 1 AND (m.rollback = 1 OR m.rework = 1 OR m.kind IS NOT NULL OR m.id IN (SELECT id FROM returning_shas))),
        changed_flags AS MATERIALIZED (
          SELECT candidates.service, candidates.environment, candidates.at, candidates.id, candidates.rollback, candidates.rollback OR candidates.said_rework AS rework FROM candidates
          WHERE candidates.rollback <> candidates.was_rollback OR (candidates.rollback OR candidates.said_rework) <> candidates.was_rework)
      UPDATE metric_deployments SET rollback = changed_flags.rollback, rework = changed_flags.rework
      FROM changed_flags
      WHERE (metric_deployments.service, metric_deployments.environment, metric_deployments.at, metric_deployments.id)
        = (changed_flags.service, changed_flags.environment, changed_flags.at, changed_flags.id)`);
}
