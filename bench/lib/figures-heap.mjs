// The live peak of the Worker's heap while it computes the snapshots and an ad-hoc window. workerd's
// inspector answers only between requests, so the same code (src/metrics/figures.ts, bundled) runs
// under Node against the recomputed local D1, and the smallest old-space limit with which it still
// completes is found by bisection, less that of a run that only opens D1. Node does not compress
// pointers, so objects weigh more than in workerd: an upper bound. Typed arrays live outside V8's
// heap and the limit does not count them.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateHistory } from "./history.mjs";
import { admin, d1 } from "./server.mjs";

const child = new URL("./figures-heap-child.mjs", import.meta.url).pathname;

/** Whether a run of `which` completes with `mb` MiB of old space (and a young generation of 1 MiB, so that the limit is nearly all of the heap). */
async function completes(bundle, persistDir, which, mb) {
  const node = spawn(process.execPath, [`--max-old-space-size=${mb}`, "--max-semi-space-size=1", child, bundle, persistDir, which], { stdio: "ignore", detached: true });
  const code = await new Promise((resolve) => node.on("exit", resolve));
  // V8 aborts a run whose limit is too small, and Miniflare's workerd would outlive it: its process group goes too.
  try {
    process.kill(-node.pid, "SIGKILL");
  } catch {
    // Nothing left.
  }
  return code === 0;
}

/** The smallest limit (MiB, to 2 MiB) with which `which` completes, between `low` (fails) and `high` (completes). */
async function smallestLimit(bundle, persistDir, which, low = 8, high = 512) {
  if (!(await completes(bundle, persistDir, which, high))) throw new Error(`${which} does not complete with ${high} MiB`);
  while (high - low > 2) {
    const mid = Math.floor((low + high) / 2);
    if (await completes(bundle, persistDir, which, mid)) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * On `server` (a fresh one, with the saved history copied in or generated here): a full recompute,
 * then the server is killed with its state kept and each case is measured on that state. Returns the
 * report's `figures-heap` section, in MiB above the run that only opens D1.
 */
export async function benchFiguresHeap(server, options, log = () => {}) {
  if (!options.history) await generateHistory(server, options);
  let last = await admin(server.base, "POST", "/api/v1/recompute?full=true");
  while (!last.complete) last = await admin(server.base, "POST", "/api/v1/recompute");
  const [{ lead }] = await d1(
    server.persistDir,
    "SELECT count(*) AS lead FROM metric_lead_samples WHERE environment = 'production' AND seconds IS NOT NULL AND day >= date('now', '-89 days')",
  );
  server.kill();
  const dir = mkdtempSync(join(tmpdir(), "figures-heap-"));
  const bundle = join(dir, "figures.mjs");
  try {
    const esbuild = createRequire(createRequire(import.meta.url).resolve("wrangler/package.json"))("esbuild");
    esbuild.buildSync({ entryPoints: [new URL("../../src/metrics/figures.ts", import.meta.url).pathname], bundle: true, format: "esm", platform: "neutral", outfile: bundle, logLevel: "warning" });
    const baseline = await smallestLimit(bundle, server.persistDir, "none");
    log(`  figures-heap: ${lead} lead samples in the 90-day window; opening D1 alone needs ${baseline} MiB`);
    const report = { lead_samples_90d: lead, baseline_mb: baseline };
    for (const which of ["snapshots", "adhoc", "adhoc-team"]) {
      const limit = await smallestLimit(bundle, server.persistDir, which);
      log(`  ${which}: completes with ${limit} MiB`);
      report[`${which.replace("-", "_")}_mb`] = limit - baseline;
    }
    return report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
