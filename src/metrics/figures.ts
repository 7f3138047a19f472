/**
 * @module
 * The figures of a window, read from what the recompute materialised: counts from the per-day
 * rollups, percentiles from the per-day samples (SQL finds the order statistics, `percentileOf`
 * interpolates), grouped by one key (all, service, team, or a day / week / month bucket).
 * On-demand answers come from here (`windowFigures`); the snapshots' nine windows are summed and
 * ranked in the Worker from one read of the widest (`figuresOfWindows`), which
 * test/metrics-ranks.test.ts holds to `windowFigures`.
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

/** `SELECT <group> AS g, <day> AS d, <columns> FROM <table> x ... WHERE <window and filters> <extra>`. */
function source(q: FigureQuery, table: string, day: string, columns: string, extra: string): Source {
  const join = q.group === "team" ? "JOIN metric_teams t ON t.service = x.service" : "";
  const filters = [
    q.service === null ? "" : "AND x.service = ?",
    q.team === null ? "" : "AND x.service IN (SELECT service FROM metric_teams WHERE team = ?)",
  ].join(" ");
  return {
    sql: `SELECT ${groupKey(q.group, day)} AS g, ${day} AS d, ${columns} FROM ${table} x ${join}
      WHERE x.environment = ? AND ${day} >= ? AND ${day} < ? ${filters} ${extra}`,
    params: [q.environment, q.from, q.to, ...(q.service === null ? [] : [q.service]), ...(q.team === null ? [] : [q.team])],
  };
}

/**
 * Order statistics needed for the median and p90 of the samples `v` per group, as rows
 * `(g, n, skipped, k, v)`: the k-th smallest (0-based) of the group's n samples, for the ranks
 * `percentileOf` reads. `skipped` counts the group's values that are not samples but are reported
 * (negative lead times, unrecovered failures): `skip` is true for them, and they must sort before
 * every sample (negatives and nulls do), so that the sort that ranks the samples counts them too.
 * Every group with a value has a row with k = null, so that a group of skipped values alone shows.
 */
function ranksQuery(d1: D1Database, s: Source, group: FigureQuery["group"], skip: string): D1PreparedStatement {
  const median = "(n - 1) * 50 / 100";
  const p90 = "(n - 1) * 90 / 100";
  const sql =
    group === "all"
      ? singleGroupRanks(s.sql, skip, median, p90)
      : // The counts come from a GROUP BY and the ranks wanted are picked by lookup: counting over the
        // whole partition inside the window function cost as much again as the ranking itself.
        `WITH src AS (${s.sql}),
       c AS MATERIALIZED (SELECT g, count(*) - sum(${skip}) AS n, sum(${skip}) AS skipped FROM src GROUP BY g),
       wanted AS MATERIALIZED (
         SELECT g, skipped + ${median} AS rank FROM c UNION SELECT g, skipped + ${median} + 1 FROM c
         UNION SELECT g, skipped + ${p90} FROM c UNION SELECT g, skipped + ${p90} + 1 FROM c),
       ranked AS (SELECT g, v, row_number() OVER (PARTITION BY g ORDER BY v) - 1 AS rank FROM src)
       SELECT g, n, skipped, NULL AS k, NULL AS v FROM c
       UNION ALL SELECT ranked.g, c.n, c.skipped, ranked.rank - c.skipped, ranked.v FROM ranked JOIN c ON c.g = ranked.g
       WHERE (ranked.g, ranked.rank) IN (SELECT g, rank FROM wanted)`;
  return d1.prepare(sql).bind(...s.params);
}

/**
 * The same rows for one group (every ad-hoc window over all services) without a window function,
 * whose per-row cost made it most of an ad-hoc answer: two bounded sorts, the median's from below
 * and the p90's from above, each keeping only the rows up to its rank.
 */
