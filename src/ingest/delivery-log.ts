/**
 * @module
 * An integration's delivery ledger, kept in its Durable Object for the dashboard: counts by
 * outcome, when the last delivery came, and the latest rejections with what we answered. It
 * never holds a credential: no headers are kept, and bodies only as a short excerpt.
 */
import type { LaneReport } from "./outbound";
import type { CommandResult } from "./protocol";

/** How many rejections are kept, newest first. */
const KEPT_REJECTIONS = 100;
/** How much of a rejected body is kept, in bytes of UTF-8. */
export const BODY_EXCERPT_BYTES = 2048;

export const REJECTION_REASONS = ["auth", "validation", "rate_limit", "size"] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** A rejection as the route answered it. */
export interface Rejection {
  reason: RejectionReason;
  status: number;
  /** The JSON error body we answered. */
  reply: unknown;
  /** The start of the body as text, or null when none was read. */
  body: string | null;
}

const COUNTS = ["accepted", "duplicate", "updated", "rejected_auth", "rejected_validation", "rejected_rate_limit", "rejected_size"] as const;
type CountName = (typeof COUNTS)[number];

export interface DeliveryReport {
  last_delivery_at: string | null;
  counts: Record<CountName, number>;
  /** Newest first. */
  rejected: (Rejection & { at: string })[];
}

/** The ledger with the outbox's depth and the outbound queue's lanes, as the dashboard reads it. */
export type DeliveryLedger = DeliveryReport & { outbox: { pending: number; oldest_at: string | null }; forwarding: LaneReport; pushes: LaneReport };

/** The name under which the last delivery's time (epoch ms) is kept beside the counts. */
const LAST_AT = "last_at";

/** The count an accepted command's result adds to. */
function countOf(result: CommandResult): CountName | null {
  if (result.result === "created") return "accepted";
  if (result.result === "updated" || result.result === "stale") return "updated";
  if (result.result === "duplicate") return "duplicate";
  return null;
}

export class DeliveryLog {
  constructor(private readonly sql: SqlStorage) {}

  /** Counts a delivery's results, in one statement of the caller's transaction. */
  accepted(results: CommandResult[], at: number): void {
    const add = new Map<string, number>([[LAST_AT, at]]);
    for (const result of results) {
      const name = countOf(result);
      if (name) add.set(name, (add.get(name) ?? 0) + 1);
    }
    this.add(add);
  }

  /** Keeps a rejection, dropping the oldest beyond the kept number. */
  rejected(rejection: Rejection, at: number): void {
    this.add(new Map([[LAST_AT, at], [`rejected_${rejection.reason}`, 1]]));
    this.sql.exec(
      "INSERT INTO rejections (at, reason, status, reply, body) VALUES (?, ?, ?, ?, ?)",
      at,
      rejection.reason,
      rejection.status,
      JSON.stringify(rejection.reply),
      rejection.body,
    );
    this.sql.exec("DELETE FROM rejections WHERE id <= (SELECT max(id) FROM rejections) - ?", KEPT_REJECTIONS);
  }

  report(): DeliveryReport {
    const counts = Object.fromEntries(COUNTS.map((name) => [name, 0])) as Record<CountName, number>;
    let lastAt: number | null = null;
    for (const row of this.sql.exec<{ name: string; n: number }>("SELECT name, n FROM delivery_counts")) {
      if (row.name === LAST_AT) lastAt = row.n;
      else if ((COUNTS as readonly string[]).includes(row.name)) counts[row.name as CountName] = row.n;
    }
    const rejected = this.sql
      .exec<{ at: number; reason: RejectionReason; status: number; reply: string; body: string | null }>(
        "SELECT at, reason, status, reply, body FROM rejections ORDER BY id DESC LIMIT ?",
        KEPT_REJECTIONS,
      )
      .toArray()
      .map((row) => ({ at: new Date(row.at).toISOString(), reason: row.reason, status: row.status, reply: JSON.parse(row.reply) as unknown, body: row.body }));
    return { last_delivery_at: lastAt === null ? null : new Date(lastAt).toISOString(), counts, rejected };
  }

  private add(amounts: Map<string, number>): void {
    const rows = [...amounts];
    this.sql.exec(
      `INSERT INTO delivery_counts (name, n) VALUES ${rows.map(() => "(?, ?)").join(", ")}
       ON CONFLICT(name) DO UPDATE SET n = CASE name WHEN '${LAST_AT}' THEN max(n, excluded.n) ELSE n + excluded.n END`,
      ...rows.flat(),
    );
  }
}
