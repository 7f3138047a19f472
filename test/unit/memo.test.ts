import { describe, expect, it } from "vitest";
import { Memo } from "../../src/lib/memo";

describe("a memo", () => {
  it("keeps a value until its time to live has passed", () => {
    const kept = new Memo<boolean>({ maxEntries: 10, ttlMs: 60_000 });
    kept.set("a", false);
    expect(kept.get("a")).toBe(false);
    const expired = new Memo<boolean>({ maxEntries: 10, ttlMs: 0 });
    expired.set("a", true);
    expect(expired.get("a")).toBeUndefined();
  });

  it("forgets everything once it holds its most entries, and on demand", () => {
    const memo = new Memo<number>({ maxEntries: 2 });
    memo.set("a", 1);
    memo.set("b", 2);
    memo.set("c", 3);
    expect([memo.get("a"), memo.get("b"), memo.get("c")]).toEqual([undefined, undefined, 3]);
    memo.clear();
    expect(memo.get("c")).toBeUndefined();
  });
});
