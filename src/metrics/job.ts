/**
 * @module
 * The recompute job (METRICS.md; issue 4): turns what changed since the last run into
 * incident links, rollback / rework / failure flags, lead-time samples, per-day rollups and the
 * standard windows' snapshots.
 *
 * Phases, each a few set-based statements in atomic D1 batches, so a run that stops part-way is
 * resumed by the next one from the tables that hold the remaining work:
 * 0. catalog keys that changed (`metric_dirty_names`) -> the events carrying them (`metric_changes`);
 * 1. changed events (`metric_changes`, fed by the outbox drain) -> their rows in
 *    `metric_deployments` / `metric_incidents`, and the (service, environment, day) they touched
 *    before and after, plus the days whose lead samples or explicit links they may change
 *    (`metric_dirty`);
 * 2. per dirty (service, environment), from its first dirty day on: lead samples, rollback and
 *    rework flags, incident links, failures and recoveries, per-day rollups;
 * 3. snapshots of the standard windows, and `as_of`.
 * A full rebuild copies the events and runs phase 2 over all of them at once, in bulk.
 * The number of statements depends on the amount of changed work, never on the history.
 */
import { forgetAnswers } from "./answer-memo";
import { addDays } from "./calendar";
import { figuresOfWindows, STANDARD_WINDOWS, type Scope } from "./figures";
import { dayStart, resolvedService, secondsBetween } from "./sql";

/** Changed records handled per phase-1 batch, and (service, environment) groups per phase-2 batch. */
const CHANGES_PER_STEP = 5000;
const GROUPS_PER_STEP = 100;
/** Statements one run may issue by default: D1 allows about 1,000 per invocation. */
const QUERY_BUDGET = 900;

export interface RecomputeOptions {
  /** Rebuild everything from the stored events (also done on the very first run). */
  full?: boolean;
  linkWindowHours: number;
  now?: Date;
  /** Statements this run may issue before it stops and leaves the rest to the next run. */
  queryBudget?: number;
}

export interface RecomputeSummary {
  mode: "full" | "incremental";
  /** False when the query budget ran out: the next run continues where this one stopped. */
  complete: boolean;
  changed_records: number;
  groups_recomputed: number;
  snapshots: number;
  queries: number;
  as_of: string | null;
  duration_ms: number;
}

class Runner {
  queries = 0;
  constructor(
    readonly d1: D1Database,
    readonly budget: number,
  ) {}

  async batch(statements: D1PreparedStatement[]): Promise<D1Result[]> {
    this.queries += statements.length;
    return this.d1.batch(statements);
  }

  async first<T>(statement: D1PreparedStatement): Promise<T | null> {
    this.queries += 1;
    return statement.first<T>();
  }

  get budgetLeft(): boolean {
    return this.queries < this.budget;
  }
}

const DEPLOYMENT_ROW = `
  SELECT d.id, ${resolvedService("d.service_name", "d.service")}, d.environment, d.occurred_at, substr(d.occurred_at, 1, 10),
    d.status = 'success', d.kind
  FROM deployments d`;
const INSERT_DEPLOYMENT = `INSERT INTO metric_deployments (id, service, environment, at, day, counted, kind)`;

const INCIDENT_ROW = `
  SELECT i.id, ${resolvedService("i.service_name", "i.service")}, i.environment, i.created_at, substr(i.created_at, 1, 10),
    i.resolved_at, substr(i.resolved_at, 1, 10), ${secondsBetween("i.created_at", "i.resolved_at")},
    i.link_change_id, i.link_deployment_id, i.link_commit_sha
  FROM incidents i`;
const INSERT_INCIDENT = `INSERT INTO metric_incidents (id, service, environment, created_at, day, resolved_at, resolved_day, restore_seconds, link_change_id, link_deployment_id, link_commit_sha)`;

/** Phase 0: every event whose name or repository a catalog change touched becomes a change. */
function namesToChanges(d1: D1Database): D1PreparedStatement[] {
  // Driven from the few changed keys through the lower(service_name) indexes, never a scan of the events
  // (`lower(n.key)`, already lower case, because only an expression on both sides lets SQLite use them).
  const byName = (table: string, kind: string) => `
    INSERT OR IGNORE INTO metric_changes (kind, id)
    SELECT '${kind}', e.id FROM metric_dirty_names n CROSS JOIN ${table} e ON lower(e.service_name) = lower(n.key) WHERE n.kind = 'name'
    UNION SELECT '${kind}', e.id FROM metric_dirty_names n CROSS JOIN service_suggestions g ON g.match_key = n.key AND g.kind = 'repository'
      CROSS JOIN ${table} e ON lower(e.service_name) = lower(g.name) AND e.service_name = g.name
    WHERE n.kind = 'repository'`;
  return [
    d1.prepare(byName("deployments", "deployment")),
    d1.prepare(byName("incidents", "incident")),
    d1.prepare(byName("ci_runs", "ci_run")),
    d1.prepare("DELETE FROM metric_dirty_names"),
  ];
}

