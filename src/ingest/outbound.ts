/**
 * @module
 * An integration's outbound queue: forwards of accepted deliveries and pushes, each lane sent
 * strictly in order from the object's alarm (a row is not sent before the one before it is
 * final), with retries and backoff, and kept once final for the delivery ledger.
 */
import type { Alarm } from "./alarm";
import { DEAD_AFTER_MS, judge, SEND_TIMEOUT_MS, type Verdict } from "./outbound-policy";
import type { ForwardConfig, IntegrationConfig, NotifyConfig, OriginalDelivery } from "./protocol";

const LANES = ["forward", "notify"] as const;
type Lane = (typeof LANES)[number];
const OUTBOUND_STATES = ["pending", "forwarded", "failed", "dead"] as const;
type OutboundState = (typeof OUTBOUND_STATES)[number];

/** Final rows kept per lane for the ledger, newest first. */
const KEPT_FINAL = 100;
/** Rows one alarm sends per lane before it yields to the next alarm. */
const SENDS_PER_RUN = 25;

interface Row extends Record<string, SqlStorageValue> {
  id: number;
  lane: Lane;
  ref: string;
  suffix: string;
  content_type: string | null;
  headers: string;
  body: ArrayBuffer;
  queued_at: number;
  state: OutboundState;
  attempts: number;
  next_at: number;
  status: number | null;
  error: string | null;
}

/** One row as the delivery ledger shows it. */
interface OutboundEntry {
  id: number;
  ref: string;
  state: OutboundState;
  queued_at: string;
  attempts: number;
  /** The upstream's last status, null when it never answered. */
  status: number | null;
  /** When the next attempt is due (pending rows only). */
  next_try_at: string | null;
  error: string | null;
}

export interface LaneReport {
  counts: Record<OutboundState, number>;
  /** Newest first. */
  recent: OutboundEntry[];
}

/** A push as queued: the id the receiver dedupes on, and the body in the configured format. */
export interface QueuedPush {
  id: string;
  body: string;
}

/** Headers of ours that are credentials: never forwarded as received, only as configured. */
const CREDENTIAL_HEADERS = new Set(["authorization", "x-api-key", "x-gitlab-token"]);

export class Outbound {
  /** Whether rows were queued since the alarm was last checked: spares a storage call per request. */
  private queued = false;

  constructor(
    private readonly sql: SqlStorage,
    private readonly alarm: Alarm,
  ) {}

