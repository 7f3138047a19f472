// Reads the fenced blocks of a Markdown file: which are shell to run, which are skipped, the
// reply each expects, the server settings the file asks for, and the rules every block obeys.

const SHELL = new Set(["sh", "bash", "shell"]);
const EXPECT = new Set(["json", "text"]);
/** The info-string word that marks a shell block the test must not run (deploys, secrets, CI). */
export const NO_TEST = "no-test";

/**
 * Every fenced block of `markdown`, in order: `{ line, lang, flags, code, expect? }`, where
 * `expect` is the `json` or `text` block that follows a shell block with only blank lines between.
 */
export function blocksOf(markdown) {
  const lines = markdown.split("\n");
  const fences = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*```(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    fences.push({ line: start + 1, end: i + 1, lang: open[1], flags: open[2].split(/\s+/).filter(Boolean), code: body.join("\n") });
  }
  const blocks = [];
  for (let k = 0; k < fences.length; k++) {
    const fence = fences[k];
    const next = fences[k + 1];
    if (SHELL.has(fence.lang) && next && EXPECT.has(next.lang) && lines.slice(fence.end, next.line - 1).every((l) => l.trim() === "")) {
      blocks.push({ ...fence, shell: true, expect: next });
      k++;
    } else blocks.push({ ...fence, shell: SHELL.has(fence.lang) });
  }
  return blocks;
}

/** The server variables a file asks for, from `<!-- docs-test: var NAME=value -->` lines. */
export function serverVarsOf(markdown) {
  const vars = {};
  for (const m of markdown.matchAll(/<!--\s*docs-test:\s*var\s+([A-Z_][A-Z0-9_]*)=(\S*)\s*-->/g)) vars[m[1]] = m[2];
  return vars;
}

/**
 * What is wrong with a block whatever its language, as messages (none when it is fine): a
 * placeholder where a shell variable belongs, and a curl that retries a refusal or hides its reply.
 */
export function problemsOf(block) {
  const problems = [];
  const runnable = block.shell && !block.flags.includes(NO_TEST);
  if (runnable) {
    for (const m of block.code.matchAll(/<[A-Z][A-Z0-9_ ]*>/g)) problems.push(`placeholder ${m[0]}: set a shell variable instead`);
  }
  for (const cmd of block.code.split(/\n(?!\s)|;|&&|\|\|/).filter((c) => /\bcurl\b/.test(c))) {
    if (/--retry-all-errors/.test(cmd)) problems.push("curl --retry-all-errors retries a 401 and a 400: use --retry, which retries only transient failures");
    if (/(^|\s)(--fail|-[a-zA-Z]*f[a-zA-Z]*)(\s|$)/.test(cmd) && !/--fail-with-body/.test(cmd)) problems.push("curl -f hides the JSON detail of a refusal: show the body (e.g. --fail-with-body or -w '%{http_code}')");
  }
  return problems;
}
