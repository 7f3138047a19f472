/**
 * @module
 * The rows a derivation phase covers: in an incremental step, those of the dirty groups from where
 * each group's work starts (`metric_work w`); in a full rebuild, every row.
 */

export interface Range {
  /** `table alias`, limited to the range: rows of a work group whose `column` is at or after `bound`. */
  rows(table: string, alias: string, column: string, bound: string): string;
  /** Deployment `q`'s day is not among the days this range rolls up. */
  outside(q: string): string;
}

/** The groups of `metric_work`, each from its own bound (`w.from_at`, `w.prev_at`). */
export const STEP: Range = {
  rows: (table, a, column, bound) =>
    `metric_work w CROSS JOIN ${table} ${a} ON ${a}.service = w.service AND ${a}.environment = w.environment AND ${a}.${column} >= ${bound}`,
  outside: (q) => `NOT EXISTS (
              SELECT 1 FROM metric_work w WHERE w.service = ${q}.service AND w.environment = ${q}.environment AND ${q}.day >= substr(w.prev_at, 1, 10))`,
};

/** The whole history. */
export const EVERYTHING: Range = { rows: (table, a) => `${table} ${a}`, outside: () => "0" };
