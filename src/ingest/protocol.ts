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
}

/**
 * How a request proved it may post: by the unguessable id in its URL alone (OpsLevel), or by a
 * secret whose SHA-256 the route computed.
 */
export type Credential = { kind: "id" } | { kind: "secret"; hash: string };

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
}

export type CommandOutcome = "created" | "updated" | "duplicate" | "stale" | "not_found";

export interface CommandResult {
  result: CommandOutcome;
  /** The record's id (null when nothing was found). */
  id: string | null;
  /** The sequence number this command was given, when it was accepted. */
  seq: number | null;
}

export type IngestReply =
  | { ok: false; reason: "unknown_integration" | "bad_credential" }
  | { ok: true; results: CommandResult[] };
