/**
 * @module
 * The ledger of an integration's records, where an event is accepted: delivery dedup, the record
 * each dedup key names, sequence numbers, the merge of updates and OpsLevel's deploy numbers.
 * Every accepted change goes to the outbox in the caller's transaction.
 */
import type { CanonicalEvent, StoredRecord } from "../events/canonical";
import { timeOrderedId } from "../lib/crypto";
import { normalizeEnvironment, type EnvironmentAliases } from "../lib/environment";
import { merge, sameFields } from "./merge";
import type { Command, CommandResult, IngestRequest, IntegrationConfig } from "./protocol";

/** Delivery ids are remembered this long, which covers every vendor's redelivery window. */
const DELIVERY_TTL_MS = 7 * 24 * 3600_000;

interface RecordRow extends Record<string, SqlStorageValue> {
  id: string;
  seq: number;
  /** The record as last accepted, kept for records that later events update; null for `first` ones. */
  state: string | null;
  finished_at: string | null;
}

/** What accepting an event gives it: its id, numbers and time of receipt. */
interface Stamp {
  id: string;
  seq: number;
  lastSeq: number;
  receivedAt: string;
}

/** Where each accepted change goes, with the record as it was before (null for a new one). */
export interface RecordSink {
  enqueue(record: StoredRecord, previous: StoredRecord | null): void;
}

export class Ledger {
  constructor(
    private readonly sql: SqlStorage,
    private readonly outbox: RecordSink,
    /** The operator's environment names (`ENVIRONMENT_ALIASES`), parsed once per object. */
    private readonly aliases: () => EnvironmentAliases,
  ) {}

  /**
   * Applies a request's commands in order. Must run inside one transaction: a request that fails
   * half-way leaves no trace, no claimed key, no number given.
   */
  apply(config: IntegrationConfig, request: IngestRequest, receivedAt: string): CommandResult[] {
    const delivery = request.delivery_id;
    if (delivery) {
      if (this.sql.exec("SELECT 1 FROM deliveries WHERE id = ?", delivery).toArray().length > 0) {
        return request.commands.map(() => ({ result: "duplicate", id: null, seq: null }));
      }
      this.sql.exec("INSERT INTO deliveries (id, at) VALUES (?, ?)", delivery, Date.now());
    }
    return request.commands.map((command) => this.applyOne(config, command, receivedAt));
  }

  /** Forgets delivery ids older than any vendor redelivers. */
  forgetOldDeliveries(): void {
    this.sql.exec("DELETE FROM deliveries WHERE at < ?", Date.now() - DELIVERY_TTL_MS);
  }

  private applyOne(config: IntegrationConfig, command: Command, receivedAt: string): CommandResult {
    if (command.op === "resolve") return this.resolveIncident(command.dedup_key, command.at);
    const { event, mode } = command;
    if (event.dedup_key === null) return this.create(config, event, null, mode, receivedAt);
    const key = `${event.type}:${event.dedup_key}`;
    const existing = this.sql.exec<RecordRow>("SELECT id, seq, state, finished_at FROM records WHERE key = ?", key).toArray()[0];
    if (!existing) return this.create(config, event, key, mode, receivedAt);
    // A record kept as first received: a redelivery is answered with what the first one stored.
    if (mode === "first" || existing.state === null) return { result: "duplicate", id: existing.id, seq: null, stored_finished_at: existing.finished_at };
    return this.update(config, event, key, existing, JSON.parse(existing.state) as StoredRecord, receivedAt);
  }

  /** A new record: the next number, its key claimed (when it has one), and queued for D1. */
  private create(config: IntegrationConfig, event: CanonicalEvent, key: string | null, mode: "first" | "update", receivedAt: string): CommandResult {
    const seq = this.nextSeq();
    const record = this.complete(config, event, { id: timeOrderedId(), seq, lastSeq: seq, receivedAt });
    if (key !== null) {
      // A record kept as first received keeps when it finished, which a vendor's reply to a redelivery shows.
      const finishedAt = mode === "first" && record.type === "deployment" ? record.finished_at : null;
      const state = mode === "update" ? JSON.stringify(record) : null;
      this.sql.exec("INSERT INTO records (key, id, seq, state, finished_at) VALUES (?, ?, ?, ?, ?)", key, record.id, seq, state, finishedAt);
    }
    this.queue(record, null);
    return { result: "created", id: record.id, seq };
  }

