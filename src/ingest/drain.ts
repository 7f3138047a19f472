/**
 * @module
 * Writes accepted records from an integration's outbox: their original payloads to R2 as one
 * object, then the records to D1 in one atomic batch of set-based upserts, preceded by a catalog
 * lookup only when some record has no service name (the batch itself resolves names). Each
 * statement binds a single JSON array, so the 100-parameter limit never depends on the batch size.
 */
import { sql } from "drizzle-orm";
import { database, prepare } from "../db/client";
import type { StoredRecord } from "../events/canonical";
import { lookupCatalog, resolveService, slugOfNameSql, type Resolution } from "../catalog/resolve";
import type { Env } from "../env";
import { referenceStatements } from "../raw/references";
import { objectKey, putPayloads } from "../raw/store";

/** The bindings a drain writes to. */
export type DrainTarget = Pick<Env, "DB" | "RAW">;

type Row = Record<string, unknown>;

interface UpsertSpec {
  table: string;
  columns: string[];
  conflict: string;
  /** Columns that an update leaves alone. */
  keep?: string[];
  /** Applies an update only when this holds (an SQL condition over `excluded`). */
  guard?: string;
}

/**
 * How the batch itself resolves a service name: its catalog slug, else the name as given; the
 * same as `resolveService` for a named record, with the lower-cased key computed in JS.
 */
const SERVICE_BY_NAME = `coalesce(${slugOfNameSql("row->>'service_key'")}, row->>'service_name')`;

/**
 * Builds `INSERT ... SELECT ... FROM json_each(?) ON CONFLICT DO UPDATE` for one table.
 * Replaying a batch is harmless: the guard keeps a row from moving to an older `last_seq`.
 * Each element is materialized once as JSON text: read straight from `json_each`, an object is
 * converted to text again for every column taken from it, the costliest step of the statement.
 * `options.expressions` replaces a column's value with an SQL expression over `row`, and
 * `options.where` keeps only the rows it holds for.
 */
function upsertFromJson(spec: UpsertSpec, rows: readonly Row[], options: { expressions?: Record<string, string>; where?: string } = {}) {
  const keep = new Set([...(spec.keep ?? []), ...spec.conflict.split(",").map((c) => c.trim())]);
  const select = spec.columns.map((c) => options.expressions?.[c] ?? `row->>'${c}'`).join(", ");
  const updates = spec.columns.filter((c) => !keep.has(c)).map((c) => `${c} = excluded.${c}`);
  const onConflict = updates.length > 0 ? `DO UPDATE SET ${updates.join(", ")}${spec.guard ? ` WHERE ${spec.guard}` : ""}` : "DO NOTHING";
  const head = "WITH batch(row) AS MATERIALIZED (SELECT value FROM json_each(";
  const tail = `)) INSERT INTO ${spec.table} (${spec.columns.join(", ")}) SELECT ${select} FROM batch WHERE ${options.where ?? "true"} ON CONFLICT(${spec.conflict}) ${onConflict}`;
  return sql`${sql.raw(head)}${JSON.stringify(rows)}${sql.raw(tail)}`;
}

const BASE_COLUMNS = ["id", "integration_id", "dedup_key", "seq", "last_seq", "service", "service_name"];

const DEPLOYMENTS: UpsertSpec = {
  table: "deployments",
  columns: [...BASE_COLUMNS, "environment", "environment_raw", "status", "kind", "started_at", "finished_at", "occurred_at", "received_at", "deploy_number", "change_id", "url", "description", "deployer_name", "deployer_email", "raw"],
  conflict: "id",
  keep: ["seq", "received_at"],
  guard: "excluded.last_seq > deployments.last_seq",
};

