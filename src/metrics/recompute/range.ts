/**
 * @module
 * The rows a derivation phase covers: in an incremental step, those of the dirty groups from where
 * each group's work starts (`metric_work w`); in a full rebuild, every row of the chunk of services
 * it is on (`metric_state`'s `chunk_first` to `chunk_last`).
 */

export interface Range {
  /** `table alias`, limited to the range: rows of a work group whose `column` is at or after `bound`. */
  rows(table: string, alias: string, column: string, bound: string): string;
  /**
   * Deployment `q`'s day is not among the days this range rolls up; null when no deployment whose
   * links the range moves can be outside it.
   */
  outside: ((q: string) => string) | null;
}

/** The groups of `metric_work`, each from its own bound (`w.from_at`, `w.prev_at`). */
export const STEP: Range = {
  rows: (table, a, column, bound) =>
    `metric_work w CROSS JOIN ${table} ${a} ON ${a}.service = w.service AND ${a}.environment = w.environment AND ${a}.${column} >= ${bound}`,
  outside: (q) => `NOT EXISTS (
              SELECT 1 FROM metric_work w WHERE w.service = ${q}.service AND w.environment = ${q}.environment AND ${q}.day >= substr(w.prev_at, 1, 10))`,
};

/**
 * The whole history of the chunk's services. Every phase relates rows of one service only, so a chunk
 * derives the same rows whatever else the chunks hold.
 */
export const CHUNK: Range = {
  rows: (table, a) => `metric_state chunk CROSS JOIN ${table} ${a} ON chunk.id = 1 AND ${a}.service BETWEEN chunk.chunk_first AND chunk.chunk_last`,
  // A link joins an incident to a deployment of its own service: the chunk's links stay in the chunk.
  outside: null,
};
