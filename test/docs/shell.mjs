// Runs a doc's shell block as a reader would paste it: bash, from the repository root, with only
// the commands a stock Debian with curl and Node has, and with the variables earlier blocks of
// the same file set.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What a reader may call: bash, coreutils, grep, sed, awk, curl and Node with npm. */
const COMMANDS = [
  "bash", "sh", "env", "cat", "head", "tail", "tr", "cut", "date", "sleep", "wc", "sort", "uniq", "mktemp", "rm", "echo",
  "printf", "tee", "seq", "base64", "basename", "dirname", "true", "false", "test", "grep", "sed", "awk", "curl", "node", "npm", "npx",
];

/** A directory of links to the allowed commands, to be the blocks' whole PATH; removed at exit. */
export function restrictedPath() {
  const dir = mkdtempSync(join(tmpdir(), "docs-bin-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  for (const name of COMMANDS) {
    let target = "";
    try {
      target = execFileSync("bash", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
    } catch {
      continue;
    }
    if (target.startsWith("/")) symlinkSync(target, join(dir, name));
  }
  return dir;
}

/** A shell session for one file: each `run` sees the variables the earlier ones set. */
export function shellSession({ cwd, path, rewrite }) {
  const dir = mkdtempSync(join(tmpdir(), "docs-sh-"));
  const state = join(dir, "state.sh");
  const baseline = join(dir, "baseline");
  writeFileSync(state, "");
  execFileSync("bash", ["-c", `compgen -v > ${baseline}`], { env: { PATH: path, HOME: process.env.HOME ?? "/tmp" } });
  const env = { PATH: path, HOME: process.env.HOME ?? "/tmp", TERM: "dumb" };

  /** Runs a block; resolves to `{ code, stdout, stderr }`. */
  function run(code, timeoutMs = 60_000) {
    const script = join(dir, "block.sh");
    writeFileSync(
      script,
      [
        "set -eo pipefail",
        `source ${state}`,
        rewrite(code),
        // Carry every variable the block set into the next block.
        `declare -p $(compgen -v | grep -vxFf ${baseline} | grep -vxE 'BASH_.*|FUNCNAME|PIPESTATUS|_|OLDPWD|PWD|SHLVL|COLUMNS|LINES') > ${state}.next 2>/dev/null || true`,
      ].join("\n"),
    );
    return new Promise((resolve) => {
      const child = spawn("bash", [script], { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      const timer = setTimeout(() => {
        stderr += `\n(timed out after ${timeoutMs} ms)`;
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }, timeoutMs);
      child.on("close", (code) => {
        clearTimeout(timer);
        if (code === 0) {
          try {
            writeFileSync(state, readFileSync(`${state}.next`, "utf8").replace(/^declare -[a-zA-Z-]*r[a-zA-Z]* .*$/gm, ""));
          } catch {
            // The block set nothing new.
          }
        }
        resolve({ code, stdout, stderr });
      });
    });
  }
  return { run, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
