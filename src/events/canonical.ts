/**
 * @module
 * The canonical event model: the one shape every vendor adapter produces and the outbox writes.
 * Times are UTC ISO 8601 strings with milliseconds (see `parseTimestamp`).
 */
import { z } from "zod";
import { PRIORITIES, URGENCIES } from "./priority";

const isoTime = z.iso.datetime({ offset: false, precision: 3 });
const text = z.string().min(1);

/** Fields an adapter fills in itself when a payload lacks them. */
export const DEFAULTABLE_FIELDS = ["status", "counted", "started_at", "finished_at", "resolved_at"] as const;
export type DefaultableField = (typeof DEFAULTABLE_FIELDS)[number];

/**
 * The fields of an event that hold the adapter's default, not a value the sender gave: an update
 * never lets them replace what an earlier delivery said. Absent when there are none; never
 * written to D1.
 */
const defaulted = z.array(z.enum(DEFAULTABLE_FIELDS)).optional();

/** Where to look in the catalog when an event names no service: repositories first, then names. */
export const serviceHintsSchema = z.object({
  repositories: z.array(text),
  names: z.array(text),
});

export const commitSchema = z.object({
  sha: text,
  repository: text.nullable(),
  branch: text.nullable(),
  message: z.string().nullable(),
  committed_at: isoTime.nullable(),
  authored_at: isoTime.nullable(),
});

export const deployerSchema = z.object({
  id: z.string().nullable(),
  name: z.string().nullable(),
  email: z.string().nullable(),
});

export const DEPLOYMENT_STATUSES = ["pending", "in_progress", "success", "failure", "aborted"] as const;

export const deploymentEventSchema = z.object({
  type: z.literal("deployment"),
  /** The vendor's id for this deployment; null makes every post a new deployment. */
  dedup_key: text.nullable(),
  /** A service named explicitly by the payload. */
  service: text.nullable(),
  service_hints: serviceHintsSchema,
  /** The environment as the payload gave it. */
  environment: text.nullable(),
  status: z.enum(DEPLOYMENT_STATUSES),
  kind: z.enum(["rollback", "hotfix"]).nullable(),
  started_at: isoTime.nullable(),
  finished_at: isoTime.nullable(),
  deploy_number: text.nullable(),
  change_id: text.nullable(),
  url: z.string().nullable(),
  description: z.string().nullable(),
  deployer: deployerSchema.nullable(),
  commits: z.array(commitSchema),
  defaulted,
  raw: z.unknown(),
});

export const incidentEventSchema = z.object({
  type: z.literal("incident"),
  dedup_key: text,
  service: text.nullable(),
  service_hints: serviceHintsSchema,
  environment: text.nullable(),
  status: z.enum(["open", "resolved"]),
  /** False for issue types that are stored but never counted as incidents. */
  counted: z.boolean(),
  /** `P1` (highest) to `P5`; null when none was given or the one given is not a known spelling. */
  priority: z.enum(PRIORITIES).nullable(),
  /** The vendor's priority or severity as given. */
  priority_raw: z.string().nullable(),
  urgency: z.enum(URGENCIES).nullable(),
  title: z.string().nullable(),
  url: z.string().nullable(),
  created_at: isoTime,
  resolved_at: isoTime.nullable(),
  links: z.object({
    change_id: text.nullable(),
    deployment_id: text.nullable(),
    commit_sha: text.nullable(),
  }),
  defaulted,
  raw: z.unknown(),
});

export const ciRunEventSchema = z.object({
  type: z.literal("ci_run"),
  dedup_key: text.nullable(),
  service: text.nullable(),
  service_hints: serviceHintsSchema,
  status: z.enum(DEPLOYMENT_STATUSES),
  started_at: isoTime,
  finished_at: isoTime.nullable(),
  /** Commits this run saw: when they were first seen feeds lead time. */
  commits: z.array(text),
  raw: z.unknown(),
});

export const canonicalEventSchema = z.discriminatedUnion("type", [
  deploymentEventSchema,
  incidentEventSchema,
  ciRunEventSchema,
]);

export type ServiceHints = z.infer<typeof serviceHintsSchema>;
export type Commit = z.infer<typeof commitSchema>;
export type DeploymentEvent = z.infer<typeof deploymentEventSchema>;
export type IncidentEvent = z.infer<typeof incidentEventSchema>;
export type CanonicalEvent = z.infer<typeof canonicalEventSchema>;

/** `{ defaulted }` listing the fields whose flag is true, or nothing when none is. */
export function defaultedFields(flags: Partial<Record<DefaultableField, boolean>>): { defaulted?: DefaultableField[] } {
  const fields = DEFAULTABLE_FIELDS.filter((field) => flags[field] === true);
  return fields.length > 0 ? { defaulted: fields } : {};
}

/** What the integration's object adds to an event when it accepts it. */
export interface Acceptance {
  id: string;
  integration_id: string;
  /** Sequence number of the event that created the record. */
  seq: number;
  /** Sequence number of the latest event applied to the record. */
  last_seq: number;
  received_at: string;
  /** The service as named (explicitly, else the integration's default), before catalog lookup. */
  service_name: string | null;
  environment_normalized: string;
}

/** A canonical event as accepted: what the outbox holds and the drain writes to D1. */
export type StoredRecord = CanonicalEvent & Acceptance;