function singleGroupRanks(sql: string, skip: string, median: string, p90: string): string {
  return `WITH src AS (${sql}),
    c AS MATERIALIZED (SELECT count(*) FILTER (WHERE NOT (${skip})) AS n, count(*) FILTER (WHERE ${skip}) AS skipped FROM src),
    samples AS (SELECT v FROM src WHERE NOT (${skip})),
    lo AS (SELECT v FROM samples ORDER BY v LIMIT 2 OFFSET (SELECT ${median} FROM c)),
    hi AS (SELECT v FROM samples ORDER BY v DESC LIMIT 2 OFFSET (SELECT max(n - 2 - ${p90}, 0) FROM c))
    SELECT '*' AS g, n, skipped, NULL AS k, NULL AS v FROM c
    UNION ALL SELECT '*', n, skipped, ${median} + row_number() OVER (ORDER BY v) - 1, v FROM lo, c
    UNION ALL SELECT '*', n, skipped, ${p90} + row_number() OVER (ORDER BY v) - 1, v FROM hi, c`;
}

function sumQuery(d1: D1Database, s: Source, columns: string): D1PreparedStatement {
  return d1.prepare(`SELECT g, ${columns} FROM (${s.sql}) GROUP BY g`).bind(...s.params);
}

interface Percentiles {
  n: number;
  skipped: number;
  median: number | null;
  p90: number | null;
}

function percentilesByGroup(rows: { g: string; n: number; skipped: number; k: number | null; v: number | null }[]): Map<string, Percentiles> {
  const byGroup = new Map<string, { n: number; skipped: number; values: Map<number, number> }>();
  for (const row of rows) {
    const entry = byGroup.get(row.g) ?? { n: row.n, skipped: row.skipped, values: new Map() };
    if (row.k !== null) entry.values.set(row.k, row.v!);
    byGroup.set(row.g, entry);
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
      source: source(q, "metric_lead_samples", "x.day", "x.seconds AS v", "AND x.seconds IS NOT NULL"),
      skip: "v < 0",
      skipped: (v: number | null) => v! < 0,
    },
    recovery: {
      source: source(q, "metric_deployments", "x.day", "x.recovery_seconds AS v", "AND x.counted = 1 AND x.failed = 1"),
      skip: "v IS NULL",
      skipped: (v: number | null) => v === null,
    },
    restore: { source: source(q, "metric_incidents", "x.resolved_day", "x.restore_seconds AS v", ""), skip: "false", skipped: () => false },
  };
}

/** The figures of every group of the window, and how many statements that took. */
export async function windowFigures(d1: D1Database, q: FigureQuery): Promise<{ groups: Map<string, WindowFigures>; queries: number }> {
  const days = source(q, "metric_days", "x.day", "x.day, x.deployments, x.unsuccessful, x.failed, x.rework", "");
  const { lead, recovery, restore } = sampleSources(q);
  const statements = [
    // The deploy days as one list per group: a row per (group, day) was most of a per-service answer's cost.
    sumQuery(
      d1,
      days,
      "sum(deployments) AS count, sum(unsuccessful) AS unsuccessful, sum(failed) AS failed, sum(rework) AS rework, group_concat(DISTINCT CASE WHEN deployments > 0 THEN day END) AS days",
    ),
    ...[lead, recovery, restore].map((s) => ranksQuery(d1, s.source, q.group, s.skip)),
  ];
  const results = await d1.batch<any>(statements);
  const [counts, leadRanks, recoveryRanks, restoreRanks] = results.map((r) => r.results) as any[][];

  const windows = new Map<string, { from: string; to: string }>();
  if (q.group === "day" || q.group === "week" || q.group === "month") {
    for (const b of buckets(q.from, q.to, q.group)) windows.set(b.key, { from: b.start, to: b.end });
  } else if (q.group === "all") {
    windows.set("*", { from: q.from, to: q.to });
  }
  for (const g of [counts, leadRanks, recoveryRanks, restoreRanks].flatMap((rows) => rows!.map((row: { g: string }) => row.g))) {
    if (!windows.has(g)) windows.set(g, { from: q.from, to: q.to });
  }

  const leadP = percentilesByGroup(leadRanks!);
  const recoveryP = percentilesByGroup(recoveryRanks!);
  const restoreP = percentilesByGroup(restoreRanks!);
  const countRows = new Map((counts as { g: string; count: number; unsuccessful: number; failed: number; rework: number; days: string | null }[]).map((row) => [row.g, row]));

  const groups = new Map<string, WindowFigures>();
  for (const [g, w] of windows) {
    const c = countRows.get(g);
    const f = emptyFigures(deployDayStats(c?.days?.split(",") ?? [], w.from, w.to));
    if (c) Object.assign(f, { count: c.count, unsuccessful: c.unsuccessful, failed: c.failed, rework: c.rework });
    const l = leadP.get(g);
    f.lead = { median: l?.median ?? null, p90: l?.p90 ?? null, samples: l?.n ?? 0, dropped: l?.skipped ?? 0 };
    const r = recoveryP.get(g);
    f.recovery = { median: r?.median ?? null, p90: r?.p90 ?? null, samples: r?.n ?? 0, unrecovered: r?.skipped ?? 0 };
    const t = restoreP.get(g);
    f.restore = { median: t?.median ?? null, samples: t?.n ?? 0 };
    groups.set(g, f);
  }
  return { groups, queries: statements.length };
}

