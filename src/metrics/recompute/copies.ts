/**
 * @module
 * The derived copies of the events: `metric_deployments` and `metric_incidents` rows as the events
 * table holds them, with the service the catalog gives today.
 */
import { resolvedServiceSql } from "../../catalog/resolve";
import { secondsBetween } from "./sql";

/** Only finished deployments count, as successes or as unsuccessful ones. */
export const FINISHED = "d.status IN ('success', 'failure', 'aborted')";

/** `INSERT INTO metric_deployments ...` of the events `deployments d`, to be completed by a join and a WHERE. */
export const COPY_DEPLOYMENTS = `INSERT INTO metric_deployments (id, service, environment, at, day, counted, kind)
  SELECT d.id, ${resolvedServiceSql("d.service_name", "d.service")}, d.environment, d.occurred_at, substr(d.occurred_at, 1, 10),
    d.status = 'success', d.kind
  FROM deployments d`;

/** Only counted incidents are copied. */
export const COUNTED = "i.counted = 1";

/** `INSERT INTO metric_incidents ...` of the events `incidents i`, to be completed by a join and a WHERE. */
export const COPY_INCIDENTS = `INSERT INTO metric_incidents (id, service, environment, created_at, day, resolved_at, resolved_day, restore_seconds, link_change_id, link_deployment_id, link_commit_sha)
  SELECT i.id, ${resolvedServiceSql("i.service_name", "i.service")}, i.environment, i.created_at, substr(i.created_at, 1, 10),
    i.resolved_at, substr(i.resolved_at, 1, 10), ${secondsBetween("i.created_at", "i.resolved_at")},
    i.link_change_id, i.link_deployment_id, i.link_commit_sha
  FROM incidents i`;
