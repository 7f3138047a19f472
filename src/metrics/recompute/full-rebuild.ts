/**
 * @module
 * The full rebuild, in chunks so that no statement's work grows with the whole history, and
 * resumable: everything derived dropped, then the deployments' lookup by id written a range of events
 * at a time in the events' own order (`ids`), then the lead samples a range of ids at a time
 * (`samples`), then the events copied a chunk of services at a time (`copy`), then every other phase
 * run a chunk at a time over the copy (`derive`). `metric_state` says which stage and which event, id
 * or service each finished last, and every chunk's batch moves that mark with its own writes, so a run
 * that stops anywhere is continued by the next one at the next chunk.
 */
import { COPY_DEPLOYMENT_IDS, COPY_DEPLOYMENTS, COPY_DEPLOYMENTS_UNCHANGED, COPY_INCIDENTS, COUNTED, FINISHED } from "./copies";
import { deriveFromSamples } from "./derive";
import { rangeLeadSamples } from "./lead-samples";
import { CHUNK } from "./range";
import type { Runner } from "./runner";

/**
 * Deployments per chunk, by default: a statement's work is bounded by this rather than by the history,
 * while a 10M history still takes only about a hundred chunks. A chunk takes whole services, so it
 * holds this many plus the rest of its last service.
 */
export const ROWS_PER_CHUNK = 100_000;

const DERIVED_TABLES = [
  "metric_changes",
  "metric_dirty_names",
  "metric_dirty",
  "metric_work",
  "metric_work_ids",
  "metric_deployment_ids",
  "metric_deployments",
  "metric_incidents",
  "metric_lead_samples",
  "metric_days",
];

/** The stages of a rebuild, in order. */
export const REBUILD_STAGES = ["ids", "samples", "copy", "derive"] as const;

/** A rebuild's stage and the last event (by rowid, in `ids`), id (in `samples`) or service that stage finished (null: none yet). */
export interface RebuildProgress {
  stage: (typeof REBUILD_STAGES)[number] | null;
  after: string | null;
}

/**
 * First part: drop everything derived and start at the lookup's stage. A transaction of its own:
 * deleting the old rows in the same transaction as writing the new ones costs the copy about half as
 * much again.
 */
export function clearDerived(d1: D1Database): D1PreparedStatement[] {
  return [
    ...DERIVED_TABLES.map((t) => d1.prepare(`DELETE FROM ${t}`)),
    d1.prepare(
      `INSERT INTO metric_state (id, as_of, full_pending, full_stage) VALUES (1, NULL, 1, 'ids')
       ON CONFLICT(id) DO UPDATE SET full_pending = 1, full_stage = 'ids', full_after = NULL, chunk_first = NULL, chunk_last = NULL`,
    ),
  ];
}

/** Makes the next recompute, whoever starts it, a full rebuild from the start: for what only a rebuild applies to all history. */
export function requestFullRebuild(d1: D1Database): D1PreparedStatement {
  return d1.prepare("INSERT INTO metric_state (id, as_of, full_pending) VALUES (1, NULL, 1) ON CONFLICT(id) DO UPDATE SET full_pending = 1, full_stage = NULL");
}

/**
 * Moves the rebuild's mark (`set`), only while it is still at `stage`: a restart asked for meanwhile
 * (a migration applied, a catalog change) is then kept for the next run rather than overwritten.
 */
function mark(d1: D1Database, stage: (typeof REBUILD_STAGES)[number], set: string, ...values: unknown[]): D1PreparedStatement {
  return d1.prepare(`UPDATE metric_state SET ${set} WHERE id = 1 AND full_stage = '${stage}'`).bind(...values);
}

/** The services after `after` (all when null) that the next `rows` rows of `table` hold, as their first and last. */
async function nextChunk(run: Runner, table: string, after: string | null, rows: number): Promise<{ first: string | null; last: string | null }> {
  const statement = run.d1.prepare(
    `SELECT min(service) AS first, max(service) AS last FROM (SELECT service FROM ${table} ${after === null ? "" : "WHERE service > ?"} ORDER BY service LIMIT ?)`,
  );
  return (await run.first(after === null ? statement.bind(rows) : statement.bind(after, rows))) ?? { first: null, last: null };
}

/** The last of the next `rows` ids of the lookup after `after`; null when none is left. */
async function lastIdOfNext(run: Runner, after: string, rows: number): Promise<string | null> {
  const row = await run.first<{ last: string | null }>(
    run.d1.prepare("SELECT max(id) AS last FROM (SELECT id FROM metric_deployment_ids WHERE id > ? ORDER BY id LIMIT ?)").bind(after, rows),
  );
  return row?.last ?? null;
}

/**
 * The end of the next range of `rows` event rowids, from the first one after `after`; null when none
 * is left. Found in one probe of the table's key: counting the rows off walks every page of the events.
 */
async function lastRowidOfNext(run: Runner, after: number, rows: number): Promise<number | null> {
  const row = await run.first<{ last: number | null }>(run.d1.prepare("SELECT min(rowid) + ? - 1 AS last FROM deployments WHERE rowid > ?").bind(rows, after));
  return row?.last ?? null;
}

/**
 * One range of the lookup by id: the finished events after rowid `after` up to `last`, sorted by id.
 * Rowids and time-ordered ids rise together, so the lookup's B-tree is appended to, not written at
 * random. Past the last range, the lead samples start.
 */
