/**
 * @module
 * The records behind each metric, read from the same materialised rows the figures are computed
 * from (metric_deployments, metric_lead_samples, metric_incidents), with the same conditions, so
 * that a drill-down's rows add up to the card's number: counted deployments to the count, lead
 * samples to the samples and their median, failed deployments to `failed`, resolved incidents to
 * time to restore's samples, rollbacks and hotfixes to `rework`.
 */
import { ROW_OF_LOOKUP } from "../../db/schema";
import { after, page, scope, type DrilldownQuery } from "./query";

type Window = { from: string; to: string };
type Page = { items: unknown[]; next_cursor: string | null };

export const DRILLDOWN_METRICS = [
  "deployment_frequency",
  "change_lead_time",
  "change_failure_rate",
  "failed_deployment_recovery_time",
  "time_to_restore_service",
  "deployment_rework_rate",
] as const;

export type DrilldownMetric = (typeof DRILLDOWN_METRICS)[number];

interface DeploymentRow {
  id: string;
  service: string;
  environment: string;
  at: string;
  day: string;
  kind: string | null;
  rollback: number;
  rework: number;
  failed: number;
  recovered_at: string | null;
  recovery_seconds: number | null;
}

async function all<T>(d1: D1Database, sql: string, params: unknown[]): Promise<T[]> {
  return (await d1.prepare(sql).bind(...params).all<T>()).results;
}

/** Counted deployments of the window matching `extra`, newest first. */
async function deployments(d1: D1Database, q: DrilldownQuery, w: Window, extra: string) {
  const s = scope(q, w, "x.day");
  const c = after(q, "x.at", "x.id");
  const rows = await all<DeploymentRow>(
    d1,
    `SELECT x.id, x.service, x.environment, x.at, x.day, x.kind, x.rollback, x.rework, x.failed, x.recovered_at, x.recovery_seconds
     FROM metric_deployments x WHERE x.counted = 1 AND ${extra} AND ${s.sql} AND ${c.sql}
     ORDER BY x.at DESC, x.id DESC LIMIT ?`,
    [...s.params, ...c.params, q.limit + 1],
  );
  return page(rows, q.limit, (r) => [r.at, r.id]);
}

/** The lead-time rows of these deployments, found through the samples' (environment, day) index. */
async function commitsOf(d1: D1Database, rows: DeploymentRow[]) {
  const byId = new Map<string, { sha: string; lead_seconds: number | null; repeated: boolean }[]>(rows.map((r) => [r.id, []]));
  if (rows.length === 0) return byId;
  const days = rows.map((r) => r.day).sort();
  const samples = await all<{ deployment_id: string; sha: string; seconds: number | null; repeated: number }>(
    d1,
    `SELECT s.deployment_id, s.sha, s.seconds, s.repeated FROM metric_lead_samples s
     WHERE s.environment IN (SELECT value FROM json_each(?)) AND s.day >= ? AND s.day <= ?
       AND s.deployment_id IN (SELECT value FROM json_each(?)) ORDER BY s.sha`,
    [JSON.stringify([...new Set(rows.map((r) => r.environment))]), days[0], days[days.length - 1], JSON.stringify([...byId.keys()])],
  );
  for (const s of samples) byId.get(s.deployment_id)?.push({ sha: s.sha, lead_seconds: s.seconds, repeated: s.repeated === 1 });
  return byId;
}

async function deploymentFrequency(d1: D1Database, q: DrilldownQuery, w: Window): Promise<Page> {
  const { rows, next_cursor } = await deployments(d1, q, w, "1");
  const commits = await commitsOf(d1, rows);
  return {
    items: rows.map((r) => ({ id: r.id, service: r.service, environment: r.environment, at: r.at, kind: r.kind, rework: r.rework === 1, failed: r.failed === 1, commits: commits.get(r.id) ?? [] })),
    next_cursor,
  };
}

async function changeLeadTime(d1: D1Database, q: DrilldownQuery, w: Window): Promise<Page> {
  const s = scope(q, w, "x.day");
  const key = "x.deployment_id || ' ' || x.sha";
  const c = after(q, "m.at", key);
  const rows = await all<{ deployment_id: string; sha: string; service: string; environment: string; at: string; seconds: number }>(
    d1,
    `SELECT x.deployment_id, x.sha, x.service, x.environment, m.at, x.seconds
     FROM metric_lead_samples x CROSS JOIN metric_deployment_ids m ON m.id = x.deployment_id
     WHERE x.seconds IS NOT NULL AND ${s.sql} AND ${c.sql}
     ORDER BY m.at DESC, ${key} DESC LIMIT ?`,
    [...s.params, ...c.params, q.limit + 1],
  );
  const p = page(rows, q.limit, (r) => [r.at, `${r.deployment_id} ${r.sha}`]);
  return {
    items: p.rows.map((r) => ({ deployment_id: r.deployment_id, sha: r.sha, service: r.service, environment: r.environment, deployed_at: r.at, lead_seconds: r.seconds, dropped: r.seconds < 0 })),
    next_cursor: p.next_cursor,
  };
}

