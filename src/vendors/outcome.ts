/**
 * @module
 * How the routes without a vendor-documented reply body (GitHub, GitLab, PagerDuty, our own
 * format) report what became of an event.
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

/**
 * Our own format's two outcomes: `ok` when the item changed the record, `duplicate` when it did
 * not (a redelivery, an update that changes nothing, or one older than the stored state).
 */
export function genericOutcome(result: CommandResult): "ok" | "duplicate" {
  return result.result === "created" || result.result === "updated" ? "ok" : "duplicate";
}
