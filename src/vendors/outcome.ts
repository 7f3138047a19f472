/**
 * @module
 * How the webhook vendors without a documented reply body (GitHub, GitLab, PagerDuty) report
 * what became of an event.
 */
import type { CommandResult } from "../ingest/protocol";

/**
 * `ok` when the event was recorded or applied, `duplicate` for a redelivery, `stale` when a
 * later state was already recorded (updates never move a record backwards).
 */
export function outcome(result: CommandResult | undefined): "ok" | "duplicate" | "stale" {
  if (result?.result === "duplicate") return "duplicate";
  if (result?.result === "stale") return "stale";
  return "ok";
}
