/**
 * @module
 * UTC days, ISO weeks, calendar months and windows `[from, to)` on dates (docs/metrics.md).
 * Days are `YYYY-MM-DD` strings.
 */
import { Memo } from "../lib/memo";
import { median } from "./percentile";

const DAY_MS = 86_400_000;

export type Granularity = "day" | "week" | "month";

function toMs(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

function fromMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `day` moved by `n` days. */
export function addDays(day: string, n: number): string {
  return fromMs(toMs(day) + n * DAY_MS);
}

/** Whole days from `from` to `to`. */
export function daysBetween(from: string, to: string): number {
  return Math.round((toMs(to) - toMs(from)) / DAY_MS);
}

/**
 * `compute` memoised per isolate by its key, forgetting everything past `max` keys. A snapshot run asks
 * for the same few hundred days and windows in every group of every window, and the date arithmetic
 * was most of its time in the Worker.
 */
function memoised<T>(max: number, compute: (key: string) => T): (key: string) => T {
  const memo = new Memo<T>({ maxEntries: max });
  return (key) => {
    let value = memo.get(key);
    if (value === undefined) {
      value = compute(key);
      memo.set(key, value);
    }
    return value;
  };
}

/** The Monday that starts the ISO week of `day`. */
export const isoWeekStart = memoised(10_000, (day) => addDays(day, -((new Date(toMs(day)).getUTCDay() + 6) % 7)));

/** The first day of the calendar month of `day`. */
export function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

/** The first day of the next calendar month after the month of `day`. */
export function nextMonthStart(day: string): string {
  const d = new Date(toMs(monthStart(day)));
  return fromMs(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}

/** The start of the bucket that holds `day`. */
export function bucketStart(day: string, granularity: Granularity): string {
  return granularity === "day" ? day : granularity === "week" ? isoWeekStart(day) : monthStart(day);
}

function bucketEnd(start: string, granularity: Granularity): string {
  return granularity === "day" ? addDays(start, 1) : granularity === "week" ? addDays(start, 7) : nextMonthStart(start);
}

/** One bucket: `key` is its calendar start, `start`/`end` its part inside the window. */
export interface Bucket {
  key: string;
  start: string;
  end: string;
}

/**
 * The buckets (days, ISO weeks or calendar months) that overlap `[from, to)`, clipped to it.
 * @example buckets("2026-12-30", "2027-01-02", "week") // [{ key: "2026-12-28", start: "2026-12-30", end: "2027-01-02" }]
 */
export function buckets(from: string, to: string, granularity: Granularity): Bucket[] {
  const out: Bucket[] = [];
  for (let key = bucketStart(from, granularity); key < to; key = bucketEnd(key, granularity)) {
    const end = bucketEnd(key, granularity);
    out.push({ key, start: key < from ? from : key, end: end > to ? to : end });
  }
  return out;
}

/** The keys of `buckets`, by `from/to/granularity`: every group of a window needs the same. */
const bucketKeys = memoised(1_000, (id) => {
  const [from, to, granularity] = id.split("/") as [string, string, Granularity];
  return buckets(from, to, granularity).map((b) => b.key);
});

/** Deploy days in a window and their medians per ISO week and per calendar month. */
export interface DeployDayStats {
  deploy_days: number;
  median_deploy_days_per_week: number | null;
  median_deploy_days_per_month: number | null;
}

/**
 * Counts the distinct deploy days inside `[from, to)` and takes the median, over every ISO week
 * (and every calendar month) overlapping the window, of the deploy days it holds inside the
 * window; periods without any count as 0.
 */
export function deployDayStats(days: Iterable<string>, from: string, to: string): DeployDayStats {
  const inside = [...new Set(days)].filter((d) => d >= from && d < to);
  const per = (granularity: Granularity) => {
    const counts = new Map(bucketKeys(`${from}/${to}/${granularity}`).map((key) => [key, 0]));
    for (const d of inside) {
      const key = bucketStart(d, granularity);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return median([...counts.values()]);
  };
  return { deploy_days: inside.length, median_deploy_days_per_week: per("week"), median_deploy_days_per_month: per("month") };
}
