/**
 * @module
 * Whether an update may replace a record: status updates never move backwards.
 */
import type { CanonicalEvent } from "../events/canonical";

type Dated = CanonicalEvent & { received_at: string };

function isTerminal(e: CanonicalEvent): boolean {
  if (e.type === "incident") return e.status === "resolved";
  return e.status === "success" || e.status === "failure" || e.status === "aborted";
}

/** The time the record's current status refers to. */
function statusTime(e: Dated): string {
  switch (e.type) {
    case "incident":
      return e.resolved_at ?? e.created_at;
    case "deployment":
      return e.finished_at ?? e.started_at ?? e.received_at;
    case "ci_run":
      return e.finished_at ?? e.started_at;
  }
}

/**
 * True when `next` may replace `current`: a terminal status is never replaced by a
 * non-terminal one, and otherwise the later-dated (or equally dated) update wins.
 *
 * @example
 * supersedes({ ...deploy, status: "success" }, { ...deploy, status: "in_progress" }) // false
 */
export function supersedes(current: Dated, next: Dated): boolean {
  const currentTerminal = isTerminal(current);
  const nextTerminal = isTerminal(next);
  if (currentTerminal && !nextTerminal) return false;
  if (!currentTerminal && nextTerminal) return true;
  return statusTime(next) >= statusTime(current);
}
