// Units: what an accepted event and a recompute cost in billed units (requests, rows read and
// written, R2 operations), counted from the real storage calls by test/units.test.ts in workerd.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export async function benchUnits() {
  const { stdout } = await run("npx", ["--no-install", "vitest", "run", "test/units.test.ts", "--reporter=dot"], { maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } });
  const line = stdout.split("\n").find((l) => l.startsWith("units "));
  if (!line) throw new Error(`test/units.test.ts printed no units line:\n${stdout}`);
  return JSON.parse(line.slice("units ".length));
}
