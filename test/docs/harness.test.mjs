// The docs test's own rules, each shown catching the kind of defect it exists for.
import assert from "node:assert/strict";
import { test } from "node:test";
import { blocksOf, problemsOf, serverVarsOf } from "./blocks.mjs";
import { checkOutput } from "./match.mjs";
import { restrictedPath, shellSession } from "./shell.mjs";

const fence = "```";
const doc = (...parts) => parts.join("\n");

test("a shell block's expected reply is the json or text block right after it", () => {
  const blocks = blocksOf(doc(`${fence}sh`, "echo 1", fence, "", `${fence}json`, "1", fence, "prose", `${fence}json`, "2", fence, `${fence}sh no-test`, "x", fence));
  assert.equal(blocks.length, 3);
  assert.equal(blocks[0].expect.code, "1");
  assert.equal(blocks[1].lang, "json");
  assert.deepEqual(blocks[2].flags, ["no-test"]);
  const [inList] = blocksOf(doc("- rotate:", "", `  ${fence}sh no-test`, "  npx wrangler secret put ADMIN_TOKEN", `  ${fence}`));
  assert.deepEqual(inList.flags, ["no-test"]);
  assert.deepEqual(serverVarsOf("<!-- docs-test: var CORS_ORIGINS=https://dash.example.com -->"), { CORS_ORIGINS: "https://dash.example.com" });
});

test("placeholders in a runnable block are refused, and allowed in a no-test one", () => {
  const [runnable, skipped] = blocksOf(doc(`${fence}sh`, 'curl -s "$BASE/webhooks/github/<ID>"', fence, `${fence}sh no-test`, "npx wrangler secret put <NAME>", fence));
  assert.match(problemsOf(runnable).join(), /placeholder <ID>/);
  assert.deepEqual(problemsOf(skipped), []);
});

test("a curl that retries every error or hides a refusal's body is refused in any block", () => {
  const [yaml] = blocksOf(doc(`${fence}yaml`, "run: |", '  curl -fsS --max-time 10 --retry 2 --retry-all-errors \\', '    -d "$body" "$DORA_URL" || echo warn', fence));
  const problems = problemsOf(yaml).join("\n");
  assert.match(problems, /--retry-all-errors/);
  assert.match(problems, /-f hides/);
  const [fine] = blocksOf(doc(`${fence}yaml`, 'curl -sS --max-time 10 --retry 2 -w "%{http_code}" -d "$body" "$DORA_URL" || echo warn', fence));
  assert.deepEqual(problemsOf(fine), []);
});

test("replies are compared with what the doc shows, ids and times left open with \"...\"", () => {
  const expect = (code) => ({ lang: "json", code });
  // Metrics read before the drain: zeros where the doc shows counts.
  assert.match(checkOutput(expect('{"deployment_frequency":{"count":2}}'), '{"deployment_frequency":{"count":0,"level":null}}'), /expected 2, got 0/);
  assert.match(checkOutput(expect('{"deploy_number":"2"}'), '{"deploy_number":null}'), /expected "2", got null/);
  assert.match(checkOutput(expect('{"results":[{"result":"duplicate","id":"..."}]}'), '{"results":[{"result":"ok","id":"01J"}]}'), /expected "duplicate"/);
  assert.equal(checkOutput(expect('{"id":"...","items":[{"a":1},"..."]}\n{"ok":true}'), '{"id":"x","items":[{"a":1,"b":2},{"a":3}]}{"ok":true}'), null);
  assert.match(checkOutput(expect('{"ok":true}'), ""), /expected 1 JSON replies, got 0/);
  // CORS without the setting: a 405 where the doc shows the preflight's 204.
  assert.match(checkOutput({ lang: "text", code: "HTTP/1.1 204 No Content" }, "HTTP/1.1 405 Method Not Allowed\r\nallow: GET\r\n"), /missing line/);
});

test("blocks run with only stock commands, and carry their variables to the next block", async () => {
  const session = shellSession({ cwd: process.cwd(), path: restrictedPath(), rewrite: (c) => c });
  const missing = await session.run("uuidgen");
  assert.equal(missing.code, 127);
  assert.equal((await session.run('ID=$(node -p "crypto.randomUUID()"); A="x y"')).code, 0);
  const next = await session.run('echo "$ID|$A"');
  assert.match(next.stdout, /^[0-9a-f-]{36}\|x y\n$/);
  const late = await session.run("sleep 5", 500);
  assert.notEqual(late.code, 0);
  session.dispose();
});
