/**
 * Rows in and rows out for the recompute phases' tests: each test writes a few rows straight into the
 * tables its phase reads, runs the phase's statements against real D1, and reads back what it wrote.
 */
import { env } from "../helpers";

export { env };

const DERIVED = ["metric_changes", "metric_dirty_names", "metric_dirty", "metric_work", "metric_work_ids", "metric_deployment_ids", "metric_deployments", "metric_incidents", "metric_lead_samples", "metric_days"];

/** Empties the derived tables, so a phase over the whole history sees only the test's rows. */
export async function clearDerived(): Promise<void> {
  await env.DB.batch(DERIVED.map((t) => env.DB.prepare(`DELETE FROM ${t}`)));
}

/** Makes the full rebuild's chunk (`CHUNK`) every service: a phase over it then covers the whole history. */
export function wholeHistory(): D1PreparedStatement {
  return env.DB.prepare(
    "INSERT INTO metric_state (id, chunk_first, chunk_last) VALUES (1, '', char(1114111)) ON CONFLICT(id) DO UPDATE SET chunk_first = excluded.chunk_first, chunk_last = excluded.chunk_last",
  );
}

/** Inserts `rows` (objects with the same keys) into `table`, in one statement. */
export async function insert(table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  await env.DB.prepare(`INSERT INTO ${table} (${columns.join(", ")}) SELECT ${columns.map((c) => `value->>'${c}'`).join(", ")} FROM json_each(?)`)
    .bind(JSON.stringify(rows))
    .run();
}

/**
 * Derived deployment rows, each with its lookup by id, as a full rebuild writes them: `rows` as
 * `metric_deployments` columns (`counted` defaults to 1, as there).
 */
export async function derivedDeployments(rows: Record<string, unknown>[]): Promise<void> {
  await insert("metric_deployments", rows);
  await insert(
    "metric_deployment_ids",
    rows.map((r) => ({ id: r.id, service: r.service, environment: r.environment, at: r.at, counted: r.counted ?? 1 })),
  );
}

export interface DeploymentEvent {
  id: string;
  service: string;
  environment?: string;
  environment_raw?: string;
  at: string;
  status?: string;
  kind?: string | null;
  change_id?: string | null;
  commits?: { sha: string; committed_at?: string | null; authored_at?: string | null }[];
}

/** Deployment events as the outbox drain writes them, with their commits. */
export async function deploymentEvents(list: DeploymentEvent[]): Promise<void> {
  await insert(
    "deployments",
    list.map((d, i) => ({
      id: d.id,
      integration_id: "phase-test",
      dedup_key: d.id,
      seq: i,
      last_seq: i,
      service: d.service,
      service_name: d.service,
      environment: d.environment ?? "production",
      environment_raw: d.environment_raw ?? d.environment ?? "production",
      status: d.status ?? "success",
      kind: d.kind ?? null,
      finished_at: d.at,
      occurred_at: d.at,
      received_at: d.at,
      change_id: d.change_id ?? null,
      raw: "{}",
    })),
  );
  await insert(
    "deployment_commits",
    list.flatMap((d) => (d.commits ?? []).map((c) => ({ deployment_id: d.id, sha: c.sha, repository: "", committed_at: c.committed_at ?? null, authored_at: c.authored_at ?? null }))),
  );
}

export interface IncidentEvent {
  id: string;
  service: string;
  environment?: string;
  environment_raw?: string;
  created_at: string;
  resolved_at?: string | null;
  counted?: number;
  integration_id?: string;
  priority?: string | null;
  urgency?: string | null;
  link_change_id?: string | null;
}

/** Incident events as the outbox drain writes them. */
export async function incidentEvents(list: IncidentEvent[]): Promise<void> {
  await insert(
    "incidents",
    list.map((i, n) => ({
      id: i.id,
      integration_id: i.integration_id ?? "phase-test",
      dedup_key: i.id,
      seq: n,
      last_seq: n,
      service: i.service,
      service_name: i.service,
      environment: i.environment ?? "production",
      environment_raw: i.environment_raw ?? i.environment ?? "production",
      status: i.resolved_at ? "resolved" : "triggered",
      counted: i.counted ?? 1,
      priority: i.priority ?? null,
      urgency: i.urgency ?? null,
      created_at: i.created_at,
      resolved_at: i.resolved_at ?? null,
      received_at: i.created_at,
      link_change_id: i.link_change_id ?? null,
      raw: "{}",
    })),
  );
}

/** The rows of `sql`, whose one parameter is the test's prefix as a LIKE pattern. */
export async function rows(sql: string, prefix: string): Promise<Record<string, unknown>[]> {
  return (await env.DB.prepare(sql).bind(`${prefix}%`).all()).results;
}

/** A prefix of the test's own, so its rows are told apart from any other test's. */
export function prefix(name: string): string {
  return `${name}-${crypto.randomUUID().slice(0, 8)}`;
}
