/**
 * @module
 * Cursor pagination and the filters shared by the list endpoints.
 */
import { and, eq, gte, inArray, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import type { Database } from "../db/client";
import { services } from "../db/schema";
import { zValidator } from "@hono/zod-validator";
import { ApiError } from "../http/errors";
import { problemsOf } from "../http/validate";
import { normalizeEnvironment } from "../lib/environment";
import { queryText } from "./query-fields";
import { parseTimestamp } from "../lib/time";

/** Opaque cursor over `(time, id)`, newest first. */
export function encodeCursor(time: string, id: string): string {
  return btoa(JSON.stringify([time, id])).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The `(time, id)` a cursor of `encodeCursor` holds, or null when it is not one. */
export function decodeCursor(cursor: string): [string, string] | null {
  try {
    const value: unknown = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "string")) return value as [string, string];
  } catch {
    // Falls through to the rejection below.
  }
  return null;
}

const time = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return null;
      const t = parseTimestamp(v);
      if (t === null) ctx.addIssue({ code: "custom", message: `${name} is not a valid date or time: ${JSON.stringify(v).slice(0, 64)}` });
      return t;
    });

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return null;
      const decoded = decodeCursor(v);
      if (!decoded) ctx.addIssue({ code: "custom", message: "cursor is not one this API issued" });
      return decoded;
    }),
  service: queryText,
  team: queryText,
  environment: queryText.transform((v) => (v === null ? null : normalizeEnvironment(v))),
  status: queryText,
  integration: queryText,
  from: time("from"),
  to: time("to"),
});

export type ListQuery = z.output<typeof listQuerySchema>;

/** Validates a query string against a schema, answering 400 with the offending parameters. */
export function queryValidator<S extends z.ZodType>(schema: S) {
  return zValidator("query", schema, (result) => {
    if (!result.success) throw new ApiError(400, problemsOf(result.error));
  });
}

/** The query validator of the list endpoints. */
export const listQuery = queryValidator(listQuerySchema);

/** The columns of a listed table that the shared filters and the cursor apply to. */
export interface ListColumns {
  service: SQLiteColumn;
  environment: SQLiteColumn;
  status: SQLiteColumn;
  integrationId: SQLiteColumn;
  /** The time the list is ordered by, newest first. */
  time: SQLiteColumn;
  id: SQLiteColumn;
}

/** The WHERE clause of a list: its filters, `[from, to)` on its time, and the cursor. */
export function listConditions(db: Database, q: ListQuery, col: ListColumns): SQL | undefined {
  return and(
    q.service === null ? undefined : eq(col.service, q.service),
    q.team === null ? undefined : inArray(col.service, db.select({ slug: services.slug }).from(services).where(eq(services.team, q.team))),
    q.environment === null ? undefined : eq(col.environment, q.environment),
    q.status === null ? undefined : eq(col.status, q.status),
    q.integration === null ? undefined : eq(col.integrationId, q.integration),
    q.from === null ? undefined : gte(col.time, q.from),
    q.to === null ? undefined : lt(col.time, q.to),
    q.cursor === null ? undefined : or(lt(col.time, q.cursor[0]), and(eq(col.time, q.cursor[0]), lt(col.id, q.cursor[1]))),
  );
}

/**
 * Splits the `limit + 1` rows a list query read into the page and the `(time, id)` the next one
 * starts after (null on the last page).
 */
export function pageOf<R extends { id: string }>(rows: R[], limit: number, timeOf: (row: R) => string): { page: R[]; next: [string, string] | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, next: rows.length > limit && last ? [timeOf(last), last.id] : null };
}
