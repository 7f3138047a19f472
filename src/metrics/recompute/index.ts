/**
 * @module
 * The recompute (docs/metrics.md): turns what changed since the last run into incident links, rollback /
 * rework / failure flags, lead-time samples, per-day rollups and the standard windows' snapshots.
 * Each phase is a few set-based statements in atomic D1 batches, so a run that stops part-way is
 * resumed by the next one from the tables that hold the remaining work. The number of statements
 * depends on the amount of changed work, never on the history.
 */
import type { EnvironmentAliases } from "../../lib/environment";
import { forgetAnswers } from "../answer-memo";
import { CHANGES_PER_STEP, changesStep, namesToChanges } from "./changes";
import { dirtyGroupsStep, GROUPS_PER_STEP } from "./dirty-groups";
import { renormaliseEnvironments } from "./environments";
import { clearDerived, REBUILD_STAGES, rebuildInChunks, ROWS_PER_CHUNK, type RebuildProgress } from "./full-rebuild";
import { QUERY_BUDGET, Runner } from "./runner";
import { writeSnapshots } from "./snapshots";

export interface RecomputeOptions {
  /** Rebuild everything from the stored events (also done on the very first run). */
  full?: boolean;
  linkWindowHours: number;
  /** The operator's extra environment names, applied to the stored events by a full rebuild. */
  environmentAliases?: EnvironmentAliases;
  now?: Date;
  /** Statements this run may issue before it stops and leaves the rest to the next run. */
  queryBudget?: number;
  /** Deployments per chunk of a full rebuild. */
  rowsPerChunk?: number;
}

export interface RecomputeSummary {
  mode: "full" | "incremental";
  /** False when the query budget ran out: the next run continues where this one stopped. */
  complete: boolean;
  changed_records: number;
  groups_recomputed: number;
  snapshots: number;
  queries: number;
  /** What D1 said the run's statements read and wrote, in rows. */
  rows_read: number;
  rows_written: number;
  /** The longest single statement, as D1 timed it. */
  max_statement_ms: number;
  /** The database's size when the run ended, derived tables and indexes included. */
  database_bytes: number;
  as_of: string | null;
  duration_ms: number;
}

/**
 * Runs the job until nothing is left or the query budget is spent, and says what it did.
 * Safe to run concurrently with ingest: changes drained meanwhile wait for the next run.
 */
export async function recompute(d1: D1Database, options: RecomputeOptions): Promise<RecomputeSummary> {
  const started = Date.now();
  const now = options.now ?? new Date();
  const run = new Runner(d1, options.queryBudget ?? QUERY_BUDGET);
  const state = await run.first<{ as_of: string | null; full_pending: number; full_stage: string | null; full_after: string | null; environment_aliases: string | null }>(
    d1.prepare("SELECT as_of, full_pending, full_stage, full_after, environment_aliases FROM metric_state WHERE id = 1"),
  );
  const full = options.full === true || state === null || state.full_pending === 1;
  let changed = 0;
  let groups = 0;
  let rebuilt = true;

  if (full) {
    // A rebuild under way goes on from where it stopped; one asked for again starts over, and so does
    // a stage this version does not know (a migration's `restart`, which an older version leaves alone).
    const stage = REBUILD_STAGES.find((known) => known === state?.full_stage) ?? null;
    let progress: RebuildProgress = { stage, after: state?.full_after ?? null };
    if (options.full === true || progress.stage === null) {
      await run.batch([...renormaliseEnvironments(d1, state?.environment_aliases ?? null, options.environmentAliases ?? {}), ...clearDerived(d1)]);
      progress = { stage: "ids", after: null };
    }
    rebuilt = await rebuildInChunks(run, progress, options.linkWindowHours, options.rowsPerChunk ?? ROWS_PER_CHUNK);
  } else {
    await run.batch(namesToChanges(d1));
  }
  let changesDone = false;
  while (rebuilt && run.budgetLeft) {
    const results = await run.batch(changesStep(d1));
    const taken = results[1]!.meta.changes;
    changed += taken;
    if (taken < CHANGES_PER_STEP) {
      changesDone = true;
      break;
    }
  }
  let complete = false;
  while (changesDone && run.budgetLeft) {
    const results = await run.batch(dirtyGroupsStep(d1, options.linkWindowHours));
    const taken = results[2]!.meta.changes;
    groups += taken;
    if (taken < GROUPS_PER_STEP) {
      complete = true;
      break;
    }
  }
  let snapshots = 0;
  let asOf = state?.as_of ?? null;
  if (complete) {
    snapshots = await writeSnapshots(run, now.toISOString().slice(0, 10));
    asOf = now.toISOString();
    await run.batch([d1.prepare("INSERT INTO metric_state (id, as_of) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET as_of = excluded.as_of").bind(asOf)]);
  }
  // Answers this isolate memoised came from the data before this run.
  forgetAnswers();
  return {
    mode: full ? "full" : "incremental",
    complete,
    changed_records: changed,
    groups_recomputed: groups,
    snapshots,
    queries: run.queries,
    rows_read: run.rowsRead,
    rows_written: run.rowsWritten,
    max_statement_ms: run.longestMs,
    database_bytes: run.databaseBytes,
    as_of: asOf,
    duration_ms: Date.now() - started,
  };
}
