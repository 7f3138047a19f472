/**
 * @module
 * The figures of a window, read from what the recompute materialised: counts from the per-day
 * rollups, percentiles from the samples, grouped by one key (all, service, team, or a day / week /
 * month bucket), over one environment or the union of several. One implementation for the on-demand
 * answers (`windowFigures`) and the snapshots (`figuresOfWindows`): SQL reads the window per (group,
 * day), the Worker sums the rollups and ranks the samples; the snapshots read their widest window
 * once and take every narrower window and every scope from the same rows.
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

interface Percentiles {
  n: number;
  skipped: number;
  median: number | null;
  p90: number | null;
}

const KINDS = ["lead", "recovery", "restore"] as const;
type Kind = (typeof KINDS)[number];

/** Where a window's samples of each kind come from. */
function sampleSources(q: FigureQuery): Record<Kind, Source> {
  return {
    lead: source(q, "metric_lead_samples", "x.day", "x.seconds AS value", "AND x.seconds IS NOT NULL"),
    recovery: source(q, "metric_deployments", "x.day", "x.recovery_seconds AS value", "AND x.counted = 1 AND x.failed = 1"),
    restore: source(q, "metric_incidents", "x.resolved_day", "x.restore_seconds AS value", ""),
  };
}

/** The values of each kind that are reported but not ranked: negative lead times, unrecovered failures. */
const SKIPPED: Record<Kind, (v: number | null) => boolean> = { lead: (v) => v! < 0, recovery: (v) => v === null, restore: () => false };

interface Sums {
  deployments: number;
  unsuccessful: number;
  failed: number;
  rework: number;
}

/** One (group, day) of the rollups. */
interface DayRollup extends Sums {
  group_key: string;
  window_day: string;
}

/** One (group, day)'s values of one kind of sample. */
interface DayValues {
  group_key: string;
  window_day: string;
  values: (number | null)[];
}

/** A window's rollups and samples per (group, day), latest day first. */
interface DayRows {
  days: DayRollup[];
  samples: Record<Kind, DayValues[]>;
}

/**
 * The statements that read `q`'s window per (group, day): its rollups summed, and its samples of each
 * kind as one list, so that they stay a few rows per day however many services and samples there are.
 */
function dayStatements(d1: D1Database, q: FigureQuery): D1PreparedStatement[] {
  const days = source(q, "metric_days", "x.day", "x.deployments, x.unsuccessful, x.failed, x.rework", "");
  const sources = sampleSources(q);
  return [
    d1
      .prepare(
        `SELECT window_day, group_key, sum(deployments) AS deployments, sum(unsuccessful) AS unsuccessful, sum(failed) AS failed, sum(rework) AS rework
         FROM (${days.sql}) GROUP BY window_day, group_key`,
      )
      .bind(...days.params),
    ...KINDS.map((kind) => {
      const { sql, params } = sources[kind];
      return d1.prepare(`SELECT window_day, group_key, json_group_array(value) AS list FROM (${sql}) GROUP BY window_day, group_key`).bind(...params);
    }),
  ];
}

/** The rows of `dayStatements`' results. */
function dayRows(results: D1Result<any>[]): DayRows {
  const latestFirst = <T extends { window_day: string }>(rows: T[]) => rows.sort((a, b) => (a.window_day < b.window_day ? 1 : a.window_day > b.window_day ? -1 : 0));
  const samples = (i: number) =>
    latestFirst(
      (results[i + 1]!.results as { window_day: string; group_key: string; list: string }[]).map((row) => ({
        window_day: row.window_day,
        group_key: row.group_key,
        values: JSON.parse(row.list) as (number | null)[],
      })),
    );
  return { days: latestFirst(results[0]!.results as DayRollup[]), samples: { lead: samples(0), recovery: samples(1), restore: samples(2) } };
}

/** Percentile figures of the first `n` of `values` (any order), `skipped` ones reported but not ranked. */
function rankFigures(values: (number | null)[], n: number, skipped: (v: number | null) => boolean): Percentiles {
  // A typed array sorts numbers natively, several times faster than a comparator.
  const all = new Float64Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) if (!skipped(values[i]!)) all[kept++] = values[i]!;
  const sorted = all.subarray(0, kept).sort();
  const at = (k: number) => sorted[k]!;
  return { median: percentileOf(kept, 50, at), p90: percentileOf(kept, 90, at), n: kept, skipped: n - kept };
}

/**
 * Per group (`keyOf` of the row's group; undefined leaves the row out): its rollups summed in each
 * window that has some, and its deploy days. `starts` are the windows' first days, latest first.
 */
