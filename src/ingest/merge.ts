/**
 * @module
 * How a later event for a stored record is folded into it: what the event says wins over what
 * is stored, what it does not say keeps the stored value, and status never moves backwards.
 */
import { DEFAULTABLE_FIELDS, type CanonicalEvent, type StoredRecord } from "../events/canonical";
import { supersedes } from "./supersede";

type Fields = Record<string, unknown>;

function isPlainObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a value says something: null says nothing, nor does an empty list. */
function present(value: unknown): boolean {
  return value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/** `winner` where it says something, else `other`; field by field inside nested objects. */
function prefer(winner: unknown, other: unknown): unknown {
  if (isPlainObject(winner) && isPlainObject(other)) {
    const out: Fields = { ...other };
    for (const [key, value] of Object.entries(winner)) out[key] = prefer(value, other[key]);
    return out;
  }
  return present(winner) ? winner : other;
}

/** Whether two records hold the same fields, `raw` included: only a redelivery of the same body changes nothing. */
export function sameFields(first: object, second: object): boolean {
  const a = first as Fields;
  const b = second as Fields;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) return false;
  return true;
}

/** The fields an event or record holds only as its adapter's default. */
function defaultsOf(e: object): ReadonlySet<string> {
  return new Set((e as { defaulted?: string[] }).defaulted ?? []);
}

/**
 * The two sides as the merge weighs them: a default never beats a value a sender gave, so where
 * only one side gave a field the other side's default is replaced by that value. Also the fields
 * still holding a default afterwards: those no side gave.
 */
function weigh(stored: Fields, next: Fields): { stored: Fields; next: Fields; defaulted: string[] } {
  const storedDefaults = defaultsOf(stored);
  const nextDefaults = defaultsOf(next);
  const weighed = { stored: { ...stored }, next: { ...next } };
  const defaulted: string[] = [];
  for (const field of DEFAULTABLE_FIELDS.filter((f) => storedDefaults.has(f) || nextDefaults.has(f))) {
    const storedGave = !storedDefaults.has(field) && present(stored[field]);
    const nextGave = !nextDefaults.has(field) && present(next[field]);
    if (storedGave && !nextGave) weighed.next[field] = stored[field];
    else if (nextGave && !storedGave) weighed.stored[field] = next[field];
    else if (!storedGave && !nextGave) defaulted.push(field);
  }
  return { ...weighed, defaulted };
}

/**
 * The event a stored record becomes when `next` arrives. When `next` supersedes the stored status
 * (see `supersedes`), each field it carries wins and each it lacks keeps the stored value; when it
 * does not (it arrived out of order), it only fills the fields the record lacks, so status and the
 * times already known never move backwards. A field either side holds only as its adapter's
 * default (`defaulted`) counts as lacking, though it still fills a field no delivery gave. `raw`
 * is always the latest delivery's.
 *
 * @example
 * merge(running, success)  // success, its finished_at, started_at kept from running
 * merge(success, running)  // still success, started_at filled from running if it had none
 * merge(failure, noStatus) // still failure: the later one's status was only a default
 */
export function merge(current: StoredRecord, next: CanonicalEvent, receivedAt: string): { event: CanonicalEvent; superseded: boolean } {
  const { stored, next: given, defaulted } = weigh(current as unknown as Fields, next as unknown as Fields);
  const superseded = supersedes(stored as unknown as StoredRecord, { ...(given as unknown as CanonicalEvent), received_at: receivedAt });
  const event: Fields = { ...stored };
  for (const [key, value] of Object.entries(given)) {
    event[key] = key === "raw" ? value : superseded ? prefer(value, stored[key]) : prefer(stored[key], value);
  }
  delete event.defaulted;
  if (defaulted.length > 0) event.defaulted = defaulted;
  return { event: event as CanonicalEvent, superseded };
}
