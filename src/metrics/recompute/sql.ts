/**
 * @module
 * SQL expressions the recompute phases share.
 */

/**
 * The service an event belongs to under today's catalog: its name through the aliases, else its
 * repository (recorded as a suggestion when it was unknown) through the repositories, else the
 * service resolved when it was written.
 */
export function resolvedService(name: string, stored: string): string {
  return `COALESCE(
    (SELECT a.slug FROM service_aliases a WHERE a.alias = lower(${name})),
    (SELECT r.slug FROM service_suggestions g JOIN service_repositories r ON r.repo_key = g.match_key WHERE g.kind = 'repository' AND g.name = ${name}),
    ${stored})`;
}

/** Milliseconds since the epoch of an ISO time (null stays null). */
export function epochMs(time: string): string {
  return `CAST(round(unixepoch(${time}, 'subsec') * 1000) AS INTEGER)`;
}

/** Seconds from `start` to `end`, exact to the millisecond. */
export function secondsBetween(start: string, end: string): string {
  return `((${epochMs(end)} - ${epochMs(start)}) / 1000.0)`;
}

/** The start of a UTC day as a stored time. */
export function dayStart(day: string): string {
  return `(${day} || 'T00:00:00.000Z')`;
}
