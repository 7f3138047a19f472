/**
 * @module
 * The D1 side of stored payloads: an object's row in `raw_objects` and one reference per payload
 * in `raw_payloads`, written in the same batch as the records they belong to.
 */
import { sql } from "drizzle-orm";
import { prepare } from "../db/client";

/** One payload's place in its object. */
export interface ReferenceRow {
  record_id: string;
  seq: number;
  received_at: string;
  offset: number;
  length: number;
}

/**
 * Statements that record object `key` and references into it. A reference written again (a retried
 * batch) moves to the new object; `keepExisting` keeps the one already there instead.
 */
export function referenceStatements(d1: D1Database, key: string, rows: readonly ReferenceRow[], keepExisting = false): D1PreparedStatement[] {
  const conflict = keepExisting
    ? sql.raw("DO NOTHING")
    : sql.raw("DO UPDATE SET received_at = excluded.received_at, object_id = excluded.object_id, offset = excluded.offset, length = excluded.length");
  return [
    prepare(d1, sql`INSERT INTO raw_objects (key) VALUES (${key}) ON CONFLICT(key) DO NOTHING`),
    prepare(
      d1,
      sql`INSERT INTO raw_payloads (record_id, seq, received_at, object_id, offset, length)
          SELECT value->>'record_id', value->>'seq', value->>'received_at', (SELECT id FROM raw_objects WHERE key = ${key}), value->>'offset', value->>'length'
          FROM json_each(${JSON.stringify(rows)}) WHERE true ON CONFLICT(record_id, seq) ${conflict}`,
    ),
  ];
}
