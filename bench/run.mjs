// `npm run bench [-- --json] [--deployments N --incidents N --services N --days N --duration S --connections N --export-rows N --state-dir DIR --save-history DIR --history DIR]`
// Starts wrangler dev on loopback with fresh local state (one server for ingest, one for recompute
// and reads), measures each side by side with /healthz, then prints a table (or, with --json, one
// JSON object last).
import { tmpdir } from "node:os";
import { parseArgs } from "node:util";
import { benchIngest } from "./lib/ingest.mjs";
import { benchIngestCpu } from "./lib/ingest-cpu.mjs";
import { benchRecompute } from "./lib/recompute.mjs";
import { benchRead } from "./lib/read.mjs";
import { startServer } from "./lib/server.mjs";
import { benchUnits } from "./lib/units.mjs";
import { benchExport } from "./lib/export.mjs";
import { benchFiguresHeap } from "./lib/figures-heap.mjs";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    only: { type: "string" },
    deployments: { type: "string", default: "1000000" },
    incidents: { type: "string", default: "100000" },
    services: { type: "string", default: "200" },
    days: { type: "string", default: "730" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "32" },
    "export-rows": { type: "string", default: "100000" },
    "state-dir": { type: "string" },
    // A 10M history takes minutes to generate: save it once, then start recompute runs from a copy.
    "save-history": { type: "string" },
    history: { type: "string" },
  },
});
const options = {
  deployments: Number(values.deployments),
  incidents: Number(values.incidents),
  services: Number(values.services),
  days: Number(values.days),
  duration: Number(values.duration),
  connections: Number(values.connections),
  exportRows: Number(values["export-rows"]),
  saveHistory: values["save-history"],
  history: values.history,
};
if (options.history && options.saveHistory) throw new Error("--history starts from a saved history, so there is nothing to --save-history");
/**
 * Where the servers keep their local state: tmpfs by default, so that the disk's flushes do not
 * dominate; past 3M deployments the disk, since tmpfs is RAM and the database, its floor copy and
 * workerd's own memory would not fit in it side by side.
 */
const stateDir = values["state-dir"] ?? process.env.BENCH_STATE_DIR ?? (options.deployments > 3_000_000 ? tmpdir() : "/dev/shm");
const wanted = (name) => !values.only || values.only.split(",").includes(name);
const log = (...args) => (values.json ? console.error(...args) : console.log(...args));

const report = {};
/**
 * Each section gets a server of its own with fresh local state. Right after the ingest load, on the
 * same server, the full recompute ran about a third slower (the kernel was still busy reclaiming what
 * the load had used).
 */
async function onFreshServer(run, from) {
  const server = await startServer({ stateDir, from });
  try {
    await run(server);
  } catch (error) {
    // What the Worker logged (its unhandled errors) says why a request failed.
    console.error(`server output, last 4 KB:\n${server.output().slice(-4096)}`);
    throw error;
  } finally {
    server.stop();
  }
}
if (wanted("ingest")) {
  await onFreshServer(async (server) => {
    log("ingest: OpsLevel deploys vs /healthz ...");
    report.ingest = await benchIngest(server, options);
  });
}
// Only when named: it measures CPU per request, which the default run's throughput figures do not need.
if (values.only?.split(",").includes("ingest-cpu")) {
  await onFreshServer(async (server) => {
    log("ingest-cpu: CPU per request of /healthz, the floor and OpsLevel deploys ...");
    report["ingest-cpu"] = await benchIngestCpu(server, options);
  });
}
if (wanted("recompute") || wanted("read")) {
  await onFreshServer(async (server) => {
    if (wanted("recompute")) {
      log(`recompute: ${options.deployments} deployments, ${options.incidents} incidents, ${options.services} services, ${options.days} days ...`);
      report.recompute = await benchRecompute(server, options, log);
    }
    if (wanted("read")) {
      log("read: a snapshot window vs /healthz, and ad-hoc 90-day windows ...");
      report.read = await benchRead(server, options);
    }
  }, options.history);
}

// Only when named: it recomputes a history of its own and runs the figures code some twenty times.
if (values.only?.split(",").includes("figures-heap")) {
  await onFreshServer(async (server) => {
    log("figures-heap: the heap the snapshots and an ad-hoc window need at their peak ...");
    report["figures-heap"] = await benchFiguresHeap(server, options, log);
  }, options.history);
}

if (wanted("export")) {
  await onFreshServer(async (server) => {
    log(`export: ${options.exportRows} and then ${2 * options.exportRows} deployments as CSV ...`);
    report.export = await benchExport(server, options);
  });
}
if (wanted("units")) {
  log("units: billed units per accepted event and per recompute ...");
  report.units = await benchUnits();
}

const fmt = (v) => (typeof v === "number" && !Number.isInteger(v) ? v.toFixed(3) : String(v));
if (values.json) {
  console.log(JSON.stringify(report));
} else {
  for (const [section, figures] of Object.entries(report)) {
    console.log(`\n${section}`);
    for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(22)} ${typeof v === "object" ? JSON.stringify(v) : fmt(v)}`);
  }
}