function sumsByGroup(rows: DayRollup[], keyOf: (key: string) => string | undefined, starts: string[]) {
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
function valuesByGroup(rows: DayValues[], keyOf: (key: string) => string | undefined, starts: string[]) {
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

/** What a group's figures in one window are made of. */
interface Parts {
  sums: Sums | undefined;
  days: string[];
  ranks: Partial<Record<Kind, Percentiles>>;
}

/**
 * The parts of every group (`keyOf` of the rows' groups) in each window ending with the rows' and
 * starting on one of `starts` (latest first), for the groups with some row in that window. Walked
 * from the latest day back, what a narrower window holds is a prefix of what a wider one does: each
 * row is read once, and each window takes its share of every group by a count.
 */
function partsByWindow(rows: DayRows, keyOf: (key: string) => string | undefined, starts: string[]): Map<string, Parts>[] {
  const counts = sumsByGroup(rows.days, keyOf, starts);
  const values = KINDS.map((kind) => valuesByGroup(rows.samples[kind], keyOf, starts));
  return starts.map((_, j) => {
    const parts = new Map<string, Parts>();
    const partOf = (key: string) => {
      let part = parts.get(key);
      if (!part) parts.set(key, (part = { sums: counts.get(key)?.sums[j], days: counts.get(key)?.days ?? [], ranks: {} }));
      return part;
    };
    for (const [key, { sums }] of counts) if (sums[j]) partOf(key);
    KINDS.forEach((kind, i) => {
      for (const [key, group] of values[i]!) if (group.ends[j]! > 0) partOf(key).ranks[kind] = rankFigures(group.values, group.ends[j]!, SKIPPED[kind]);
    });
    return parts;
  });
}

/** A group's figures in `[from, to)` from its parts (none: the window has no row of it). */
function groupFigures(from: string, to: string, part: Parts | undefined): WindowFigures {
  const f = emptyFigures(deployDayStats(part?.days ?? [], from, to));
  if (!part) return f;
  const { sums, ranks } = part;
  if (sums) Object.assign(f, { count: sums.deployments, unsuccessful: sums.unsuccessful, failed: sums.failed, rework: sums.rework });
  const { lead, recovery, restore } = ranks;
  if (lead) f.lead = { median: lead.median, p90: lead.p90, samples: lead.n, dropped: lead.skipped };
  if (recovery) f.recovery = { median: recovery.median, p90: recovery.p90, samples: recovery.n, unrecovered: recovery.skipped };
  if (restore) f.restore = { median: restore.median, samples: restore.n };
  return f;
}

/** The figures of every group of the window, and how many statements that took. */
export async function windowFigures(d1: D1Database, q: FigureQuery): Promise<{ groups: Map<string, WindowFigures>; queries: number }> {
  const statements = dayStatements(d1, q);
  const parts = partsByWindow(dayRows(await d1.batch<any>(statements)), (key) => key, [q.from])[0]!;
  const windows = new Map<string, { from: string; to: string }>();
  if (q.group === "day" || q.group === "week" || q.group === "month") {
    for (const b of buckets(q.from, q.to, q.group)) windows.set(b.key, { from: b.start, to: b.end });
  } else if (q.group === "all") {
    windows.set("*", { from: q.from, to: q.to });
  }
  for (const g of parts.keys()) if (!windows.has(g)) windows.set(g, { from: q.from, to: q.to });
  const groups = new Map<string, WindowFigures>();
  for (const [g, w] of windows) groups.set(g, groupFigures(w.from, w.to, parts.get(g)));
  return { groups, queries: statements.length };
}

/**
 * Every figure of the windows `[from, to)`, one per `froms`, for all services (`*`), each service and
 * each team (as `metric_teams` has them): what the snapshots hold. The standard windows read the same
 * rows, so this reads the widest window once, per service, and takes every scope and window from it
 * as `windowFigures` takes its one.
 */
export async function figuresOfWindows(
  d1: D1Database,
  environments: readonly string[],
  froms: string[],
  to: string,
): Promise<{ figures: Map<string, Map<Scope, Map<string, WindowFigures>>>; queries: number }> {
  const widest = froms.reduce((a, b) => (a < b ? a : b));
  const statements = [
    ...dayStatements(d1, { from: widest, to, environments, service: null, team: null, group: "service" }),
    d1.prepare("SELECT service, team FROM metric_teams"),
  ];
  const results = await d1.batch<any>(statements);
  const rows = dayRows(results);
  const teamOf = new Map((results[statements.length - 1]!.results as { service: string; team: string }[]).map((t) => [t.service, t.team]));
  const starts = [...froms].sort().reverse();
  const figures = new Map(starts.map((from) => [from, new Map<Scope, Map<string, WindowFigures>>()]));
  for (const scope of ["all", "service", "team"] as const) {
    const keyOf = (service: string) => (scope === "all" ? "*" : scope === "service" ? service : teamOf.get(service));
    partsByWindow(rows, keyOf, starts).forEach((parts, j) => {
      // As in `windowFigures`: all services always have figures, a group only when it has some row.
      const keys = new Set<string>(scope === "all" ? ["*", ...parts.keys()] : parts.keys());
      figures.get(starts[j]!)!.set(scope, new Map([...keys].map((key) => [key, groupFigures(starts[j]!, to, parts.get(key))])));
    });
  }
  return { figures, queries: statements.length };
}
