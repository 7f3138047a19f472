import { describe, expect, it } from "vitest";
import { describeOffset, jsonErrorOffset, nestingOffset } from "../../src/http/json-error";

describe("jsonErrorOffset", () => {
  it.each([
    ['{"a": 1,}', 8],
    ["hello", 0],
    ['{"a": 1', 7],
    ['{"a" 1}', 5],
    ['[1, 2,, 3]', 6],
    ['{"a": "b\nc"}', 6],
    ['{"a": 01}', 7],
    ['{"a": tru}', 6],
    ["{} x", 3],
    ['{\n  "branch_name": "main"\n  "project_name": "Project"\n}', 28],
  ])("%j stops at %i", (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
  });

  it.each(['{"a": [1, -2.5e3, true, false, null, "x\\u00e9"]}', " [] ", '"just a string"', "0"])("%j is valid", (text) => {
    expect(jsonErrorOffset(text)).toBe(-1);
  });

  it("describes an offset by line and column", () => {
    expect(describeOffset("{\n  x", 4)).toBe("position 4 (line 2 column 3)");
  });
});

describe("nestingOffset", () => {
  it("finds the bracket past the limit, ignoring brackets in strings", () => {
    expect(nestingOffset("[[[1]]]", 2)).toBe(2);
    expect(nestingOffset('{"a": "[[[[", "b": [1]}', 2)).toBe(-1);
    expect(nestingOffset('{"a": "\\\"[[[", "b": {"c": {}}}', 2)).toBe(26);
  });
});
