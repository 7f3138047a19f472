/**
 * @module
 * The change phases of an incremental run. Catalog keys that changed (`metric_dirty_names`) become
 * changes of the events carrying them (`metric_changes`); changed events become their rows in
 * `metric_deployments` / `metric_incidents`, and the (service, environment, day) they touched before
 * and after, plus the days whose lead samples or explicit links they may change (`metric_dirty`).
 */
import { COPY_DEPLOYMENT_IDS, COPY_DEPLOYMENTS, COPY_INCIDENTS, COUNTED, FINISHED } from "./copies";

/** Changed records handled per step. */
export const CHANGES_PER_STEP = 5000;

/** Every event whose name or repository a catalog change touched becomes a change. */
export function namesToChanges(d1: D1Database): D1PreparedStatement[] {
  // Driven from the few changed keys through the lower(service_name) indexes, never a scan of the events
  // (`lower(changed.key)`, already lower case, because only an expression on both sides lets SQLite use them).
  const byName = (table: string, kind: string) => `
    INSERT OR IGNORE INTO metric_changes (kind, id)
    SELECT '${kind}', e.id FROM metric_dirty_names changed CROSS JOIN ${table} e ON lower(e.service_name) = lower(changed.key) WHERE changed.kind = 'name'
    UNION SELECT '${kind}', e.id FROM metric_dirty_names changed CROSS JOIN service_suggestions g ON g.match_key = changed.key AND g.kind = 'repository'
      CROSS JOIN ${table} e ON lower(e.service_name) = lower(g.name) AND e.service_name = g.name
    WHERE changed.kind = 'repository'`;
  return [
    d1.prepare(byName("deployments", "deployment")),
    d1.prepare(byName("incidents", "incident")),
    d1.prepare(byName("ci_runs", "ci_run")),
    d1.prepare("DELETE FROM metric_dirty_names"),
  ];
}

const MARK_ATTRIBUTION = `
  INSERT OR IGNORE INTO metric_dirty (service, environment, day)
  SELECT k.service, k.environment, substr(k.at, 1, 10) FROM metric_work_ids w CROSS JOIN metric_deployment_ids k ON k.id = w.id WHERE w.kind = 'deployment'
  UNION SELECT i.service, i.environment, i.day FROM metric_work_ids w CROSS JOIN metric_incidents i ON i.id = w.id WHERE w.kind = 'incident'`;

/**
 * One batch of changed records. Its second statement takes the records: its `meta.changes` says
 * how many, and fewer than CHANGES_PER_STEP means no change is left.
 */
export function changesStep(d1: D1Database): D1PreparedStatement[] {
  return [
    d1.prepare("DELETE FROM metric_work_ids"),
    d1.prepare("INSERT INTO metric_work_ids (kind, id) SELECT kind, id FROM metric_changes ORDER BY kind, id LIMIT ?").bind(CHANGES_PER_STEP),
    // Where the records counted before this change.
    d1.prepare(MARK_ATTRIBUTION),
    d1.prepare(`DELETE FROM metric_deployments WHERE (service, environment, at, id) IN (
      SELECT k.service, k.environment, k.at, k.id FROM metric_work_ids w CROSS JOIN metric_deployment_ids k ON k.id = w.id WHERE w.kind = 'deployment')`),
    d1.prepare("DELETE FROM metric_deployment_ids WHERE id IN (SELECT id FROM metric_work_ids WHERE kind = 'deployment')"),
    d1.prepare("DELETE FROM metric_incidents WHERE id IN (SELECT id FROM metric_work_ids WHERE kind = 'incident')"),
    d1.prepare(`${COPY_DEPLOYMENT_IDS} JOIN metric_work_ids w ON w.kind = 'deployment' AND w.id = d.id WHERE ${FINISHED}`),
    d1.prepare(`${COPY_DEPLOYMENTS} JOIN metric_work_ids w ON w.kind = 'deployment' AND w.id = d.id`),
    d1.prepare(`${COPY_INCIDENTS} JOIN metric_work_ids w ON w.kind = 'incident' AND w.id = i.id WHERE ${COUNTED}`),
    // Where they count now.
    d1.prepare(MARK_ATTRIBUTION),
    // Lead samples elsewhere whose commit time may come from these records: the days of every other
    // counted deployment of the same sha (a superset of those with a sample for it).
    d1.prepare(`
      INSERT OR IGNORE INTO metric_dirty (service, environment, day)
      SELECT q.service, q.environment, substr(q.at, 1, 10) FROM metric_work_ids w CROSS JOIN deployment_commits c ON c.deployment_id = w.id
        CROSS JOIN deployment_commits c2 ON c2.sha = c.sha CROSS JOIN metric_deployment_ids q ON q.id = c2.deployment_id
        WHERE w.kind = 'deployment' AND c2.deployment_id <> w.id AND q.counted = 1
      UNION SELECT q.service, q.environment, substr(q.at, 1, 10) FROM metric_work_ids w CROSS JOIN ci_run_commits c ON c.ci_run_id = w.id
        CROSS JOIN deployment_commits c2 ON c2.sha = c.sha CROSS JOIN metric_deployment_ids q ON q.id = c2.deployment_id
        WHERE w.kind = 'ci_run' AND q.counted = 1`),
    // Incidents that name these deployments explicitly, whenever they were created.
    d1.prepare(`
      INSERT OR IGNORE INTO metric_dirty (service, environment, day)
      SELECT i.service, i.environment, i.day FROM metric_work_ids w CROSS JOIN deployments d ON d.id = w.id
        JOIN metric_incidents i ON i.link_change_id = d.change_id WHERE w.kind = 'deployment'
      UNION SELECT i.service, i.environment, i.day FROM metric_work_ids w CROSS JOIN deployments d ON d.id = w.id
        JOIN metric_incidents i ON i.link_deployment_id = d.id OR i.link_deployment_id = d.dedup_key WHERE w.kind = 'deployment'
      UNION SELECT i.service, i.environment, i.day FROM metric_work_ids w CROSS JOIN deployment_commits c ON c.deployment_id = w.id
        JOIN metric_incidents i ON i.link_commit_sha = c.sha WHERE w.kind = 'deployment'`),
    d1.prepare("DELETE FROM metric_changes WHERE (kind, id) IN (SELECT kind, id FROM metric_work_ids)"),
    d1.prepare("DELETE FROM metric_work_ids"),
  ];
}
