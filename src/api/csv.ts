/**
 * @module
 * CSV lines (RFC 4180) from presented records: fixed columns named by dotted paths, nested values
 * flattened, lists written as JSON.
 */

/** One field, quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(value: unknown): string {
  const text = value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function at(record: object, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split(".")) value = value === null || typeof value !== "object" ? undefined : (value as Record<string, unknown>)[key];
  return value;
}

/** The header line: the paths with dots turned into underscores. */
export function csvHeader(columns: readonly string[]): string {
  return `${columns.map((c) => csvField(c.replace(/\./g, "_"))).join(",")}\r\n`;
}

/** One record's line. */
export function csvLine(record: object, columns: readonly string[]): string {
  return `${columns.map((c) => csvField(at(record, c))).join(",")}\r\n`;
}
