/**
 * @module
 * The tables of an integration's Durable Object, and how an object created by an earlier version
 * is brought up to date when it wakes.
 */

/** The object's tables. `records` has no rowid: a key claimed is one B-tree insert, not two. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, id TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT, finished_at TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deploy_numbers (service TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, body TEXT NOT NULL, queued_at INTEGER);
CREATE TABLE IF NOT EXISTS delivery_counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbound (id INTEGER PRIMARY KEY AUTOINCREMENT, lane TEXT NOT NULL, ref TEXT NOT NULL, suffix TEXT NOT NULL, content_type TEXT, headers TEXT NOT NULL, body BLOB NOT NULL, queued_at INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, next_at INTEGER NOT NULL, status INTEGER, error TEXT);
CREATE INDEX IF NOT EXISTS outbound_lane_state ON outbound (lane, state, id);
CREATE TABLE IF NOT EXISTS outbound_counts (lane TEXT NOT NULL, state TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (lane, state));
CREATE TABLE IF NOT EXISTS recent_deployments (id TEXT PRIMARY KEY, service TEXT NOT NULL, at INTEGER NOT NULL, url TEXT);
CREATE INDEX IF NOT EXISTS recent_deployments_service ON recent_deployments (service, at);
CREATE INDEX IF NOT EXISTS recent_deployments_at ON recent_deployments (at);
CREATE TABLE IF NOT EXISTS rejections (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, reason TEXT NOT NULL, status INTEGER NOT NULL, reply TEXT NOT NULL, body TEXT);
`;

/** Creates the tables of a new object. */
export function createSchema(sql: SqlStorage): void {
  sql.exec(SCHEMA);
}

/** Whether the object was ever configured: an id nobody created has no tables, and gets none. */
export function hasSchema(sql: SqlStorage): boolean {
  return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'config'").toArray().length > 0;
}

/**
 * Brings an existing object's tables up to date: idempotent, run once per wake.
 * - `records` gained `finished_at`, and `outbox` `queued_at`, after some objects were created.
 * - A view with an INSERT trigger once accepted new records: it is gone.
 * - The last sequence number given once lived in `meta` only after a drain, the outbox holding
 *   the later ones: `meta` now holds it always.
 */
export function upgradeSchema(sql: SqlStorage): void {
  sql.exec(SCHEMA);
  addColumnIfMissing(sql, "records", "finished_at", "TEXT");
  addColumnIfMissing(sql, "outbox", "queued_at", "INTEGER");
  sql.exec("DROP TRIGGER IF EXISTS first_records_insert; DROP VIEW IF EXISTS first_records");
  sql.exec(
    "INSERT INTO meta (key, value) SELECT 'seq', coalesce(max(seq), 0) FROM outbox WHERE true ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
  );
}

function addColumnIfMissing(sql: SqlStorage, table: string, column: string, type: string): void {
  if (sql.exec("SELECT 1 FROM pragma_table_info(?) WHERE name = ?", table, column).toArray().length === 0) {
    sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
}
