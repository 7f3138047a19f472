/**
 * @module
 * Keeps a vendor route's rejection in its integration's delivery ledger: one small call to the
 * object, on the rejection path only. An id that is not well formed is never looked up, and the
 * object keeps nothing for an integration that does not exist. No header is kept, so no
 * credential; the body only as its first bytes.
 */
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { bodyRead } from "../http/body";
import { INTEGRATION_ID, integrationObject } from "../ingest/client";
import { BODY_EXCERPT_BYTES, type RejectionReason } from "../ingest/delivery-log";

const REASONS: Partial<Record<number, RejectionReason>> = { 400: "validation", 401: "auth", 413: "size", 429: "rate_limit" };

const text = new TextDecoder();

/** Keeps a rejection of a vendor route (the admin and read API under `/api/v1/` are not deliveries). */
export async function keepRejection(c: Context<AppEnv>, status: number, reply: unknown): Promise<void> {
  const reason = REASONS[status];
  if (!reason || new URL(c.req.url).pathname.startsWith("/api/v1/")) return;
  const id = c.get("integrationId") ?? c.req.param("id");
  if (!id || !INTEGRATION_ID.test(id)) return;
  const bytes = bodyRead(c.req.raw);
  const body = bytes === null ? null : text.decode(bytes.subarray(0, BODY_EXCERPT_BYTES));
  try {
    await integrationObject(c.env, id).recordRejection({ reason, status, reply, body });
  } catch (error) {
    // The client's answer does not depend on the ledger.
    console.error(`could not keep a rejection: ${String(error)}`);
  }
}
