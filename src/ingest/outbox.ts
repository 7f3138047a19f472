/**
 * @module
 * An integration's outbox: accepted records wait here, in sequence, until its alarm drains them
 * to D1 and R2 (`writeRecords`), retrying with backoff while either fails.
 */
import type { StoredRecord } from "../events/canonical";
import { backoffMs } from "../lib/backoff";
import type { Alarm } from "./alarm";
import { writeRecords, type DrainTarget } from "./drain";

/**
 * Outbox rows drained per D1 batch, and the most JSON bytes one batch carries. A batch is one
 * transaction that holds its database while it runs: each hold stays short, and each D1 call still
 * carries enough rows to be worth its fixed cost.
 */
export const DRAIN_ROWS = 200;
const DRAIN_BYTES = 900_000;
const MAX_BACKOFF_MS = 5 * 60_000;
/**
 * How long the first acknowledged event waits for others before the drain runs: under load one
 * D1 batch then carries many events, and each event still reaches D1 within a second.
 */
const DRAIN_DELAY_MS = 500;

export class Outbox {
  /** Whether this instance has set an alarm that has not run yet: spares a storage call per request. */
  private alarmSet = false;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly target: DrainTarget,
    private readonly alarm: Alarm,
  ) {}

  /** Queues a record under the sequence number of the event that produced it. */
  enqueue(record: StoredRecord): void {
    this.storage.sql.exec("INSERT INTO outbox (seq, body, queued_at) VALUES (?, ?, ?)", record.last_seq, JSON.stringify(record), Date.now());
  }

  /** How many records wait for D1, and since when the oldest has waited. */
  depth(): { pending: number; oldest_at: string | null } {
    const row = this.storage.sql.exec<{ n: number; oldest: number | null }>("SELECT count(*) AS n, min(queued_at) AS oldest FROM outbox").one();
    return { pending: row.n, oldest_at: row.oldest === null ? null : new Date(row.oldest).toISOString() };
  }

  /** How many accepted events are still waiting for D1. */
  pending(): number {
    return this.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
  }

  /** Makes sure a drain will run soon after an event was accepted. */
  async scheduleDrain(): Promise<void> {
    if (!this.alarmSet) await this.armAlarm(Date.now() + DRAIN_DELAY_MS);
  }

  /**
   * Writes the oldest batch to D1 and removes it; on failure keeps it and retries with backoff.
   * The alarm is shared with the outbound queue, so a drain it wakes before the retry is due waits.
   * False when D1 failed or the retry is not due yet.
   */
  async drain(): Promise<boolean> {
    this.alarmSet = false;
    const retryAt = this.meta("drain_retry_at");
    if (retryAt !== null && retryAt > Date.now()) {
      await this.armAlarm(retryAt);
      return false;
    }
    const batch = this.readBatch();
    if (batch.length === 0) return true;
    const lastSeq = batch[batch.length - 1]!.seq;
    try {
      await writeRecords(this.target, batch.map((row) => row.record));
    } catch (error) {
      const attempt = this.bumpFailures();
      console.error(`outbox drain failed (attempt ${attempt}): ${String(error)}`);
      const retryAt = Date.now() + backoffMs(attempt, MAX_BACKOFF_MS);
      this.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('drain_retry_at', ?)", retryAt);
      await this.armAlarm(retryAt);
      return false;
    }
    this.storage.sql.exec("DELETE FROM outbox WHERE seq <= ?", lastSeq);
    this.storage.sql.exec("DELETE FROM meta WHERE key IN ('drain_failures', 'drain_retry_at')");
    // Events that arrived during this drain wait like the first one did, so that under load each
    // D1 batch still carries many of them; a full batch waiting goes at once.
    const pending = this.pending();
    if (pending > 0) await this.armAlarm(Date.now() + (pending >= DRAIN_ROWS ? 0 : DRAIN_DELAY_MS));
    return true;
  }

  private async armAlarm(at: number): Promise<void> {
    this.alarmSet = true;
    await this.alarm.atLatest(at);
  }

  private meta(key: string): number | null {
    return this.storage.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  private bumpFailures(): number {
    return this.storage.sql
      .exec<{ value: number }>("INSERT INTO meta (key, value) VALUES ('drain_failures', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value")
      .one().value;
  }

  private readBatch(): { seq: number; record: StoredRecord }[] {
    const out: { seq: number; record: StoredRecord }[] = [];
    let bytes = 0;
    for (const row of this.storage.sql.exec<{ seq: number; body: string }>("SELECT seq, body FROM outbox ORDER BY seq LIMIT ?", DRAIN_ROWS)) {
      if (out.length > 0 && bytes + row.body.length > DRAIN_BYTES) break;
      bytes += row.body.length;
      out.push({ seq: row.seq, record: JSON.parse(row.body) as StoredRecord });
    }
    return out;
  }
}
