/**
 * @module
 * PagerDuty V3 webhook events about incidents: schema and normalisation. Every event of one
 * incident updates the same record, keyed by `event.data.id`.
 */
import { z } from "zod";
import type { IncidentEvent } from "../../events/canonical";
import { readPriority, readUrgency } from "../../events/priority";
import { optionalText, requiredText, timestamp } from "../fields";

/** The event types that move an incident; every other one is acknowledged and ignored. */
export const TRACKED_EVENT_TYPES = ["incident.triggered", "incident.acknowledged", "incident.resolved"] as const;

/** Enough of any V3 event to tell whether it is tracked. */
export const pagerdutyEnvelopeSchema = z.looseObject({
  event: z.looseObject({ event_type: requiredText }),
});

export const pagerdutyIncidentSchema = z.looseObject({
  event: z.looseObject({
    id: requiredText,
    event_type: z.enum(TRACKED_EVENT_TYPES),
    occurred_at: timestamp,
    data: z.looseObject({
      id: requiredText,
      created_at: timestamp,
      title: optionalText,
      html_url: optionalText,
      service: z.looseObject({ id: optionalText, summary: optionalText }).nullish(),
      // The priority's name (`P1`, `SEV-1`, ... as the account named it) is its `summary`.
      priority: z.looseObject({ summary: optionalText, name: optionalText }).nullish(),
      urgency: optionalText,
    }),
  }),
});

export type PagerDutyIncident = z.output<typeof pagerdutyIncidentSchema>;

/** Whether an event type is one this adapter turns into an incident update. */
export function isTracked(eventType: string): eventType is (typeof TRACKED_EVENT_TYPES)[number] {
  return (TRACKED_EVENT_TYPES as readonly string[]).includes(eventType);
}

/**
 * One incident event as a canonical incident update: open until `incident.resolved`, which
 * dates the resolution by when it occurred. The service is found in the catalog by the
 * service's name, then its PagerDuty id.
 */
export function normalizePagerDutyIncident(body: PagerDutyIncident, raw: unknown): IncidentEvent {
  const { event } = body;
  const resolved = event.event_type === "incident.resolved";
  const service = event.data.service;
  return {
    type: "incident",
    dedup_key: event.data.id,
    service: null,
    service_hints: { repositories: [], names: [service?.summary, service?.id].filter((n): n is string => typeof n === "string") },
    environment: null,
    status: resolved ? "resolved" : "open",
    counted: true,
    ...readPriority(event.data.priority?.summary, event.data.priority?.name),
    urgency: readUrgency(event.data.urgency),
    title: event.data.title,
    url: event.data.html_url,
    created_at: event.data.created_at,
    resolved_at: resolved ? event.occurred_at : null,
    links: { change_id: null, deployment_id: null, commit_sha: null },
    raw,
  };
}
