// Shadow forwarding against real servers on loopback: `wrangler dev`, and an upstream (the
// "old tool") that node:http runs here, answering as each test tells it to.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { admin, startServer } from "../../bench/lib/server.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** An upstream that keeps every request it got and answers with `mode` (a status, or "hang"), after `delayMs`. */
async function startUpstream() {
  const received = [];
  const hanging = new Set();
  const upstream = { received, mode: 200, answer: null, delayMs: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const entry = { url: req.url, headers: req.headers, body };
      const status = upstream.answer?.(entry) ?? upstream.mode;
      if (status === "hang") {
        hanging.add(res);
        return;
      }
      setTimeout(() => {
        entry.status = status;
        received.push(entry);
        res.writeHead(status, { "content-type": "text/plain" }).end("upstream");
      }, upstream.delayMs);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  upstream.url = `http://127.0.0.1:${server.address().port}`;
  upstream.close = () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    server.close();
  };
  /** The deliveries the upstream accepted (2xx), in the order it got them. */
  upstream.accepted = () => received.filter((r) => r.status >= 200 && r.status < 300);
  return upstream;
}

let server;
let upstream;

before(async () => {
  [server, upstream] = await Promise.all([startServer(), startUpstream()]);
});
after(() => {
  server?.stop();
  upstream?.close();
});

async function forwardingIntegration(base, extra = {}) {
  return admin(base, "POST", "/api/v1/integrations", {
    vendor: "generic",
    name: "shadow",
    rate_limit: { requests_per_second: 1000, burst: 1000 },
    forward: { url: `${upstream.url}/old`, headers: { Authorization: "Bearer old-tool-token", "X-Team": "payments" } },
    ...extra,
  });
}

/** Posts one delivery as a pipeline would, and answers how long the acknowledgement took. */
async function post(base, integration, body, headers = {}) {
  const started = Date.now();
  const res = await fetch(`${base}/webhooks/generic/${integration.id}/deployments`, {
    method: "POST",
    headers: { authorization: `Bearer ${integration.secret}`, "content-type": "application/json; charset=utf-8", ...headers },
    body,
  });
  await res.arrayBuffer();
  return { status: res.status, ms: Date.now() - started };
}

/** A delivery body written the way no JSON serialiser would: forwarding must keep it as it is. */
const bodyOf = (run, i) => `{ "dedup_key" :"${run}-${i}",\n\t"status":"success", "description": "café ☕ ${i}"   }`;

async function waitFor(what, check, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(200);
  }
}

const ledger = (base, id) => admin(base, "GET", `/api/v1/integrations/${id}/deliveries`);
const bodiesFor = (run) => upstream.accepted().map((r) => r.body.toString("utf8")).filter((b) => b.includes(`"${run}-`));

