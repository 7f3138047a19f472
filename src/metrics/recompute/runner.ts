/**
 * @module
 * Issues a recompute's statements and counts them against its query budget.
 */

/** Statements one run may issue by default: D1 allows about 1,000 per invocation. */
export const QUERY_BUDGET = 900;

export class Runner {
  queries = 0;
  constructor(
    readonly d1: D1Database,
    readonly budget: number,
  ) {}

  async batch(statements: D1PreparedStatement[]): Promise<D1Result[]> {
    this.queries += statements.length;
    return this.d1.batch(statements);
  }

  async first<T>(statement: D1PreparedStatement): Promise<T | null> {
    this.queries += 1;
    return statement.first<T>();
  }

  async all<T>(statement: D1PreparedStatement): Promise<T[]> {
    this.queries += 1;
    return (await statement.all<T>()).results;
  }

  get budgetLeft(): boolean {
    return this.queries < this.budget;
  }
}
