/**
 * @module
 * The figures of a window, read from what the recompute materialised: counts from the per-day
 * rollups, percentiles from the samples, grouped by one key (all, service, team, or a day / week /
 * month bucket), over one environment or the union of several. One implementation for the on-demand
 * answers (`windowFigures`) and the snapshots (`figuresOfWindows`): SQL reads the window per (group,
 * day), the Worker sums the rollups and ranks the samples; the snapshots read their widest window
 * once, per (service, band, week), and take every narrower window and every scope from the same rows.
 */
import { type WindowFigures, emptyFigures } from "./assemble";
import { buckets, deployDayStats } from "./calendar";
import { selectPercentiles } from "./select";
import { addSums, type FigureQuery, KINDS, type Kind, type KindSamples, type Scope, type Sums, type WindowRows, windowRows, windowStatements } from "./window-rows";

export type { FigureQuery, Scope } from "./window-rows";

/** The standard windows, in days ending tomorrow (exclusive), that snapshots hold. */
export const STANDARD_WINDOWS = [7, 30, 90] as const;

interface Percentiles {
  n: number;
  skipped: number;
  median: number | null;
  p90: number | null;
}

/** What a group's figures in one window are made of. */
interface Parts {
  sums: Sums | undefined;
  days: Iterable<string>;
  ranks: Partial<Record<Kind, Percentiles>>;
}

/**
 * The percentiles of one kind's values of `members` in bands 0 to `band` (undefined: none has a value
 * there, ranked or not). They are gathered into `scratch` and selected there, so that the values read
 * stay in place for the next window and scope.
 */
function rankWindow(samples: KindSamples, scratch: Float64Array, members: readonly string[], band: number): Percentiles | undefined {
  let n = 0;
  let skipped = 0;
  for (const member of members) {
    const group = samples.groups.get(member);
    if (!group) continue;
    let kept = 0;
    for (let b = 0; b <= band; b++) {
      kept += group.kept[b]!;
      skipped += group.skipped[b]!;
    }
    scratch.set(samples.values.subarray(group.start, group.start + kept), n);
    n += kept;
  }
  if (n + skipped === 0) return undefined;
  const [median, p90] = selectPercentiles(scratch.subarray(0, n), [50, 90]);
  return { n, skipped, median: median ?? null, p90: p90 ?? null };
}

/**
 * The parts of every group (`keyOf` of the rows' groups; undefined leaves a row out) in each of
 * `bands` windows, the j-th made of bands 0 to j, for the groups with some row in that window.
 */
function partsByWindow(rows: WindowRows, keyOf: (key: string) => string | undefined, bands: number): Map<string, Parts>[] {
  const members = new Map<string, Set<string>>();
  const add = (group: string) => {
    const key = keyOf(group);
    if (key === undefined) return;
    let set = members.get(key);
    if (!set) members.set(key, (set = new Set()));
    set.add(group);
  };
  for (const group of rows.rollups.keys()) add(group);
  for (const kind of KINDS) for (const group of rows.samples[kind].groups.keys()) add(group);
  // One buffer per kind, as large as all its values: what the widest window over all groups needs.
  const scratch = Object.fromEntries(KINDS.map((kind) => [kind, new Float64Array(rows.samples[kind].values.length)])) as Record<Kind, Float64Array>;
  const windows = Array.from({ length: bands }, () => new Map<string, Parts>());
  for (const [key, set] of members) {
    const groups = [...set];
    const days = new Set<string>();
    const sums: (Sums | undefined)[] = [];
    for (const group of groups) {
      const rollups = rows.rollups.get(group);
      if (!rollups) continue;
      for (const day of rollups.days) days.add(day);
      rollups.bands.forEach((band, b) => {
        if (!band) return;
        for (let j = b; j < bands; j++) sums[j] = addSums(sums[j], band);
      });
    }
    for (let j = 0; j < bands; j++) {
      const ranks: Partial<Record<Kind, Percentiles>> = {};
      for (const kind of KINDS) {
        const ranked = rankWindow(rows.samples[kind], scratch[kind], groups, j);
        if (ranked) ranks[kind] = ranked;
      }
      if (sums[j] || Object.keys(ranks).length > 0) windows[j]!.set(key, { sums: sums[j], days, ranks });
    }
  }
  return windows;
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
  const statements = windowStatements(d1, q, [q.from], true);
  const parts = partsByWindow(windowRows(await d1.batch<any>(statements), 1), (key) => key, 1)[0]!;
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
 * rows, so this reads the widest window once, per service and band, and takes every scope and window
 * from it as `windowFigures` takes its one.
 */
export async function figuresOfWindows(
  d1: D1Database,
  environments: readonly string[],
  froms: string[],
  to: string,
): Promise<{ figures: Map<string, Map<Scope, Map<string, WindowFigures>>>; queries: number }> {
  const starts = [...new Set(froms)].sort().reverse();
  const statements = [
    ...windowStatements(d1, { from: starts[starts.length - 1]!, to, environments, service: null, team: null, group: "service" }, starts, false),
    d1.prepare("SELECT service, team FROM metric_teams"),
  ];
  const results = await d1.batch<any>(statements);
  const rows = windowRows(results, starts.length);
  const teamOf = new Map((results[statements.length - 1]!.results as { service: string; team: string }[]).map((t) => [t.service, t.team]));
  const figures = new Map(starts.map((from) => [from, new Map<Scope, Map<string, WindowFigures>>()]));
  for (const scope of ["all", "service", "team"] as const) {
    const keyOf = (service: string) => (scope === "all" ? "*" : scope === "service" ? service : teamOf.get(service));
    partsByWindow(rows, keyOf, starts.length).forEach((parts, j) => {
      // As in `windowFigures`: all services always have figures, a group only when it has some row.
      const keys = new Set<string>(scope === "all" ? ["*", ...parts.keys()] : parts.keys());
      figures.get(starts[j]!)!.set(scope, new Map([...keys].map((key) => [key, groupFigures(starts[j]!, to, parts.get(key))])));
    });
  }
  return { figures, queries: statements.length };
}
