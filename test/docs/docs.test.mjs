// Every shell block of the top-level Markdown files and docs/**/*.md, run in order per file against a fresh
// `wrangler dev`, each reply checked against the block the doc shows after it. The conventions
// are in CONTRIBUTING.md ("Examples in the docs").
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startServer } from "../../bench/lib/server.mjs";
import { NO_TEST, blocksOf, problemsOf, serverVarsOf } from "./blocks.mjs";
import { checkOutput } from "./match.mjs";
import { restrictedPath, shellSession } from "./shell.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The admin token of `.dev.vars.example`, which the docs use. */
const DEV_ADMIN_TOKEN = "dev-admin-token-change-me";

function markdownFiles() {
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".md") ? [join(dir, e.name)] : []));
  const top = readdirSync(ROOT).filter((f) => f.endsWith(".md")).sort().map((f) => join(ROOT, f));
  const all = [...top, ...walk(join(ROOT, "docs")).sort()];
  // `DOCS_ONLY=docs/vendors/github.md` runs one file while writing it.
  return process.env.DOCS_ONLY ? all.filter((f) => relative(ROOT, f) === process.env.DOCS_ONLY) : all;
}

const PATH = restrictedPath();

for (const file of markdownFiles()) {
  const name = relative(ROOT, file);
  const markdown = readFileSync(file, "utf8");
  const blocks = blocksOf(markdown);

  test(`${name}: every block follows the rules`, () => {
    const problems = blocks.flatMap((b) => problemsOf(b).map((p) => `${name}:${b.line}: ${p}`));
    assert.deepEqual(problems, []);
  });

  const runnable = blocks.filter((b) => b.shell && !b.flags.includes(NO_TEST));
  if (runnable.length === 0) {
    for (const block of blocks.filter((b) => b.flags.includes(NO_TEST))) test(`${name}:${block.line}`, { skip: `marked ${NO_TEST}` }, () => {});
    continue;
  }
  test(`${name}: every shell block runs as pasted`, async (t) => {
    const server = await startServer({ adminToken: DEV_ADMIN_TOKEN, vars: serverVarsOf(markdown) });
    t.after(() => server.stop());
    const session = shellSession({ cwd: ROOT, path: PATH, rewrite: (code) => code.replaceAll("http://localhost:8787", server.base) });
    t.after(() => session.dispose());
    for (const block of blocks.filter((b) => b.shell || b.flags.includes(NO_TEST))) {
      const label = `${name}:${block.line}`;
      if (block.flags.includes(NO_TEST)) {
        await t.test(label, { skip: `marked ${NO_TEST}` }, () => {});
        continue;
      }
      await t.test(label, async () => {
        const { code, stdout, stderr } = await session.run(block.code);
        assert.equal(code, 0, `exit ${code}\n${stderr}\n${stdout}`);
        if (block.expect) {
          const problem = checkOutput(block.expect, stdout);
          assert.equal(problem, null, `${problem}\n(stderr: ${stderr.slice(0, 500)})`);
        }
      });
    }
  });
}
