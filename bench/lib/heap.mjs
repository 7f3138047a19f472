// The V8 heap of the Worker's own isolate under `wrangler dev`, read over the DevTools protocol
// from workerd's inspector. The workerd process also holds the local D1 simulator (SQLite's page
// cache), which its resident memory counts and production runs outside the Worker.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createRequire } from "node:module";

// `ws` from wrangler's own dependency tree (it is not a dependency of the project).
const WebSocket = createRequire(createRequire(import.meta.url).resolve("wrangler/package.json"))("ws");

/** Pids of the workerd processes under `rootPid`. */
function workerdPids(rootPid) {
  const out = [];
  const walk = (pid) => {
    let children = [];
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return;
    }
    for (const c of children) {
      try {
        if (readFileSync(`/proc/${c}/comm`, "utf8").includes("workerd")) out.push(c);
      } catch {
        // Gone.
      }
      walk(c);
    }
  };
  walk(rootPid);
  return out;
}

/**
 * Loopback ports that `pids` listen on, from /proc: wrangler starts workerd with
 * `--inspector-addr=localhost:0`, so the port is not on its command line.
 */
function listeningPorts(pids) {
  const inodes = new Set();
  for (const pid of pids) {
    let fds = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        // Closed meanwhile.
      }
    }
  }
  const ports = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let lines = [];
    try {
      lines = readFileSync(table, "utf8").trim().split("\n").slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      // f[1] local address:port (hex), f[3] state (0A = LISTEN), f[9] inode.
      if (f[3] === "0A" && inodes.has(f[9])) ports.push(parseInt(f[1].split(":")[1], 16));
    }
  }
  return ports;
}

/** The DevTools websocket URL of the user worker's isolate (`core:user:<name>`), or null. */
async function findTarget(rootPid) {
  for (const port of listeningPorts(workerdPids(rootPid))) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) continue;
      const targets = await res.json();
      const user = Array.isArray(targets) && targets.find((t) => typeof t.id === "string" && t.id.startsWith("core:user:"));
      if (user) return user.webSocketDebuggerUrl;
    } catch {
      // Not an inspector (the worker's own port, the debug port).
    }
  }
  return null;
}

/**
 * A connection to the Worker isolate's inspector under the server started by `startServer`:
 * `used()` is the V8 heap's used size in MiB. Direct, not through wrangler's inspector proxy,
 * which enables the debugger and more on the isolate. Throws if no such inspector is found.
 */
export async function connectHeap(server) {
  const url = await findTarget(server.child.pid);
  if (!url) throw new Error("no workerd inspector with a core:user: target under the server");
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let id = 0;
  const pending = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data));
    const p = msg.id !== undefined && pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(`${p.method}: ${JSON.stringify(msg.error)}`));
    else p.resolve(msg.result);
  });
  const fail = (error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  ws.on("close", () => fail(new Error("inspector connection closed (worker restarted?)")));
  ws.on("error", fail);
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      if (ws.readyState !== WebSocket.OPEN) return reject(new Error("inspector connection closed (worker restarted?)"));
      const i = ++id;
      pending.set(i, { method, resolve, reject });
      ws.send(JSON.stringify({ id: i, method, params }));
    });
  return {
    used: async () => (await send("Runtime.getHeapUsage")).usedSize / 1024 / 1024,
    /**
     * A full GC. workerd answers it only once the isolate next runs, so `nudge` (a request to the
     * worker) is sent until it does.
     */
    collect: async (nudge) => {
      const done = send("HeapProfiler.collectGarbage");
      let answered = false;
      done.then(() => (answered = true), () => (answered = true));
      for (let i = 0; i < 20 && !answered; i++) {
        await nudge().catch(() => {});
        await Promise.race([done.catch(() => {}), new Promise((r) => setTimeout(r, 250))]);
      }
      await done;
    },
    close: () => ws.close(),
  };
}
