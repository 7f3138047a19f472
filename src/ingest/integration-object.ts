/**
 * @module
 * `IntegrationObject`: one Durable Object per integration. It holds the integration's config,
 * serializes its events (dedup, sequence numbers, outbox in one synchronous transaction, or one
 * statement for a single new record), takes them in batches of requests (see `batcher.ts`) and
 * drains the outbox to D1 from its alarm.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { CanonicalEvent, StoredRecord } from "../events/canonical";
import { timeOrderedId, timingSafeEqualHex } from "../lib/crypto";
import { normalizeEnvironment, type EnvironmentAliases } from "../lib/environment";
import { environmentAliases } from "./environment-aliases";
import { writeRecords } from "./drain";
import type { BatchReply, Command, CommandResult, IngestReply, IngestRequest, IntegrationConfig, RateLimit, SecretRoll, Vendor } from "./protocol";
import { defaultRateLimit, TokenBucket } from "./rate-limit";
import { supersedes } from "./supersede";

/**
 * Outbox rows drained per D1 batch, and the most JSON bytes one batch carries. A batch is one
 * transaction that holds its database while it runs (in `wrangler dev`, the same thread as every
 * request): 200 rows keep each hold near 20 ms, where 500 stalled ingest, and each D1 call still
 * carries enough rows to be worth its fixed cost (README, Performance).
 */
export const DRAIN_ROWS = 200;
const DRAIN_BYTES = 900_000;
/** Delivery ids are remembered this long, which covers every vendor's redelivery window. */
const DELIVERY_TTL_MS = 7 * 24 * 3600_000;
const MAX_BACKOFF_MS = 5 * 60_000;
/**
 * How long the first acknowledged event waits for others before the drain runs: under load one
 * D1 batch then carries many events (each D1 call costs far more than the rows it writes), and
 * each event still reaches D1 within a second (this wait plus one drain).
 */
const DRAIN_DELAY_MS = 500;

/** The object's tables. `records` has no rowid: a key claimed is one B-tree insert, not two. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, id TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT, finished_at TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deploy_numbers (service TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
`;

/**
 * Accepting a record by a new key is one statement, an insert into this view: its trigger claims
 * the key, queues the record and moves the service's deploy counter. One statement is atomic
 * without a savepoint, and costs one call into SQLite instead of three (see README, Performance).
 */
const FIRST_RECORDS = `
CREATE VIEW IF NOT EXISTS first_records (key, id, seq, finished_at, body, counter_service, counter_last) AS
  SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE 0;
CREATE TRIGGER IF NOT EXISTS first_records_insert INSTEAD OF INSERT ON first_records BEGIN
  INSERT INTO records (key, id, seq, state, finished_at) VALUES (new.key, new.id, new.seq, NULL, new.finished_at);
  INSERT INTO outbox (seq, body) VALUES (new.seq, new.body);
  INSERT INTO deploy_numbers (service, last) SELECT new.counter_service, new.counter_last WHERE new.counter_service IS NOT NULL
    ON CONFLICT(service) DO UPDATE SET last = max(last, excluded.last);
END;
`;

/** What accepting an event gives it: its id, numbers and time of receipt. */
interface Stamp {
  id: string;
  seq: number;
  lastSeq: number;
  receivedAt: string;
}

/** Where a service's deploy counter moves to when a record is accepted. */
interface DeployCounter {
  service: string;
  last: number;
}

interface RecordRow extends Record<string, SqlStorageValue> {
  id: string;
  seq: number;
  state: string | null;
}

/** The reply for a newly created record. */
function created(record: StoredRecord): CommandResult {
  return { result: "created", id: record.id, seq: record.seq };
}

/** The delay before drain attempt `attempt` (1-based) after a D1 failure. */
export function backoffMs(attempt: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);
}

