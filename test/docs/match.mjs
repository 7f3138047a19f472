// Compares what a block printed with the reply its doc shows. The doc's `"..."` stands for any
// value (ids, times, secrets) and, as the last item of an array, for any further items; objects
// match when every key the doc shows matches, so replies may carry more fields than the doc shows.

const ANY = "...";

/** Splits text holding several JSON values one after another (curl prints no separator). */
export function jsonValues(text) {
  const values = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    if (text[i] === "{" || text[i] === "[") {
      let depth = 0;
      let inString = false;
      for (; i < text.length; i++) {
        const ch = text[i];
        if (inString) {
          if (ch === "\\") i++;
          else if (ch === '"') inString = false;
        } else if (ch === '"') inString = true;
        else if (ch === "{" || ch === "[") depth++;
        else if (ch === "}" || ch === "]") {
          depth--;
          if (depth === 0) {
            i++;
            break;
          }
        }
      }
    } else {
      while (i < text.length && !/\s/.test(text[i])) i++;
    }
    const chunk = text.slice(start, i);
    try {
      values.push(JSON.parse(chunk));
    } catch {
      throw new Error(`not JSON: ${chunk.slice(0, 200)}`);
    }
  }
  return values;
}

/** Where `actual` differs from `expected`, as a path and message, or null when it matches. */
export function mismatch(expected, actual, path = "$") {
  if (expected === ANY) return actual === undefined ? `${path}: missing` : null;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    const open = expected.at(-1) === ANY;
    const items = open ? expected.slice(0, -1) : expected;
    if (open ? actual.length < items.length : actual.length !== items.length) return `${path}: expected ${items.length}${open ? " or more" : ""} items, got ${actual.length}`;
    for (let i = 0; i < items.length; i++) {
      const m = mismatch(items[i], actual[i], `${path}[${i}]`);
      if (m) return m;
    }
    return null;
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      if (key === ANY) continue;
      if (!(key in actual)) return `${path}.${key}: missing`;
      const m = mismatch(value, actual[key], `${path}.${key}`);
      if (m) return m;
    }
    return null;
  }
  return Object.is(expected, actual) ? null : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

/** Whether the lines the doc shows appear in the output in order (case and `\r` ignored). */
export function textMismatch(expected, actual) {
  const lines = actual.replace(/\r/g, "").toLowerCase().split("\n");
  let at = 0;
  for (const want of expected.split("\n").map((l) => l.trim().toLowerCase()).filter(Boolean)) {
    const found = lines.findIndex((l, i) => i >= at && l.trim() === want);
    if (found < 0) return `missing line: ${want}`;
    at = found + 1;
  }
  return null;
}

/** Checks a block's output against its expectation block; returns a message or null. */
export function checkOutput(expect, stdout) {
  if (expect.lang === "text") return textMismatch(expect.code, stdout);
  const want = jsonValues(expect.code);
  const got = jsonValues(stdout);
  if (want.length !== got.length) return `expected ${want.length} JSON replies, got ${got.length}: ${stdout.slice(0, 500)}`;
  for (let i = 0; i < want.length; i++) {
    const m = mismatch(want[i], got[i], `reply ${i + 1}`);
    if (m) return `${m}\n  reply: ${JSON.stringify(got[i]).slice(0, 800)}`;
  }
  return null;
}
