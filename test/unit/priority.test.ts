import { describe, expect, it } from "vitest";
import { readPriority, readUrgency } from "../../src/events/priority";

describe("readPriority: levels", () => {
  it.each([
    ["P1", "P1"], ["p1", "P1"], ["1", "P1"], ["SEV1", "P1"], ["SEV-1", "P1"], ["sev 1", "P1"], ["Critical", "P1"],
    ["P2", "P2"], ["2", "P2"], ["SEV2", "P2"], ["sev_2", "P2"], ["HIGH", "P2"],
    ["P3", "P3"], ["3", "P3"], ["SEV3", "P3"], ["medium", "P3"], ["Moderate", "P3"],
    ["P4", "P4"], ["4", "P4"], ["low", "P4"], ["SEV-4", "P4"],
    ["P5", "P5"], ["5", "P5"], ["info", "P5"], ["  Info ", "P5"],
  ])("%j -> %s", (raw, level) => expect(readPriority(raw)).toEqual({ priority: level, priority_raw: raw.trim() }));

  it.each(["", "P0", "P6", "6", "0", "urgent", "sev", "P 1 2", "highest", "blocker", "1.0"])("%j is unknown", (raw) => expect(readPriority(raw).priority).toBeNull());
});

describe("readPriority", () => {
  it("takes the first value that names a level, keeping it as given", () => {
    expect(readPriority(" SEV-1 ")).toEqual({ priority: "P1", priority_raw: "SEV-1" });
    expect(readPriority("", "high")).toEqual({ priority: "P2", priority_raw: "high" });
    expect(readPriority("urgent", "3")).toEqual({ priority: "P3", priority_raw: "3" });
    expect(readPriority(2)).toEqual({ priority: "P2", priority_raw: "2" });
  });

  it("keeps an unknown value raw, and gives nothing for blanks", () => {
    expect(readPriority("urgent", "whenever")).toEqual({ priority: null, priority_raw: "urgent" });
    expect(readPriority(null, undefined, "  ")).toEqual({ priority: null, priority_raw: null });
    expect(readPriority()).toEqual({ priority: null, priority_raw: null });
  });
});

describe("readUrgency", () => {
  it.each([["high", "high"], [" HIGH ", "high"], ["Low", "low"], ["medium", null], ["", null], [null, null], [undefined, null]])(
    "%j -> %j",
    (raw, urgency) => expect(readUrgency(raw)).toBe(urgency),
  );
});