const DEPLOYMENT_COMMITS: UpsertSpec = {
  table: "deployment_commits",
  columns: ["deployment_id", "sha", "repository", "branch", "message", "committed_at", "authored_at"],
  conflict: "deployment_id, sha, repository",
  // Every update of a deployment carries its commits again; most are unchanged, and a rewrite would
  // still be billed, for the row and for its entry in the index by sha.
  guard: `(excluded.branch, excluded.message, excluded.committed_at, excluded.authored_at)
    IS NOT (deployment_commits.branch, deployment_commits.message, deployment_commits.committed_at, deployment_commits.authored_at)`,
};

const INCIDENTS: UpsertSpec = {
  table: "incidents",
  columns: [...BASE_COLUMNS, "environment", "environment_raw", "status", "counted", "priority", "priority_raw", "urgency", "title", "url", "created_at", "resolved_at", "received_at", "link_change_id", "link_deployment_id", "link_commit_sha", "raw"],
  conflict: "id",
  keep: ["seq", "received_at"],
  guard: "excluded.last_seq > incidents.last_seq",
};

const CI_RUNS: UpsertSpec = {
  table: "ci_runs",
  columns: [...BASE_COLUMNS, "status", "started_at", "finished_at", "received_at", "raw"],
  conflict: "id",
  keep: ["seq", "received_at"],
  guard: "excluded.last_seq > ci_runs.last_seq",
};

const CI_RUN_COMMITS: UpsertSpec = { table: "ci_run_commits", columns: ["ci_run_id", "sha"], conflict: "ci_run_id, sha" };

const SUGGESTIONS: UpsertSpec = {
  table: "service_suggestions",
  columns: ["name", "kind", "match_key", "first_seen_at", "last_seen_at"],
  conflict: "name",
  keep: ["kind", "match_key", "first_seen_at"],
  guard: "excluded.last_seen_at > service_suggestions.last_seen_at",
};

function baseRow(r: StoredRecord, res: Resolution): Row {
  return {
    id: r.id,
    integration_id: r.integration_id,
    dedup_key: r.dedup_key,
    seq: r.seq,
    last_seq: r.last_seq,
    service: res.service,
    service_name: res.name,
    service_key: res.name.toLowerCase(),
  };
}

/**
 * A named record before the batch resolves it: the name kept, and a suggestion that the batch
 * records only if no alias matches.
 */
function byName(name: string): Resolution {
  return { service: name, name, suggestion: { kind: "name", key: name.toLowerCase() } };
}

/**
 * Packs the records' payloads into one R2 object and answers the D1 statements that name it and
 * reference each payload in it. The key depends only on the batch, so writing it again after a
 * failure replaces the same object.
 */
async function storePayloads(d1: D1Database, bucket: R2Bucket, records: readonly StoredRecord[]): Promise<D1PreparedStatement[]> {
  const seqs = records.map((r) => r.last_seq);
  const newest = records.reduce((max, r) => (r.received_at > max ? r.received_at : max), records[0]!.received_at);
  const key = objectKey(newest, records[0]!.integration_id, `${Math.min(...seqs)}-${Math.max(...seqs)}`);
  const refs = await putPayloads(bucket, key, records.map((r) => JSON.stringify(r.raw ?? null)));
  return referenceStatements(
    d1,
    key,
    records.map((r, i) => ({ record_id: r.id, seq: r.last_seq, received_at: r.received_at, offset: refs[i]!.offset, length: refs[i]!.length })),
  );
}

/**
 * Writes records' payloads to R2, then the records to D1 in one atomic batch, resolving each one's
 * service through the catalog and recording unknown names as suggestions. Idempotent: a batch may
 * be written again after a failure of either store.
 */
