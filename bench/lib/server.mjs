// Starts `wrangler dev` on a free loopback port with fresh local state (a temporary persist
// directory with the migrations applied), and stops it again.
import { spawn, execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const ADMIN_TOKEN = "bench-admin-token";

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** Runs wrangler with the project's pinned version. */
export async function wrangler(args, options = {}) {
  return run("npx", ["--no-install", "wrangler", ...args], { maxBuffer: 64 * 1024 * 1024, ...options });
}

/** Executes SQL on the benchmark's local D1 and returns the rows of the last statement. */
export async function d1(persistDir, sql) {
  const { stdout } = await wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistDir, "--json", "--command", sql]);
  const results = JSON.parse(stdout);
  return results[results.length - 1].results;
}

/** Executes an SQL file on the benchmark's local D1. */
export async function d1File(persistDir, file) {
  await wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistDir, "--yes", "--file", file]);
}

/**
 * Spawns `wrangler dev` on `persistDir` and waits for its /healthz. A port found free can be taken
 * before wrangler binds it (by another server's workerd starting meanwhile): then it tries again on
 * new ports, up to three times.
 */
async function launchOnFreePorts(persistDir, vars) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    // Wrangler's devtools port defaults to 9229 for every instance, so parallel servers would clash.
    const inspectorPort = await freePort();
    const child = spawn(
      "npx",
      ["--no-install", "wrangler", "dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--persist-to", persistDir, ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]), "--log-level", process.env.BENCH_LOG_LEVEL ?? "error"],
      { stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) return { child, base, inspectorPort, output: () => output };
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline || child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
    if (attempt >= 3 || !output.includes("Address already in use")) throw new Error(`wrangler dev did not start:\n${output}`);
  }
}

/**
 * Starts a fresh server, with `vars` (name -> value) set beside the admin token and its state in a
 * new directory under `stateDir` (a copy of the saved state `from`, if given); given the `persistDir`
 * of a server that was stopped or killed, starts again on its state. Returns its base URL, persist
 * dir, devtools port, process, a stop function and a kill function (SIGKILL, state kept).
 */
export async function startServer({ adminToken = ADMIN_TOKEN, vars = {}, persistDir: reused, from, stateDir = process.env.BENCH_STATE_DIR ?? "/dev/shm" } = {}) {
  const persistDir = reused ?? mkdtempSync(join(stateDir, "dora-bench-"));
  if (!reused) {
    if (from) cpSync(from, persistDir, { recursive: true });
    await wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir]);
  }
  const { child, base, inspectorPort, output } = await launchOnFreePorts(persistDir, { ADMIN_TOKEN: adminToken, ...vars });
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
    rmSync(persistDir, { recursive: true, force: true });
  };
  const kill = () => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  return { base, persistDir, inspectorPort, child, stop, kill, output };
}

/** Calls the admin API. */
export async function admin(base, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Peak resident memory (MiB) of the workerd processes under a process, from /proc. */
export function workerdRssMb(rootPid) {
  let total = 0;
  const walk = (pid) => {
    let children = [];
    try {
      children = readChildren(pid);
    } catch {
      return;
    }
    for (const c of children) {
      total += rssOf(c);
      walk(c);
    }
  };
  walk(rootPid);
  return total;
}


function readChildren(pid) {
  const out = [];
  for (const task of readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)) if (task) out.push(Number(task));
  return out;
}

function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    if (!comm.includes("workerd")) return 0;
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}
