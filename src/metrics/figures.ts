/**
 * @module
 * The figures of a window, read from what the recompute materialised: counts from the per-day
 * rollups, percentiles from the per-day samples (SQL finds the order statistics, `percentileOf`
 * interpolates), grouped by one key (all, service, team, or a day / week / month bucket).
 * Snapshots and on-demand answers both come from here, so they agree by construction.
 */
import { type WindowFigures, emptyFigures } from "./assemble";
import { buckets, deployDayStats, type Granularity } from "./calendar";
import { percentileOf } from "./percentile";

/** The standard windows, in days ending tomorrow (exclusive), that snapshots hold. */
export const STANDARD_WINDOWS = [7, 30, 90] as const;

export type Scope = "all" | "service" | "team";

export interface FigureQuery {
  from: string;
  to: string;
  environment: string;
  service: string | null;
  team: string | null;
  group: Scope | Granularity;
}

interface Source {
  sql: string;
  params: unknown[];
}

/** The grouping key over a row alias `x` whose day column is `day`. */
function groupKey(group: FigureQuery["group"], day: string): string {
  switch (group) {
    case "all":
      return "'*'";
    case "service":
      return "x.service";
    case "team":
      return "t.team";
    case "day":
      return day;
    case "week":
      return `date(${day}, '-' || ((CAST(strftime('%w', ${day}) AS INTEGER) + 6) % 7) || ' days')`;
    case "month":
      return `strftime('%Y-%m-01', ${day})`;
  }
}

/** `SELECT <group> AS g, <columns> FROM <table> x ... WHERE <window and filters> <extra>`. */
function source(q: FigureQuery, table: string, day: string, columns: string, extra: string): Source {
  const join = q.group === "team" ? "JOIN metric_teams t ON t.service = x.service" : "";
  const filters = [
    q.service === null ? "" : "AND x.service = ?",
    q.team === null ? "" : "AND x.service IN (SELECT service FROM metric_teams WHERE team = ?)",
  ].join(" ");
  return {
    sql: `SELECT ${groupKey(q.group, day)} AS g, ${columns} FROM ${table} x ${join}
      WHERE x.environment = ? AND ${day} >= ? AND ${day} < ? ${filters} ${extra}`,
    params: [q.environment, q.from, q.to, ...(q.service === null ? [] : [q.service]), ...(q.team === null ? [] : [q.team])],
  };
}

/**
 * Order statistics needed for the median and p90 of `v` per group, as rows `(g, n, k, v)`: the
 * k-th smallest (0-based) of the group's n values, for the ranks `percentileOf` reads. Both window
 * functions share one window (the count over its whole frame), so SQLite sorts the samples once.
 */
function ranksQuery(d1: D1Database, s: Source, group: FigureQuery["group"]): D1PreparedStatement {
  return d1.prepare(group === "all" ? singleGroupRanks(s.sql) : `WITH src AS (${s.sql}),
       r AS (SELECT g, v, row_number() OVER w - 1 AS k, count(*) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n
             FROM src WINDOW w AS (PARTITION BY g ORDER BY v))
       SELECT g, n, k, v FROM r WHERE k IN ((n - 1) * 50 / 100, (n - 1) * 50 / 100 + 1, (n - 1) * 90 / 100, (n - 1) * 90 / 100 + 1)`).bind(...s.params);
}

/**
 * The same rows for one group (every ad-hoc window over all services) without a window function,
 * whose per-row cost made it most of an ad-hoc answer: two bounded sorts, the median's from below
 * and the p90's from above, each keeping only the rows up to its rank.
 */
function singleGroupRanks(sql: string): string {
  const median = "(n - 1) * 50 / 100";
  const p90 = "(n - 1) * 90 / 100";
  return `WITH src AS (${sql}),
    c AS MATERIALIZED (SELECT count(*) AS n FROM src),
    lo AS (SELECT v FROM src ORDER BY v LIMIT 2 OFFSET (SELECT ${median} FROM c)),
    hi AS (SELECT v FROM src ORDER BY v DESC LIMIT 2 OFFSET (SELECT max(n - 2 - ${p90}, 0) FROM c))
    SELECT '*' AS g, n, ${median} + row_number() OVER (ORDER BY v) - 1 AS k, v FROM lo, c
    UNION ALL SELECT '*', n, ${p90} + row_number() OVER (ORDER BY v) - 1, v FROM hi, c`;
}

function sumQuery(d1: D1Database, s: Source, columns: string): D1PreparedStatement {
  return d1.prepare(`SELECT g, ${columns} FROM (${s.sql}) GROUP BY g`).bind(...s.params);
}

interface Percentiles {
  n: number;
  median: number | null;
  p90: number | null;
}