export async function writeRecords(target: DrainTarget, records: StoredRecord[]): Promise<void> {
  if (records.length === 0) return;
  const d1 = target.DB;
  const payloadStatements = await storePayloads(d1, target.RAW, records);
  const db = database(d1);
  // Hints need the catalog in JS (repositories before names, first match wins); names alone are
  // resolved by the batch, sparing a D1 round trip on every drain.
  const catalog = records.every((r) => r.service_name !== null)
    ? null
    : await lookupCatalog(
        db,
        records.flatMap((r) => [...(r.service_name === null ? [] : [r.service_name]), ...r.service_hints.names]),
        records.flatMap((r) => r.service_hints.repositories),
      );
  const rows = { deployments: [] as Row[], commits: [] as Row[], incidents: [] as Row[], ciRuns: [] as Row[], ciCommits: [] as Row[] };
  const suggestions = new Map<string, Row>();

  for (const r of records) {
    const res = catalog ? resolveService(r.service_name, r.service_hints, catalog) : byName(r.service_name!);
    if (res.suggestion) {
      const seen = suggestions.get(res.name);
      suggestions.set(res.name, {
        name: res.name,
        kind: res.suggestion.kind,
        match_key: res.suggestion.key,
        first_seen_at: seen?.first_seen_at ?? r.received_at,
        last_seen_at: r.received_at,
      });
    }
    const base = baseRow(r, res);
    switch (r.type) {
      case "deployment":
        rows.deployments.push({
          ...base,
          environment: r.environment_normalized,
          environment_raw: r.environment,
          status: r.status,
          kind: r.kind,
          started_at: r.started_at,
          finished_at: r.finished_at,
          occurred_at: r.finished_at ?? r.started_at ?? r.received_at,
          received_at: r.received_at,
          deploy_number: r.deploy_number,
          change_id: r.change_id,
          url: r.url,
          description: r.description,
          deployer_name: r.deployer?.name ?? null,
          deployer_email: r.deployer?.email ?? null,
          raw: "",
        });
        for (const c of r.commits) {
          rows.commits.push({ deployment_id: r.id, sha: c.sha, repository: c.repository ?? "", branch: c.branch, message: c.message, committed_at: c.committed_at, authored_at: c.authored_at });
        }
        break;
      case "incident":
        rows.incidents.push({
          ...base,
          environment: r.environment_normalized,
          environment_raw: r.environment,
          status: r.status,
          counted: r.counted,
          // Records queued before incidents carried a priority have none.
          priority: r.priority ?? null,
          priority_raw: r.priority_raw ?? null,
          urgency: r.urgency ?? null,
          title: r.title,
          url: r.url,
          created_at: r.created_at,
          resolved_at: r.resolved_at,
          received_at: r.received_at,
          link_change_id: r.links.change_id,
          link_deployment_id: r.links.deployment_id,
          link_commit_sha: r.links.commit_sha,
          raw: "",
        });
        break;
      case "ci_run":
        rows.ciRuns.push({ ...base, status: r.status, started_at: r.started_at, finished_at: r.finished_at, received_at: r.received_at, raw: "" });
        for (const sha of r.commits) rows.ciCommits.push({ ci_run_id: r.id, sha });
        break;
    }
  }

  const statements = (
    [
      [DEPLOYMENTS, rows.deployments],
      [DEPLOYMENT_COMMITS, rows.commits],
      [INCIDENTS, rows.incidents],
      [CI_RUNS, rows.ciRuns],
      [CI_RUN_COMMITS, rows.ciCommits],
      [SUGGESTIONS, [...suggestions.values()]],
    ] as const
  )
    .filter(([, list]) => list.length > 0)
    .map(([spec, list]) => {
      if (catalog) return prepare(d1, upsertFromJson(spec, list));
      if (spec === SUGGESTIONS) return prepare(d1, upsertFromJson(spec, list, { where: "NOT EXISTS (SELECT 1 FROM service_aliases WHERE alias = row->>'match_key')" }));
      return prepare(d1, upsertFromJson(spec, list, spec.columns.includes("service") ? { expressions: { service: SERVICE_BY_NAME } } : {}));
    });
  // The metrics recompute starts from the records written since its last run.
  const changes = records.map((r) => ({ kind: r.type, id: r.id }));
  statements.push(...payloadStatements);
  statements.push(prepare(d1, sql`INSERT OR IGNORE INTO metric_changes (kind, id) SELECT value->>'kind', value->>'id' FROM json_each(${JSON.stringify(changes)})`));
  await d1.batch(statements);
}
