// Fills the benchmark's local D1 with a synthetic history in a few set-based statements
// (recursive CTEs), not a million HTTP posts. Shapes: several environments, failed and aborted
// deploys, rollbacks (an old sha deployed again), hotfixes, incidents linked explicitly, linked
// only by time and unlinked, unresolved incidents, commits with and without dates. Values are as long
// as the Worker's own (time-ordered UUIDs for records, UUIDs for integrations, a payload reference per
// record), so that the database's size per deployment is what production would store.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { d1File } from "./server.mjs";

const DAY = 86400;
const DEPLOY_INTEGRATION = "6f1d3c2a-9b8e-4f70-a1c5-3e2d7b9f0a64";
const INCIDENT_INTEGRATION = "c47e8a15-2d3b-4a96-8f0e-91b5d6c2e7a3";
/** Records whose payloads one R2 object holds, as a busy drain batch does. */
const PER_OBJECT = 200;

/** A UUID version 7 in SQL, as `timeOrderedId` makes it: `ms` then bits spread from `n`. */
const timeOrderedIdSql = (ms, n) =>
  `printf('%08x-%04x-7%03x-%04x-%012x', (${ms}) >> 16, (${ms}) & 65535, ((${n}) * 2654435761) % 4096, 32768 | (((${n}) * 40503) % 16384), ((${n}) * 268105234861) & 281474976710655)`;

/**
 * One payload reference per record of `table` written by `integration`, `PER_OBJECT` to an object;
 * the objects numbered from `firstObject`.
 */
const payloadReferences = (table, integration, firstObject) => `
INSERT INTO raw_objects (id, key)
  SELECT ${firstObject} + (seq - 1) / ${PER_OBJECT}, 'raw/' || substr(min(received_at), 1, 10) || '/${integration}/' || min(seq) || '-' || max(seq) || '.gz'
  FROM ${table} WHERE integration_id = '${integration}' GROUP BY (seq - 1) / ${PER_OBJECT};
INSERT INTO raw_payloads (record_id, seq, received_at, object_id, offset, length)
  SELECT id, seq, received_at, ${firstObject} + (seq - 1) / ${PER_OBJECT}, ((seq - 1) % ${PER_OBJECT}) * 1400, 900 + (seq * 7919) % 1000
  FROM ${table} WHERE integration_id = '${integration}';`;

/**
 * Writes the history ending at midnight UTC today (exclusive) and returns what it wrote.
 * @param {{ persistDir: string }} server
 * @param {{ deployments: number, incidents: number, services: number, days: number }} size
 */
export async function generateHistory({ persistDir }, { deployments, incidents, services, days }) {
  const end = Math.floor(Date.now() / 1000 / DAY) * DAY;
  const start = end - days * DAY;
  const span = days * DAY;
  const iso = (expr) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${expr}, 'unixepoch')`;
  const sql = `
INSERT INTO services (slug, name, team, created_at, updated_at)
  WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < ${services - 1})
  SELECT 'svc-' || k, 'Service ' || k, 'team-' || (k % 10), ${iso(start)}, ${iso(start)} FROM s;
INSERT INTO service_aliases (alias, slug) SELECT slug, slug FROM services WHERE slug LIKE 'svc-%';
INSERT INTO service_repositories (repo_key, slug, url) SELECT 'acme/' || slug, slug, 'https://github.com/acme/' || slug FROM services WHERE slug LIKE 'svc-%';

