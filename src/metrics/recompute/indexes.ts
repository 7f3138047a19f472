/**
 * @module
 * The indexes of the derived tables that a full rebuild drops before a bulk load and builds again
 * after it: one sorted pass per index instead of a random-order insert per row.
 */
import type { Runner } from "./runner";

/** An index as the schema defines it. */
export interface SchemaIndex {
  table: string;
  name: string;
  sql: string;
}

/** The indexes a full rebuild builds after each bulk load, because that load fills them in random order. */
export interface BulkIndexes {
  /**
   * The copy's: it writes deployments and incidents in group order, which keeps their group indexes but
   * not the deployments' id index nor the incidents' indexes by link and by time to restore.
   */
  copy: SchemaIndex[];
  /** The lead samples'. */
  samples: SchemaIndex[];
  /** The one the incident links write: incidents by the deployment they link to. */
  links: SchemaIndex[];
  /** Those the flags and rollups write: failed deployments by day, and the rollups by group. */
  flags: SchemaIndex[];
}

/** The indexes of `BulkIndexes` by name, but the lead samples', which are all of that table's. */
const REBUILT_INDEXES = {
  copy: ["metric_deployments_id", "metric_incidents_link_change", "metric_incidents_link_deployment", "metric_incidents_link_sha", "metric_incidents_resolved"],
  links: ["metric_incidents_deployment"],
  flags: ["metric_deployments_failed_day", "metric_days_group"],
};

/** The indexes each bulk load drops and builds again, as the schema itself defines them. */
export async function bulkIndexes(run: Runner): Promise<BulkIndexes> {
  const indexes = await run.all<SchemaIndex>(
    run.d1.prepare(
      `SELECT tbl_name AS "table", name, sql FROM sqlite_master
       WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('metric_deployments', 'metric_incidents', 'metric_lead_samples', 'metric_days')`,
    ),
  );
  const named = (names: string[]) => indexes.filter((i) => names.includes(i.name));
  return {
    copy: named(REBUILT_INDEXES.copy),
    samples: indexes.filter((i) => i.table === "metric_lead_samples"),
    links: named(REBUILT_INDEXES.links),
    flags: named(REBUILT_INDEXES.flags),
  };
}

/**
 * `statements` with `indexes` dropped before and built again after. In one batch, so no run ever
 * sees a table without them.
 */
export function withIndexesRebuilt(d1: D1Database, indexes: SchemaIndex[], statements: D1PreparedStatement[]): D1PreparedStatement[] {
  return [...indexes.map((i) => d1.prepare(`DROP INDEX "${i.name}"`)), ...statements, ...indexes.map((i) => d1.prepare(i.sql))];
}
