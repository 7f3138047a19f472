/**
 * @module
 * Everything that follows from the lead samples, over a range, in the order each phase needs the
 * last: rollback and rework flags, incident links, failures and recoveries, per-day rollups.
 */
import { failuresAndRecoveries } from "./failures";
import { rollbackAndReworkFlags } from "./flags";
import { incidentLinks } from "./links";
import type { Range } from "./range";
import { dayRollups } from "./rollups";

export function deriveFromSamples(d1: D1Database, linkWindowHours: number, range: Range): D1PreparedStatement[] {
  return [
    rollbackAndReworkFlags(d1, range),
    ...incidentLinks(d1, linkWindowHours, range),
    failuresAndRecoveries(d1, range),
    ...dayRollups(d1, range),
  ];
}