INSERT INTO deployments (id, integration_id, dedup_key, seq, last_seq, service, service_name, environment, environment_raw,
  status, kind, started_at, finished_at, occurred_at, received_at, deploy_number, change_id, url, description,
  deployer_name, deployer_email, raw)
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${deployments - 1}),
  t AS (SELECT i, ${start} + (i * ${span}) / ${deployments} + (i * 7919) % 600 AS at FROM n)
  SELECT ${timeOrderedIdSql("at * 1000 + i % 1000", "i")}, '${DEPLOY_INTEGRATION}', CAST(1200000000 + i AS TEXT), i + 1, i + 1, 'svc-' || (i % ${services}), 'svc-' || (i % ${services}),
    -- Each service deploys to every environment, production most.
    CASE WHEN (i / ${services}) % 10 < 7 THEN 'production' WHEN (i / ${services}) % 10 < 9 THEN 'staging' ELSE 'development' END,
    CASE WHEN (i / ${services}) % 10 < 7 THEN 'prod' WHEN (i / ${services}) % 10 < 9 THEN 'staging' ELSE 'dev' END,
    CASE WHEN i % 17 = 0 THEN 'failure' WHEN i % 53 = 0 THEN 'aborted' WHEN i % 211 = 0 THEN 'in_progress' ELSE 'success' END,
    CASE WHEN i % 41 = 0 THEN 'hotfix' ELSE NULL END,
    ${iso("at - 300")}, ${iso("at")}, ${iso("at")}, ${iso("at")},
    CAST(i / ${services} + 1 AS TEXT), 'CHG' || i, NULL, 'history deploy ' || i, 'Bench', 'bench@example.com', ''
  FROM t;

INSERT INTO deployment_commits (deployment_id, sha, repository, branch, message, committed_at, authored_at)
  SELECT d.id,
    -- Every 29th deployment redeploys the sha of its service's deployment ten rounds earlier (same environment): a rollback.
    CASE WHEN d.seq % 29 = 0 AND d.seq > ${services * 10} THEN printf('%040x', d.seq - 1 - ${services * 10}) ELSE printf('%040x', d.seq - 1) END,
    'https://github.com/acme/' || d.service, 'main', 'commit', 
    CASE WHEN d.seq % 5 = 0 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', unixepoch(d.finished_at) - 3600 * (1 + d.seq % 48), 'unixepoch') END,
    NULL
  FROM deployments d WHERE d.integration_id = '${DEPLOY_INTEGRATION}';

INSERT INTO incidents (id, integration_id, dedup_key, seq, last_seq, service, service_name, environment, environment_raw, status,
  counted, title, url, created_at, resolved_at, received_at, link_change_id, link_deployment_id, link_commit_sha, raw)
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${incidents - 1}),
  t AS (SELECT i, ${start} + (i * ${span}) / ${incidents} + (i * 104729) % 3600 AS at FROM n)
  SELECT ${timeOrderedIdSql("at * 1000 + i % 1000", "i + 1")}, '${INCIDENT_INTEGRATION}', printf('Q%013d', i), i + 1, i + 1, 'svc-' || ((i * 7) % ${services}), 'svc-' || ((i * 7) % ${services}),
    CASE WHEN i % 20 = 0 THEN 'staging' ELSE 'production' END, NULL,
    CASE WHEN i % 50 = 0 THEN 'open' ELSE 'resolved' END, CASE WHEN i % 13 = 0 THEN 0 ELSE 1 END, 'incident ' || i, NULL,
    ${iso("at")}, CASE WHEN i % 50 = 0 THEN NULL ELSE ${iso("at + 600 + (i % 24) * 1800")} END, ${iso("at")},
    -- A third name the change that caused them; the rest link by time, or not at all when too old.
    CASE WHEN i % 3 = 0 THEN 'CHG' || ((i * ${Math.max(1, Math.floor(deployments / incidents))}) - ${services}) ELSE NULL END, NULL, NULL, ''
  FROM t;
${payloadReferences("deployments", DEPLOY_INTEGRATION, 1)}
${payloadReferences("incidents", INCIDENT_INTEGRATION, Math.ceil(deployments / PER_OBJECT) + 1)}
`;
  const file = join(persistDir, "history.sql");
  writeFileSync(file, sql);
  await d1File(persistDir, file);
  return { start: new Date(start * 1000).toISOString(), end: new Date(end * 1000).toISOString() };
}