function idsRange(d1: D1Database, after: number | null, last: number | null): D1PreparedStatement[] {
  if (last === null) return [mark(d1, "ids", "full_stage = 'samples', full_after = NULL")];
  return [
    // `+d.id`: the range read by rowid and sorted, never the whole id index walked for it.
    d1.prepare(`${COPY_DEPLOYMENT_IDS} WHERE d.rowid > ? AND d.rowid <= ? AND ${FINISHED} ORDER BY +d.id`).bind(after ?? 0, last),
    mark(d1, "ids", "full_after = ?", String(last)),
  ];
}

/** One range of the lead samples: the deployments with ids after `after` up to `last`. Past the last range, the copy starts. */
function samplesRange(d1: D1Database, after: string | null, last: string | null): D1PreparedStatement[] {
  if (last === null) return [mark(d1, "samples", "full_stage = 'copy', full_after = NULL")];
  return [rangeLeadSamples(d1, after ?? "", last), mark(d1, "samples", "full_after = ?", last)];
}

/**
 * One chunk of the copy: the events of the services (by the name they were written with) after `after`
 * up to `last`, or all the rest when `last` is null, in the table's key order (by group), so that an
 * incremental step finds a group's rows on few pages. Each row goes where its lookup says: straight
 * from the events while the catalog is as the lookups saw it (events changed since wait for their
 * queued change), through the lookups once it changed.
 */
function copyChunk(d1: D1Database, after: string | null, last: string | null): D1PreparedStatement[] {
  const bounds = (column: string) => [after === null ? "" : `AND ${column} > ?`, last === null ? "" : `AND ${column} <= ?`].join(" ");
  const values = [after, last].filter((v): v is string => v !== null);
  const stage = last === null ? "full_stage = 'derive', full_after = NULL" : "full_after = ?";
  // Which of the two copies applies is tested in the range's upper bound (null when it does not), which
  // SQLite reads once before its seek: in the WHERE clause it would test it on every event of the range.
  const deployments = (copy: string, applies: string, when: string) =>
    d1
      .prepare(
        `${copy} WHERE ${FINISHED} ${after === null ? "" : "AND d.service > ?"} AND d.service <= (SELECT ? WHERE ${applies}) ${when} ORDER BY d.service, d.environment, d.occurred_at, d.id`,
      )
      .bind(...values);
  return [
    ...(last === null
      ? []
      : [
          deployments(
            COPY_DEPLOYMENTS_UNCHANGED,
            "NOT EXISTS (SELECT 1 FROM metric_dirty_names)",
            "AND NOT EXISTS (SELECT 1 FROM metric_changes ch WHERE ch.kind = 'deployment' AND ch.id = d.id)",
          ),
          deployments(COPY_DEPLOYMENTS, "EXISTS (SELECT 1 FROM metric_dirty_names)", ""),
        ]),
    d1.prepare(`${COPY_INCIDENTS} WHERE ${COUNTED} ${bounds("i.service")} ORDER BY 2, 3, 4, 1`).bind(...values),
    mark(d1, "copy", stage, ...(last === null ? [] : [last])),
  ];
}

/** One chunk of the derivation: every phase after the lead samples over the services `first` to `last` (the catalog's). */
function deriveChunk(d1: D1Database, linkWindowHours: number, first: string, last: string): D1PreparedStatement[] {
  return [
    d1.prepare("UPDATE metric_state SET chunk_first = ?, chunk_last = ? WHERE id = 1").bind(first, last),
    d1.prepare("DELETE FROM metric_work_ids"),
    ...deriveFromSamples(d1, linkWindowHours, CHUNK),
    d1.prepare("DELETE FROM metric_work_ids"),
    mark(d1, "derive", "full_after = chunk_last"),
  ];
}

/** The last batch: the rebuild is over, and the next recompute is an incremental one. */
function finish(d1: D1Database): D1PreparedStatement {
  return mark(d1, "derive", "full_pending = 0, full_stage = NULL, full_after = NULL, chunk_first = NULL, chunk_last = NULL");
}

/**
 * Runs the stages range after range from `progress` while the run's budget lasts, and says whether
 * the rebuild is done. Each batch ends with its `mark`: when that moved nothing, a restart was asked
 * for meanwhile, and the run stops rather than finish a rebuild that is no longer the current one.
 */
export async function rebuildInChunks(run: Runner, progress: RebuildProgress, linkWindowHours: number, rowsPerChunk: number): Promise<boolean> {
  const marked = async (statements: D1PreparedStatement[]) => (await run.batch(statements)).at(-1)!.meta.changes > 0;
  let { stage, after } = progress;
  while (stage === "ids" && run.budgetLeft) {
    const from = after === null ? null : Number(after);
    const last = await lastRowidOfNext(run, from ?? 0, rowsPerChunk);
    if (!(await marked(idsRange(run.d1, from, last)))) return false;
    [stage, after] = last === null ? ["samples", null] : ["ids", String(last)];
  }
  while (stage === "samples" && run.budgetLeft) {
    const last = await lastIdOfNext(run, after ?? "", rowsPerChunk);
    if (!(await marked(samplesRange(run.d1, after, last)))) return false;
    [stage, after] = last === null ? ["copy", null] : ["samples", last];
  }
  while (stage === "copy" && run.budgetLeft) {
    const { last } = await nextChunk(run, "deployments", after, rowsPerChunk);
    if (!(await marked(copyChunk(run.d1, after, last)))) return false;
    [stage, after] = last === null ? ["derive", null] : ["copy", last];
  }
  while (stage === "derive" && run.budgetLeft) {
    const { first, last } = await nextChunk(run, "metric_deployments", after, rowsPerChunk);
    const done = first === null || last === null;
    if (!(await marked(done ? [finish(run.d1)] : deriveChunk(run.d1, linkWindowHours, first, last)))) return false;
    [stage, after] = done ? [null, null] : ["derive", last];
  }
  return stage === null;
}
