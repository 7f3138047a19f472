/**
 * @module
 * Parses the timestamp forms vendors send into UTC ISO 8601 with milliseconds.
 */

const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/** Years 0000 to 9999: what ISO 8601 text in `YYYY-MM-DD` form can hold. */
const MIN_MS = -62167219200000;
const MAX_MS = 253402300799999;

/** A UTC date; unlike `Date.UTC`, it reads years 0-99 as themselves, not as 1900-1999. */
function utcDate(year: number, month: number, day: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date;
}

function daysInMonth(year: number, month: number): number {
  return utcDate(year, month + 1, 0).getUTCDate();
}

/**
 * Parses ISO 8601 (with or without a zone), `YYYY-MM-DD HH:MM:SS` (OpsLevel), Ruby's
 * `YYYY-MM-DD HH:MM:SS +0200` (GitLab), a date alone, or epoch milliseconds (a number).
 * A time without a zone is UTC. Returns null for anything else, impossible dates included.
 *
 * @example
 * parseTimestamp("2019-02-01 13:28:33")        // "2019-02-01T13:28:33.000Z"
 * parseTimestamp("2021-04-28 21:50:00 +0200")  // "2021-04-28T19:50:00.000Z"
 * parseTimestamp(1711603545000)                // "2024-03-28T05:25:45.000Z"
 * parseTimestamp("2019-13-45")                 // null
 */
export function parseTimestamp(value: unknown): string | null {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0 || value > MAX_MS) return null;
    return new Date(value).toISOString();
  }
  if (typeof value !== "string") return null;
  const m = PATTERN.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = Number(frac.padEnd(3, "0").slice(0, 3));
  let offsetMinutes = 0;
  if (zone && zone !== "Z" && zone !== "z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || "0");
    if (oh > 23 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const date = utcDate(year, month, day);
  date.setUTCHours(hour, minute, second, millis);
  const utc = date.getTime() - offsetMinutes * 60_000;
  if (utc < MIN_MS || utc > MAX_MS) return null;
  return new Date(utc).toISOString();
}
