/**
 * @module
 * Interpolated percentiles (docs/metrics.md), computed like PERCENTILE_CONT. Ranks use integer
 * arithmetic so that the same positions can be asked of SQL without floating-point drift.
 */

/** The 0-based ranks (lower, upper) and the weight of the upper one for percentile `p` (0-100) of `n` values. */
export function percentileRanks(n: number, p: number): { lower: number; upper: number; weight: number } {
  const scaled = (n - 1) * p;
  const lower = Math.floor(scaled / 100);
  const remainder = scaled - lower * 100;
  return { lower, upper: remainder === 0 ? lower : lower + 1, weight: remainder / 100 };
}

/**
 * Percentile `p` (an integer 0-100) of `n` values, reading the k-th smallest (0-based) through
 * `at`. Null when there are no values.
 */
export function percentileOf(n: number, p: number, at: (rank: number) => number): number | null {
  if (n === 0) return null;
  const { lower, upper, weight } = percentileRanks(n, p);
  const low = at(lower);
  return upper === lower ? low : low + (at(upper) - low) * weight;
}

/**
 * Percentile `p` of the values (any order).
 * @example percentile([1, 2, 3, 4], 50) // 2.5
 */
export function percentile(values: readonly number[], p: number): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  return percentileOf(sorted.length, p, (i) => sorted[i]!);
}

/** The interpolated median. */
export function median(values: readonly number[]): number | null {
  return percentile(values, 50);
}