  /**
   * A later event for a stored record, merged into it (see `merge`). A merge that changes nothing
   * is a `duplicate` and takes no number; one whose status was older than the stored one is
   * `stale`, though the fields it brought are kept.
   */
  private update(config: IntegrationConfig, event: CanonicalEvent, key: string, row: RecordRow, current: StoredRecord, receivedAt: string): CommandResult {
    const merged = merge(current, event, receivedAt);
    const stamp = { id: row.id, seq: row.seq, lastSeq: current.last_seq, receivedAt: current.received_at };
    const unchanged = this.complete(config, merged.event, stamp, current);
    if (sameFields(unchanged, current)) return { result: "duplicate", id: row.id, seq: null };
    const seq = this.nextSeq();
    const record = { ...unchanged, last_seq: seq };
    this.sql.exec("UPDATE records SET state = ? WHERE key = ?", JSON.stringify(record), key);
    this.queue(record, current);
    return { result: merged.superseded ? "updated" : "stale", id: row.id, seq };
  }

  private resolveIncident(dedupKey: string, at: string): CommandResult {
    const key = `incident:${dedupKey}`;
    const row = this.sql.exec<RecordRow>("SELECT id, seq, state, finished_at FROM records WHERE key = ?", key).toArray()[0];
    if (!row || row.state === null) return { result: "not_found", id: null, seq: null };
    const current = JSON.parse(row.state) as StoredRecord;
    if (current.type !== "incident" || current.status === "resolved") return { result: "duplicate", id: row.id, seq: null };
    const seq = this.nextSeq();
    // Closing says the status; a resolution time it had to take from now is only a default.
    const defaulted = (current.defaulted ?? []).filter((field) => field !== "status" && (field !== "resolved_at" || current.resolved_at !== null));
    if (current.resolved_at === null) defaulted.push("resolved_at");
    const record: StoredRecord = { ...current, status: "resolved", resolved_at: current.resolved_at ?? at, defaulted, last_seq: seq };
    this.sql.exec("UPDATE records SET state = ? WHERE key = ?", JSON.stringify(record), key);
    this.queue(record, current);
    return { result: "updated", id: row.id, seq };
  }

  /** Queues a record for D1 without its list of defaulted fields, which only merges need. */
  private queue(record: StoredRecord, previous: StoredRecord | null): void {
    const { defaulted: _defaulted, ...written } = record as StoredRecord & { defaulted?: unknown };
    this.outbox.enqueue(written as StoredRecord, previous);
  }

  /**
   * Completes an event into the record the outbox carries. An OpsLevel deploy without a number is
   * given the next one of its service, and a number the pipeline gives moves that counter when it
   * is an integer above it.
   */
  private complete(config: IntegrationConfig, event: CanonicalEvent, at: Stamp, previous?: StoredRecord): StoredRecord {
    const serviceName = event.service ?? config.service;
    const environment = "environment" in event ? event.environment : null;
    const record = {
      ...event,
      id: at.id,
      integration_id: config.id,
      seq: at.seq,
      last_seq: at.lastSeq,
      received_at: at.receivedAt,
      service_name: serviceName,
      environment_normalized: normalizeEnvironment(environment ?? config.environment ?? "production", this.aliases()),
    } as StoredRecord;
    // OpsLevel numbers deploys it is not given, per service: here per service name as the
    // integration receives it, which OpsLevel always sends.
    if (record.type !== "deployment" || config.vendor !== "opslevel" || serviceName === null) return record;
    const service = serviceName.toLowerCase();
    const earlier = previous?.type === "deployment" ? previous.deploy_number : null;
    if (record.deploy_number === null && earlier === null) {
      record.deploy_number = String(this.takeDeployNumber(service));
      return record;
    }
    record.deploy_number = record.deploy_number ?? earlier;
    const n = Number(record.deploy_number);
    if (record.deploy_number !== earlier && Number.isSafeInteger(n) && n > 0) this.raiseDeployNumber(service, n);
    return record;
  }

  /** The next deploy number of a service (lower-cased), counted from 1: read and moved in one statement. */
  private takeDeployNumber(service: string): number {
    return this.sql
      .exec<{ last: number }>("INSERT INTO deploy_numbers (service, last) VALUES (?, 1) ON CONFLICT(service) DO UPDATE SET last = last + 1 RETURNING last", service)
      .one().last;
  }

  /** Moves a service's counter up to a number its pipeline gave; never down. */
  private raiseDeployNumber(service: string, n: number): void {
    this.sql.exec("INSERT INTO deploy_numbers (service, last) VALUES (?, ?) ON CONFLICT(service) DO UPDATE SET last = max(last, excluded.last)", service, n);
  }

  /** Gives out the next sequence number; a transaction that rolls back takes it back. */
  private nextSeq(): number {
    return this.sql
      .exec<{ value: number }>("INSERT INTO meta (key, value) VALUES ('seq', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value")
      .one().value;
  }
}
