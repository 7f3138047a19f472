/**
 * @module
 * The figures of a window, read from what the recompute materialised: counts from the per-day
 * rollups, percentiles from the samples, grouped by one key (all, service, team, or a day / week /
 * month bucket), over one environment or the union of several. The sources, the values reported but
 * not ranked, and the figures made of them are defined once here; only where the order statistics
 * are found differs: in SQL for one window (`windowFigures`, the on-demand answers), in the Worker
 * for the snapshots' windows read at once as the widest (`figuresOfWindows`).
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
  /** One or more: their counts add up, and their samples are ranked together. */
  environments: readonly string[];
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

/** `x.environment` is one of `environments` (an equality for one, so the indexes' first column is a single range). */
function inEnvironments(environments: readonly string[]): string {
  return environments.length === 1 ? "x.environment = ?" : `x.environment IN (${environments.map(() => "?").join(", ")})`;
}

/** `SELECT <group> AS group_key, <day> AS window_day, <columns> FROM <table> x ... WHERE <window and filters> <extra>`. */
function source(q: FigureQuery, table: string, day: string, columns: string, extra: string): Source {
  const join = q.group === "team" ? "JOIN metric_teams t ON t.service = x.service" : "";
  const filters = [
    q.service === null ? "" : "AND x.service = ?",
    q.team === null ? "" : "AND x.service IN (SELECT service FROM metric_teams WHERE team = ?)",
  ].join(" ");
  return {
    sql: `SELECT ${groupKey(q.group, day)} AS group_key, ${day} AS window_day, ${columns} FROM ${table} x ${join}
      WHERE ${inEnvironments(q.environments)} AND ${day} >= ? AND ${day} < ? ${filters} ${extra}`,
    params: [...q.environments, q.from, q.to, ...(q.service === null ? [] : [q.service]), ...(q.team === null ? [] : [q.team])],
  };
}

/**
 * Order statistics needed for the median and p90 of the samples `v` per group, as rows
 * `(group_key, samples, skipped, rank, value)`: the rank-th smallest (0-based) of the group's samples,
 * for the ranks `percentileOf` reads. `skipped` counts the group's values that are not samples but are
 * reported (negative lead times, unrecovered failures): `skip` is true for them, and they must sort
 * before every sample (negatives and nulls do), so that the sort that ranks the samples counts them
 * too. Every group with a value has a row with a null rank, so that a group of skipped values alone shows.
 */
function ranksQuery(d1: D1Database, s: Source, group: FigureQuery["group"], skip: string): D1PreparedStatement {
  const median = "(samples - 1) * 50 / 100";
  const p90 = "(samples - 1) * 90 / 100";
  const sql =
    group === "all"
      ? singleGroupRanks(s.sql, skip, median, p90)
      : // The counts come from a GROUP BY and the ranks wanted are picked by lookup: counting over the
        // whole partition inside the window function cost as much again as the ranking itself.
        `WITH src AS (${s.sql}),
       counts AS MATERIALIZED (SELECT group_key, count(*) - sum(${skip}) AS samples, sum(${skip}) AS skipped FROM src GROUP BY group_key),
       wanted AS MATERIALIZED (
         SELECT group_key, skipped + ${median} AS position FROM counts UNION SELECT group_key, skipped + ${median} + 1 FROM counts
         UNION SELECT group_key, skipped + ${p90} FROM counts UNION SELECT group_key, skipped + ${p90} + 1 FROM counts),
       ranked AS (SELECT group_key, value, row_number() OVER (PARTITION BY group_key ORDER BY value) - 1 AS position FROM src)
       SELECT group_key, samples, skipped, NULL AS rank, NULL AS value FROM counts
       UNION ALL SELECT ranked.group_key, counts.samples, counts.skipped, ranked.position - counts.skipped, ranked.value FROM ranked JOIN counts ON counts.group_key = ranked.group_key
       WHERE (ranked.group_key, ranked.position) IN (SELECT group_key, position FROM wanted)`;
  return d1.prepare(sql).bind(...s.params);
}

/**
 * The same rows for one group (every ad-hoc window over all services) without a window function,
 * whose per-row cost made it most of an ad-hoc answer: two bounded sorts, the median's from below
 * and the p90's from above, each keeping only the rows up to its rank.
 */