/** Failed deployments with what failed them (their linked incidents, or the rollback after them) and their recovery. */
async function failedDeployments(d1: D1Database, q: DrilldownQuery, w: Window): Promise<Page> {
  const { rows, next_cursor } = await deployments(d1, q, w, "x.failed = 1");
  const ids = JSON.stringify(rows.map((r) => r.id));
  const [incidents, next] = await Promise.all([
    all<{ deployment_id: string; id: string; title: string | null; created_at: string; resolved_at: string | null; linked_by: string }>(
      d1,
      `SELECT x.deployment_id, x.id, i.title, x.created_at, x.resolved_at, x.linked_by
       FROM metric_incidents x LEFT JOIN incidents i ON i.id = x.id
       WHERE x.deployment_id IN (SELECT value FROM json_each(?)) ORDER BY x.created_at, x.id`,
      [ids],
    ),
    // The next counted deployment of the same service and environment, when it is a rollback.
    all<{ id: string; next_id: string | null; next_at: string | null; next_rollback: number | null }>(
      d1,
      `SELECT m.id, n.id AS next_id, n.at AS next_at, n.rollback AS next_rollback
       FROM metric_deployment_ids m LEFT JOIN metric_deployments n ON n.service = m.service AND n.environment = m.environment AND (n.at, n.id) = (
         SELECT q.at, q.id FROM metric_deployments q WHERE q.service = m.service AND q.environment = m.environment
           AND (q.at, q.id) > (m.at, m.id) AND q.counted = 1 ORDER BY q.at, q.id LIMIT 1)
       WHERE m.id IN (SELECT value FROM json_each(?))`,
      [ids],
    ),
  ]);
  const nextOf = new Map(next.map((n) => [n.id, n]));
  return {
    items: rows.map((r) => {
      const n = nextOf.get(r.id);
      return {
        id: r.id,
        service: r.service,
        environment: r.environment,
        at: r.at,
        incidents: incidents.filter((i) => i.deployment_id === r.id).map(({ deployment_id: _, ...i }) => i),
        rolled_back_by: n && n.next_rollback === 1 ? { id: n.next_id, at: n.next_at } : null,
        recovered_at: r.recovered_at,
        recovery_seconds: r.recovery_seconds,
      };
    }),
    next_cursor,
  };
}

async function timeToRestore(d1: D1Database, q: DrilldownQuery, w: Window): Promise<Page> {
  const s = scope(q, w, "x.resolved_day");
  const c = after(q, "x.resolved_at", "x.id");
  const rows = await all<{ id: string; title: string | null; service: string; environment: string; created_at: string; resolved_at: string; restore_seconds: number; deployment_id: string | null; linked_by: string | null }>(
    d1,
    `SELECT x.id, i.title, x.service, x.environment, x.created_at, x.resolved_at, x.restore_seconds, x.deployment_id, x.linked_by
     FROM metric_incidents x LEFT JOIN incidents i ON i.id = x.id
     WHERE ${s.sql} AND ${c.sql} ORDER BY x.resolved_at DESC, x.id DESC LIMIT ?`,
    [...s.params, ...c.params, q.limit + 1],
  );
  const p = page(rows, q.limit, (r) => [r.resolved_at, r.id]);
  return { items: p.rows, next_cursor: p.next_cursor };
}

/** Rework with its reason: a hotfix, or a rollback to commits the environment ran before (and which deployment first shipped them). */
async function rework(d1: D1Database, q: DrilldownQuery, w: Window): Promise<Page> {
  const { rows, next_cursor } = await deployments(d1, q, w, "x.rework = 1");
  const commits = await commitsOf(d1, rows);
  const shipped = await all<{ id: string; sha: string; before: string | null }>(
    d1,
    `SELECT m.id, c.sha, (
        SELECT p.id FROM deployment_commits pc CROSS JOIN metric_deployment_ids p ON p.id = pc.deployment_id
        WHERE pc.sha = c.sha AND p.service = m.service AND p.environment = m.environment AND p.counted = 1 AND (p.at, p.id) < (m.at, m.id)
        ORDER BY p.at, p.id LIMIT 1) AS before
     FROM metric_deployment_ids k CROSS JOIN ${ROW_OF_LOOKUP} CROSS JOIN deployment_commits c ON c.deployment_id = m.id
     WHERE k.id IN (SELECT value FROM json_each(?)) AND m.rollback = 1 ORDER BY c.sha`,
    [JSON.stringify(rows.map((r) => r.id))],
  );
  return {
    items: rows.map((r) => {
      const repeated = new Set((commits.get(r.id) ?? []).filter((c) => c.repeated).map((c) => c.sha));
      const mine = shipped.filter((s) => s.id === r.id);
      // A detected rollback names the commits it went back to; one only labelled so names all of its own.
      const back = mine.some((s) => repeated.has(s.sha)) ? mine.filter((s) => repeated.has(s.sha)) : mine;
      return {
        id: r.id,
        service: r.service,
        environment: r.environment,
        at: r.at,
        kind: r.kind,
        reason: r.rollback === 1 ? "rollback" : "hotfix",
        rollback_to: r.rollback === 1 ? back.map((s) => ({ sha: s.sha, deployed_before_by: s.before })) : [],
      };
    }),
    next_cursor,
  };
}

/** The page of records behind one metric. */
export function records(d1: D1Database, metric: DrilldownMetric, q: DrilldownQuery, w: Window): Promise<Page> {
  switch (metric) {
    case "deployment_frequency":
      return deploymentFrequency(d1, q, w);
    case "change_lead_time":
      return changeLeadTime(d1, q, w);
    case "change_failure_rate":
    case "failed_deployment_recovery_time":
      return failedDeployments(d1, q, w);
    case "time_to_restore_service":
      return timeToRestore(d1, q, w);
    case "deployment_rework_rate":
      return rework(d1, q, w);
  }
}
