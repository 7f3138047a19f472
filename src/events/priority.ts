/**
 * @module
 * Incident priorities as the incident rule compares them: `P1` (highest) to `P5`, read from the
 * spellings vendors use, with the value as given kept beside it.
 */

export const PRIORITIES = ["P1", "P2", "P3", "P4", "P5"] as const;
export type Priority = (typeof PRIORITIES)[number];

export const URGENCIES = ["high", "low"] as const;
export type Urgency = (typeof URGENCIES)[number];

/** A priority as normalised, and as the vendor gave it. */
export interface PriorityReading {
  priority: Priority | null;
  priority_raw: string | null;
}

const WORDS: Record<string, Priority> = {
  critical: "P1",
  high: "P2",
  medium: "P3",
  moderate: "P3",
  low: "P4",
  info: "P5",
};

/** `P1`, `1`, `SEV1`, `SEV-1`, `sev 1`: a level by its number. */
const NUMBERED = /^(?:p|sev)?[\s_-]?([1-5])$/;

/** The level of one value, case-insensitive and trimmed; null when it is none of the usual spellings. */
function priorityLevel(value: string): Priority | null {
  const key = value.trim().toLowerCase();
  const numbered = NUMBERED.exec(key);
  if (numbered) return `P${numbered[1]}` as Priority;
  return WORDS[key] ?? null;
}

/**
 * Reads the first of `candidates` that names a level (a vendor may give a priority and a
 * severity); when none does, the priority is unknown and the first value given is kept raw.
 * Blank, null and absent values count as not given.
 * @example readPriority("", "SEV1")  // { priority: "P1", priority_raw: "SEV1" }
 * @example readPriority("urgent")    // { priority: null, priority_raw: "urgent" }
 */
export function readPriority(...candidates: (string | number | null | undefined)[]): PriorityReading {
  const given = candidates.map((c) => (c === null || c === undefined ? "" : String(c).trim())).filter((c) => c !== "");
  for (const value of given) {
    const priority = priorityLevel(value);
    if (priority) return { priority, priority_raw: value };
  }
  return { priority: null, priority_raw: given[0] ?? null };
}

/** `high` or `low`, case-insensitive and trimmed; null for anything else. */
export function readUrgency(value: string | null | undefined): Urgency | null {
  const key = value?.trim().toLowerCase();
  return (URGENCIES as readonly string[]).includes(key ?? "") ? (key as Urgency) : null;
}
