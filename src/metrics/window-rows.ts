/**
 * @module
 * Reads a window's rollups and samples from what the recompute materialised, per group and band: a
 * band is the part of the window that one narrower window, ending on the same day, does not reach
 * (band 0 is the narrowest window itself). Each kind of sample comes as one list per row, and the
 * Worker holds each kind's values once, in one typed array, each group's band after band.
 */
import type { Granularity } from "./calendar";

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

export const KINDS = ["lead", "recovery", "restore"] as const;
export type Kind = (typeof KINDS)[number];

export interface Sums {
  deployments: number;
  unsuccessful: number;
  failed: number;
  rework: number;
}

/** Adds `from`'s counts to `into` (a new zero sum when undefined), and answers the sum. */
export function addSums(into: Sums | undefined, from: Sums): Sums {
  const sum = into ?? { deployments: 0, unsuccessful: 0, failed: 0, rework: 0 };
  sum.deployments += from.deployments;
  sum.unsuccessful += from.unsuccessful;
  sum.failed += from.failed;
  sum.rework += from.rework;
  return sum;
}

/** One group's rollups: summed per band (none: no row in it), and its deploy days in the window. */
export interface GroupRollups {
  bands: (Sums | undefined)[];
  days: string[];
}

/** One group's samples of one kind: `kept[b]` ranked values of band b, stored from `start` on, band after band; `skipped[b]` reported but not ranked. */
export interface GroupSamples {
  start: number;
  kept: number[];
  skipped: number[];
}

/** One kind's ranked values of every group, and where each group's are. */
export interface KindSamples {
  values: Float64Array;
  groups: Map<string, GroupSamples>;
}