function singleGroupRanks(sql: string, skip: string, median: string, p90: string): string {
  return `WITH src AS (${sql}),
    counts AS MATERIALIZED (SELECT count(*) FILTER (WHERE NOT (${skip})) AS samples, count(*) FILTER (WHERE ${skip}) AS skipped FROM src),
    kept AS (SELECT value FROM src WHERE NOT (${skip})),
    from_median AS (SELECT value FROM kept ORDER BY value LIMIT 2 OFFSET (SELECT ${median} FROM counts)),
    to_p90 AS (SELECT value FROM kept ORDER BY value DESC LIMIT 2 OFFSET (SELECT max(samples - 2 - ${p90}, 0) FROM counts))
    SELECT '*' AS group_key, samples, skipped, NULL AS rank, NULL AS value FROM counts
    UNION ALL SELECT '*', samples, skipped, ${median} + row_number() OVER (ORDER BY value) - 1, value FROM from_median, counts
    UNION ALL SELECT '*', samples, skipped, ${p90} + row_number() OVER (ORDER BY value) - 1, value FROM to_p90, counts`;
}

function sumQuery(d1: D1Database, s: Source, columns: string): D1PreparedStatement {
  return d1.prepare(`SELECT group_key, ${columns} FROM (${s.sql}) GROUP BY group_key`).bind(...s.params);
}

interface Percentiles {
  n: number;
  skipped: number;
  median: number | null;
  p90: number | null;
}

interface RankRow {
  group_key: string;
  samples: number;
  skipped: number;
  rank: number | null;
  value: number | null;
}

function percentilesByGroup(rows: RankRow[]): Map<string, Percentiles> {
  const byGroup = new Map<string, { n: number; skipped: number; values: Map<number, number> }>();
  for (const row of rows) {
    const entry = byGroup.get(row.group_key) ?? { n: row.samples, skipped: row.skipped, values: new Map() };
    if (row.rank !== null) entry.values.set(row.rank, row.value!);
    byGroup.set(row.group_key, entry);
  }
  const out = new Map<string, Percentiles>();
  for (const [g, { n, skipped, values }] of byGroup) {
    const at = (k: number) => values.get(k)!;
    out.set(g, { n, skipped, median: percentileOf(n, 50, at), p90: percentileOf(n, 90, at) });
  }
  return out;
}

/** Where a window's samples come from, and which of their values are reported but not ranked (in SQL and here). */
function sampleSources(q: FigureQuery) {
  return {
    lead: {
      source: source(q, "metric_lead_samples", "x.day", "x.seconds AS value", "AND x.seconds IS NOT NULL"),
      skip: "value < 0",
      skipped: (v: number | null) => v! < 0,
    },
    recovery: {
      source: source(q, "metric_deployments", "x.day", "x.recovery_seconds AS value", "AND x.counted = 1 AND x.failed = 1"),
      skip: "value IS NULL",
      skipped: (v: number | null) => v === null,
    },
    restore: { source: source(q, "metric_incidents", "x.resolved_day", "x.restore_seconds AS value", ""), skip: "false", skipped: () => false },
  };
}

const KINDS = ["lead", "recovery", "restore"] as const;
type Kind = (typeof KINDS)[number];

interface Sums {
  deployments: number;
  unsuccessful: number;
  failed: number;
  rework: number;
}

/** A group's figures in `[from, to)`: its rollups summed (none without rows), its deploy days, its percentiles of each kind. */
function groupFigures(from: string, to: string, sums: Sums | undefined, deployDays: string[], ranks: Partial<Record<Kind, Percentiles>>): WindowFigures {
  const f = emptyFigures(deployDayStats(deployDays, from, to));
  if (sums) Object.assign(f, { count: sums.deployments, unsuccessful: sums.unsuccessful, failed: sums.failed, rework: sums.rework });
  const { lead, recovery, restore } = ranks;
  if (lead) f.lead = { median: lead.median, p90: lead.p90, samples: lead.n, dropped: lead.skipped };
  if (recovery) f.recovery = { median: recovery.median, p90: recovery.p90, samples: recovery.n, unrecovered: recovery.skipped };
  if (restore) f.restore = { median: restore.median, samples: restore.n };
  return f;
}

