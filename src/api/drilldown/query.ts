/**
 * @module
 * The drill-down endpoints' query: the filters and window of `GET /api/v1/metrics`, plus a page
 * size and cursor, and the SQL conditions that select exactly the rows a metric's figures read.
 */
import { z } from "zod";
import { ApiError } from "../../http/errors";
import { normalizeEnvironment } from "../../lib/environment";
import { decodeCursor, encodeCursor } from "../pagination";
import { day, queryText, queryWindow } from "../query-fields";

export const drilldownQuerySchema = z.object({
  service: queryText,
  team: queryText,
  /** One environment or several, comma-separated, as the metrics take them. */
  environment: queryText.transform((v) => [...new Set((v ?? "production").split(",").map((e) => normalizeEnvironment(e)).filter((e) => e !== ""))]),
  from: day("from"),
  to: day("to"),
  benchmark: z.enum(["2023", "2021"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: queryText.transform((v, ctx) => {
    if (v === null) return null;
    const decoded = decodeCursor(v);
    if (!decoded) ctx.addIssue({ code: "custom", message: "cursor is not one this API issued" });
    return decoded;
  }),
});

export type DrilldownQuery = z.output<typeof drilldownQuerySchema>;

/** The window `[from, to)`, defaulting as `GET /api/v1/metrics` does: the 30 days ending today. */
export function drilldownWindow(q: DrilldownQuery, today: string): { from: string; to: string } {
  const { from, to } = queryWindow(q, today);
  if (q.environment.length === 0) throw ApiError.of(400, "environment names no environment", "environment");
  return { from, to };
}

/** A WHERE fragment and its parameters. */
export interface Condition {
  sql: string;
  params: unknown[];
}

/**
 * The rows of a derived table `x` that a metric reads for this query: its environments, its days
 * (`dayColumn` in the window), the service or the team as the last recompute knew it.
 */
export function scope(q: DrilldownQuery, window: { from: string; to: string }, dayColumn: string): Condition {
  const parts = ["x.environment IN (SELECT value FROM json_each(?))", `${dayColumn} >= ?`, `${dayColumn} < ?`];
  const params: unknown[] = [JSON.stringify(q.environment), window.from, window.to];
  if (q.service !== null) {
    parts.push("x.service = ?");
    params.push(q.service);
  }
  if (q.team !== null) {
    parts.push("x.service IN (SELECT service FROM metric_teams WHERE team = ?)");
    params.push(q.team);
  }
  return { sql: parts.join(" AND "), params };
}

/** Newest first: the rows after the cursor in `(time, key) DESC` order. */
export function after(q: DrilldownQuery, time: string, key: string): Condition {
  return q.cursor === null ? { sql: "1", params: [] } : { sql: `(${time}, ${key}) < (?, ?)`, params: q.cursor };
}

/** The page of `limit` rows and the next cursor, from the `limit + 1` read. */
export function page<R>(rows: R[], limit: number, keyOf: (row: R) => [string, string]): { rows: R[]; next_cursor: string | null } {
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  return { rows: kept, next_cursor: rows.length > limit && last !== undefined ? encodeCursor(...keyOf(last)) : null };
}
