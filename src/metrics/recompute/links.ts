/**
 * @module
 * Incident links (`metric_incidents.deployment_id`, `linked_by`): the deployment an incident names
 * (by change id, deployment id or commit), else the latest counted deployment of its service and
 * environment within the link window before it. The deployments whose links move are put in
 * `metric_work_ids` (kind `flag`) for the failures phase.
 */
import type { Range } from "./range";

/**
 * Remember the deployments the incidents of `range` point at, relink, remember the new ones: both
 * those that lose a link and those that gain one are then recomputed. Only links that change are
 * written.
 */
export function incidentLinks(d1: D1Database, linkWindowHours: number, range: Range): D1PreparedStatement[] {
  // Same environment first, then not after the incident, then the latest. One lookup per tier, because
  // the SQLite in wrangler dev's workerd rejects ORDER BY terms that name the outer row ("no such column").
  const tiers = ["=", "<>"].flatMap((env) => [`AND +m.environment ${env} i.environment AND +m.at <= i.created_at`, `AND +m.environment ${env} i.environment AND +m.at > i.created_at`]);
  // Explicit names are looked up in the events' own indexes, so the derived copy needs none of its own.
  const byDeployment = "deployments d CROSS JOIN metric_deployment_ids m ON m.id = d.id";
  // Most incidents name nothing, and many name nothing this service deployed: the tiers are only looked
  // up when the incident gives a name and some counted deployment of its service answers to it.
  const namedDeployment = (given: string, where: string, from: string) => `CASE WHEN ${given} IS NOT NULL
      AND EXISTS (SELECT 1 FROM ${from} WHERE ${where} AND +m.service = i.service AND m.counted = 1) THEN COALESCE(
    ${tiers.map((tier) => `(SELECT m.id FROM ${from} WHERE ${where} AND +m.service = i.service AND m.counted = 1 ${tier} ORDER BY m.at DESC, m.id DESC LIMIT 1)`).join(",\n")}) END`;
  // Rowids, not ids: the rows are then visited in their stored order, which a full run makes group order.
  const incidentsInRange = `SELECT i.rowid FROM ${range.rows("metric_incidents", "i", "created_at", "w.from_at")}`;
  const flagLinkedDeployments = `
      INSERT OR IGNORE INTO metric_work_ids (kind, id)
      SELECT 'flag', i.deployment_id FROM ${range.rows("metric_incidents", "i", "created_at", "w.from_at")}
      WHERE i.deployment_id IS NOT NULL`;
  return [
    d1.prepare(flagLinkedDeployments),
    d1.prepare(`
        WITH explicit_links AS MATERIALIZED (
            SELECT i.rowid AS incident_row, COALESCE(
              ${namedDeployment("i.link_change_id", "d.change_id = i.link_change_id", byDeployment)},
              ${namedDeployment("i.link_deployment_id", "(d.id = i.link_deployment_id OR d.dedup_key = i.link_deployment_id)", byDeployment)},
              ${namedDeployment("i.link_commit_sha", "c.sha = i.link_commit_sha", "deployment_commits c CROSS JOIN metric_deployment_ids m ON m.id = c.deployment_id")}) AS deployment_id
            FROM metric_incidents i WHERE i.rowid IN (${incidentsInRange}))
        UPDATE metric_incidents SET deployment_id = explicit_links.deployment_id, linked_by = CASE WHEN explicit_links.deployment_id IS NOT NULL THEN 'explicit' END
        FROM explicit_links WHERE metric_incidents.rowid = explicit_links.incident_row AND (explicit_links.deployment_id IS NOT NULL OR metric_incidents.linked_by IS 'explicit')
          AND (explicit_links.deployment_id IS NOT metric_incidents.deployment_id OR metric_incidents.linked_by IS NOT 'explicit')`),
      d1.prepare(`
        WITH time_links AS MATERIALIZED (
            SELECT i.rowid AS incident_row, i.deployment_id AS was_deployment_id, (
              SELECT m.id FROM metric_deployments m WHERE m.service = i.service AND m.environment = i.environment AND m.counted = 1
                AND m.at <= i.created_at AND m.at >= strftime('%Y-%m-%dT%H:%M:%fZ', i.created_at, ?)
              ORDER BY m.at DESC, m.id DESC LIMIT 1) AS deployment_id
            FROM metric_incidents i WHERE i.rowid IN (${incidentsInRange}) AND i.linked_by IS NOT 'explicit')
        UPDATE metric_incidents SET deployment_id = time_links.deployment_id, linked_by = CASE WHEN time_links.deployment_id IS NOT NULL THEN 'time' END
        FROM time_links WHERE metric_incidents.rowid = time_links.incident_row AND time_links.deployment_id IS NOT time_links.was_deployment_id`).bind(`-${linkWindowHours} hours`),
    d1.prepare(flagLinkedDeployments),
  ];
}
