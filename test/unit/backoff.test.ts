/**
 * The backoff every retry uses.
 */
import { describe, expect, it } from "vitest";
import { backoffMs } from "../../src/lib/backoff";

describe("backoffMs", () => {
  it("doubles from 1 s and stops at the cap", () => {
    expect([0, 1, 2, 3, 10, 50].map((failures) => backoffMs(failures, 300_000))).toEqual([1000, 1000, 2000, 4000, 300_000, 300_000]);
  });
});
