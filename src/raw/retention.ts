/**
 * @module
 * Payload retention (`RAW_RETENTION_DAYS`): the nightly job deletes payload objects older than the
 * setting and their references; the records themselves are never touched.
 */
import { configOf, type ConfigVars } from "../config";
import type { Env } from "../env";
import { RAW_PREFIX } from "./store";

const DAY_MS = 86_400_000;
/** Listing pages (of up to 1,000 objects) one run reads at most, to stay within a run's subrequests. */
const MAX_PAGES = 200;
/** References deleted per statement, so that no statement grows with the whole table. */
const REF_CHUNK = 10_000;

/** The days to keep, or null to keep forever (unset or empty); anything else is a named error. */
export function rawRetentionDays(value: string | undefined): number | null {
  const text = (value ?? "").trim();
  if (text === "") return null;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new Error(`RAW_RETENTION_DAYS must be a whole number of days (1 or more), or empty to keep payloads forever; got ${JSON.stringify(value).slice(0, 40)}`);
  }
  return Number(text);
}

export interface RetentionReport {
  /** The first day kept; null when payloads are kept forever. */
  kept_from: string | null;
  objects_deleted: number;
  refs_deleted: number;
}

/**
 * Deletes payload objects whose newest payload was received before the retention window's first
 * day, then every reference into that range of keys. Objects are named by that day, so the listing
 * stops at the first key inside the window.
 */
export async function expireRaw(env: Pick<Env, "DB" | "RAW"> & ConfigVars, now: Date): Promise<RetentionReport> {
  const days = configOf(env).rawRetentionDays;
  if (days === null) return { kept_from: null, objects_deleted: 0, refs_deleted: 0 };
  const keptFrom = new Date(now.getTime() - days * DAY_MS).toISOString().slice(0, 10);
  const boundary = `${RAW_PREFIX}${keptFrom}/`;

  let objectsDeleted = 0;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const listed = await env.RAW.list({ prefix: RAW_PREFIX, cursor });
    const expired = listed.objects.map((o) => o.key).filter((key) => key < boundary);
    if (expired.length > 0) await env.RAW.delete(expired);
    objectsDeleted += expired.length;
    if (!listed.truncated || expired.length < listed.objects.length) break;
    cursor = listed.cursor;
  }

  // References are kept in record id order, which is roughly time order, so each chunk's scan finds the old ones early.
  const expiredObjects = "SELECT id FROM raw_objects WHERE key < ?";
  let refsDeleted = 0;
  for (;;) {
    const result = await env.DB.prepare(`DELETE FROM raw_payloads WHERE (record_id, seq) IN (SELECT record_id, seq FROM raw_payloads WHERE object_id IN (${expiredObjects}) LIMIT ${REF_CHUNK})`)
      .bind(boundary)
      .run();
    refsDeleted += result.meta.changes;
    if (result.meta.changes < REF_CHUNK) break;
  }
  await env.DB.prepare("DELETE FROM raw_objects WHERE key < ?").bind(boundary).run();
  return { kept_from: keptFrom, objects_deleted: objectsDeleted, refs_deleted: refsDeleted };
}