test("the upstream receives each accepted delivery byte for byte, in order, with the configured credential; the API shows header names only", async () => {
  upstream.mode = 200;
  const integration = await forwardingIntegration(server.base);
  assert.deepEqual(integration.forward, { url: `${upstream.url}/old`, header_names: ["Authorization", "X-Team"], duplicates: false });
  const shown = JSON.stringify(await admin(server.base, "GET", `/api/v1/integrations/${integration.id}`)) + JSON.stringify(await admin(server.base, "GET", "/api/v1/integrations"));
  assert.ok(!shown.includes("old-tool-token"), "a forward header's value is never shown");
  const sent = [];
  for (let i = 0; i < 6; i++) {
    sent.push(bodyOf("bytes", i));
    assert.equal((await post(server.base, integration, sent[i], { "idempotency-key": `bytes-key-${i}` })).status, 202);
  }
  // A rejected delivery and a duplicate are not forwarded.
  assert.equal((await post(server.base, integration, `{"dedup_key":"bytes-bad","status":"exploded"}`)).status, 400);
  assert.equal((await post(server.base, integration, sent[0], { "idempotency-key": "bytes-key-0" })).status, 202);
  await waitFor("6 forwards", () => bodiesFor("bytes").length >= 6);
  await sleep(1000);
  const got = upstream.accepted().filter((r) => r.body.toString("utf8").includes('"bytes-'));
  assert.deepEqual(got.map((r) => r.body), sent.map((s) => Buffer.from(s, "utf8")));
  for (const [i, r] of got.entries()) {
    assert.equal(r.url, "/old/deployments");
    assert.equal(r.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(r.headers.authorization, "Bearer old-tool-token");
    assert.equal(r.headers["x-team"], "payments");
    assert.equal(r.headers["idempotency-key"], `bytes-key-${i}`);
  }
  const seen = await ledger(server.base, integration.id);
  assert.equal(seen.forwarding.counts.forwarded, 6);
  assert.deepEqual(seen.forwarding.recent.map((r) => [r.state, r.status]), Array(6).fill(["forwarded", 200]));
});

test("while the upstream answers 500 or hangs, the pipeline gets its 202 at once; when it recovers every delivery arrives, in order", async () => {
  const integration = await forwardingIntegration(server.base);
  const sent = [];
  upstream.mode = 500;
  for (let i = 0; i < 4; i++) {
    sent.push(bodyOf("outage", i));
    const { status, ms } = await post(server.base, integration, sent[i]);
    assert.equal(status, 202);
    assert.ok(ms < 2000, `acknowledged in ${ms} ms`);
  }
  await waitFor("a failed attempt", () => upstream.received.some((r) => r.status === 500 && r.body.toString().includes('"outage-0"')));
  const failing = await ledger(server.base, integration.id);
  assert.equal(failing.forwarding.counts.pending, 4);
  assert.ok(failing.forwarding.recent.some((r) => r.state === "pending" && r.attempts >= 1 && r.status === 500 && r.next_try_at !== null));
  upstream.mode = "hang";
  for (let i = 4; i < 8; i++) {
    sent.push(bodyOf("outage", i));
    const { status, ms } = await post(server.base, integration, sent[i]);
    assert.equal(status, 202);
    assert.ok(ms < 2000, `acknowledged in ${ms} ms while the upstream hangs`);
    await sleep(300);
  }
  upstream.mode = 200;
  await waitFor("every delivery after the outage", () => bodiesFor("outage").length >= 8, 45_000);
  assert.deepEqual(bodiesFor("outage"), sent);
  await waitFor("the ledger to show all forwarded", async () => (await ledger(server.base, integration.id)).forwarding.counts.forwarded === 8);
});

test("a 400 from the upstream is final, shown in the ledger, and the next delivery still goes", async () => {
  upstream.mode = 200;
  upstream.answer = (r) => (r.body.toString().includes('"refused-1"') ? 400 : undefined);
  try {
    const integration = await forwardingIntegration(server.base);
    for (let i = 0; i < 3; i++) assert.equal((await post(server.base, integration, bodyOf("refused", i))).status, 202);
    await waitFor("the delivery after the refused one", () => bodiesFor("refused").length >= 2);
    const seen = await waitFor("a final ledger", async () => {
      const l = await ledger(server.base, integration.id);
      return l.forwarding.counts.pending === 0 ? l : null;
    });
    assert.deepEqual(seen.forwarding.counts, { pending: 0, forwarded: 2, failed: 1, dead: 0 });
    assert.deepEqual(seen.forwarding.recent.map((r) => [r.state, r.status, r.attempts]).reverse(), [["forwarded", 200, 1], ["failed", 400, 1], ["forwarded", 200, 1]]);
    assert.equal(upstream.received.filter((r) => r.body.toString().includes('"refused-1"')).length, 1, "a 400 is not retried");
  } finally {
    upstream.answer = null;
  }
});

test("SIGKILL in the middle of forwarding, restart on the same state: every accepted delivery is forwarded at least once, and the ledger says so", async () => {
  const first = await startServer();
  let second;
  try {
    const integration = await forwardingIntegration(first.base);
    // A slow upstream, so that the kill finds forwards still waiting.
    upstream.mode = 200;
    upstream.delayMs = 400;
    const sent = [];
    for (let i = 0; i < 10; i++) {
      sent.push(bodyOf("killed", i));
      assert.equal((await post(first.base, integration, sent[i])).status, 202);
    }
    await waitFor("forwarding to start", () => bodiesFor("killed").length >= 2);
    first.kill();
    await sleep(500);
    const beforeKill = bodiesFor("killed").length;
    assert.ok(beforeKill < 10, `killed in the middle: ${beforeKill} of 10 forwarded`);
    upstream.delayMs = 0;
    second = await startServer({ persistDir: first.persistDir });
    // Waking the object (any call) is all it takes: its alarm carries on where it stopped.
    await ledger(second.base, integration.id);
    await waitFor("every delivery after the restart", () => new Set(bodiesFor("killed")).size >= 10, 45_000);
    const distinct = [...new Set(bodiesFor("killed"))];
    assert.deepEqual(distinct, sent, `in order (${beforeKill} forwarded before the kill)`);
    const seen = await waitFor("the ledger to show all forwarded", async () => {
      const l = await ledger(second.base, integration.id);
      return l.forwarding.counts.forwarded === 10 ? l : null;
    });
    assert.equal(seen.forwarding.counts.pending, 0);
  } finally {
    upstream.delayMs = 0;
    first.kill();
    (second ?? first).stop();
  }
});

test("a failed production deployment is pushed to notify at once, with an id the receiver can dedupe on", async () => {
  upstream.mode = 200;
  const integration = await admin(server.base, "POST", "/api/v1/integrations", {
    vendor: "generic",
    name: "pushes",
    notify: { url: `${upstream.url}/notify`, format: "json" },
  });
  const failed = JSON.stringify({ dedup_key: "push-1", service: "checkout", environment: "production", status: "failure" });
  assert.equal((await post(server.base, integration, failed)).status, 202);
  const push = await waitFor("the push", () => upstream.accepted().find((r) => r.url === "/notify" && r.body.toString().includes("deployment_failed")));
  const body = JSON.parse(push.body.toString());
  assert.equal(body.type, "deployment_failed");
  assert.equal(body.service, "checkout");
  assert.equal(body.environment, "production");
  assert.equal(push.headers["idempotency-key"], body.id);
  assert.equal(push.headers["content-type"], "application/json");
  const seen = await waitFor("the ledger", async () => {
    const l = await ledger(server.base, integration.id);
    return l.pushes.counts.forwarded === 1 ? l : null;
  });
  assert.equal(seen.pushes.recent[0].ref, body.id);
});