/** The figures of every group of the window, and how many statements that took. */
export async function windowFigures(d1: D1Database, q: FigureQuery): Promise<{ groups: Map<string, WindowFigures>; queries: number }> {
  const days = source(q, "metric_days", "x.day", "x.day, x.deployments, x.unsuccessful, x.failed, x.rework", "");
  const sources = sampleSources(q);
  const statements = [
    // The deploy days as one list per group: a row per (group, day) was most of a per-service answer's cost.
    sumQuery(
      d1,
      days,
      "sum(deployments) AS deployments, sum(unsuccessful) AS unsuccessful, sum(failed) AS failed, sum(rework) AS rework, group_concat(DISTINCT CASE WHEN deployments > 0 THEN day END) AS days",
    ),
    ...KINDS.map((kind) => ranksQuery(d1, sources[kind].source, q.group, sources[kind].skip)),
  ];
  const results = await d1.batch<any>(statements);
  const counts = new Map((results[0]!.results as (Sums & { group_key: string; days: string | null })[]).map((row) => [row.group_key, row]));
  const ranks = KINDS.map((_, i) => percentilesByGroup(results[i + 1]!.results as RankRow[]));

  const windows = new Map<string, { from: string; to: string }>();
  if (q.group === "day" || q.group === "week" || q.group === "month") {
    for (const b of buckets(q.from, q.to, q.group)) windows.set(b.key, { from: b.start, to: b.end });
  } else if (q.group === "all") {
    windows.set("*", { from: q.from, to: q.to });
  }
  for (const g of [counts.keys(), ...ranks.map((r) => r.keys())].flatMap((keys) => [...keys])) {
    if (!windows.has(g)) windows.set(g, { from: q.from, to: q.to });
  }
  const groups = new Map<string, WindowFigures>();
  for (const [g, w] of windows) {
    const c = counts.get(g);
    groups.set(g, groupFigures(w.from, w.to, c, c?.days?.split(",") ?? [], { lead: ranks[0]!.get(g), recovery: ranks[1]!.get(g), restore: ranks[2]!.get(g) }));
  }
  return { groups, queries: statements.length };
}

/** Percentile figures of values in any order, `skipped` ones reported but not ranked. */
function rankFigures(values: (number | null)[], skipped: (v: number | null) => boolean): Percentiles {
  // A typed array sorts numbers natively, several times faster than a comparator.
  const all = new Float64Array(values.length);
  let n = 0;
  for (const v of values) if (!skipped(v)) all[n++] = v!;
  const kept = all.subarray(0, n).sort();
  const at = (k: number) => kept[k]!;
  return { median: percentileOf(kept.length, 50, at), p90: percentileOf(kept.length, 90, at), n: kept.length, skipped: values.length - kept.length };
}

/** One (service, day) of the rollups of the widest window. */
interface DayRollup extends Sums {
  group_key: string;
  window_day: string;
}

/** One (service, day)'s values of one kind of sample. */
interface DayValues {
  group_key: string;
  window_day: string;
  values: (number | null)[];
}

/**
 * Per group (`keyOf` of the row's service; undefined leaves the row out): its rollups summed in each
 * window that has some, and its deploy days. `starts` are the windows' first days, latest first.
 */
function sumsByGroup(rows: DayRollup[], keyOf: (service: string) => string | undefined, starts: string[]) {
  const groups = new Map<string, { sums: (Sums | undefined)[]; days: string[] }>();
  for (const row of rows) {
    const key = keyOf(row.group_key);
    if (key === undefined) continue;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { sums: [], days: [] }));
    starts.forEach((from, j) => {
      if (row.window_day < from) return;
      const sum = (group.sums[j] ??= { deployments: 0, unsuccessful: 0, failed: 0, rework: 0 });
      sum.deployments += row.deployments;
      sum.unsuccessful += row.unsuccessful;
      sum.failed += row.failed;
      sum.rework += row.rework;
    });
    if (row.deployments > 0) group.days.push(row.window_day);
  }
  return groups;
}

/**
 * Per group: its values in the order of `rows` (latest day first), and how many of them each window
 * holds, a prefix since the windows all end on the same day.
 */
