// Every vendor the API accepts has a page under docs/vendors/, linked from the README's table, and
// the page shows every route that table gives it.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const read = (path) => readFileSync(`${ROOT}/${path}`, "utf8");

const vendors = JSON.parse(/export const VENDORS = (\[[^\]]*\])/.exec(read("src/ingest/protocol.ts"))[1]);
/** A route with its parameters blanked, so `/deploy/:id` and `/deploy/<id>` compare equal. */
const shape = (route) => route.replace(/:[a-zA-Z]+|<[^>]+>|\{[^}]+\}/g, "*");

test("each vendor has a page", () => {
  for (const vendor of vendors) assert.ok(existsSync(`${ROOT}/docs/vendors/${vendor}.md`), `docs/vendors/${vendor}.md`);
});

test("each row of the README's sender table links a vendor page that shows each of its routes", () => {
  const rows = read("README.md").split("\n").filter((l) => /^\| \[.*\]\(docs\/vendors\/[a-z-]+\.md\)/.test(l));
  const linked = rows.map((row) => /docs\/vendors\/([a-z-]+)\.md/.exec(row)[1]);
  assert.deepEqual([...linked].sort(), [...vendors].sort());
  for (const row of rows) {
    const page = `docs/vendors/${/docs\/vendors\/([a-z-]+)\.md/.exec(row)[1]}.md`;
    const text = shape(read(page));
    const routes = [...row.split("|")[2].matchAll(/`(?:POST )?([^`]+)`/g)].map((m) => m[1]).filter((r) => r.startsWith("/"));
    assert.ok(routes.length > 0, row);
    for (const route of routes) assert.ok(text.includes(shape(route)), `${page} does not show ${route}`);
  }
});

test("the README stays short: at most 12 KB, the rest lives in docs/", () => {
  assert.ok(Buffer.byteLength(read("README.md")) <= 12_000, "README.md is over 12,000 bytes: move detail into docs/");
});

test("every document GET /api/v1 points to exists", () => {
  const block = /const DOCS = \{([^}]*)\}/.exec(read("src/api/index-route.ts"))[1];
  const paths = [...block.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  assert.ok(paths.length > 3, block);
  for (const path of paths) assert.ok(existsSync(`${ROOT}/${path}`), path);
});