export interface WindowRows {
  rollups: Map<string, GroupRollups>;
  samples: Record<Kind, KindSamples>;
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

/** The band of `day` among windows starting on `starts` (latest first). */
function band(starts: readonly string[], day: string): Source {
  if (starts.length === 1) return { sql: "0", params: [] };
  const narrower = starts.slice(0, -1);
  return { sql: `CASE ${narrower.map((_, b) => `WHEN ${day} >= ? THEN ${b}`).join(" ")} ELSE ${narrower.length} END`, params: [...narrower] };
}

/**
 * `SELECT <group> AS group_key, <band> AS band, <columns> FROM <table> x ... WHERE <window and
 * filters> <extra>` over the window from the widest of `starts` to `q.to`. With `seek`, a service or
 * team filter looks up each day's entries of its services in the (environment, day, service) index
 * instead of walking every service's entries of the window.
 */
function source(q: FigureQuery, starts: readonly string[], table: string, day: string, columns: string, extra: string, seek: boolean): Source {
  const from = starts[starts.length - 1]!;
  const join = q.group === "team" ? "JOIN metric_teams t ON t.service = x.service" : "";
  const filters = [
    q.service === null ? "" : "AND x.service = ?",
    q.team === null ? "" : "AND x.service IN (SELECT service FROM metric_teams WHERE team = ?)",
  ].join(" ");
  const filterParams = [...(q.service === null ? [] : [q.service]), ...(q.team === null ? [] : [q.team])];
  const b = band(starts, day);
  const select = `SELECT ${groupKey(q.group, day)} AS group_key, ${b.sql} AS band, ${day} AS window_day, ${columns}`;
  if (seek && filterParams.length > 0) {
    return {
      sql: `WITH RECURSIVE window_days(d) AS (SELECT ? WHERE ? < ? UNION ALL SELECT date(d, '+1 day') FROM window_days WHERE date(d, '+1 day') < ?)
        ${select} FROM window_days CROSS JOIN ${table} x ${join}
        WHERE ${inEnvironments(q.environments)} AND ${day} = window_days.d ${filters} ${extra}`,
      params: [from, from, q.to, q.to, ...b.params, ...q.environments, ...filterParams],
    };
  }
  return {
    sql: `${select} FROM ${table} x ${join} WHERE ${inEnvironments(q.environments)} AND ${day} >= ? AND ${day} < ? ${filters} ${extra}`,
    params: [...b.params, ...q.environments, from, q.to, ...filterParams],
  };
}

/** Where a window's samples of each kind come from, and which values are reported but not ranked (negative lead times, unrecovered failures). */
const SAMPLES: Record<Kind, { table: string; day: string; value: string; extra: string; skipped: string }> = {
  lead: { table: "metric_lead_samples", day: "x.day", value: "x.seconds", extra: "AND x.seconds IS NOT NULL", skipped: "value < 0" },
  recovery: { table: "metric_deployments", day: "x.day", value: "x.recovery_seconds", extra: "AND x.counted = 1 AND x.failed = 1", skipped: "value IS NULL" },
  restore: { table: "metric_incidents", day: "x.resolved_day", value: "x.restore_seconds", extra: "", skipped: "0" },
};

/**
 * Rows per (group, band, week), or per (group, day) with `perDay`. The week keeps one busy service's
 * list of a 60-day band under D1's 2 MB. A grouping by a key that only depends on the day is by the
 * day alone: it then follows the index, where one that names a constant sorts every row first.
 */
function grouping(q: FigureQuery, perDay: boolean): string {
  if (!perDay) return "GROUP BY group_key, band, CAST(julianday(window_day) / 7 AS INTEGER)";
  return q.group === "service" || q.group === "team" ? "GROUP BY window_day, group_key" : "GROUP BY window_day";
}

/**
 * The statements that read the window from the widest of `starts` (latest first) to `q.to`: its
 * rollups summed with the days that had deployments, and its samples of each kind as one list, per
 * (group, band) or, with `perDay`, per (group, day). A list is one value of D1's, which holds at most
 * 2 MB: per day, for a window over all services; per band, for one service's. Whole seconds are listed
 * as integers: they print in a fraction of the time and space of a real, and parse to the same number.
 */
export function windowStatements(d1: D1Database, q: FigureQuery, starts: readonly string[], perDay: boolean): D1PreparedStatement[] {
  const days = source(q, starts, "metric_days", "x.day", "x.deployments, x.unsuccessful, x.failed, x.rework, CASE WHEN x.deployments > 0 THEN x.day END AS deploy_day", "", false);
  return [
    d1
      .prepare(
        `SELECT group_key, band, sum(deployments) AS deployments, sum(unsuccessful) AS unsuccessful, sum(failed) AS failed, sum(rework) AS rework,
           group_concat(DISTINCT deploy_day) AS days
         FROM (${days.sql}) ${grouping(q, perDay)}`,
      )
      .bind(...days.params),
    ...KINDS.map((kind) => {
      const s = SAMPLES[kind];
      const { sql, params } = source(q, starts, s.table, s.day, `${s.value} AS value`, s.extra, true);
      return d1
        .prepare(
          `SELECT group_key, band, count(*) AS n, coalesce(sum(${s.skipped}), 0) AS skipped,
             json_group_array(iif(value = CAST(value AS INTEGER), CAST(value AS INTEGER), value)) FILTER (WHERE NOT (${s.skipped})) AS list
           FROM (${sql}) ${grouping(q, perDay)}`,
        )
        .bind(...params);
    }),
  ];
}

interface RollupRow extends Sums {
  group_key: string;
  band: number;
  days: string | null;
}

interface SampleRow {
  group_key: string;
  band: number;
  n: number;
  skipped: number;
  list: string;
}

/** `windowStatements`' results, for `bands` bands. */
export function windowRows(results: D1Result<any>[], bands: number): WindowRows {
  const rollups = new Map<string, GroupRollups>();
  for (const row of results[0]!.results as RollupRow[]) {
    let group = rollups.get(row.group_key);
    if (!group) rollups.set(row.group_key, (group = { bands: [], days: [] }));
    group.bands[row.band] = addSums(group.bands[row.band], row);
    if (row.days !== null) group.days.push(...row.days.split(","));
  }
  const samples = (i: number): KindSamples => {
    // Ordered by group and band, so that each group's values are contiguous, band after band.
    const rows = (results[i + 1]!.results as SampleRow[]).sort((a, b) => (a.group_key < b.group_key ? -1 : a.group_key > b.group_key ? 1 : a.band - b.band));
    const values = new Float64Array(rows.reduce((total, row) => total + row.n - row.skipped, 0));
    const groups = new Map<string, GroupSamples>();
    let end = 0;
    for (const row of rows) {
      let group = groups.get(row.group_key);
      if (!group) groups.set(row.group_key, (group = { start: end, kept: Array<number>(bands).fill(0), skipped: Array<number>(bands).fill(0) }));
      const list = JSON.parse(row.list) as (number | null)[];
      for (const v of list) values[end++] = v as number;
      group.kept[row.band]! += list.length;
      group.skipped[row.band]! += row.skipped;
    }
    return { values, groups };
  };
  return { rollups, samples: { lead: samples(0), recovery: samples(1), restore: samples(2) } };
}

