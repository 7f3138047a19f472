/**
 * @module
 * Apache DevLake incoming-webhook issues (docs/vendors/devlake.md), snake_case
 * (`issue_key`, `created_date`, ...) or camelCase (`issueKey`, `createdDate`, ...), keys matched
 * case-insensitively.
 */
import { z } from "zod";
import { defaultedFields, type IncidentEvent } from "../../events/canonical";
import { readPriority } from "../../events/priority";
import { optionalId, optionalText, optionalTimestamp, requiredText, timestamp } from "../fields";
import { canonicalKeys } from "./keys";

const STATUSES = ["TODO", "DONE", "IN_PROGRESS"] as const;

const ISSUE_KEYS = ["issue_key", "title", "type", "status", "original_status", "url", "created_date", "updated_date", "resolution_date", "priority", "severity"] as const;

export const devlakeIssueSchema = z.preprocess(
  (v) => canonicalKeys(v, ISSUE_KEYS),
  z.looseObject({
    issue_key: requiredText,
    title: requiredText,
    type: optionalText,
    status: requiredText.transform((v, ctx) => {
      const s = v.toUpperCase();
      if ((STATUSES as readonly string[]).includes(s)) return s as (typeof STATUSES)[number];
      ctx.addIssue({ code: "custom", message: `must be one of ${STATUSES.join(", ")}` });
      return z.NEVER;
    }),
    original_status: optionalText,
    url: optionalText,
    created_date: timestamp,
    updated_date: optionalTimestamp,
    resolution_date: optionalTimestamp,
    priority: optionalId,
    severity: optionalId,
  }),
);

export type DevLakeIssue = z.output<typeof devlakeIssueSchema>;

/**
 * One DevLake issue as a canonical incident keyed by its issue key. Status DONE is resolved (at
 * `resolution_date`, else `updated_date`, else `receivedAt`); TODO and IN_PROGRESS are open.
 * Only type INCIDENT (any case) is counted; other issue types are stored with `counted: false`.
 * The priority is read from `priority`, else `severity`. What is filled in for want of `type` or
 * `resolution_date` is named `defaulted`: a repost without them keeps the stored values.
 */
export function normalizeDevLakeIssue(d: DevLakeIssue, raw: unknown, receivedAt: string): IncidentEvent {
  const done = d.status === "DONE";
  return {
    type: "incident",
    dedup_key: d.issue_key,
    service: null,
    service_hints: { repositories: [], names: [] },
    environment: null,
    status: done ? "resolved" : "open",
    counted: d.type?.trim().toUpperCase() === "INCIDENT",
    ...readPriority(d.priority, d.severity),
    urgency: null,
    title: d.title,
    url: d.url,
    created_at: d.created_date,
    resolved_at: done ? (d.resolution_date ?? d.updated_date ?? receivedAt) : d.resolution_date,
    links: { change_id: null, deployment_id: null, commit_sha: null },
    ...defaultedFields({ counted: d.type === null, resolved_at: done && d.resolution_date === null }),
    raw,
  };
}
