/**
 * @module
 * Credential checks shared by the vendor routes that carry a secret or a signature rather than
 * relying on the id in the URL. Every failure is the same 401 whether or not the id exists.
 */
import type { Context } from "hono";
import type { AppEnv, Env } from "../env";
import { ApiError } from "../http/errors";
import { INTEGRATION_ID, integrationObject, submit, type SubmitReply } from "../ingest/client";
import type { Credential, Vendor } from "../ingest/protocol";
import { anyHmacSha256HexMatches } from "../lib/crypto";

/** A 401 that names the credential, never whether the integration exists. */
export function unauthorized(detail: string, headers: Record<string, string> = {}): ApiError {
  return new ApiError(401, [{ field: null, detail }], headers);
}

/**
 * Verifies that one of `signatures` is the HMAC-SHA256 of the raw body under one of the
 * integration's signing keys (the current one, and the previous one during a secret roll's grace
 * period). Throws a 401 when the integration is unknown, revoked, of another vendor, or no
 * signature matches: all alike.
 */
export async function verifySignature(env: Env, id: string, vendor: Vendor, body: Uint8Array, signatures: readonly string[], header: string): Promise<void> {
  const keys = INTEGRATION_ID.test(id) ? await integrationObject(env, id).signingKeys(vendor) : [];
  // No key still costs one HMAC (with a stand-in key, as HMAC refuses an empty one), so the
  // timing does not tell an unknown id from a wrong signature.
  const results = await Promise.all((keys.length > 0 ? keys : ["no signing key"]).map((key) => anyHmacSha256HexMatches(key, body, signatures)));
  if (keys.length === 0 || !results.includes(true)) throw unauthorized(`${header} does not match this request`);
}

/** Returns the results of an accepted ingest request, or throws the 401 of a refused one. */
export function acceptedOrUnauthorized(reply: SubmitReply, detail: string, headers: Record<string, string> = {}) {
  if (!reply.ok) throw unauthorized(detail, headers);
  return reply.results;
}

/**
 * Reads a request's body with `read`; when the body is refused, asks the integration's object
 * whether the credential holds before answering, so that a caller who proved nothing gets the
 * route's 401 (`refused`), never a 400 that describes our schema. An accepted body costs no
 * extra call: its commands carry the credential to the object as they always do.
 */
export async function readBodyAuthenticated<T>(
  c: Context<AppEnv>,
  id: string,
  vendor: Vendor,
  credential: Credential,
  refused: () => ApiError,
  read: () => T | Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const reply = await submit(c, id, { vendor, credential, commands: [] });
    if (!reply.ok) throw refused();
    throw error;
  }
}
