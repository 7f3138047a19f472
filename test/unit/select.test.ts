/**
 * Percentiles by selection against the definition (a full sort, interpolated like PERCENTILE_CONT).
 */
import { describe, expect, it } from "vitest";
import { percentile } from "../../src/metrics/percentile";
import { selectPercentiles } from "../../src/metrics/select";

/** A seeded pseudo-random generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

/** `n` values of a shape that has broken quickselects: many ties, sorted, reversed, organ-pipe, fractions and negatives. */
function sample(n: number, shape: number, next: () => number): number[] {
  return Array.from({ length: n }, (_, i) => {
    switch (shape) {
      case 0:
        return Math.floor(next() * 5) * 1800;
      case 1:
        return i;
      case 2:
        return n - i;
      case 3:
        return Math.min(i, n - i);
      case 4:
        return 7;
      default:
        return (next() - 0.2) * 1e6;
    }
  });
}

describe("selectPercentiles", () => {
  it("gives exactly the sorted definition's percentiles for any count and order", () => {
    const next = random(42);
    for (const n of [0, 1, 2, 3, 4, 5, 9, 10, 11, 19, 20, 21, 99, 100, 101, 1000, 4097]) {
      for (let shape = 0; shape < 6; shape++) {
        const values = sample(n, shape, next);
        const ps = [0, 1, 25, 50, 75, 90, 99, 100];
        const expected = ps.map((p) => percentile(values, p));
        expect(selectPercentiles(Float64Array.from(values), ps), `n = ${n}, shape ${shape}`).toEqual(expected);
      }
    }
  });
});
