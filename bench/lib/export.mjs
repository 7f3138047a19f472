// Export: streams GET /api/v1/deployments.csv over N and then 2N deployments, and reports the
// workerd processes' peak memory growth during each; flat memory means the two growths match.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN_TOKEN, d1File, workerdRssMb } from "./server.mjs";

/** Seeds deployments [from, to) with one INSERT ... SELECT per 50,000, straight into D1. */
async function seed(persistDir, from, to) {
  const dir = mkdtempSync(join(tmpdir(), "dora-export-"));
  const file = join(dir, "seed.sql");
  const statements = [];
  for (let start = from; start < to; start += 50_000) {
    const end = Math.min(start + 50_000, to);
    statements.push(`WITH RECURSIVE n(i) AS (SELECT ${start} UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${end})
INSERT INTO deployments (id, integration_id, dedup_key, seq, last_seq, service, service_name, environment, status, occurred_at, received_at, description, raw)
SELECT printf('exp-%08d', i), 'export', 'exp-' || i, i, i, 'svc-' || (i % 200), 'svc-' || (i % 200), 'production', 'success',
       strftime('%Y-%m-%dT%H:%M:%fZ', '2024-01-01', '+' || (i * 60) || ' seconds'), '2024-01-01T00:00:00.000Z', 'release ' || i || ', "quoted"', '' FROM n;`);
  }
  writeFileSync(file, statements.join("\n"));
  try {
    await d1File(persistDir, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function exportOnce(server) {
  const before = workerdRssMb(server.child.pid);
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, workerdRssMb(server.child.pid))), 50);
  const started = performance.now();
  try {
    const res = await fetch(`${server.base}/api/v1/deployments.csv`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    if (!res.ok) throw new Error(`GET /api/v1/deployments.csv: ${res.status} ${await res.text()}`);
    let bytes = 0;
    let lines = 0;
    let chunks = 0;
    for await (const chunk of res.body) {
      chunks++;
      bytes += chunk.byteLength;
      for (const b of chunk) if (b === 10) lines++;
    }
    peak = Math.max(peak, workerdRssMb(server.child.pid));
    return { rows: lines - 1, bytes, chunks, seconds: (performance.now() - started) / 1000, rss_growth_mb: peak - before };
  } finally {
    clearInterval(timer);
  }
}

export async function benchExport(server, { exportRows }) {
  await seed(server.persistDir, 0, exportRows);
  // Each size once before it is measured: the first read of new rows brings their pages into the
  // local D1's cache, which is in the same processes and would count as the export's growth.
  await exportOnce(server);
  const small = await exportOnce(server);
  await seed(server.persistDir, exportRows, 2 * exportRows);
  await exportOnce(server);
  const large = await exportOnce(server);
  return {
    rows: small.rows,
    rows_doubled: large.rows,
    seconds: small.seconds,
    seconds_doubled: large.seconds,
    chunks: small.chunks,
    rss_growth_mb: small.rss_growth_mb,
    rss_growth_doubled_mb: large.rss_growth_mb,
  };
}
