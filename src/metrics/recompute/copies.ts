/**
 * @module
 * The derived copies of the events: `metric_deployments` and `metric_incidents` rows as the events
 * table holds them, with the service the catalog gives today.
 */
import { resolvedServiceSql } from "../../catalog/resolve";
import { secondsBetween } from "./sql";

/** Only finished deployments count, as successes or as unsuccessful ones. */
export const FINISHED = "d.status IN ('success', 'failure', 'aborted')";

/**
 * Where a deployment event `d` counts: service (as the catalog gives it today), environment, time,
 * counted. Written once, since a row is found again only where its lookup says it is.
 */
const PLACE = `${resolvedServiceSql("d.service_name", "d.service")}, d.environment, d.occurred_at, d.status = 'success'`;

/** `INSERT INTO metric_deployment_ids ...` of the events `deployments d`, to be completed by a WHERE. */
export const COPY_DEPLOYMENT_IDS = `INSERT INTO metric_deployment_ids (id, service, environment, at, counted)
  SELECT d.id, ${PLACE} FROM deployments d`;

/**
 * `INSERT INTO metric_deployments ...` of the events `deployments d` that `metric_deployment_ids k`
 * holds, to be completed by a WHERE. The place comes from `k`, so that a row is always where its
 * lookup says, even when the catalog or the event changed after the lookup was written.
 */
export const COPY_DEPLOYMENTS = `INSERT INTO metric_deployments (id, service, environment, at, day, counted, kind)
  SELECT d.id, k.service, k.environment, k.at, substr(k.at, 1, 10), k.counted, d.kind
  FROM deployments d CROSS JOIN metric_deployment_ids k ON k.id = d.id`;

/**
 * The same rows as COPY_DEPLOYMENTS from the events alone, to be completed by a WHERE: the same place
 * for every event that neither the catalog nor the event itself changed since its lookup was written,
 * without a probe of the lookup per row. A catalog change queues its names (`metric_dirty_names`) and
 * an event's change queues the event (`metric_changes`), both emptied when a full rebuild starts.
 */
export const COPY_DEPLOYMENTS_UNCHANGED = `INSERT INTO metric_deployments (id, service, environment, at, counted, day, kind)
  SELECT d.id, ${PLACE}, substr(d.occurred_at, 1, 10), d.kind FROM deployments d`;

/**
 * Only incidents that count are copied: counted as stored, and admitted by their integration's rule
 * (`incident_rule`: `min_priority` keeps P1 up to it, `urgency` keeps that urgency). An incident whose
 * priority or urgency is unknown is never excluded by that part of the rule; most give neither, and
 * skip the lookup of the rule.
 */
export const COUNTED = `i.counted = 1 AND NOT ((i.priority IS NOT NULL OR i.urgency IS NOT NULL) AND EXISTS (
    SELECT 1 FROM integrations rule WHERE rule.id = i.integration_id AND json_valid(rule.incident_rule)
      AND (i.priority > rule.incident_rule->>'min_priority' OR i.urgency <> rule.incident_rule->>'urgency')))`;

/** `INSERT INTO metric_incidents ...` of the events `incidents i`, to be completed by a join and a WHERE. */
export const COPY_INCIDENTS = `INSERT INTO metric_incidents (id, service, environment, created_at, day, resolved_at, resolved_day, restore_seconds, link_change_id, link_deployment_id, link_commit_sha)
  SELECT i.id, ${resolvedServiceSql("i.service_name", "i.service")}, i.environment, i.created_at, substr(i.created_at, 1, 10),
    i.resolved_at, substr(i.resolved_at, 1, 10), ${secondsBetween("i.created_at", "i.resolved_at")},
    i.link_change_id, i.link_deployment_id, i.link_commit_sha
  FROM incidents i`;
