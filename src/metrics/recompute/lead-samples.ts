/**
 * @module
 * Lead samples (`metric_lead_samples`): one row per (counted deployment, commit). A commit an
 * earlier counted deployment of the same group carried is `repeated`: no sample, but a rollback
 * candidate. The others are timed by the earliest commit date of the service, else its earliest
 * sighting of the sha.
 */
import { resolvedServiceSql } from "../../catalog/resolve";
import { secondsBetween } from "./sql";
import { STEP } from "./range";

/**
 * Same (service, environment) as `m`, and before it in (time, id) order. Used after a lookup by
 * sha, under CROSS JOIN, so that SQLite never walks a group's whole history instead.
 */
const EARLIER = (q: string, m: string) =>
  `${q}.service = ${m}.service AND ${q}.environment = ${m}.environment AND ${q}.counted = 1 AND (${q}.at < ${m}.at OR (${q}.at = ${m}.at AND ${q}.id < ${m}.id))`;

/**
 * Lead samples of the (counted deployment `deployed`, commit of sha `sha`) pairs of `pairs`, built on
 * the CTEs `ctes`. Each lookup by sha goes in sha order, so that the walks of the commit indexes move
 * forward instead of landing on random pages. `tail` ends the statement.
 */
function leadSamples(ctes: string, pairs: string, sha: string, tail: string): string {
  // Each lookup by sha skips the deployment's own commit row before looking its deployment up: most
  // shas are deployed once, so this is one probe of the commits' key instead of a lookup per commit.
  const sameService = (c2: string) => `(${c2}.deployment_id = m.id OR EXISTS (SELECT 1 FROM metric_deployment_ids q WHERE q.id = ${c2}.deployment_id AND q.service = m.service))`;
  const commitTime = `(SELECT COALESCE(min(c2.committed_at), min(c2.authored_at)) FROM deployment_commits c2 WHERE c2.sha = m.sha AND ${sameService("c2")})`;
  const firstSighting = `(SELECT min(seen_at) FROM (
      SELECT q.at AS seen_at FROM deployment_commits c2 CROSS JOIN metric_deployment_ids q ON q.id = c2.deployment_id
        WHERE c2.sha = m.sha AND c2.deployment_id <> m.id AND q.service = m.service
      UNION ALL SELECT run.started_at FROM ci_run_commits rc CROSS JOIN ci_runs run ON run.id = rc.ci_run_id
        WHERE rc.sha = m.sha AND ${resolvedServiceSql("run.service_name", "run.service")} = m.service))`;
  return `
      WITH ${ctes},
        deployed_commits AS MATERIALIZED (
          SELECT deployed.id, ${sha} AS sha, deployed.service, deployed.environment, deployed.at, deployed.day, EXISTS (
              SELECT 1 FROM deployment_commits c2 CROSS JOIN metric_deployment_ids q ON q.id = c2.deployment_id
              WHERE c2.sha = ${sha} AND c2.deployment_id <> deployed.id AND ${EARLIER("q", "deployed")}) AS repeated
          FROM ${pairs}
          -- One row per (deployment, sha), even when two repositories name the same sha.
          GROUP BY ${sha}, deployed.id ORDER BY ${sha}, deployed.id)
      INSERT INTO metric_lead_samples (deployment_id, sha, service, environment, day, repeated, seconds)
      SELECT m.id, m.sha, m.service, m.environment, m.day, m.repeated,
        CASE WHEN NOT m.repeated THEN ${secondsBetween(`COALESCE(${commitTime}, ${firstSighting})`, "m.at")} END
      FROM deployed_commits m
      ${tail}`;
}

/**
 * A step's lead samples, from its groups' first dirty day on: the old ones deleted, the new ones
 * written. The deployments are joined to their commits in id order, and the rows are written in the
 * order of the reads' index.
 */
export function stepLeadSamples(d1: D1Database): D1PreparedStatement[] {
  return [
    // Through the reads' index, in one walk from the earliest dirty day: an index of its own would cost
    // every sample a write.
    d1.prepare(`
      DELETE FROM metric_lead_samples WHERE rowid IN (
        SELECT s.rowid FROM metric_lead_samples s
        WHERE s.environment IN (SELECT environment FROM metric_work) AND s.day >= (SELECT min(substr(from_at, 1, 10)) FROM metric_work)
          AND EXISTS (SELECT 1 FROM metric_work w WHERE w.service = s.service AND w.environment = s.environment AND s.day >= substr(w.from_at, 1, 10)))`),
    d1.prepare(
      leadSamples(
        `deployed AS MATERIALIZED (
          SELECT m.id, m.service, m.environment, m.at, m.day
          FROM ${STEP.rows("metric_deployments", "m", "at", "w.from_at")}
          WHERE m.counted = 1 ORDER BY m.id)`,
        "deployed CROSS JOIN deployment_commits c ON c.deployment_id = deployed.id",
        "c.sha",
        "ORDER BY m.environment, m.day, m.service",
      ),
    ),
  ];
}

/**
 * The lead samples of the counted deployments whose ids are after `after` and up to `last`, into a
 * table that holds none of them, walking the lookup and the commits' key forward once. Only shas that
 * another commit row or CI run shares go through the lookups by sha: an unshared one is timed by its
 * own dates alone, straight from the one pass that tells the two apart: each commit row is read,
 * probed and kept once, and sorted only as the samples are written, in their read index's order.
 */
export function rangeLeadSamples(d1: D1Database, after: string, last: string): D1PreparedStatement {
  return d1
    .prepare(
      leadSamples(
        `deployed AS MATERIALIZED (
          SELECT k.id, k.service, k.environment, k.at, substr(k.at, 1, 10) AS day, c.sha, c.committed_at, c.authored_at,
            EXISTS (SELECT 1 FROM deployment_commits c2 WHERE c2.sha = c.sha AND (c2.deployment_id <> k.id OR c2.repository <> c.repository))
              OR EXISTS (SELECT 1 FROM ci_run_commits rc WHERE rc.sha = c.sha) AS shared
          FROM metric_deployment_ids k CROSS JOIN deployment_commits c ON c.deployment_id = k.id
          WHERE k.id > ? AND k.id <= ? AND k.counted = 1)`,
        "deployed WHERE deployed.shared",
        "deployed.sha",
        `UNION ALL
      SELECT deployed.id, deployed.sha, deployed.service, deployed.environment, deployed.day, 0, ${secondsBetween("COALESCE(deployed.committed_at, deployed.authored_at)", "deployed.at")}
      FROM deployed WHERE NOT deployed.shared
      ORDER BY 4, 5, 3`,
      ),
    )
    .bind(after, last);
}
