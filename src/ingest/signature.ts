/**
 * @module
 * The check of a signed delivery: an HMAC-SHA256 of its raw bytes under one of the integration's
 * keys, timed alike whether or not the integration has any key.
 */
import { anyHmacSha256HexMatches } from "../lib/crypto";

/** Whether one of `signatures` is the HMAC of `body` under one of `keys`; false for no keys, after the same work. */
export async function signedByAny(keys: readonly string[], body: Uint8Array, signatures: readonly string[]): Promise<boolean> {
  // No key still costs one HMAC (with a stand-in key, as HMAC refuses an empty one), so the
  // timing does not tell an unknown id from a wrong signature.
  const results = await Promise.all((keys.length > 0 ? keys : ["no signing key"]).map((key) => anyHmacSha256HexMatches(key, body, signatures)));
  return keys.length > 0 && results.includes(true);
}
