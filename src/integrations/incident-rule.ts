/**
 * @module
 * An integration's incident rule: which of its incidents count in the metrics. `min_priority`
 * counts that priority and higher ones (`P2`: P1 and P2), `urgency` only that urgency; both
 * must hold when both are given. No rule counts every incident, and an incident of unknown
 * priority or urgency always counts.
 */
import { z } from "zod";
import { PRIORITIES, URGENCIES } from "../events/priority";

export const incidentRuleSchema = z
  .strictObject({
    min_priority: z.enum(PRIORITIES).optional(),
    urgency: z.enum(URGENCIES).optional(),
  })
  .nullish()
  // `{}` asks for nothing: stored like no rule, so that one value means "every incident counts".
  .transform((rule) => (rule && (rule.min_priority || rule.urgency) ? rule : null));

export type IncidentRule = NonNullable<z.output<typeof incidentRuleSchema>>;

/** The rule as D1 stores it: JSON text, or null for none. */
export function storedIncidentRule(rule: IncidentRule | null): string | null {
  return rule === null ? null : JSON.stringify(rule);
}

/** The rule as the API shows it. */
export function shownIncidentRule(text: string | null): IncidentRule | null {
  return text === null ? null : (JSON.parse(text) as IncidentRule);
}
