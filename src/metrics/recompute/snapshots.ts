/**
 * @module
 * Snapshots (`metric_snapshots`): teams as of now, then the standard windows' figures for all
 * services, each service and each team, in production.
 */
import { addDays } from "../calendar";
import { figuresOfWindows, STANDARD_WINDOWS, type Scope } from "../figures";
import type { Runner } from "./runner";

/** Writes the snapshots of the standard windows ending with `today`, and says how many. */
export async function writeSnapshots(run: Runner, today: string): Promise<number> {
  await run.batch([
    run.d1.prepare("DELETE FROM metric_teams"),
    run.d1.prepare("INSERT INTO metric_teams (service, team) SELECT slug, team FROM services WHERE team IS NOT NULL"),
  ]);
  const to = addDays(today, 1);
  const froms = STANDARD_WINDOWS.map((days) => addDays(to, -days));
  const { figures, queries } = await figuresOfWindows(run.d1, ["production"], froms, to);
  run.queries += queries;
  const rows: { scope: Scope; key: string; from: string; body: string }[] = [];
  for (const [from, byScope] of figures) {
    for (const [scope, groups] of byScope) for (const [key, f] of groups) rows.push({ scope, key, from, body: JSON.stringify(f) });
  }
  await run.batch([
    run.d1.prepare("DELETE FROM metric_snapshots"),
    run.d1
      .prepare(
        `INSERT INTO metric_snapshots (scope, key, environment, from_day, to_day, body)
         SELECT value->>'scope', value->>'key', 'production', value->>'from', ?, value->>'body' FROM json_each(?)`,
      )
      .bind(to, JSON.stringify(rows)),
  ]);
  return rows.length;
}
