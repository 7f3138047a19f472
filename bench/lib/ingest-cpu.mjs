// Ingest by CPU time rather than throughput: a fixed number of requests of each kind (health, the
// floor's refused deploy, accepted deploys) and the CPU the workerd threads spent on them, read from
// /proc, so that other work on a shared machine weighs far less than on requests per second.
import { readFileSync, readdirSync } from "node:fs";
import autocannon from "autocannon";
import { admin } from "./server.mjs";
import { deploy, UNLIMITED } from "./ingest.mjs";

const REQUESTS = 3000;
const TICK_US = 10_000; // /proc counts in clock ticks of 10 ms (CLK_TCK 100)
/** After the deploys, long enough for the outbox's drain (500 ms after the first event) to finish. */
const DRAIN_WAIT_MS = 1500;

function descendants(pid, out = []) {
  let children = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return out;
  }
  for (const child of children) descendants(child, out).push(child);
  return out;
}

/**
 * CPU (us) of the workerd processes' threads: `worker` is the Worker's own process's main thread,
 * where the Worker, its Durable Objects, local D1 and R2 run; `all` adds every other thread of both
 * processes (wrangler's proxy in front, V8's helpers).
 */
function workerdCpu(rootPid) {
  const cpu = { worker: 0, all: 0 };
  for (const pid of descendants(rootPid)) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "workerd") continue;
      const isWorker = readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--inspector-addr");
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const us = (Number(fields[11]) + Number(fields[12])) * TICK_US;
        cpu.all += us;
        if (isWorker && tid === String(pid)) cpu.worker += us;
      }
    } catch {
      // The process ended meanwhile.
    }
  }
  return cpu;
}

const fire = (options) => new Promise((resolve, reject) => autocannon(options, (error, result) => (error ? reject(error) : resolve(result))));

export async function benchIngestCpu({ base, child }, { connections, rounds = 5 }) {
  await admin(base, "PUT", "/api/v1/services/bench-service", { name: "Bench service" });
  const { id } = await admin(base, "POST", "/api/v1/integrations", { vendor: "opslevel", name: "bench cpu", rate_limit: UNLIMITED });
  const post = (url) => ({ url, method: "POST", headers: { "content-type": "application/json" }, body: deploy("bench-service"), idReplacement: true });
  const kinds = { health: { url: `${base}/healthz` }, floor: post(`${base}/integrations/deploy/no-such-integration`), ingest: post(`${base}/integrations/deploy/${id}`) };
  for (const target of Object.values(kinds)) await fire({ ...target, connections, amount: 1000 });
  const samples = Object.fromEntries(Object.keys(kinds).map((k) => [k, { worker: [], all: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const [kind, target] of Object.entries(kinds)) {
      const before = workerdCpu(child.pid);
      await fire({ ...target, connections, amount: REQUESTS });
      await new Promise((r) => setTimeout(r, kind === "ingest" ? DRAIN_WAIT_MS : 200));
      const after = workerdCpu(child.pid);
      for (const part of ["worker", "all"]) samples[kind][part].push((after[part] - before[part]) / REQUESTS);
    }
  }
  const median = (list) => Math.round([...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]);
  const report = {};
  for (const [kind, parts] of Object.entries(samples)) {
    report[`${kind}_worker_us`] = median(parts.worker);
    report[`${kind}_all_us`] = median(parts.all);
  }
  report.ingest_over_health_worker_us = median(samples.ingest.worker.map((v, i) => v - samples.health.worker[i]));
  return report;
}
