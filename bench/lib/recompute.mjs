// Recompute: a full recompute over the synthetic history, then one new day of data posted through
// the real ingest routes and an incremental recompute, against the floor of one
// GROUP BY (service, environment, day) scan of the deployments on a copy of the same database.
import { cpSync, rmSync } from "node:fs";
import { request } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { generateHistory } from "./history.mjs";
import { connectHeap } from "./heap.mjs";
import { ADMIN_TOKEN, d1, workerdRssMb } from "./server.mjs";
import { median } from "./stats.mjs";

// The Miniflare (and so the workerd) that this wrangler runs `wrangler dev` on, not whichever
// version another package hoisted.
const wranglerRequire = createRequire(createRequire(import.meta.url).resolve("wrangler/package.json"));
const { Miniflare } = await import(pathToFileURL(wranglerRequire.resolve("miniflare")).href);

const DATABASE_ID = "00000000-0000-0000-0000-000000000000";
// The grouping is counted in SQL rather than shipped to Node: returning 400k rows over the
// simulator's RPC costs far more than the scan, and the job never does that.
const FLOOR_SQL = `SELECT count(*) AS groups FROM (
  SELECT service, environment, substr(occurred_at, 1, 10) AS day, count(*) AS n FROM deployments GROUP BY 1, 2, 3)`;
const BATCH = 500;

/**
 * Runs `job` while sampling the resident memory of the server's workerd processes every 50 ms;
 * returns the job's result and its peak growth over the level just before the job started (MiB).
 * Beside it, the used V8 heap of the Worker's isolate, over its level after a full GC just before:
 * workerd answers the inspector only between requests, so it is read after each run of the job
 * (before any GC), which bounds the heap's peak within a request from below, not at its top; and
 * again after a full GC, for what the job left held rather than not yet collected.
 * A worker restarted meanwhile is a new isolate: it is read from then on against the same level.
 */
async function withMemory(server, job) {
  const before = workerdRssMb(server.child.pid);
  let peak = before;
  const nudge = () => fetch(`${server.base}/healthz`).then((res) => res.arrayBuffer());
  let heap = await connectHeap(server);
  await heap.collect(nudge);
  const heapBefore = await heap.used();
  let heapPeak = heapBefore;
  let heapSamples = 0;
  let done = false;
  const read = async () => {
    try {
      heapPeak = Math.max(heapPeak, await heap.used());
      heapSamples++;
    } catch {
      heap.close();
      heap = await connectHeap(server).catch(() => heap);
    }
  };
  const timer = setInterval(() => (peak = Math.max(peak, workerdRssMb(server.child.pid))), 50);
  const sampler = (async () => {
    while (!done) {
      await read();
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    const result = await job();
    peak = Math.max(peak, workerdRssMb(server.child.pid));
    done = true;
    await sampler;
    await read();
    await heap.collect(nudge);
    const heapRetainedMb = (await heap.used()) - heapBefore;
    return { result, growthMb: peak - before, heapGrowthMb: heapPeak - heapBefore, heapRetainedMb, heapSamples };
  } finally {
    clearInterval(timer);
    done = true;
    heap.close();
  }
}

/** Floor runs measured on each side of the full recompute. */
const FLOOR_RUNS = 3;

/**
 * A copy of the server's local D1 files for the floor, taken while nothing writes to them, inside the
 * server's persist directory so that stopping the server removes it. A second runtime on the files
 * that wrangler dev has open once cost us the server (a request after it waited five minutes for an
 * answer that never came).
 */
function copyDatabase(persistDir) {
  const dir = join(persistDir, "floor-copy");
  cpSync(join(persistDir, "v3", "d1"), join(dir, "v3", "d1"), { recursive: true });
  return dir;
}

/**
 * `runs` floors, in seconds: the cheapest pass over the history, through the same runtime path as
 * the job (the D1 simulator in workerd, opened with Miniflare from Node), on the copy in
 * `persistDir`. After one unmeasured run: the first read of a new runtime was its slowest.
 */
async function floorRuns(persistDir, runs) {
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response(null, { status: 404 }) } }",
    compatibilityDate: "2026-04-26",
    d1Databases: { DB: DATABASE_ID },
    d1Persist: join(persistDir, "v3", "d1"),
  });
  try {
    const db = await mf.getD1Database("DB");
    const seconds = [];
    for (let i = 0; i <= runs; i++) {
      const started = performance.now();
      const row = await db.prepare(FLOOR_SQL).first();
      if (row.groups === 0) throw new Error("the floor query saw no deployments: wrong database?");
      if (i > 0) seconds.push((performance.now() - started) / 1000);
    }
    return seconds;
  } finally {
    await mf.dispose();
  }
}

/**
 * The full recompute with its floor side by side, on a copy of the same database: runs right before
 * it and right after, and the floor is their median (docs/performance.md, Recompute).
 */
