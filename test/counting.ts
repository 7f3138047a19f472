/**
 * Counting what storage calls cost, as Cloudflare bills them: D1 rows read and written from each
 * result's meta, and Durable Object SQL rows from each cursor. The calls go to the real bindings;
 * these wrappers only add up what they report.
 */

export interface Tally {
  rowsRead: number;
  rowsWritten: number;
  calls: number;
}

export const tally = (): Tally => ({ rowsRead: 0, rowsWritten: 0, calls: 0 });

const REAL = Symbol("real statement");

function add(t: Tally, meta: D1Meta) {
  t.rowsRead += meta.rows_read;
  t.rowsWritten += meta.rows_written;
}

function statement(real: D1PreparedStatement, t: Tally): D1PreparedStatement {
  const wrapped = {
    [REAL]: real,
    bind: (...values: unknown[]) => statement(real.bind(...values), t),
    async all<T>() {
      t.calls++;
      const result = await real.all<T>();
      add(t, result.meta);
      return result;
    },
    async run<T>() {
      t.calls++;
      const result = await real.run<T>();
      add(t, result.meta);
      return result;
    },
    // `first` and `raw` report no meta: answered from `all`, which does.
    async first<T>(column?: string) {
      const { results } = await wrapped.all<Record<string, unknown>>();
      const row = results[0];
      return (row === undefined ? null : column === undefined ? row : row[column]) as T;
    },
    async raw<T>(options?: { columnNames?: boolean }) {
      const { results } = await wrapped.all<Record<string, unknown>>();
      const names = results[0] ? Object.keys(results[0]) : [];
      const rows = results.map((r) => Object.values(r)) as T[];
      return (options?.columnNames ? [names, ...rows] : rows) as T[];
    },
  };
  return wrapped as unknown as D1PreparedStatement;
}

/** A D1 binding that adds every statement's rows to `t`. */
export function countingD1(real: D1Database, t: Tally): D1Database {
  return {
    prepare: (query: string) => statement(real.prepare(query), t),
    async batch<T>(statements: D1PreparedStatement[]) {
      t.calls++;
      const results = await real.batch<T>(statements.map((s) => (s as unknown as { [REAL]: D1PreparedStatement })[REAL]));
      for (const r of results) add(t, r.meta);
      return results;
    },
    exec: (query: string) => real.exec(query),
    dump: () => real.dump(),
    withSession: () => {
      throw new Error("sessions are not counted");
    },
  } as unknown as D1Database;
}

/** Makes `sql.exec` add each cursor's rows to `t`, counted once the caller has read it. */
export function countDurableSql(sql: SqlStorage, t: Tally): () => void {
  const exec = sql.exec.bind(sql);
  const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  sql.exec = ((query: string, ...bindings: unknown[]) => {
    const cursor = exec(query, ...bindings);
    cursors.push(cursor);
    t.calls++;
    return cursor;
  }) as typeof sql.exec;
  return () => {
    for (const c of cursors.splice(0)) {
      t.rowsRead += c.rowsRead;
      t.rowsWritten += c.rowsWritten;
    }
  };
}