export class IntegrationObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private config: { value: IntegrationConfig; revoked: boolean } | null | undefined;
  private bucket: TokenBucket | undefined;
  private readonly defaultLimit: RateLimit;
  /** Whether this instance has set an alarm that has not run yet: spares a storage read per request. */
  private alarmSet = false;
  /**
   * The last sequence number given (read once, see `peekSeq`): a new record's row can then be
   * inserted with its number in one statement.
   */
  private lastSeq: number | undefined;
  /**
   * Each service's last deploy number as stored, read once per service; cleared when a write fails,
   * since it may hold numbers that write gave.
   */
  private readonly deployCounters = new Map<string, number>();
  /** The operator's environment aliases, read once per instance. */
  private aliases: EnvironmentAliases | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.defaultLimit = defaultRateLimit(env.RATE_LIMIT_PER_SECOND, env.RATE_LIMIT_BURST);
  }

  /** Stores the integration's config; called once when the integration is created. */
  configure(config: IntegrationConfig): void {
    this.sql.exec(SCHEMA);
    this.sql.exec(FIRST_RECORDS);
    this.sql.exec("INSERT OR REPLACE INTO config (id, body, revoked) VALUES (1, ?, 0)", JSON.stringify(config));
    this.config = { value: config, revoked: false };
  }

  /**
   * The keys that may sign this integration's requests: the current one, and the one it replaced
   * while its grace period lasts. Empty when the integration is unknown, revoked, of another
   * vendor or not a signing one: the caller cannot tell which.
   */
  signingKeys(vendor: Vendor): string[] {
    const config = this.loadConfig();
    if (!config || config.revoked || config.value.vendor !== vendor || config.value.signing_key === undefined) return [];
    const previous = this.livePrevious(config.value);
    return [config.value.signing_key, ...(previous?.signing_key === undefined ? [] : [previous.signing_key])];
  }

  /**
   * Replaces the secret; the old one keeps working for `grace_ms`. A roll during a grace period
   * ends that period: only the secret being replaced stays valid. False when the integration is
   * unknown or revoked.
   */
  rollSecret(roll: SecretRoll): boolean {
    const config = this.loadConfig();
    if (!config || config.revoked) return false;
    const current = config.value;
    const next: IntegrationConfig = {
      ...current,
      secret_hash: roll.secret_hash,
      ...(roll.signing_key === undefined ? {} : { signing_key: roll.signing_key }),
      previous:
        roll.grace_ms > 0
          ? { secret_hash: current.secret_hash, ...(current.signing_key === undefined ? {} : { signing_key: current.signing_key }), expires_at: Date.now() + roll.grace_ms }
          : null,
    };
    this.sql.exec("UPDATE config SET body = ?", JSON.stringify(next));
    this.config = { value: next, revoked: false };
    return true;
  }

  /** The integration's own rate limit; null for the deployment's default. */
  rateLimit(): RateLimit | null {
    return this.loadConfig()?.value.rate_limit ?? null;
  }

  /** Revokes the integration: every later request is refused. */
  revoke(): void {
    this.sql.exec("UPDATE config SET revoked = 1");
    this.config = undefined;
  }

  /**
   * Applies requests in order, each as `applyRequest` does, and replies to each once their writes
   * have committed (one commit for all), so an acknowledged event is never lost. A request that
   * fails is answered `failed` and written nothing; the others stand.
   */
  async ingestBatch(requests: IngestRequest[]): Promise<BatchReply[]> {
    const replies = requests.map((request): BatchReply => {
      try {
        return this.applyRequest(request);
      } catch (error) {
        return { ok: false, reason: "failed", error: String(error) };
      }
    });
    const accepted = replies.some((reply) => reply.ok && reply.results.some((r) => r.seq !== null));
    if (accepted && !this.alarmSet) await this.armAlarm(Date.now() + DRAIN_DELAY_MS);
    return replies;
  }

  /**
   * Checks the credential, then in one synchronous transaction (one statement for a single new
   * record) dedups the commands, gives each accepted one the next sequence number and writes it to
   * the outbox.
   */
  private applyRequest(request: IngestRequest): IngestReply {
    const config = this.loadConfig();
    if (!config || config.revoked || config.value.vendor !== request.vendor) {
      return { ok: false, reason: "unknown_integration" };
    }
    if (request.credential.kind === "secret" && !this.secretMatches(config.value, request.credential.hash)) {
      return { ok: false, reason: "bad_credential" };
    }
    if (request.credential.kind === "signature" && config.value.signing_key === undefined) {
      return { ok: false, reason: "bad_credential" };
    }
    // Only authenticated requests spend tokens, so nobody else can exhaust an integration's budget.
    const retryAfter = this.takeToken(config.value);
    if (retryAfter > 0) return { ok: false, reason: "rate_limited", retry_after_seconds: retryAfter };
    const receivedAt = new Date().toISOString();
    const committedSeq = this.lastSeq;
    try {
      const single = request.commands.length === 1 && !request.delivery_id ? request.commands[0]! : null;
      // A new record by its key alone is one statement, atomic without a transaction of its own.
      const results =
        single?.op === "record" && single.mode === "first" && single.event.dedup_key !== null
          ? [this.applyOne(config.value, single, receivedAt)]
          : this.ctx.storage.transactionSync(() => this.apply(config.value, request, receivedAt));
      return { ok: true, results };
    } catch (error) {
      // The writes rolled back, and with them every number they gave.
      this.lastSeq = committedSeq;
      this.deployCounters.clear();
      throw error;
    }
  }

  /** How many accepted events are still waiting for D1. */
  pendingCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
  }

  /** Drains the outbox to D1 in order; on failure keeps it and retries with backoff. */
  override async alarm(): Promise<void> {
    this.alarmSet = false;
    const batch = this.readBatch();
    if (batch.length === 0) return;
    const lastSeq = batch[batch.length - 1]!.seq;
    try {
      await writeRecords(this.env, batch.map((row) => row.record));
    } catch (error) {
      const attempt = this.bump("drain_failures");
      console.error(`outbox drain failed (attempt ${attempt}): ${String(error)}`);
      await this.armAlarm(Date.now() + backoffMs(attempt));
      return;
    }
    // The drained rows carried the highest numbers given so far: `meta` keeps the count for them.
    this.sql.exec("INSERT INTO meta (key, value) VALUES ('seq', ?) ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)", lastSeq);
    this.sql.exec("DELETE FROM outbox WHERE seq <= ?", lastSeq);
    this.sql.exec("DELETE FROM meta WHERE key = 'drain_failures'");
    this.sql.exec("DELETE FROM deliveries WHERE at < ?", Date.now() - DELIVERY_TTL_MS);
    // Events that arrived during this drain wait like the first one did, so that under load each
    // D1 batch still carries many of them; a full batch waiting goes at once.
    const pending = this.pendingCount();
    if (pending > 0) await this.armAlarm(Date.now() + (pending >= DRAIN_ROWS ? 0 : DRAIN_DELAY_MS));
  }

  private async armAlarm(at: number): Promise<void> {
    this.alarmSet = true;
    await this.ctx.storage.setAlarm(at);
  }

  /** Whether `hash` is the current secret's, or the previous one's during its grace period; both compared in constant time. */
  private secretMatches(config: IntegrationConfig, hash: string): boolean {
    const current = timingSafeEqualHex(hash, config.secret_hash);
    const previous = config.previous ? timingSafeEqualHex(hash, config.previous.secret_hash) : false;
    return current || (previous && this.livePrevious(config) !== null);
  }

  /** The replaced secret while its grace period lasts; once expired it is erased, signing key and all. */
  private livePrevious(config: IntegrationConfig) {
    if (!config.previous) return null;
    if (Date.now() < config.previous.expires_at) return config.previous;
    const pruned: IntegrationConfig = { ...config, previous: null };
    this.sql.exec("UPDATE config SET body = ?", JSON.stringify(pruned));
    if (this.config) this.config = { ...this.config, value: pruned };
    return null;
  }

  /** Spends one token of the integration's bucket: 0 when allowed, else the seconds to wait. */
  private takeToken(config: IntegrationConfig): number {
    const limit = config.rate_limit ?? this.defaultLimit;
    if (!this.bucket?.fits(limit)) this.bucket = new TokenBucket(limit, Date.now());
    return this.bucket.take(Date.now());
  }

  private loadConfig(): { value: IntegrationConfig; revoked: boolean } | null {
    if (this.config === undefined) {
      // Tables exist only once `configure` ran: a request to an id nobody created writes nothing.
      if (this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'config'").toArray().length === 0) {
        this.config = null;
        return null;
      }
      this.sql.exec(SCHEMA);
      // Objects created before `records` kept a deployment's time have the table without it.
      if (this.sql.exec("SELECT 1 FROM pragma_table_info('records') WHERE name = 'finished_at'").toArray().length === 0) {
        this.sql.exec("ALTER TABLE records ADD COLUMN finished_at TEXT");
      }
      this.sql.exec(FIRST_RECORDS);
      const row = this.sql.exec<{ body: string; revoked: number }>("SELECT body, revoked FROM config").toArray()[0];
      this.config = row ? { value: JSON.parse(row.body) as IntegrationConfig, revoked: row.revoked === 1 } : null;
    }
    return this.config;
  }

  private apply(config: IntegrationConfig, request: IngestRequest, receivedAt: string): CommandResult[] {
    const delivery = request.delivery_id;
    if (delivery) {
      if (this.sql.exec("SELECT 1 FROM deliveries WHERE id = ?", delivery).toArray().length > 0) {
        return request.commands.map(() => ({ result: "duplicate", id: null, seq: null }));
      }
      this.sql.exec("INSERT INTO deliveries (id, at) VALUES (?, ?)", delivery, Date.now());
    }
    return request.commands.map((command) => this.applyOne(config, command, receivedAt));
  }

  private applyOne(config: IntegrationConfig, command: Command, receivedAt: string): CommandResult {
    if (command.op === "resolve") return this.resolveIncident(command.dedup_key, command.at);
    const { event, mode } = command;
    const key = event.dedup_key === null ? null : `${event.type}:${event.dedup_key}`;
    if (key === null) return created(this.create(config, event, timeOrderedId(), receivedAt));
    if (mode === "first") return this.recordFirst(config, event, key, receivedAt);

    const existing = this.sql.exec<RecordRow>("SELECT id, seq, state FROM records WHERE key = ?", key).toArray()[0];
    if (!existing) {
      const record = this.create(config, event, timeOrderedId(), receivedAt);
      this.sql.exec("INSERT INTO records (key, id, seq, state) VALUES (?, ?, ?, ?)", key, record.id, record.seq, JSON.stringify(record));
      return created(record);
    }
    if (existing.state === null) return { result: "duplicate", id: existing.id, seq: null };

    const current = JSON.parse(existing.state) as StoredRecord;
    const candidate = { ...event, received_at: receivedAt };
    if (!supersedes(current, candidate)) return { result: "stale", id: existing.id, seq: null };
    const seq = this.takeSeq();
    const record = this.accept(config, event, { id: existing.id, seq: existing.seq, lastSeq: seq, receivedAt: current.received_at }, current);
    this.sql.exec("UPDATE records SET state = ? WHERE key = ?", JSON.stringify(record), key);
    this.enqueue(record);
    return { result: "updated", id: record.id, seq };
  }

  /**
   * A record kept as first received, in one statement through `first_records`: nothing is written,
   * nor any number given, when its key is taken. The key's row keeps when a deployment finished,
   * which a vendor's reply to a redelivery shows as the stored event's.
   */
  private recordFirst(config: IntegrationConfig, event: CanonicalEvent, key: string, receivedAt: string): CommandResult {
    const seq = this.peekSeq();
    const { record, counter } = this.complete(config, event, { id: timeOrderedId(), seq, lastSeq: seq, receivedAt });
    const { rowsWritten } = this.sql.exec(
      `INSERT INTO first_records (key, id, seq, finished_at, body, counter_service, counter_last)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE NOT EXISTS (SELECT 1 FROM records WHERE key = ?1)`,
      key,
      record.id,
      seq,
      record.type === "deployment" ? record.finished_at : null,
      JSON.stringify(record),
      counter?.service ?? null,
      counter?.last ?? null,
    );
    if (rowsWritten === 0) {
      const first = this.sql.exec<{ id: string; finished_at: string | null }>("SELECT id, finished_at FROM records WHERE key = ?", key).one();
      return { result: "duplicate", id: first.id, seq: null, stored_finished_at: first.finished_at };
    }
    this.lastSeq = seq;
    if (counter) this.deployCounters.set(counter.service, counter.last);
    return created(record);
  }

  private resolveIncident(dedupKey: string, at: string): CommandResult {
    const key = `incident:${dedupKey}`;
    const row = this.sql.exec<RecordRow>("SELECT id, seq, state FROM records WHERE key = ?", key).toArray()[0];
    if (!row || row.state === null) return { result: "not_found", id: null, seq: null };
    const current = JSON.parse(row.state) as StoredRecord;
    if (current.type !== "incident" || current.status === "resolved") return { result: "duplicate", id: row.id, seq: null };
    const seq = this.takeSeq();
    const record: StoredRecord = { ...current, status: "resolved", resolved_at: current.resolved_at ?? at, last_seq: seq };
    this.sql.exec("UPDATE records SET state = ? WHERE key = ?", JSON.stringify(record), key);
    this.enqueue(record);
    return { result: "updated", id: row.id, seq };
  }

  /** Gives a new record the next sequence number and queues it for D1. */
  private create(config: IntegrationConfig, event: CanonicalEvent, id: string, receivedAt: string): StoredRecord {
    const seq = this.takeSeq();
    const record = this.accept(config, event, { id, seq, lastSeq: seq, receivedAt });
    this.enqueue(record);
    return record;
  }

  /** Completes an event into a record, and stores the deploy counter it moves. */
  private accept(config: IntegrationConfig, event: CanonicalEvent, at: Stamp, previous?: StoredRecord): StoredRecord {
    const { record, counter } = this.complete(config, event, at, previous);
    if (counter) {
      this.sql.exec(
        "INSERT INTO deploy_numbers (service, last) VALUES (?, ?) ON CONFLICT(service) DO UPDATE SET last = max(last, excluded.last)",
        counter.service,
        counter.last,
      );
      this.deployCounters.set(counter.service, counter.last);
    }
    return record;
  }

  /**
   * Completes an event into the record the outbox carries, writing nothing: with the deploy
   * counter it moves, which the caller stores in the same transaction.
   */
  private complete(config: IntegrationConfig, event: CanonicalEvent, at: Stamp, previous?: StoredRecord): { record: StoredRecord; counter: DeployCounter | null } {
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
      environment_normalized: normalizeEnvironment(environment ?? config.environment ?? "production", (this.aliases ??= environmentAliases(this.env))),
    } as StoredRecord;
    // OpsLevel numbers deploys it is not given, per service: here per service name as the
    // integration receives it, which OpsLevel always sends.
    if (record.type !== "deployment" || config.vendor !== "opslevel" || serviceName === null) return { record, counter: null };
    const service = serviceName.toLowerCase();
    const earlier = previous?.type === "deployment" ? previous.deploy_number : null;
    if (record.deploy_number === null && earlier === null) {
      const last = this.lastDeployNumber(service) + 1;
      record.deploy_number = String(last);
      return { record, counter: { service, last } };
    }
    record.deploy_number = record.deploy_number ?? earlier;
    const n = Number(record.deploy_number);
    // A number the pipeline gives moves the counter only when it is an integer above it.
    const moves = record.deploy_number !== earlier && Number.isSafeInteger(n) && n > this.lastDeployNumber(service);
    return { record, counter: moves ? { service, last: n } : null };
  }

  /** The last deploy number stored for a service (lower-cased), 0 before its first. */
  private lastDeployNumber(service: string): number {
    let last = this.deployCounters.get(service);
    if (last === undefined) {
      last = this.sql.exec<{ last: number }>("SELECT last FROM deploy_numbers WHERE service = ?", service).toArray()[0]?.last ?? 0;
      this.deployCounters.set(service, last);
    }
    return last;
  }

  private enqueue(record: StoredRecord): void {
    this.sql.exec("INSERT INTO outbox (seq, body) VALUES (?, ?)", record.last_seq, JSON.stringify(record));
  }

  /**
   * The sequence number the next accepted command will get. Every number given is the key of an
   * outbox row until that row is drained, and the drain records it in `meta`: so the last one
   * given is the larger of the two, and accepting a command costs no statement for its number.
   */
  private peekSeq(): number {
    this.lastSeq ??= this.sql
      .exec<{ last: number }>("SELECT max(coalesce((SELECT value FROM meta WHERE key = 'seq'), 0), coalesce((SELECT max(seq) FROM outbox), 0)) AS last")
      .one().last;
    return this.lastSeq + 1;
  }

  /** Gives out the next sequence number; `ingest` restores the counter if the transaction rolls back. */
  private takeSeq(): number {
    const seq = this.peekSeq();
    this.lastSeq = seq;
    return seq;
  }

  /** Increments a counter in `meta` and returns its new value. */
  private bump(key: string): number {
    return this.sql
      .exec<{ value: number }>("INSERT INTO meta (key, value) VALUES (?, 1) ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value", key)
      .one().value;
  }

  private readBatch(): { seq: number; record: StoredRecord }[] {
    const out: { seq: number; record: StoredRecord }[] = [];
    let bytes = 0;
    for (const row of this.sql.exec<{ seq: number; body: string }>("SELECT seq, body FROM outbox ORDER BY seq LIMIT ?", DRAIN_ROWS)) {
      if (out.length > 0 && bytes + row.body.length > DRAIN_BYTES) break;
      bytes += row.body.length;
      out.push({ seq: row.seq, record: JSON.parse(row.body) as StoredRecord });
    }
    return out;
  }
}
