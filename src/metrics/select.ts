/**
 * @module
 * Interpolated percentiles of a typed array by selection: only the ranks a percentile reads are put
 * in place (quickselect), in linear time, where a sort would order every value.
 */
import { percentileOf, percentileRanks } from "./percentile";

/** Swaps `a[i]` and `a[j]`. */
function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/**
 * Reorders `a[lo..hi]` so that `a[k]` holds the value a sort would put there, every value before it
 * is no greater and every value after it no smaller.
 */
function selectInPlace(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    // Median of three as the pivot, so that sorted or reversed input stays linear.
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    // Hoare's partition: values equal to the pivot go to both sides, so that ties do not unbalance it.
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * Percentiles `ps` (integers 0-100) of `a`'s values, which it reorders; null for each when `a` is
 * empty.
 */
export function selectPercentiles(a: Float64Array, ps: readonly number[]): (number | null)[] {
  const n = a.length;
  const ranks = new Set<number>();
  for (const p of ps) {
    if (n === 0) break;
    const { lower, upper } = percentileRanks(n, p);
    ranks.add(lower).add(upper);
  }
  const at = new Map<number, number>();
  // Each rank is selected among the values after the last one: those before it are no greater.
  let lo = 0;
  for (const k of [...ranks].sort((x, y) => x - y)) {
    selectInPlace(a, lo, n - 1, k);
    at.set(k, a[k]!);
    lo = k;
  }
  return ps.map((p) => percentileOf(n, p, (k) => at.get(k)!));
}
