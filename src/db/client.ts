/**
 * @module
 * The drizzle handle on D1.
 */
import { sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import * as schema from "./schema";

/** Opens drizzle on a D1 binding. */
export function database(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Database = ReturnType<typeof database>;

const dialect = new SQLiteSyncDialect();

/**
 * Prepares a drizzle `sql` template as a plain D1 statement, for raw statements that go into a
 * `D1Database.batch()` (drizzle's own batch takes only its query builders).
 */
export function prepare(d1: D1Database, query: SQL): D1PreparedStatement {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return d1.prepare(text).bind(...params);
}

/**
 * `(SELECT value FROM json_each(?))` over a list of keys, for `inArray`: one bound parameter
 * however many keys, so D1's limit of 100 per statement never applies.
 */
export function jsonKeys(keys: readonly string[]): SQL {
  return sql`(SELECT value FROM json_each(${JSON.stringify(keys)}))`;
}
