/**
 * @module
 * Whether the recompute has anything to do: the quarter-hourly cron skips a run that would only
 * rewrite the same snapshots.
 */

/**
 * True when events or catalog entries changed since the last recompute (the drain and the catalog
 * fill the change feeds), a full rebuild is pending, or events exist but nothing was ever computed.
 */
export async function recomputePending(d1: D1Database): Promise<boolean> {
  const row = await d1
    .prepare(
      `SELECT (SELECT full_pending FROM metric_state WHERE id = 1) AS full_pending,
         EXISTS (SELECT 1 FROM metric_changes) OR EXISTS (SELECT 1 FROM metric_dirty_names) OR EXISTS (SELECT 1 FROM metric_dirty) AS changed,
         EXISTS (SELECT 1 FROM deployments) OR EXISTS (SELECT 1 FROM incidents) AS any_events`,
    )
    .first<{ full_pending: number | null; changed: number; any_events: number }>();
  if (!row) return false;
  if (row.full_pending === null) return row.any_events === 1;
  return row.full_pending === 1 || row.changed === 1;
}
