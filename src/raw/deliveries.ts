/**
 * @module
 * The original payloads behind one record, as `GET /deployments/:id` and `/incidents/:id` show them:
 * the latest delivery's body as `raw`, and the earlier ones newest first.
 */
import { desc, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { rawObjects, rawPayloads } from "../db/schema";
import { readPayload } from "./store";

/** Earlier deliveries shown at most; a record updated more often than this shows its newest ones. */
export const EARLIER_SHOWN = 20;

export interface Deliveries {
  /** The latest delivery's body; null once retention deleted it. */
  raw: unknown;
  /** Earlier deliveries that built the record, newest first. */
  earlier_raw: { seq: number; received_at: string; raw: unknown }[];
}

/**
 * Reads a record's payloads from R2. `legacyRaw` is the record's `raw` column: a row written before
 * payloads moved to R2 and not migrated yet still holds its payload there.
 */
export async function deliveriesOf(db: Database, bucket: R2Bucket, recordId: string, legacyRaw: string): Promise<Deliveries> {
  const refs = await db
    .select({ seq: rawPayloads.seq, receivedAt: rawPayloads.receivedAt, objectKey: rawObjects.key, offset: rawPayloads.offset, length: rawPayloads.length })
    .from(rawPayloads)
    .innerJoin(rawObjects, eq(rawObjects.id, rawPayloads.objectId))
    .where(eq(rawPayloads.recordId, recordId))
    .orderBy(desc(rawPayloads.seq))
    .limit(EARLIER_SHOWN + 1);
  if (refs.length === 0) return { raw: legacyRaw === "" ? null : (JSON.parse(legacyRaw) as unknown), earlier_raw: [] };
  const bodies = await Promise.all(refs.map((ref) => readPayload(bucket, ref)));
  return {
    raw: bodies[0],
    earlier_raw: refs.slice(1).map((ref, i) => ({ seq: ref.seq, received_at: ref.receivedAt, raw: bodies[i + 1] })),
  };
}
