// Concurrent posts to one integration through `wrangler dev`, where they share calls to its
// Durable Object (src/ingest/batcher.ts). The vitest plugin turns that runtime behaviour off for
// the workerd tests, so this one runs the real server, with Node's test runner.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { admin, startServer } from "../../bench/lib/server.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

const DEDUP_KEYS = 24;
const POSTS_EACH = 4;

test("each of many concurrent posts gets its own reply, and each dedup key is stored once", async () => {
  const { id, secret } = await admin(server.base, "POST", "/api/v1/integrations", {
    vendor: "generic",
    name: "shared calls",
    rate_limit: { requests_per_second: 1_000_000, burst: 1_000_000 },
  });
  // Interleaved, so that any batch mixes keys, first posts and repeats.
  const keys = Array.from({ length: DEDUP_KEYS * POSTS_EACH }, (_, i) => `shared-${i % DEDUP_KEYS}`);
  const replies = await Promise.all(
    keys.map(async (key) => {
      const res = await fetch(`${server.base}/webhooks/generic/${id}/deployments`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: JSON.stringify({ dedup_key: key, service: "checkout", finished_at: "2026-11-01T10:00:00Z" }),
      });
      return { key, status: res.status, body: await res.json() };
    }),
  );
  assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([202]));

  let stored = [];
  for (let tries = 0; stored.length < DEDUP_KEYS && tries < 50; tries++) {
    await new Promise((r) => setTimeout(r, 200));
    stored = (await admin(server.base, "GET", `/api/v1/deployments?integration=${id}&limit=500`)).items;
  }
  assert.equal(stored.length, DEDUP_KEYS);
  // Each accepted post took the next number: a record keeps the one its first post took.
  const accepted = replies.filter((r) => r.body.results[0].result === "ok").length;
  const seqs = stored.map((d) => d.seq);
  assert.equal(new Set(seqs).size, DEDUP_KEYS);
  assert.ok(seqs.every((seq) => seq >= 1 && seq <= accepted), `${seqs} within 1..${accepted}`);
  // Every reply names the record of its own key: a reply handed to another request would not.
  const idOf = new Map(stored.map((d) => [d.dedup_key, d.id]));
  for (const { key, body } of replies) assert.equal(body.results[0].id, idOf.get(key), key);
});