function percentilesByGroup(rows: { g: string; n: number; k: number; v: number }[]): Map<string, Percentiles> {
  const byGroup = new Map<string, { n: number; values: Map<number, number> }>();
  for (const row of rows) {
    const entry = byGroup.get(row.g) ?? { n: row.n, values: new Map() };
    entry.values.set(row.k, row.v);
    byGroup.set(row.g, entry);
  }
  const out = new Map<string, Percentiles>();
  for (const [g, { n, values }] of byGroup) {
    const at = (k: number) => values.get(k)!;
    out.set(g, { n, median: percentileOf(n, 50, at), p90: percentileOf(n, 90, at) });
  }
  return out;
}

/** The figures of every group of the window, and how many statements that took. */
export async function windowFigures(d1: D1Database, q: FigureQuery): Promise<{ groups: Map<string, WindowFigures>; queries: number }> {
  const days = source(q, "metric_days", "x.day", "x.day, x.deployments, x.unsuccessful, x.failed, x.rework", "");
  const lead = source(q, "metric_lead_samples", "x.day", "x.seconds AS v", "AND x.seconds IS NOT NULL");
  const recovery = source(q, "metric_deployments", "x.day", "x.recovery_seconds AS v", "AND x.counted = 1 AND x.failed = 1");
  const restore = source(q, "metric_incidents", "x.resolved_day", "x.restore_seconds AS v", "");
  const statements = [
    sumQuery(d1, days, "sum(deployments) AS count, sum(unsuccessful) AS unsuccessful, sum(failed) AS failed, sum(rework) AS rework"),
    d1.prepare(`SELECT DISTINCT g, day FROM (${days.sql}) WHERE deployments > 0`).bind(...days.params),
    sumQuery(d1, lead, "sum(v < 0) AS dropped"),
    ranksQuery(d1, { ...lead, sql: `${lead.sql} AND x.seconds >= 0` }, q.group),
    sumQuery(d1, recovery, "sum(v IS NULL) AS unrecovered"),
    ranksQuery(d1, { ...recovery, sql: `${recovery.sql} AND x.recovery_seconds IS NOT NULL` }, q.group),
    ranksQuery(d1, restore, q.group),
  ];
  const results = await d1.batch<any>(statements);
  const [counts, deployDays, leadSums, leadRanks, recoverySums, recoveryRanks, restoreRanks] = results.map((r) => r.results) as any[][];

  const windows = new Map<string, { from: string; to: string }>();
  if (q.group === "day" || q.group === "week" || q.group === "month") {
    for (const b of buckets(q.from, q.to, q.group)) windows.set(b.key, { from: b.start, to: b.end });
  } else if (q.group === "all") {
    windows.set("*", { from: q.from, to: q.to });
  }
  for (const g of [counts, deployDays, leadSums, recoverySums, restoreRanks].flatMap((rows) => rows!.map((row: { g: string }) => row.g))) {
    if (!windows.has(g)) windows.set(g, { from: q.from, to: q.to });
  }

  const daysByGroup = new Map<string, string[]>();
  for (const row of deployDays as { g: string; day: string }[]) daysByGroup.set(row.g, [...(daysByGroup.get(row.g) ?? []), row.day]);
  const leadP = percentilesByGroup(leadRanks!);
  const recoveryP = percentilesByGroup(recoveryRanks!);
  const restoreP = percentilesByGroup(restoreRanks!);
  const byKey = <T extends { g: string }>(rows: T[]) => new Map(rows.map((row) => [row.g, row]));
  const countRows = byKey<{ g: string; count: number; unsuccessful: number; failed: number; rework: number }>(counts!);
  const leadRows = byKey<{ g: string; dropped: number }>(leadSums!);
  const recoveryRows = byKey<{ g: string; unrecovered: number }>(recoverySums!);

  const groups = new Map<string, WindowFigures>();
  for (const [g, w] of windows) {
    const f = emptyFigures(deployDayStats(daysByGroup.get(g) ?? [], w.from, w.to));
    const c = countRows.get(g);
    if (c) Object.assign(f, { count: c.count, unsuccessful: c.unsuccessful, failed: c.failed, rework: c.rework });
    const l = leadP.get(g);
    f.lead = { median: l?.median ?? null, p90: l?.p90 ?? null, samples: l?.n ?? 0, dropped: leadRows.get(g)?.dropped ?? 0 };
    const r = recoveryP.get(g);
    f.recovery = { median: r?.median ?? null, p90: r?.p90 ?? null, samples: r?.n ?? 0, unrecovered: recoveryRows.get(g)?.unrecovered ?? 0 };
    const t = restoreP.get(g);
    f.restore = { median: t?.median ?? null, samples: t?.n ?? 0 };
    groups.set(g, f);
  }
  return { groups, queries: statements.length };
}
