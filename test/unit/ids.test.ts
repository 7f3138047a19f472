import { describe, expect, it } from "vitest";
import { randomId, timeOrderedId } from "../../src/lib/crypto";

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("timeOrderedId", () => {
  it("is a UUID version 7 whose first 48 bits are the time in milliseconds", () => {
    const id = timeOrderedId(Date.UTC(2026, 10, 22));
    expect(id).toMatch(V7);
    expect(id.startsWith("01a2008d-7400-7")).toBe(true);
  });

  it("sorts later ids after earlier ones", () => {
    const t = Date.UTC(2026, 10, 22, 12);
    const times = [t, t + 1, t + 255, t + 256, t + 60_000, t + 2 ** 40];
    const ids = times.map((at) => timeOrderedId(at));
    expect([...ids].sort()).toEqual(ids);
  });

  it("differs within one millisecond", () => {
    const ids = Array.from({ length: 1000 }, () => timeOrderedId(0));
    expect(new Set(ids).size).toBe(1000);
    expect(ids.every((id) => V7.test(id))).toBe(true);
  });
});

describe("randomId", () => {
  it("keeps all 128 bits random: an integration id is its credential", () => {
    const ids = Array.from({ length: 64 }, () => randomId());
    expect(new Set(ids.map((id) => id[14])).size).toBeGreaterThan(1);
    expect(new Set(ids.map((id) => id.slice(0, 4))).size).toBeGreaterThan(1);
  });
});
