/**
 * @module
 * Performance levels on the 2023 and 2021 DORA bands (docs/metrics.md).
 */

export type Benchmark = "2023" | "2021";
export type Level = "elite" | "high" | "medium" | "low";

const HOUR = 3600;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Half a year in days, for 2021's "at least once per 6 months". */
const SIX_MONTHS_DAYS = 365 / 2;

/** Deployment frequency level; null when the window had no deployment. */
export function deploymentFrequencyLevel(
  benchmark: Benchmark,
  stats: { count: number; deploy_days: number; days: number; median_deploy_days_per_week: number | null; median_deploy_days_per_month: number | null },
): Level | null {
  if (stats.count === 0) return null;
  const perWeek = stats.median_deploy_days_per_week ?? 0;
  const perMonth = stats.median_deploy_days_per_month ?? 0;
  if (benchmark === "2023") {
    if (perWeek >= 5) return "elite";
    if (perWeek >= 1) return "high";
    if (perMonth >= 1) return "medium";
    return "low";
  }
  if (perWeek >= 5) return "elite";
  if (perMonth >= 1) return "high";
  if ((stats.deploy_days * SIX_MONTHS_DAYS) / stats.days >= 1) return "medium";
  return "low";
}

/** Change lead time level from the median. */
export function leadTimeLevel(benchmark: Benchmark, medianSeconds: number | null): Level | null {
  if (medianSeconds === null) return null;
  const [elite, high, medium] = benchmark === "2023" ? [DAY, WEEK, 30 * DAY] : [HOUR, WEEK, 180 * DAY];
  if (medianSeconds < elite) return "elite";
  if (medianSeconds < high) return "high";
  if (medianSeconds < medium) return "medium";
  return "low";
}

/** Change failure rate level. */
export function changeFailureRateLevel(benchmark: Benchmark, rate: number | null): Level | null {
  if (rate === null) return null;
  const [elite, high, medium] = benchmark === "2023" ? [0.05, 0.1, 0.15] : [0.15, 0.2, 0.3];
  if (rate <= elite) return "elite";
  if (rate <= high) return "high";
  if (rate <= medium) return "medium";
  return "low";
}

/** Recovery level (failed deployment recovery time and time to restore; both benchmarks). */
export function recoveryLevel(medianSeconds: number | null): Level | null {
  if (medianSeconds === null) return null;
  if (medianSeconds < HOUR) return "elite";
  if (medianSeconds < DAY) return "high";
  if (medianSeconds < WEEK) return "medium";
  return "low";
}