async function fullBesideFloor(server) {
  const copy = copyDatabase(server.persistDir);
  try {
    const before = await floorRuns(copy, FLOOR_RUNS);
    const full = await recomputeOnce(server, true);
    const after = await floorRuns(copy, FLOOR_RUNS);
    return { full, before, after, floor: median([...before, ...after]), fastest: Math.min(...before, ...after) };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** One request on a connection of its own: a pooled keep-alive socket may have been reset meanwhile. */
function call(base, method, path, { token, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent: false, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode, text }));
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * Calls the admin API and returns its JSON, or throws on any non-2xx. wrangler dev restarts the
 * worker after a minute-long request and answers 503 meanwhile ("restarted mid-request"): wait it out.
 */
async function admin(base, method, path, body) {
  let res = await call(base, method, path, { token: ADMIN_TOKEN, body });
  for (let tries = 0; res.status === 503 && /restarted/.test(res.text) && tries < 120; tries++) {
    await new Promise((r) => setTimeout(r, 1000));
    res = await call(base, method, path, { token: ADMIN_TOKEN, body });
  }
  if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return JSON.parse(res.text);
}

/** Posts `items` to a generic route in batches of up to 500. */
async function postAll(base, url, secret, items) {
  for (let i = 0; i < items.length; i += BATCH) {
    const res = await call(base, "POST", url, { token: secret, body: { items: items.slice(i, i + BATCH) } });
    if (res.status !== 202) throw new Error(`POST ${url}: ${res.status} ${res.text}`);
  }
}

/**
 * One new day (today) of about 1/days of the history, shaped like it: several environments,
 * failures, hotfixes, rollbacks to an older sha, commits with and without dates, incidents
 * linked by change id, by time, or not at all.
 */
function newDay({ deployments, incidents, services, days }) {
  const today = new Date().toISOString().slice(0, 10);
  const dayStart = Date.parse(`${today}T00:00:00.000Z`);
  const nDeploys = Math.max(1, Math.round(deployments / days));
  const nIncidents = Math.max(1, Math.round(incidents / days));
  const at = (ms) => new Date(ms).toISOString();
  const deploys = [];
  for (let i = 0; i < nDeploys; i++) {
    const t = dayStart + Math.floor((i * 86_400_000) / nDeploys);
    const round = Math.floor(i / services);
    const env = round % 10 < 7 ? "production" : round % 10 < 9 ? "staging" : "development";
    const sha = i % 29 === 0 && i > 0 ? `bench-day-${String(i - 1).padStart(6, "0")}` : `bench-day-${String(i).padStart(6, "0")}`;
    deploys.push({
      dedup_key: `day-d-${i}`,
      service: `svc-${i % services}`,
      environment: env,
      status: i % 17 === 0 ? "failure" : i % 53 === 0 ? "aborted" : "success",
      kind: i % 41 === 0 ? "hotfix" : null,
      started_at: at(t - 300_000),
      finished_at: at(t),
      change_id: `DAY-CHG-${i}`,
      commits: [{ sha, committed_at: i % 5 === 0 ? null : at(t - 3_600_000 * (1 + (i % 48))) }],
    });
  }
  const incs = [];
  for (let i = 0; i < nIncidents; i++) {
    const t = dayStart + Math.floor((i * 86_400_000) / nIncidents) + 1_800_000;
    incs.push({
      dedup_key: `day-i-${i}`,
      service: `svc-${(i * 7) % services}`,
      environment: i % 20 === 0 ? "staging" : "production",
      created_at: at(t),
      resolved_at: i % 50 === 0 ? null : at(t + 600_000 + (i % 24) * 1_800_000),
      counted: i % 13 !== 0,
      links: i % 3 === 0 ? { change_id: `DAY-CHG-${Math.floor((i * nDeploys) / nIncidents)}` } : null,
    });
  }
  return { deploys, incs };
}

/** Waits until every record posted to the integration is in D1 (its outbox drained). */
async function drained(persistDir, integrationId, deploys, incs) {
  const deadline = Date.now() + 300_000;
  for (;;) {
    // A second process on the server's files finds them locked while the drain writes: try again.
    const [row] = await d1(
      persistDir,
      `SELECT (SELECT count(*) FROM deployments WHERE integration_id = '${integrationId}') AS d, (SELECT count(*) FROM incidents WHERE integration_id = '${integrationId}') AS i`,
    ).catch((error) => {
      if (/SQLITE_BUSY/.test(String(error))) return [{ d: -1, i: -1 }];
      throw error;
    });
    if (row.d >= deploys && row.i >= incs) return;
    if (Date.now() > deadline) throw new Error(`outbox not drained: ${JSON.stringify(row)} of ${deploys} / ${incs}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const fullLine = (r) => `${r.seconds.toFixed(2)} s, +${r.growthMb.toFixed(1)} MiB rss, +${r.heapGrowthMb.toFixed(1)} MiB heap (${r.heapSamples} samples; +${r.heapRetainedMb.toFixed(1)} MiB after a GC), ${JSON.stringify(r.summary)}`;

/**
 * A recompute through the admin route, timed from here (wall clock, like the floor): a full one is
 * asked for once and then continued, as the Cron does, by runs until one completes. The runs'
 * statements, rows and time are summed; the slowest statement and the most statements in one run
 * are the largest of any run.
 */
async function recomputeOnce(server, full) {
  let seconds;
  const { result: runs, growthMb, heapGrowthMb, heapRetainedMb, heapSamples } = await withMemory(server, async () => {
    // Timed in here: connecting to the inspector and the GC before are not the recompute's.
    const started = performance.now();
    const runs = [await admin(server.base, "POST", `/api/v1/recompute${full ? "?full=true" : ""}`)];
    while (!runs.at(-1).complete) {
      if (runs.length >= 200) throw new Error(`recompute did not complete in ${runs.length} runs: ${JSON.stringify(runs.at(-1))}`);
      runs.push(await admin(server.base, "POST", "/api/v1/recompute"));
    }
    seconds = (performance.now() - started) / 1000;
    return runs;
  });
  const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
  const max = (key) => Math.max(...runs.map((run) => run[key]));
  const summary = {
    runs: runs.length,
    queries: sum("queries"),
    max_queries_per_run: max("queries"),
    rows_read: sum("rows_read"),
    rows_written: sum("rows_written"),
    max_statement_ms: max("max_statement_ms"),
    database_bytes: runs.at(-1).database_bytes,
    last: runs.at(-1),
  };
  return { summary, seconds, growthMb, heapGrowthMb, heapRetainedMb, heapSamples };
}

/**
 * Generates the history (or starts from the saved one the server was given a copy of), then measures
 * a full recompute beside the floor, one new day of ingest and an incremental recompute; returns the
 * report's `recompute` section.
 */
export async function benchRecompute(server, options, log = () => {}) {
  let started = performance.now();
  if (options.history) {
    log(`  history copied from ${options.history}`);
  } else {
    await generateHistory(server, options);
    log(`  history generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // Only `wrangler d1 execute` has written yet, and it has exited: the files are whole.
    if (options.saveHistory) cpSync(server.persistDir, options.saveHistory, { recursive: true });
  }
  const [{ deployments, incidents }] = await d1(
    server.persistDir,
    "SELECT (SELECT count(*) FROM deployments) AS deployments, (SELECT count(*) FROM incidents) AS incidents",
  );

  const { full, before, after, floor, fastest } = await fullBesideFloor(server);
  const list = (seconds) => seconds.map((s) => s.toFixed(3)).join(", ");
  log(`  full: ${fullLine(full)}`);
  log(`  floor: ${floor.toFixed(3)} s, the median of ${list(before)} before and ${list(after)} after (fastest ${fastest.toFixed(3)} s)`);

  const integration = await admin(server.base, "POST", "/api/v1/integrations", { vendor: "generic", name: "bench-new-day" });
  const { deploys, incs } = newDay(options);
  started = performance.now();
  await postAll(server.base, `/webhooks/generic/${integration.id}/deployments`, integration.secret, deploys);
  await postAll(server.base, `/webhooks/generic/${integration.id}/incidents`, integration.secret, incs);
  await drained(server.persistDir, integration.id, deploys.length, incs.length);
  log(`  new day: ${deploys.length} deployments, ${incs.length} incidents posted and drained in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const incremental = await recomputeOnce(server, false);
  log(`  incremental: ${fullLine(incremental)}`);
  return {
    deployments,
    incidents,
    full_s: full.seconds,
    incremental_s: incremental.seconds,
    incremental_ratio: incremental.seconds / full.seconds,
    queries_full: full.summary.queries,
    queries_incremental: incremental.summary.queries,
    statements_full: full.summary.queries,
    runs_full: full.summary.runs,
    max_statements_per_run: Math.max(full.summary.max_queries_per_run, incremental.summary.max_queries_per_run),
    max_statement_s: Math.max(full.summary.max_statement_ms, incremental.summary.max_statement_ms) / 1000,
    max_statement_full_s: full.summary.max_statement_ms / 1000,
    max_statement_incremental_s: incremental.summary.max_statement_ms / 1000,
    d1_bytes_per_deployment: full.summary.database_bytes / deployments,
    rows_read_full: full.summary.rows_read,
    rows_written_full: full.summary.rows_written,
    rows_read_incremental: incremental.summary.rows_read,
    rows_written_incremental: incremental.summary.rows_written,
    peak_rss_mb: Math.max(full.growthMb, incremental.growthMb),
    peak_heap_mb: Math.max(full.heapGrowthMb, incremental.heapGrowthMb),
    peak_heap_full_mb: full.heapGrowthMb,
    peak_heap_incremental_mb: incremental.heapGrowthMb,
    heap_retained_full_mb: full.heapRetainedMb,
    heap_retained_incremental_mb: incremental.heapRetainedMb,
    floor_s: floor,
    floor_fastest_s: fastest,
    full_over_floor: full.seconds / floor,
  };
}
