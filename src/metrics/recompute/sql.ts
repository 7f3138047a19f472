/**
 * @module
 * SQL expressions the recompute phases share.
 */

/** Milliseconds since the epoch of an ISO time (null stays null). */
function epochMs(time: string): string {
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
