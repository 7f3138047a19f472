/**
 * @module
 * Stored events' environments normalised again from their `environment_raw` when the operator's
 * environment aliases changed since they were last applied: a full rebuild then counts past events
 * where today's aliases put them.
 */
import { normalizeEnvironment, type EnvironmentAliases } from "../../lib/environment";

/** The aliases as stored in `metric_state`: sorted, so the same aliases always compare equal. */
function appliedAliases(aliases: EnvironmentAliases): string | null {
  const entries = Object.entries(aliases).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? null : JSON.stringify(Object.fromEntries(entries));
}

/**
 * The statements that move the events named by an alias, old or new, to where `aliases` put them, and
 * record them as applied; none when they are the ones `applied` last time. Only names an alias gave
 * or gives can move, so the others are left alone.
 */
export function renormaliseEnvironments(d1: D1Database, applied: string | null, aliases: EnvironmentAliases): D1PreparedStatement[] {
  const next = appliedAliases(aliases);
  if (next === applied) return [];
  const previous = applied === null ? {} : (JSON.parse(applied) as EnvironmentAliases);
  const names = [...new Set([...Object.keys(previous), ...Object.keys(aliases)])];
  const targets = JSON.stringify(names.map((name) => [name, normalizeEnvironment(name, aliases)]));
  const update = (table: string) =>
    d1
      .prepare(
        `UPDATE ${table} SET environment = alias.target
         FROM (SELECT value->>0 AS name, value->>1 AS target FROM json_each(?)) alias
         WHERE lower(trim(${table}.environment_raw)) = alias.name AND ${table}.environment IS NOT alias.target`,
      )
      .bind(targets);
  return [
    update("deployments"),
    update("incidents"),
    d1.prepare("INSERT INTO metric_state (id, environment_aliases) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET environment_aliases = excluded.environment_aliases").bind(next),
  ];
}