  /** Queues an accepted delivery as it came; runs in the caller's transaction. */
  enqueueForward(original: OriginalDelivery, ref: string, now: number): void {
    const headers = original.headers.filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase()));
    this.insert("forward", ref, original.suffix, original.content_type, JSON.stringify(headers), original.body, now);
  }

  /** Queues a push; runs in the caller's transaction. */
  enqueuePush(push: QueuedPush, now: number): void {
    this.insert("notify", push.id, "", "application/json", JSON.stringify([["idempotency-key", push.id]]), new TextEncoder().encode(push.body), now);
  }

  /** Drops what waits in a lane whose target was removed. */
  dropPending(lane: Lane): void {
    this.sql.exec("DELETE FROM outbound WHERE lane = ? AND state = 'pending'", lane);
  }

  /** Makes sure the alarm runs for rows queued since the last call. */
  async scheduleQueued(): Promise<void> {
    if (!this.queued) return;
    this.queued = false;
    await this.schedule();
  }

  /** Makes sure the alarm runs when the earliest pending row is due. */
  async schedule(): Promise<void> {
    const next = this.sql.exec<{ at: number | null }>("SELECT min(next_at) AS at FROM outbound WHERE state = 'pending'").one().at;
    if (next !== null) await this.alarm.atLatest(next);
  }

  /**
   * Sends what is due, lane by lane, in order. Other requests run during each fetch: the head row
   * is read, sent, then updated by id only if it is still the pending row that was sent.
   */
  async send(config: () => IntegrationConfig | null): Promise<void> {
    for (const lane of LANES) {
      for (let sent = 0; sent < SENDS_PER_RUN; sent++) {
        const now = Date.now();
        const head = this.sql.exec<Row>("SELECT * FROM outbound WHERE lane = ? AND state = 'pending' ORDER BY id LIMIT 1", lane).toArray()[0];
        if (!head || head.next_at > now) break;
        const target = lane === "forward" ? config()?.forward : config()?.notify;
        if (!target) {
          this.dropPending(lane);
          break;
        }
        const verdict = await attempt(head, target, lane, head.attempts + 1);
        // The lane waits while its head is still pending; a final row (dead-lettered included) lets the next go.
        if (this.settle(head, verdict) !== "final") break;
      }
    }
    await this.schedule();
  }

  /** The lane's counts by state and its latest rows. */
  report(lane: Lane): LaneReport {
    const counts = Object.fromEntries(OUTBOUND_STATES.map((s) => [s, 0])) as Record<OutboundState, number>;
    for (const row of this.sql.exec<{ state: OutboundState; n: number }>("SELECT state, n FROM outbound_counts WHERE lane = ?", lane)) counts[row.state] = row.n;
    counts.pending = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbound WHERE lane = ? AND state = 'pending'", lane).one().n;
    const recent = this.sql
      .exec<Row>("SELECT * FROM outbound WHERE lane = ? ORDER BY id DESC LIMIT ?", lane, KEPT_FINAL)
      .toArray()
      .map((row) => ({
        id: row.id,
        ref: row.ref,
        state: row.state,
        queued_at: new Date(row.queued_at).toISOString(),
        attempts: row.attempts,
        status: row.status,
        next_try_at: row.state === "pending" ? new Date(row.next_at).toISOString() : null,
        error: row.error,
      }));
    return { counts, recent };
  }

  private insert(lane: Lane, ref: string, suffix: string, contentType: string | null, headers: string, body: Uint8Array, now: number): void {
    this.queued = true;
    this.sql.exec(
      "INSERT INTO outbound (lane, ref, suffix, content_type, headers, body, queued_at, state, attempts, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)",
      lane,
      ref,
      suffix,
      contentType,
      headers,
      body,
      now,
      now,
    );
  }

  /** Records an attempt's verdict on the row sent: whether it is now final, still pending, or was changed meanwhile (dropped). */
  private settle(sent: Row, verdict: Verdict): "final" | "pending" | "changed" {
    const current = this.sql.exec<{ attempts: number }>("SELECT attempts FROM outbound WHERE id = ? AND state = 'pending'", sent.id).toArray()[0];
    if (!current || current.attempts !== sent.attempts) return "changed";
    const attempts = sent.attempts + 1;
    const now = Date.now();
    let state: OutboundState = verdict.kind === "retry" ? "pending" : verdict.kind;
    if (verdict.kind === "retry" && now - sent.queued_at >= DEAD_AFTER_MS) state = "dead";
    const nextAt = verdict.kind === "retry" ? verdict.at : now;
    const error = verdict.kind === "retry" ? verdict.error : verdict.kind === "failed" ? `HTTP ${verdict.status}` : null;
    this.sql.exec("UPDATE outbound SET state = ?, attempts = ?, next_at = ?, status = ?, error = ? WHERE id = ?", state, attempts, nextAt, verdict.status, error, sent.id);
    if (state !== "pending") {
      this.sql.exec("INSERT INTO outbound_counts (lane, state, n) VALUES (?, ?, 1) ON CONFLICT(lane, state) DO UPDATE SET n = n + 1", sent.lane, state);
      this.sql.exec("DELETE FROM outbound WHERE lane = ? AND state != 'pending' AND id <= (SELECT max(id) FROM outbound WHERE lane = ?) - ?", sent.lane, sent.lane, KEPT_FINAL * 2);
    }
    return state === "pending" ? "pending" : "final";
  }
}

/** One attempt at sending a row: never throws, answers a verdict. */
async function attempt(row: Row, target: ForwardConfig | NotifyConfig, lane: Lane, attempts: number): Promise<Verdict> {
  const headers = new Headers(JSON.parse(row.headers) as [string, string][]);
  if (row.content_type !== null) headers.set("content-type", row.content_type);
  if (lane === "forward") for (const [name, value] of Object.entries((target as ForwardConfig).headers)) headers.set(name, value);
  try {
    const response = await fetch(target.url + row.suffix, {
      method: "POST",
      headers,
      body: new Uint8Array(row.body),
      redirect: "manual",
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    // The answer's body is not needed; dropping it frees the connection.
    await response.body?.cancel();
    return judge({ status: response.status, retryAfter: response.headers.get("retry-after") }, attempts, Date.now());
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    return judge({ error: name === "TimeoutError" ? `no answer within ${SEND_TIMEOUT_MS / 1000} s` : "network error" }, attempts, Date.now());
  }
}
