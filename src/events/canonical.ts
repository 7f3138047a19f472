/**
 * @module
 * The canonical event model: the one shape every vendor adapter produces and the outbox writes.
 * Times are UTC ISO 8601 strings with milliseconds (see `parseTimestamp`).
 */
import type { Priority, Urgency } from "./priority";

// Plain types, not schemas: adapters build these from payloads their own schemas validated, so a
// second validation on the hot path would only repeat it. Aliases, so a record reads as a map of fields.

/** UTC ISO 8601 with milliseconds, as `parseTimestamp` writes it. */
type IsoTime = string;

/** Fields an adapter fills in itself when a payload lacks them. */
export const DEFAULTABLE_FIELDS = ["status", "counted", "started_at", "finished_at", "resolved_at"] as const;
export type DefaultableField = (typeof DEFAULTABLE_FIELDS)[number];

/** Where to look in the catalog when an event names no service: repositories first, then names. */
export type ServiceHints = {
  repositories: string[];
  names: string[];
};

export type Commit = {
  sha: string;
  repository: string | null;
  branch: string | null;
  message: string | null;
  committed_at: IsoTime | null;
  authored_at: IsoTime | null;
};

type Deployer = {
  id: string | null;
  name: string | null;
  email: string | null;
};

export const DEPLOYMENT_STATUSES = ["pending", "in_progress", "success", "failure", "aborted"] as const;
type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export type DeploymentEvent = {
  type: "deployment";
  /** The vendor's id for this deployment; null makes every post a new deployment. */
  dedup_key: string | null;
  /** A service named explicitly by the payload. */
  service: string | null;
  service_hints: ServiceHints;
  /** The environment as the payload gave it. */
  environment: string | null;
  status: DeploymentStatus;
  kind: "rollback" | "hotfix" | null;
  started_at: IsoTime | null;
  finished_at: IsoTime | null;
  deploy_number: string | null;
  change_id: string | null;
  url: string | null;
  description: string | null;
  deployer: Deployer | null;
  commits: Commit[];
  /**
   * The fields that hold the adapter's default, not a value the sender gave: an update never lets
   * them replace what an earlier delivery said. Absent when there are none; never written to D1.
   */
  defaulted?: DefaultableField[];
  raw?: unknown;
};

export type IncidentEvent = {
  type: "incident";
  dedup_key: string;
  service: string | null;
  service_hints: ServiceHints;
  environment: string | null;
  status: "open" | "resolved";
  /** False for issue types that are stored but never counted as incidents. */
  counted: boolean;
  /** `P1` (highest) to `P5`; null when none was given or the one given is not a known spelling. */
  priority: Priority | null;
  /** The vendor's priority or severity as given. */
  priority_raw: string | null;
  urgency: Urgency | null;
  title: string | null;
  url: string | null;
  created_at: IsoTime;
  resolved_at: IsoTime | null;
  links: {
    change_id: string | null;
    deployment_id: string | null;
    commit_sha: string | null;
  };
  /**
   * The fields that hold the adapter's default, not a value the sender gave: an update never lets
   * them replace what an earlier delivery said. Absent when there are none; never written to D1.
   */
  defaulted?: DefaultableField[];
  raw?: unknown;
};

type CiRunEvent = {
  type: "ci_run";
  dedup_key: string | null;
  service: string | null;
  service_hints: ServiceHints;
  status: DeploymentStatus;
  started_at: IsoTime;
  finished_at: IsoTime | null;
  /** Commits this run saw: when they were first seen feeds lead time. */
  commits: string[];
  raw?: unknown;
};

export type CanonicalEvent = DeploymentEvent | IncidentEvent | CiRunEvent;

/** `{ defaulted }` listing the fields whose flag is true, or nothing when none is. */
export function defaultedFields(flags: Partial<Record<DefaultableField, boolean>>): { defaulted?: DefaultableField[] } {
  const fields = DEFAULTABLE_FIELDS.filter((field) => flags[field] === true);
  return fields.length > 0 ? { defaulted: fields } : {};
}

/** What the integration's object adds to an event when it accepts it. */
interface Acceptance {
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
