/**
 * @module
 * What routes send to an integration's Durable Object, and what it answers.
 */
import type { CanonicalEvent } from "../events/canonical";

export const VENDORS = ["opslevel", "devlake", "devgrid", "harness-sei", "github", "gitlab", "pagerduty", "generic"] as const;
export type Vendor = (typeof VENDORS)[number];

/** An integration as its Durable Object keeps it. */
export interface IntegrationConfig {
  id: string;
  vendor: Vendor;
  name: string;
  service: string | null;
  environment: string | null;
  secret_hash: string;
  /**
   * The secret itself, kept only for vendors that sign their bodies with it (HMAC): verifying a
   * signature needs the key. It lives in the object's own storage, never in D1.
   */
  signing_key?: string;
  /** This integration's own rate limit; absent means the deployment's default (wrangler vars). */
  rate_limit?: RateLimit | null;
  /**
   * The secret this one replaced, still honoured until `expires_at` (epoch ms) so that a rolled
   * secret can reach every sender without downtime.
   */
  previous?: PreviousSecret | null;
  /** Where accepted deliveries are forwarded, with the headers to present there (credentials: kept only here). */
  forward?: ForwardConfig | null;
  /** Where pushes go. */
  notify?: NotifyConfig | null;
}

/** The old tool's URL for the same route, headers to send there instead of ours, and whether duplicates go too. */
export interface ForwardConfig {
  url: string;
  headers: Record<string, string>;
  duplicates: boolean;
}

/** A push webhook: Slack-compatible (`{"text":...}`) or plain JSON. */
export interface NotifyConfig {
  url: string;
  format: "slack" | "json";
  /** How long after a deployment an incident of the same service names it as a suspect. */
  suspect_minutes: number;
}

/** A change of outbound settings: an absent field stays, null removes. */
export interface OutboundChange {
  forward?: ForwardConfig | null;
  notify?: NotifyConfig | null;
}

/** A token bucket: `requests_per_second` sustained, up to `burst` at once. */
export interface RateLimit {
  requests_per_second: number;
  burst: number;
}

/** A rolled-over secret during its grace period. */
export interface PreviousSecret {
  secret_hash: string;
  signing_key?: string;
  expires_at: number;
}

/** What `IntegrationObject.rollSecret` needs: the new secret's hash (and key) and the grace period. */
export interface SecretRoll {
  secret_hash: string;
  signing_key?: string;
  grace_ms: number;
}

/** Vendors whose requests carry an HMAC of the body made with the secret, not the secret itself. */
export const SIGNING_VENDORS: readonly Vendor[] = ["github", "pagerduty"];

/**
 * How a request proved it may post: by the unguessable id in its URL alone (OpsLevel), by a
 * secret whose SHA-256 the route computed, or by an HMAC signature over the raw body that the
 * object verifies with its keys before anything else (GitHub, PagerDuty).
 */
export type Credential =
  | { kind: "id" }
  | { kind: "secret"; hash: string }
  | { kind: "signature"; body: Uint8Array; signatures: string[] };

/**
 * One thing to do. `record` adds or updates a record: `first` keeps the first event of a dedup
 * key, `update` lets later events replace it (never backwards). `resolve` closes an incident.
 */
export type Command =
  | { op: "record"; event: CanonicalEvent; mode: "first" | "update" }
  | { op: "resolve"; dedup_key: string; at: string };

export interface IngestRequest {
  vendor: Vendor;
  credential: Credential;
  /** The vendor's delivery id: a repeated one is dropped whole. */
  delivery_id?: string | null;
  commands: Command[];
  /** The delivery as it came, for forwarding; absent for a request that only checks a credential. */
  original?: OriginalDelivery;
}

/** A delivery's bytes and the vendor's own headers, as received. */
export interface OriginalDelivery {
  body: Uint8Array;
  content_type: string | null;
  /** The vendor's own headers (event type, delivery id, signature), never our credential. */
  headers: [string, string][];
  /** The route's path after the integration's id (DevLake's `/deployments`), appended to the forward URL. */
  suffix: string;
  /** Our own origin, for links in pushes. */
  origin: string;
}

export type CommandOutcome = "created" | "updated" | "duplicate" | "stale" | "not_found";

export interface CommandResult {
  result: CommandOutcome;
  /** The record's id (null when nothing was found). */
  id: string | null;
  /** The sequence number this command was given, when it was accepted. */
  seq: number | null;
  /**
   * For a duplicate of a deployment kept by its key alone (`first`), when the stored one finished, so
   * that a reply can show the stored event (null for one stored before records kept it).
   */
  stored_finished_at?: string | null;
}

export type IngestReply =
  | { ok: false; reason: "unknown_integration" | "bad_credential" }
  | { ok: false; reason: "rate_limited"; retry_after_seconds: number }
  | { ok: true; results: CommandResult[] };
