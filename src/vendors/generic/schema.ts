/**
 * @module
 * This project's own webhook format: the canonical model (src/events/canonical.ts) with friendly
 * optionals, case-insensitive enums and any timestamp form, one item or `{"items":[...]}`.
 */
import { z } from "zod";
import { DEPLOYMENT_STATUSES } from "../../events/canonical";
import { URGENCIES } from "../../events/priority";
import { optionalId, optionalText, optionalTimestamp, requiredId, requiredText, timestamp } from "../fields";

/** The most items one request may carry. */
export const MAX_ITEMS = 500;

/** An enum matched case-insensitively. */
function caseless<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess((v) => (typeof v === "string" ? v.trim().toLowerCase() : v), z.enum(values));
}

const deployerSchema = z.looseObject({ id: optionalId, name: optionalText, email: optionalText });

const commitSchema = z.looseObject({
  sha: requiredText,
  repository: optionalText,
  branch: optionalText,
  message: optionalText,
  committed_at: optionalTimestamp,
  authored_at: optionalTimestamp,
});

export const genericDeploymentSchema = z.looseObject({
  /** Your id for the deployment: posting it again updates the record, never backwards. */
  dedup_key: optionalId,
  service: optionalText,
  /** A repository URL or `owner/name`, to find the service in the catalog when none is named. */
  repository: optionalText,
  environment: optionalText,
  /** Defaults to `success` on a first delivery; a repost without it keeps the stored status. */
  status: caseless(DEPLOYMENT_STATUSES).optional().meta({ default: "success" }),
  kind: caseless(["rollback", "hotfix"]).nullish().transform((v) => v ?? null),
  started_at: optionalTimestamp,
  finished_at: optionalTimestamp,
  deploy_number: optionalId,
  change_id: optionalId,
  url: optionalText,
  description: optionalText,
  deployer: deployerSchema.nullish().transform((v) => v ?? null),
  /** Shorthand for `commits: [{"sha": ...}]`. */
  commit_sha: optionalText,
  commits: z.array(commitSchema).max(1000).default([]),
});

export const genericIncidentSchema = z
  .looseObject({
    /** Your id for the incident: posting it again updates the record, never backwards. */
    dedup_key: requiredId,
    service: optionalText,
    repository: optionalText,
    environment: optionalText,
    /** Defaults to `resolved` when `resolved_at` is given, else `open`. */
    status: caseless(["open", "resolved"]).optional(),
    /** False stores the incident without counting it in the metrics; a repost without it keeps the stored value. */
    counted: z.boolean().optional().meta({ default: true }),
    /** `P1`..`P5`, `SEV1`, `critical`, ...: see `readPriority`; another value is kept as unknown. */
    priority: optionalId,
    urgency: caseless(URGENCIES).nullish().transform((v) => v ?? null),
    title: optionalText,
    url: optionalText,
    created_at: timestamp,
    resolved_at: optionalTimestamp,
    links: z
      .looseObject({ change_id: optionalId, deployment_id: optionalId, commit_sha: optionalText })
      .nullish()
      .transform((v) => v ?? { change_id: null, deployment_id: null, commit_sha: null }),
  })
  .refine((i) => i.status !== "resolved" || i.resolved_at !== null, {
    message: "is needed when status is resolved",
    path: ["resolved_at"],
  });

export type GenericDeployment = z.output<typeof genericDeploymentSchema>;
export type GenericIncident = z.output<typeof genericIncidentSchema>;

/** A batch: `{"items":[...]}`, at least one. */
export function batchSchema<S extends z.ZodType>(item: S) {
  return z.looseObject({ items: z.array(item).min(1, { message: "needs at least one item" }) });
}
