/**
 * @module
 * The full rebuild: everything derived dropped, the events copied in group order, and every phase
 * run over the whole copy at once, with the indexes each bulk load fills in random order built
 * after it.
 */
import { COPY_DEPLOYMENTS, COPY_INCIDENTS, COUNTED, FINISHED } from "./copies";
import { deriveFromSamples } from "./derive";
import { withIndexesRebuilt, type BulkIndexes, type SchemaIndex } from "./indexes";
import { allLeadSamples } from "./lead-samples";
import { EVERYTHING } from "./range";

const DERIVED_TABLES = [
  "metric_changes",
  "metric_dirty_names",
  "metric_dirty",
  "metric_work",
  "metric_work_ids",
  "metric_deployments",
  "metric_incidents",
  "metric_lead_samples",
  "metric_days",
];

/**
 * First part: drop everything derived and say that a rebuild is under way, so that a run which stops
 * before the rebuild is done starts over. A transaction of its own: deleting the old rows in the same
 * transaction as writing the new ones costs the copy about half as much again.
 */
export function clearDerived(d1: D1Database): D1PreparedStatement[] {
  return [...DERIVED_TABLES.map((t) => d1.prepare(`DELETE FROM ${t}`)), requestFullRebuild(d1)];
}

/** Makes the next recompute, whoever starts it, a full rebuild: for what only a rebuild applies to all history. */
export function requestFullRebuild(d1: D1Database): D1PreparedStatement {
  return d1.prepare("INSERT INTO metric_state (id, as_of, full_pending) VALUES (1, NULL, 1) ON CONFLICT(id) DO UPDATE SET full_pending = 1");
}

/**
 * Second part: copy the events in (service, environment, time) order, so that each group's rows share
 * pages: an incremental step walks one group at a time, and scattered rows would cost a page read per
 * row. The deployments come in the order of their covering index, by the service they were written
 * with: sorting every row by the service the catalog gives today costs several times the rest of the
 * copy, and a service the catalog moved since only loses that locality.
 */
export function copyHistory(d1: D1Database, indexes: SchemaIndex[]): D1PreparedStatement[] {
  return withIndexesRebuilt(d1, indexes, [
    d1.prepare(`${COPY_DEPLOYMENTS} WHERE ${FINISHED} ORDER BY d.service, d.environment, d.occurred_at, d.id`),
    d1.prepare(`${COPY_INCIDENTS} WHERE ${COUNTED} ORDER BY 2, 3, 4, 1`),
  ]);
}

/** Last part: every phase over the whole copy. It ends the rebuild, so a run that stops before it starts over. */
export function rebuildAll(d1: D1Database, linkWindowHours: number, indexes: BulkIndexes): D1PreparedStatement[] {
  return [
    d1.prepare("DELETE FROM metric_work_ids"),
    ...withIndexesRebuilt(d1, indexes.samples, [allLeadSamples(d1)]),
    ...withIndexesRebuilt(d1, indexes.flags, deriveFromSamples(d1, linkWindowHours, EVERYTHING, indexes.links)),
    d1.prepare("DELETE FROM metric_work_ids"),
    d1.prepare("UPDATE metric_state SET full_pending = 0 WHERE id = 1"),
  ];
}