function valuesByGroup(rows: DayValues[], keyOf: (service: string) => string | undefined, starts: string[]) {
  const groups = new Map<string, { values: (number | null)[]; ends: number[] }>();
  for (const row of rows) {
    const key = keyOf(row.group_key);
    if (key === undefined) continue;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { values: [], ends: starts.map(() => 0) }));
    for (const v of row.values) group.values.push(v);
    starts.forEach((from, j) => {
      if (row.window_day >= from) group.ends[j] = group.values.length;
    });
  }
  return groups;
}

/**
 * Every figure of the windows `[from, to)`, one per `froms`, for all services (`*`), each service and
 * each team (as `metric_teams` has them): what the snapshots hold. The standard windows read the same
 * rows, so this reads the widest window once (its per-day rollups, and its samples grouped per (day,
 * service) so that they stay a few rows per day however many there are) and sums and ranks here, with
 * the sources and figures of `windowFigures`.
 */
export async function figuresOfWindows(
  d1: D1Database,
  environments: readonly string[],
  froms: string[],
  to: string,
): Promise<{ figures: Map<string, Map<Scope, Map<string, WindowFigures>>>; queries: number }> {
  const widest = froms.reduce((a, b) => (a < b ? a : b));
  const q: FigureQuery = { from: widest, to, environments, service: null, team: null, group: "service" };
  const days = source(q, "metric_days", "x.day", "x.deployments, x.unsuccessful, x.failed, x.rework", "");
  const sources = sampleSources(q);
  const results = await d1.batch<any>([
    d1.prepare(days.sql).bind(...days.params),
    ...KINDS.map((kind) => {
      const { sql, params } = sources[kind].source;
      return d1.prepare(`SELECT window_day, group_key, json_group_array(value) AS list FROM (${sql}) GROUP BY window_day, group_key`).bind(...params);
    }),
    d1.prepare("SELECT service, team FROM metric_teams"),
  ]);
  // Walked from the latest day back, what a narrower window holds is a prefix of what a wider one does:
  // each row is read once per scope, and each window takes its share of every group by a count.
  const latestFirst = <T extends { window_day: string }>(rows: T[]) => rows.sort((a, b) => (a.window_day < b.window_day ? 1 : a.window_day > b.window_day ? -1 : 0));
  const starts = [...froms].sort().reverse();
  const dayRows = latestFirst(results[0]!.results as DayRollup[]);
  const samples = KINDS.map((_, i) =>
    latestFirst(
      (results[i + 1]!.results as { window_day: string; group_key: string; list: string }[]).map((row) => ({
        window_day: row.window_day,
        group_key: row.group_key,
        values: JSON.parse(row.list) as (number | null)[],
      })),
    ),
  );
  const teamOf = new Map((results[4]!.results as { service: string; team: string }[]).map((t) => [t.service, t.team]));

  const figures = new Map(starts.map((from) => [from, new Map<Scope, Map<string, WindowFigures>>()]));
  for (const scope of ["all", "service", "team"] as const) {
    const keyOf = (service: string) => (scope === "all" ? "*" : scope === "service" ? service : teamOf.get(service));
    const counts = sumsByGroup(dayRows, keyOf, starts);
    const values = samples.map((rows) => valuesByGroup(rows, keyOf, starts));
    starts.forEach((from, j) => {
      // As in `windowFigures`: all services always have figures, a group only when it has some row.
      const keys = new Set<string>(scope === "all" ? ["*"] : []);
      for (const [key, { sums }] of counts) if (sums[j]) keys.add(key);
      for (const byGroup of values) for (const [key, { ends }] of byGroup) if (ends[j]! > 0) keys.add(key);
      const groups = new Map<string, WindowFigures>();
      for (const key of keys) {
        const ranks: Partial<Record<Kind, Percentiles>> = {};
        KINDS.forEach((kind, i) => {
          const group = values[i]!.get(key);
          if (group && group.ends[j]! > 0) ranks[kind] = rankFigures(group.values.slice(0, group.ends[j]), sources[kind].skipped);
        });
        const c = counts.get(key);
        groups.set(key, groupFigures(from, to, c?.sums[j], c?.days ?? [], ranks));
      }
      figures.get(from)!.set(scope, groups);
    });
  }
  return { figures, queries: results.length };
}