/** Percentile figures of values in any order, `skipped` ones reported but not ranked. */
function rankFigures(values: (number | null)[], skipped: (v: number | null) => boolean): { median: number | null; p90: number | null; n: number; skipped: number } {
  // A typed array sorts numbers natively, several times faster than a comparator.
  const all = new Float64Array(values.length);
  let n = 0;
  for (const v of values) if (!skipped(v)) all[n++] = v!;
  const kept = all.subarray(0, n).sort();
  const at = (k: number) => kept[k]!;
  return { median: percentileOf(kept.length, 50, at), p90: percentileOf(kept.length, 90, at), n: kept.length, skipped: values.length - kept.length };
}

interface DayRow {
  g: string;
  d: string;
  n: number;
  u: number;
  f: number;
  r: number;
}

type Sums = Omit<DayRow, "g" | "d">;

/**
 * Per group (`keyOf` of the row's service; undefined leaves the row out): its rollups summed in each
 * window that has some, and its deploy days. `starts` are the windows' first days, latest first.
 */
function sumsByGroup(rows: DayRow[], keyOf: (service: string) => string | undefined, starts: string[]) {
  const groups = new Map<string, { sums: (Sums | undefined)[]; days: string[] }>();
  for (const r of rows) {
    const key = keyOf(r.g);
    if (key === undefined) continue;
    let c = groups.get(key);
    if (!c) groups.set(key, (c = { sums: [], days: [] }));
    starts.forEach((from, j) => {
      if (r.d < from) return;
      const sum = (c.sums[j] ??= { n: 0, u: 0, f: 0, r: 0 });
      sum.n += r.n;
      sum.u += r.u;
      sum.f += r.f;
      sum.r += r.r;
    });
    if (r.n > 0) c.days.push(r.d);
  }
  return groups;
}

/**
 * Per group: its values in the order of `rows` (latest day first), and how many of them each window
 * holds, a prefix since the windows all end on the same day.
 */
function valuesByGroup(rows: { d: string; g: string; values: (number | null)[] }[], keyOf: (service: string) => string | undefined, starts: string[]) {
  const groups = new Map<string, { values: (number | null)[]; ends: number[] }>();
  for (const r of rows) {
    const key = keyOf(r.g);
    if (key === undefined) continue;
    let e = groups.get(key);
    if (!e) groups.set(key, (e = { values: [], ends: starts.map(() => 0) }));
    for (const v of r.values) e.values.push(v);
    starts.forEach((from, j) => {
      if (r.d >= from) e.ends[j] = e.values.length;
    });
  }
  return groups;
}