const MARK_ATTRIBUTION = `
  INSERT OR IGNORE INTO metric_dirty (service, environment, day)
  SELECT m.service, m.environment, m.day FROM metric_work_ids w CROSS JOIN metric_deployments m ON m.id = w.id WHERE w.kind = 'deployment'
  UNION SELECT i.service, i.environment, i.day FROM metric_work_ids w CROSS JOIN metric_incidents i ON i.id = w.id WHERE w.kind = 'incident'`;

/** Phase 1: one batch of changed records. */
function changesStep(d1: D1Database): D1PreparedStatement[] {
  return [
    d1.prepare("DELETE FROM metric_work_ids"),
    d1.prepare("INSERT INTO metric_work_ids (kind, id) SELECT kind, id FROM metric_changes ORDER BY kind, id LIMIT ?").bind(CHANGES_PER_STEP),
    // Where the records counted before this change.
    d1.prepare(MARK_ATTRIBUTION),
    d1.prepare("DELETE FROM metric_deployments WHERE id IN (SELECT id FROM metric_work_ids WHERE kind = 'deployment')"),
    d1.prepare("DELETE FROM metric_incidents WHERE id IN (SELECT id FROM metric_work_ids WHERE kind = 'incident')"),
    d1.prepare(`${INSERT_DEPLOYMENT} ${DEPLOYMENT_ROW} JOIN metric_work_ids w ON w.kind = 'deployment' AND w.id = d.id WHERE d.status IN ('success', 'failure', 'aborted')`),
    d1.prepare(`${INSERT_INCIDENT} ${INCIDENT_ROW} JOIN metric_work_ids w ON w.kind = 'incident' AND w.id = i.id WHERE i.counted = 1`),
    // Where they count now.
    d1.prepare(MARK_ATTRIBUTION),
    // Lead samples elsewhere whose commit time may come from these records: the days of every other
    // counted deployment of the same sha (a superset of those with a sample for it).
    d1.prepare(`
      INSERT OR IGNORE INTO metric_dirty (service, environment, day)
      SELECT q.service, q.environment, q.day FROM metric_work_ids w CROSS JOIN deployment_commits c ON c.deployment_id = w.id
        CROSS JOIN deployment_commits c2 ON c2.sha = c.sha CROSS JOIN metric_deployments q ON q.id = c2.deployment_id
        WHERE w.kind = 'deployment' AND c2.deployment_id <> w.id AND q.counted = 1
      UNION SELECT q.service, q.environment, q.day FROM metric_work_ids w CROSS JOIN ci_run_commits c ON c.ci_run_id = w.id
        CROSS JOIN deployment_commits c2 ON c2.sha = c.sha CROSS JOIN metric_deployments q ON q.id = c2.deployment_id
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

/**
 * Same (service, environment) as `m`, and before it in (time, id) order. Used after a lookup by
 * sha, under CROSS JOIN, so that SQLite never walks a group's whole history instead.
 */
const EARLIER = (q: string, m: string) =>
  `${q}.service = ${m}.service AND ${q}.environment = ${m}.environment AND ${q}.counted = 1 AND (${q}.at < ${m}.at OR (${q}.at = ${m}.at AND ${q}.id < ${m}.id))`;

/**
 * The rows a rebuild covers: in a step, those of the work groups from a bound on `metric_work w`; in a
 * full rebuild, every row.
 */
interface Range {
  /** `table alias`, limited to the range: rows of a work group whose `column` is at or after `bound`. */
  rows(table: string, alias: string, column: string, bound: string): string;
  /** Deployment `q`'s day is not among the days this range rolls up. */
  outside(q: string): string;
}

const STEP: Range = {
  rows: (table, a, column, bound) =>
    `metric_work w CROSS JOIN ${table} ${a} ON ${a}.service = w.service AND ${a}.environment = w.environment AND ${a}.${column} >= ${bound}`,
  outside: (q) => `NOT EXISTS (
              SELECT 1 FROM metric_work w WHERE w.service = ${q}.service AND w.environment = ${q}.environment AND ${q}.day >= substr(w.prev_at, 1, 10))`,
};

const EVERYTHING: Range = { rows: (table, a) => `${table} ${a}`, outside: () => "0" };

/**
 * Lead samples: one row per (counted deployment `x`, commit `c`) of `pairs`, built on the CTEs `ctes`.
 * A commit an earlier counted deployment of the group carried is `repeated`: no sample, but a rollback
 * candidate. The others are timed by the earliest commit date of the service, else its earliest
 * sighting of the sha: each looked up by sha, in sha order, so that the walks of the commit indexes
 * move forward instead of landing on random pages. `tail` ends the statement.
 */
function leadSamples(ctes: string, pairs: string, tail: string): string {
  // Each lookup by sha skips the deployment's own commit row before touching metric_deployments: most
  // shas are deployed once, so this is one covering-index probe instead of a row fetch per commit.
  const sameService = (c2: string) => `(${c2}.deployment_id = m.id OR EXISTS (SELECT 1 FROM metric_deployments q WHERE q.id = ${c2}.deployment_id AND q.service = m.service))`;
  const commitTime = `(SELECT COALESCE(min(c2.committed_at), min(c2.authored_at)) FROM deployment_commits c2 WHERE c2.sha = m.sha AND ${sameService("c2")})`;
  const firstSighting = `(SELECT min(t) FROM (
      SELECT q.at AS t FROM deployment_commits c2 CROSS JOIN metric_deployments q ON q.id = c2.deployment_id
        WHERE c2.sha = m.sha AND c2.deployment_id <> m.id AND q.service = m.service
      UNION ALL SELECT run.started_at FROM ci_run_commits rc CROSS JOIN ci_runs run ON run.id = rc.ci_run_id
        WHERE rc.sha = m.sha AND ${resolvedService("run.service_name", "run.service")} = m.service))`;
  return `
      WITH ${ctes},
        k AS MATERIALIZED (
          SELECT x.id, c.sha, x.service, x.environment, x.at, x.day, EXISTS (
              SELECT 1 FROM deployment_commits c2 CROSS JOIN metric_deployments q ON q.id = c2.deployment_id
              WHERE c2.sha = c.sha AND c2.deployment_id <> x.id AND ${EARLIER("q", "x")}) AS repeated
          FROM ${pairs}
          -- One row per (deployment, sha), even when two repositories name the same sha.
          GROUP BY c.sha, x.id ORDER BY c.sha, x.id)
      INSERT INTO metric_lead_samples (deployment_id, sha, service, environment, day, repeated, seconds)
      SELECT m.id, m.sha, m.service, m.environment, m.day, m.repeated,
        CASE WHEN NOT m.repeated THEN ${secondsBetween(`COALESCE(${commitTime}, ${firstSighting})`, "m.at")} END
      FROM k m
      ${tail}`;
}

/**
 * A step's lead samples, from its groups' first dirty day on. The deployments are joined to their
 * commits in id order, and the rows are written in the order of the reads' index.
 */
const STEP_LEAD_SAMPLES = leadSamples(
  `x AS MATERIALIZED (
          SELECT m.id, m.service, m.environment, m.at, m.day
          FROM ${STEP.rows("metric_deployments", "m", "at", "w.from_at")}
          WHERE m.counted = 1 ORDER BY m.id)`,
  "x CROSS JOIN deployment_commits c ON c.deployment_id = x.id",
  "ORDER BY m.environment, m.day, m.service",
);

/**
 * The whole history's lead samples. A sha no other commit row or CI run shares, the usual case, needs no
 * lookup: its deployment is the first to carry it, and only its own dates can time it. So the commits
 * are walked once in sha order, and only the shared shas go through the lookups.
 */
const ALL_LEAD_SAMPLES = leadSamples(
  "shared AS MATERIALIZED (SELECT sha FROM deployment_commits GROUP BY sha HAVING count(*) > 1 UNION SELECT sha FROM ci_run_commits)",
  "shared s CROSS JOIN deployment_commits c ON c.sha = s.sha CROSS JOIN metric_deployments x ON x.id = c.deployment_id WHERE x.counted = 1",
  `UNION ALL
      SELECT m.id, c.sha, m.service, m.environment, m.day, 0, ${secondsBetween("COALESCE(c.committed_at, c.authored_at)", "m.at")}
      FROM deployment_commits c CROSS JOIN metric_deployments m ON m.id = c.deployment_id
      WHERE m.counted = 1 AND c.sha NOT IN (SELECT sha FROM shared)`,
);

/**
 * Everything that follows from the lead samples, over `range`: rollback and rework flags, incident
 * links, failures and recoveries, per-day rollups. `linkIndexes` are dropped while the links are
 * written and built again before anything reads them (a full rebuild's; a step passes none).
 */
function flagsLinksAndRollups(d1: D1Database, linkWindowHours: number, range: Range, linkIndexes: SchemaIndex[] = []): D1PreparedStatement[] {
  // Same environment first, then not after the incident, then the latest. One lookup per tier, because
  // the SQLite in wrangler dev's workerd rejects ORDER BY terms that name the outer row ("no such column").
  const tiers = ["=", "<>"].flatMap((env) => [`AND +m.environment ${env} i.environment AND +m.at <= i.created_at`, `AND +m.environment ${env} i.environment AND +m.at > i.created_at`]);
  // Explicit names are looked up in the events' own indexes, so the derived copy needs none of its own.
  const byDeployment = "deployments d CROSS JOIN metric_deployments m ON m.id = d.id";
  // Most incidents name nothing, and many name nothing this service deployed: the tiers are only looked
  // up when the incident gives a name and some counted deployment of its service answers to it.
  const linkCandidates = (given: string, where: string, from: string) => `CASE WHEN ${given} IS NOT NULL
      AND EXISTS (SELECT 1 FROM ${from} WHERE ${where} AND +m.service = i.service AND m.counted = 1) THEN COALESCE(
    ${tiers.map((tier) => `(SELECT m.id FROM ${from} WHERE ${where} AND +m.service = i.service AND m.counted = 1 ${tier} ORDER BY m.at DESC, m.id DESC LIMIT 1)`).join(",\n")}) END`;
  // Rowids, not ids: the rows are then visited in their stored order, which a full run makes group order.
  const incidentsInRange = `SELECT i.rowid FROM ${range.rows("metric_incidents", "i", "created_at", "w.from_at")}`;
  // The deployments incidents of the range link to: flagged before relinking and after, so both the ones
  // that lose a link and the ones that gain one are recomputed.
  const flagLinkedDeployments = `
      INSERT OR IGNORE INTO metric_work_ids (kind, id)
      SELECT 'flag', i.deployment_id FROM ${range.rows("metric_incidents", "i", "created_at", "w.from_at")}
      WHERE i.deployment_id IS NOT NULL`;
  // A deployment failed when an incident links to it or the next counted one is a rollback; it recovered
  // when all its incidents are resolved (the latest), or else at that rollback.
  const failed = "(nb.counted AND (nb.incidents > 0 OR nb.rolled_back_at IS NOT NULL))";
  const recoveredAt = `CASE
              WHEN NOT nb.counted THEN NULL
              WHEN nb.incidents > 0 THEN CASE WHEN nb.open THEN NULL ELSE nb.resolved END
              ELSE nb.rolled_back_at
            END`;
  const daySums = "sum(m.counted), sum(1 - m.counted), sum(m.failed), sum(m.rework)";
  return [
    // Rollbacks and rework: said so, or a sha this environment had before, but not just before. Only rows
    // that are or were flagged are looked at, and only those whose flags change are written (a full run's
    // copy starts them at 0).
    d1.prepare(`
      WITH hit AS MATERIALIZED (
          SELECT DISTINCT m.rowid AS rid FROM ${range.rows("metric_lead_samples", "s", "day", "substr(w.from_at, 1, 10)")}
            CROSS JOIN metric_deployments m ON m.id = s.deployment_id
          WHERE s.repeated = 1 AND NOT EXISTS (SELECT 1 FROM deployment_commits c3 WHERE c3.sha = s.sha AND c3.deployment_id = (
            SELECT p.id FROM metric_deployments p WHERE p.service = m.service AND p.environment = m.environment
              AND (p.at, p.id) < (m.at, m.id) AND p.counted = 1 ORDER BY p.at DESC, p.id DESC LIMIT 1))),
        r AS MATERIALIZED (
          SELECT m.rowid AS rid, m.rollback AS was_rollback, m.rework AS was_rework, ifnull(m.kind, '') IN ('rollback', 'hotfix') AS said,
            ifnull(m.kind, '') = 'rollback' OR m.rowid IN (SELECT rid FROM hit) AS rollback
          FROM ${range.rows("metric_deployments", "m", "at", "w.from_at")}
          WHERE m.counted = 1 AND (m.rollback = 1 OR m.rework = 1 OR m.kind IS NOT NULL OR m.rowid IN (SELECT rid FROM hit))),
        o AS MATERIALIZED (SELECT r.rid, r.rollback, r.rollback OR r.said AS rework FROM r
          WHERE r.rollback <> r.was_rollback OR (r.rollback OR r.said) <> r.was_rework)
      UPDATE metric_deployments SET rollback = o.rollback, rework = o.rework
      FROM o
      WHERE metric_deployments.rowid = o.rid`),
    // Incident links: remember the deployments they pointed at, relink, remember the new ones. Only links
    // that change are written.
    d1.prepare(flagLinkedDeployments),
    ...withIndexesRebuilt(d1, linkIndexes, [
      d1.prepare(`
        WITH e AS MATERIALIZED (
            SELECT i.rowid AS rid, COALESCE(
              ${linkCandidates("i.link_change_id", "d.change_id = i.link_change_id", byDeployment)},
              ${linkCandidates("i.link_deployment_id", "(d.id = i.link_deployment_id OR d.dedup_key = i.link_deployment_id)", byDeployment)},
              ${linkCandidates("i.link_commit_sha", "c.sha = i.link_commit_sha", "deployment_commits c CROSS JOIN metric_deployments m ON m.id = c.deployment_id")}) AS deployment_id
            FROM metric_incidents i WHERE i.rowid IN (${incidentsInRange}))
        UPDATE metric_incidents SET deployment_id = e.deployment_id, linked_by = CASE WHEN e.deployment_id IS NOT NULL THEN 'explicit' END
        FROM e WHERE metric_incidents.rowid = e.rid AND (e.deployment_id IS NOT NULL OR metric_incidents.linked_by IS 'explicit')
          AND (e.deployment_id IS NOT metric_incidents.deployment_id OR metric_incidents.linked_by IS NOT 'explicit')`),
      d1.prepare(`
        WITH t AS MATERIALIZED (
            SELECT i.rowid AS rid, i.deployment_id AS was, (
              SELECT m.id FROM metric_deployments m WHERE m.service = i.service AND m.environment = i.environment AND m.counted = 1
                AND m.at <= i.created_at AND m.at >= strftime('%Y-%m-%dT%H:%M:%fZ', i.created_at, ?)
              ORDER BY m.at DESC, m.id DESC LIMIT 1) AS deployment_id
            FROM metric_incidents i WHERE i.rowid IN (${incidentsInRange}) AND i.linked_by IS NOT 'explicit')
        UPDATE metric_incidents SET deployment_id = t.deployment_id, linked_by = CASE WHEN t.deployment_id IS NOT NULL THEN 'time' END
        FROM t WHERE metric_incidents.rowid = t.rid AND t.deployment_id IS NOT t.was`).bind(`-${linkWindowHours} hours`),
    ]),
    d1.prepare(flagLinkedDeployments),
    // Failures and recoveries. Only a deployment that may fail now or may have failed before can change:
    // one that had failed, one just before a rollback, and one whose links moved. A deployment of the range
    // that an incident outside it links to had failed already (or is flagged by that incident's own step).
    // One probe of the links and one of the group index (is the next counted deployment a rollback?) per
    // candidate; materialized, so SQLite does not inline them into each SET term. Only changed rows are written.
    d1.prepare(`
      WITH marked AS MATERIALIZED (
          SELECT m.rowid AS rid, m.failed, m.rollback, m.service, m.environment, m.at, m.id FROM ${range.rows("metric_deployments", "m", "at", "w.prev_at")}
          WHERE m.failed = 1 OR m.rollback = 1),
        l AS MATERIALIZED (
          SELECT m.rowid AS rid, m.id, m.service, m.environment, m.at, m.counted, m.failed AS was_failed, m.recovered_at AS was_recovered_at,
            m.recovery_seconds AS was_recovery_seconds, count(i.id) AS incidents, max(i.resolved_at IS NULL) AS open, max(i.resolved_at) AS resolved
          FROM metric_deployments m LEFT JOIN metric_incidents i ON i.deployment_id = m.id
          WHERE m.rowid IN (
            SELECT f.rid FROM marked f WHERE f.failed = 1
            UNION SELECT (SELECT p.rowid FROM metric_deployments p WHERE p.service = f.service AND p.environment = f.environment
                AND (p.at, p.id) < (f.at, f.id) AND p.counted = 1 ORDER BY p.at DESC, p.id DESC LIMIT 1)
              FROM marked f WHERE f.rollback = 1
            UNION SELECT m.rowid FROM metric_work_ids x CROSS JOIN metric_deployments m ON m.id = x.id WHERE x.kind = 'flag')
          GROUP BY m.rowid),
        nb AS MATERIALIZED (
          SELECT l.*, CASE WHEN l.counted AND l.incidents = 0 THEN (
              SELECT CASE WHEN q.rollback = 1 THEN q.at END FROM metric_deployments q WHERE q.service = l.service AND q.environment = l.environment
                AND (q.at, q.id) > (l.at, l.id) AND q.counted = 1 ORDER BY q.at, q.id LIMIT 1) END AS rolled_back_at
          FROM l),
        f AS (
          SELECT nb.rid, nb.was_failed, nb.was_recovered_at, nb.was_recovery_seconds, ${failed} AS failed, ${recoveredAt} AS recovered_at,
            CASE WHEN ${failed} THEN ${secondsBetween("nb.at", recoveredAt)} END AS recovery_seconds
          FROM nb)
      UPDATE metric_deployments SET failed = f.failed, recovered_at = f.recovered_at, recovery_seconds = f.recovery_seconds
      FROM f
      WHERE metric_deployments.rowid = f.rid
        AND (f.failed IS NOT f.was_failed OR f.recovered_at IS NOT f.was_recovered_at OR f.recovery_seconds IS NOT f.was_recovery_seconds)`),
    // Per-day rollups of every day touched.
    d1.prepare(`DELETE FROM metric_days WHERE rowid IN (SELECT d.rowid FROM ${range.rows("metric_days", "d", "day", "substr(w.prev_at, 1, 10)")})`),
    d1.prepare(`
      INSERT INTO metric_days (service, environment, day, deployments, unsuccessful, failed, rework)
      SELECT m.service, m.environment, m.day, ${daySums}
      FROM ${range.rows("metric_deployments", "m", "at", dayStart("substr(w.prev_at, 1, 10)"))}
      -- Grouped in primary-key order: one sort serves the grouping and the inserts, which walk the key forward.
      GROUP BY m.environment, m.day, m.service`),
    // The days of deployments whose links moved, outside the days just rolled up: each read by its own range.
    d1.prepare(`
      INSERT OR REPLACE INTO metric_days (service, environment, day, deployments, unsuccessful, failed, rework)
      SELECT m.service, m.environment, m.day, ${daySums}
      FROM (SELECT DISTINCT q.service, q.environment, q.day FROM metric_work_ids f CROSS JOIN metric_deployments q ON q.id = f.id
            WHERE f.kind = 'flag' AND ${range.outside("q")}) k
        CROSS JOIN metric_deployments m ON m.service = k.service AND m.environment = k.environment
          AND m.at >= k.day AND m.at < date(k.day, '+1 day') AND m.day = k.day
      GROUP BY m.service, m.environment, m.day`),
  ];
}

/** Phase 2, one step: rebuild up to GROUPS_PER_STEP dirty (service, environment) groups from their first dirty day. */
function groupsStep(d1: D1Database, linkWindowHours: number): D1PreparedStatement[] {
  return [
    d1.prepare("DELETE FROM metric_work"),
    d1.prepare("DELETE FROM metric_work_ids"),
    d1.prepare(`
      INSERT INTO metric_work (service, environment, from_at, prev_at)
      SELECT g.service, g.environment, ${dayStart("g.day")},
        COALESCE((SELECT max(m.at) FROM metric_deployments m WHERE m.service = g.service AND m.environment = g.environment
          AND m.counted = 1 AND m.at < ${dayStart("g.day")}), ${dayStart("g.day")})
      FROM (SELECT service, environment, min(day) AS day FROM metric_dirty GROUP BY service, environment ORDER BY service, environment LIMIT ?) g`).bind(GROUPS_PER_STEP),
    // Through the reads' index, in one walk from the earliest dirty day: an index of its own would cost
    // every sample a write.
    d1.prepare(`
      DELETE FROM metric_lead_samples WHERE rowid IN (
        SELECT s.rowid FROM metric_lead_samples s
        WHERE s.environment IN (SELECT environment FROM metric_work) AND s.day >= (SELECT min(substr(from_at, 1, 10)) FROM metric_work)
          AND EXISTS (SELECT 1 FROM metric_work w WHERE w.service = s.service AND w.environment = s.environment AND s.day >= substr(w.from_at, 1, 10)))`),
    d1.prepare(STEP_LEAD_SAMPLES),
    ...flagsLinksAndRollups(d1, linkWindowHours, STEP),
    d1.prepare("DELETE FROM metric_dirty WHERE (service, environment) IN (SELECT service, environment FROM metric_work)"),
    d1.prepare("DELETE FROM metric_work"),
    d1.prepare("DELETE FROM metric_work_ids"),
  ];
}

/**
 * Full rebuild, last part: phase 2 over the whole copy at once, with the indexes it fills in random
 * order built afterwards. It ends the rebuild, so a run that stops before it starts over.
 */
function rebuildAll(d1: D1Database, linkWindowHours: number, indexes: BulkIndexes): D1PreparedStatement[] {
  return [
    d1.prepare("DELETE FROM metric_work_ids"),
    ...withIndexesRebuilt(d1, indexes.samples, [d1.prepare(ALL_LEAD_SAMPLES)]),
    ...withIndexesRebuilt(d1, indexes.flags, flagsLinksAndRollups(d1, linkWindowHours, EVERYTHING, indexes.links)),
    d1.prepare("DELETE FROM metric_work_ids"),
    d1.prepare("UPDATE metric_state SET full_pending = 0 WHERE id = 1"),
  ];
}

/**
 * Full rebuild, first part: drop everything derived and say that a rebuild is under way, so that a run
 * which stops before the rebuild is done starts over. A transaction of its own: deleting the old rows in
 * the same transaction as writing the new ones costs the copy about half as much again.
 */
function clearDerived(d1: D1Database): D1PreparedStatement[] {
  return [
    ...["metric_changes", "metric_dirty_names", "metric_dirty", "metric_work", "metric_work_ids", "metric_deployments", "metric_incidents", "metric_lead_samples", "metric_days"].map(
      (t) => d1.prepare(`DELETE FROM ${t}`),
    ),
    d1.prepare("INSERT INTO metric_state (id, as_of, full_pending) VALUES (1, NULL, 1) ON CONFLICT(id) DO UPDATE SET full_pending = 1"),
  ];
}

/** An index as the schema defines it. */
interface SchemaIndex {
  table: string;
  name: string;
  sql: string;
}

/** The indexes a full rebuild builds after each bulk load, because that load fills them in random order. */
interface BulkIndexes {
  /**
   * The copy's: it writes deployments and incidents in group order, which keeps their group indexes but
   * not the deployments' id index nor the incidents' indexes by link and by time to restore.
   */
  copy: SchemaIndex[];
  /** The lead samples'. */
  samples: SchemaIndex[];
  /** The one the incident links write: incidents by the deployment they link to. */
  links: SchemaIndex[];
  /** Those the flags and rollups write: failed deployments by day, and the rollups by group. */
  flags: SchemaIndex[];
}

/** The indexes of `BulkIndexes` by name, but the lead samples', which are all of that table's. */
export const REBUILT_INDEXES = {
  copy: ["metric_deployments_id", "metric_incidents_link_change", "metric_incidents_link_deployment", "metric_incidents_link_sha", "metric_incidents_resolved"],
  links: ["metric_incidents_deployment"],
  flags: ["metric_deployments_failed_day", "metric_days_group"],
};

/** The indexes each bulk load drops and builds again, as the schema itself defines them. */
async function bulkIndexes(run: Runner): Promise<BulkIndexes> {
  run.queries += 1;
  const { results } = await run.d1
    .prepare(
      `SELECT tbl_name AS "table", name, sql FROM sqlite_master
       WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('metric_deployments', 'metric_incidents', 'metric_lead_samples', 'metric_days')`,
    )
    .all<SchemaIndex>();
  const named = (names: string[]) => results.filter((i) => names.includes(i.name));
  return {
    copy: named(REBUILT_INDEXES.copy),
    samples: results.filter((i) => i.table === "metric_lead_samples"),
    links: named(REBUILT_INDEXES.links),
    flags: named(REBUILT_INDEXES.flags),
  };
}

/**
 * `statements` with `indexes` dropped before and built again after: one sorted pass per index instead of a
 * random-order insert per row. In one batch, so no run ever sees a table without them.
 */
function withIndexesRebuilt(d1: D1Database, indexes: SchemaIndex[], statements: D1PreparedStatement[]): D1PreparedStatement[] {
  return [...indexes.map((i) => d1.prepare(`DROP INDEX "${i.name}"`)), ...statements, ...indexes.map((i) => d1.prepare(i.sql))];
}

/**
 * Full rebuild, second part: copy the events in (service, environment, time) order, so that each group's
 * rows share pages: an incremental step walks one group at a time, and scattered rows would cost a page
 * read per row. The deployments come in the order of their covering index, by the service they were
 * written with: sorting a million rows by the service the catalog gives today cost three times the rest
 * of the copy, and a service the catalog moved since only loses that locality.
 */
function copyHistory(d1: D1Database, indexes: SchemaIndex[]): D1PreparedStatement[] {
  return withIndexesRebuilt(d1, indexes, [
    d1.prepare(
      `${INSERT_DEPLOYMENT} ${DEPLOYMENT_ROW} WHERE d.status IN ('success', 'failure', 'aborted') ORDER BY d.service, d.environment, d.occurred_at, d.id`,
    ),
    d1.prepare(`${INSERT_INCIDENT} ${INCIDENT_ROW} WHERE i.counted = 1 ORDER BY 2, 3, 4, 1`),
  ]);
}

/** Phase 3: teams as of now, then the standard windows for all services, each service and each team, in production. */
async function writeSnapshots(run: Runner, today: string): Promise<number> {
  await run.batch([
    run.d1.prepare("DELETE FROM metric_teams"),
    run.d1.prepare("INSERT INTO metric_teams (service, team) SELECT slug, team FROM services WHERE team IS NOT NULL"),
  ]);
  const to = addDays(today, 1);
  const froms = STANDARD_WINDOWS.map((days) => addDays(to, -days));
  const { figures, queries } = await figuresOfWindows(run.d1, "production", froms, to);
  run.queries += queries;
  const rows: { scope: Scope; key: string; from: string; body: string }[] = [];
  for (const [from, byScope] of figures) {
    for (const [scope, groups] of byScope) for (const [key, f] of groups) rows.push({ scope, key, from, body: JSON.stringify(f) });
  }
  await run.batch([
    run.d1.prepare("DELETE FROM metric_snapshots"),
    run.d1
      .prepare(
        `INSERT INTO metric_snapshots (scope, key, environment, from_day, to_day, body)
         SELECT value->>'scope', value->>'key', 'production', value->>'from', ?, value->>'body' FROM json_each(?)`,
      )
      .bind(to, JSON.stringify(rows)),
  ]);
  return rows.length;
}

/**
 * Runs the job until nothing is left or the query budget is spent, and says what it did.
 * Safe to run concurrently with ingest: changes drained meanwhile wait for the next run.
 */
export async function recompute(d1: D1Database, options: RecomputeOptions): Promise<RecomputeSummary> {
  const started = Date.now();
  const now = options.now ?? new Date();
  const run = new Runner(d1, options.queryBudget ?? QUERY_BUDGET);
  const state = await run.first<{ as_of: string | null; full_pending: number }>(d1.prepare("SELECT as_of, full_pending FROM metric_state WHERE id = 1"));
  const full = options.full === true || state === null || state.full_pending === 1;
  let changed = 0;
  let groups = 0;

  if (full) {
    const indexes = await bulkIndexes(run);
    await run.batch(clearDerived(d1));
    await run.batch(copyHistory(d1, indexes.copy));
    await run.batch(rebuildAll(d1, options.linkWindowHours, indexes));
  } else {
    await run.batch(namesToChanges(d1));
  }
  let changesDone = false;
  while (run.budgetLeft) {
    const results = await run.batch(changesStep(d1));
    const taken = results[1]!.meta.changes;
    changed += taken;
    if (taken < CHANGES_PER_STEP) {
      changesDone = true;
      break;
    }
  }
  let complete = false;
  while (changesDone && run.budgetLeft) {
    const results = await run.batch(groupsStep(d1, options.linkWindowHours));
    const taken = results[2]!.meta.changes;
    groups += taken;
    if (taken < GROUPS_PER_STEP) {
      complete = true;
      break;
    }
  }
  let snapshots = 0;
  let asOf = state?.as_of ?? null;
  if (complete) {
    snapshots = await writeSnapshots(run, now.toISOString().slice(0, 10));
    asOf = now.toISOString();
    await run.batch([d1.prepare("INSERT INTO metric_state (id, as_of) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET as_of = excluded.as_of").bind(asOf)]);
  }
  // Answers this isolate memoised came from the data before this run.
  forgetAnswers();
  return {
    mode: full ? "full" : "incremental",
    complete,
    changed_records: changed,
    groups_recomputed: groups,
    snapshots,
    queries: run.queries,
    as_of: asOf,
    duration_ms: Date.now() - started,
  };
}
