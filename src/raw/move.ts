/**
 * @module
 * Moves payloads that databases written before R2 kept in D1 (`raw` columns) into R2, a bounded
 * chunk per call so that each call stays within D1's per-invocation limits; calling again resumes
 * where the last call stopped, because moved rows no longer match.
 */
import { sql } from "drizzle-orm";
import { prepare } from "../db/client";
import { referenceStatements } from "./references";
import { objectKey, putPayloads } from "./store";

/** The tables whose rows carried their payload. */
export const RAW_TABLES = ["deployments", "incidents", "ci_runs"] as const;
type RawTable = (typeof RAW_TABLES)[number];

/** Rows a call moves at most: one R2 object and three D1 statements per table. */
export const MOVE_LIMIT_MAX = 1000;

export interface MoveReport {
  moved: Record<RawTable, number>;
  /** Rows still holding their payload in D1, per table. */
  remaining: Record<RawTable, number>;
  done: boolean;
}

interface Unmoved {
  rowid: number;
  id: string;
  last_seq: number;
  received_at: string;
  raw: string;
}

// `octet_length` reads a value's size from the record header, not its overflow pages: finding the
// rows left costs a scan of the table's leaf pages, not of its payloads.
const PENDING = "octet_length(raw) > 0";

async function moveChunk(d1: D1Database, bucket: R2Bucket, table: RawTable, limit: number): Promise<number> {
  const { results } = await d1
    .prepare(`SELECT rowid, id, last_seq, received_at, raw FROM ${table} WHERE ${PENDING} ORDER BY rowid LIMIT ?`)
    .bind(limit)
    .all<Unmoved>();
  if (results.length === 0) return 0;
  const newest = results.reduce((max, r) => (r.received_at > max ? r.received_at : max), results[0]!.received_at);
  const key = objectKey(newest, `moved-${table}`, `${results[0]!.rowid}-${results[results.length - 1]!.rowid}`);
  const refs = await putPayloads(bucket, key, results.map((r) => r.raw));
  const rows = results.map((r, i) => ({ record_id: r.id, seq: r.last_seq, received_at: r.received_at, offset: refs[i]!.offset, length: refs[i]!.length }));
  // A reference the drain already wrote for the same delivery is the same payload: it stays.
  await d1.batch([
    ...referenceStatements(d1, key, rows, true),
    prepare(d1, sql`UPDATE ${sql.raw(table)} SET raw = '' WHERE rowid IN (SELECT value FROM json_each(${JSON.stringify(results.map((r) => r.rowid))}))`),
  ]);
  return results.length;
}

/** Moves up to `limit` rows' payloads, the tables in turn, and says how many are left. */
export async function moveRaw(d1: D1Database, bucket: R2Bucket, limit: number): Promise<MoveReport> {
  const moved = { deployments: 0, incidents: 0, ci_runs: 0 };
  let budget = limit;
  for (const table of RAW_TABLES) {
    if (budget === 0) break;
    moved[table] = await moveChunk(d1, bucket, table, budget);
    budget -= moved[table];
  }
  const counts = await d1.batch<{ n: number }>(RAW_TABLES.map((t) => d1.prepare(`SELECT count(*) AS n FROM ${t} WHERE ${PENDING}`)));
  const remaining = { deployments: counts[0]!.results[0]!.n, incidents: counts[1]!.results[0]!.n, ci_runs: counts[2]!.results[0]!.n };
  return { moved, remaining, done: Object.values(remaining).every((n) => n === 0) };
}