/**
 * Every figure of the windows `[from, to)`, one per `froms`, for all services (`*`), each service and
 * each team (as `metric_teams` has them): what the snapshots hold. The nine standard windows read the
 * same rows, so this reads the widest window once (its per-day rollups, and its samples grouped per
 * (day, service) so that they stay a few rows per day however many there are) and sums and ranks here:
 * nine count queries and twenty-seven ranking queries cost several times as much. The same sources and
 * definitions as `windowFigures`, which test/metrics-ranks.test.ts holds it to.
 */
export async function figuresOfWindows(
  d1: D1Database,
  environment: string,
  froms: string[],
  to: string,
): Promise<{ figures: Map<string, Map<Scope, Map<string, WindowFigures>>>; queries: number }> {
  const widest = froms.reduce((a, b) => (a < b ? a : b));
  const q: FigureQuery = { from: widest, to, environment, service: null, team: null, group: "service" };
  const days = source(q, "metric_days", "x.day", "x.deployments AS n, x.unsuccessful AS u, x.failed AS f, x.rework AS r", "");
  const sources = sampleSources(q);
  const kinds = ["lead", "recovery", "restore"] as const;
  const results = await d1.batch<any>([
    d1.prepare(days.sql).bind(...days.params),
    ...kinds.map((kind) => {
      const { sql, params } = sources[kind].source;
      return d1.prepare(`SELECT d, g, json_group_array(v) AS v FROM (${sql}) GROUP BY d, g`).bind(...params);
    }),
    d1.prepare("SELECT service, team FROM metric_teams"),
  ]);
  // Walked from the latest day back, what a narrower window holds is a prefix of what a wider one does:
  // each row is read once per scope, and each window takes its share of every group by a count.
  const latestFirst = <T extends { d: string }>(rows: T[]) => rows.sort((a, b) => (a.d < b.d ? 1 : a.d > b.d ? -1 : 0));
  const starts = [...froms].sort().reverse();
  const dayRows = latestFirst(results[0]!.results as DayRow[]);
  const samples = kinds.map((_, i) =>
    latestFirst((results[i + 1]!.results as { d: string; g: string; v: string }[]).map((r) => ({ d: r.d, g: r.g, values: JSON.parse(r.v) as (number | null)[] }))),
  );
  const teamOf = new Map((results[4]!.results as { service: string; team: string }[]).map((t) => [t.service, t.team]));

  const figures = new Map(starts.map((from) => [from, new Map<Scope, Map<string, WindowFigures>>()]));
  for (const scope of ["all", "service", "team"] as const) {
    const keyOf = (service: string) => (scope === "all" ? "*" : scope === "service" ? service : teamOf.get(service));
    const counts = sumsByGroup(dayRows, keyOf, starts);
    const values = samples.map((rows) => valuesByGroup(rows, keyOf, starts));
    starts.forEach((from, j) => {
      const groups = new Map<string, WindowFigures>();
      // As in `windowFigures`: all services always have figures, a group only when it has some row.
      const entry = (key: string) => {
        let f = groups.get(key);
        if (!f) groups.set(key, (f = emptyFigures(deployDayStats([], from, to))));
        return f;
      };
      if (scope === "all") entry("*");
      for (const [key, { sums, days: deployDays }] of counts) {
        const sum = sums[j];
        if (sum) groups.set(key, { ...emptyFigures(deployDayStats(deployDays, from, to)), count: sum.n, unsuccessful: sum.u, failed: sum.f, rework: sum.r });
      }
      kinds.forEach((kind, i) => {
        for (const [key, { values: list, ends }] of values[i]!) {
          if (ends[j] === 0) continue;
          const f = rankFigures(list.slice(0, ends[j]), sources[kind].skipped);
          const e = entry(key);
          if (kind === "lead") e.lead = { median: f.median, p90: f.p90, samples: f.n, dropped: f.skipped };
          else if (kind === "recovery") e.recovery = { median: f.median, p90: f.p90, samples: f.n, unrecovered: f.skipped };
          else e.restore = { median: f.median, samples: f.n };
        }
      });
      figures.get(from)!.set(scope, groups);
    });
  }
  return { figures, queries: results.length };
}
