// The V8 heap of the Worker's own isolate under `wrangler dev`, read over the DevTools protocol
// from wrangler's inspector proxy. The workerd process also holds the local D1 simulator (SQLite's page
// cache), which its resident memory counts and production runs outside the Worker.
import { createRequire } from "node:module";

// `ws` from wrangler's own dependency tree (it is not a dependency of the project).
const WebSocket = createRequire(createRequire(import.meta.url).resolve("wrangler/package.json"))("ws");

/**
 * A connection to the Worker isolate's inspector under the server started by `startServer`, through
 * wrangler's inspector proxy: `used()` is the V8 heap's used size in MiB. Not to workerd's own
 * inspector (`core:user:<name>`): a session there was closed (code 1000) within a second, with the
 * proxy's own session to it open.
 */
export async function connectHeap(server) {
  const url = `ws://127.0.0.1:${server.inspectorPort}/ws`;
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
