// Fills the benchmark's local D1 with a synthetic history in a few set-based statements
// (recursive CTEs), not a million HTTP posts. Shapes: several environments, failed and aborted
// deploys, rollbacks (an old sha deployed again), hotfixes, incidents linked explicitly, linked
// only by time and unlinked, unresolved incidents, commits with and without dates.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { d1File } from "./server.mjs";

const DAY = 86400;

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
  SELECT 'hist-d-' || i, 'bench-history', 'd-' || i, i + 1, i + 1, 'svc-' || (i % ${services}), 'svc-' || (i % ${services}),
    -- Each service deploys to every environment, production most.
    CASE WHEN (i / ${services}) % 10 < 7 THEN 'production' WHEN (i / ${services}) % 10 < 9 THEN 'staging' ELSE 'development' END,
    CASE WHEN (i / ${services}) % 10 < 7 THEN 'prod' WHEN (i / ${services}) % 10 < 9 THEN 'staging' ELSE 'dev' END,
    CASE WHEN i % 17 = 0 THEN 'failure' WHEN i % 53 = 0 THEN 'aborted' WHEN i % 211 = 0 THEN 'in_progress' ELSE 'success' END,
    CASE WHEN i % 41 = 0 THEN 'hotfix' ELSE NULL END,
    ${iso("at - 300")}, ${iso("at")}, ${iso("at")}, ${iso("at")},
    CAST(i / ${services} + 1 AS TEXT), 'CHG' || i, NULL, 'history deploy ' || i, 'Bench', 'bench@example.com', '{}'
  FROM t;

INSERT INTO deployment_commits (deployment_id, sha, repository, branch, message, committed_at, authored_at)
  SELECT d.id,
    -- Every 29th deployment redeploys the sha of its service's deployment ten rounds earlier (same environment): a rollback.
    CASE WHEN d.seq % 29 = 0 AND d.seq > ${services * 10} THEN printf('%040x', d.seq - 1 - ${services * 10}) ELSE printf('%040x', d.seq - 1) END,
    'https://github.com/acme/' || d.service, 'main', 'commit', 
    CASE WHEN d.seq % 5 = 0 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', unixepoch(d.finished_at) - 3600 * (1 + d.seq % 48), 'unixepoch') END,
    NULL
  FROM deployments d WHERE d.integration_id = 'bench-history';

INSERT INTO incidents (id, integration_id, dedup_key, seq, last_seq, service, service_name, environment, environment_raw, status,
  counted, title, url, created_at, resolved_at, received_at, link_change_id, link_deployment_id, link_commit_sha, raw)
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${incidents - 1}),
  t AS (SELECT i, ${start} + (i * ${span}) / ${incidents} + (i * 104729) % 3600 AS at FROM n)
  SELECT 'hist-i-' || i, 'bench-history-incidents', 'i-' || i, i + 1, i + 1, 'svc-' || ((i * 7) % ${services}), 'svc-' || ((i * 7) % ${services}),
    CASE WHEN i % 20 = 0 THEN 'staging' ELSE 'production' END, NULL,
    CASE WHEN i % 50 = 0 THEN 'open' ELSE 'resolved' END, CASE WHEN i % 13 = 0 THEN 0 ELSE 1 END, 'incident ' || i, NULL,
    ${iso("at")}, CASE WHEN i % 50 = 0 THEN NULL ELSE ${iso("at + 600 + (i % 24) * 1800")} END, ${iso("at")},
    -- A third name the change that caused them; the rest link by time, or not at all when too old.
    CASE WHEN i % 3 = 0 THEN 'CHG' || ((i * ${Math.max(1, Math.floor(deployments / incidents))}) - ${services}) ELSE NULL END, NULL, NULL, '{}'
  FROM t;
`;
  const file = join(persistDir, "history.sql");
  writeFileSync(file, sql);
  await d1File(persistDir, file);
  return { start: new Date(start * 1000).toISOString(), end: new Date(end * 1000).toISOString() };
}
