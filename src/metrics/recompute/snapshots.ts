/**
 * @module
 * Snapshots (`metric_snapshots`): teams as of now, then the standard windows' figures for all
 * services, each service and each team, in production.
 */
import { addDays } from "../calendar";
import { figuresOfWindows, STANDARD_WINDOWS, type Scope } from "../figures";
import type { Runner } from "./runner";

/**
 * Characters of serialised snapshot rows bound to one statement. D1 refuses a string over 2 MB, and
 * at three UTF-8 bytes a character this stays under it whatever the service names hold.
 */
const CHARS_PER_STATEMENT = 600_000;

/** `rows` serialised as JSON lists of at most `CHARS_PER_STATEMENT` characters each (one row may pass it alone). */
function jsonLists(rows: unknown[]): string[] {
  const lists: string[] = [];
  let items: string[] = [];
  let chars = 0;
  for (const row of rows) {
    const item = JSON.stringify(row);
    if (items.length > 0 && chars + item.length + 1 > CHARS_PER_STATEMENT) {
      lists.push(`[${items.join(",")}]`);
      items = [];
      chars = 0;
    }
    items.push(item);
    chars += item.length + 1;
  }
  return [...lists, `[${items.join(",")}]`];
}

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
  const insert = run.d1.prepare(
    `INSERT INTO metric_snapshots (scope, key, environment, from_day, to_day, body)
     SELECT value->>'scope', value->>'key', 'production', value->>'from', ?, value->>'body' FROM json_each(?)`,
  );
  // One batch, so that readers see the old snapshots or the new ones, never a part.
  await run.batch([run.d1.prepare("DELETE FROM metric_snapshots"), ...jsonLists(rows).map((list) => insert.bind(to, list))]);
  return rows.length;
}
