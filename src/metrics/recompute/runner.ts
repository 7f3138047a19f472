/**
 * @module
 * Issues a recompute's statements, counts them against its query budget, and sums what D1 says
 * each cost (rows read and written, the longest single statement, the database's size after).
 */

/** Statements one run may issue by default: D1 allows about 1,000 per invocation. */
export const QUERY_BUDGET = 900;

export class Runner {
  queries = 0;
  rowsRead = 0;
  rowsWritten = 0;
  /** The longest single statement's duration as D1 reported it, in milliseconds. */
  longestMs = 0;
  /** The database's size after the last statement, as D1 reported it, in bytes. */
  databaseBytes = 0;
  constructor(
    readonly d1: D1Database,
    readonly budget: number,
  ) {}

  private count(meta: D1Meta): void {
    this.rowsRead += meta.rows_read ?? 0;
    this.rowsWritten += meta.rows_written ?? 0;
    this.longestMs = Math.max(this.longestMs, meta.duration ?? 0);
    this.databaseBytes = meta.size_after ?? this.databaseBytes;
  }

  async batch(statements: D1PreparedStatement[]): Promise<D1Result[]> {
    this.queries += statements.length;
    const results = await this.d1.batch(statements);
    for (const result of results) this.count(result.meta);
    return results;
  }

  async first<T>(statement: D1PreparedStatement): Promise<T | null> {
    return (await this.all<T>(statement))[0] ?? null;
  }

  async all<T>(statement: D1PreparedStatement): Promise<T[]> {
    this.queries += 1;
    const { results, meta } = await statement.all<T>();
    this.count(meta);
    return results;
  }

  get budgetLeft(): boolean {
    return this.queries < this.budget;
  }
}
