/**
 * @module
 * Ids, secrets, hashes and constant-time comparison on Web Crypto.
 */

const encoder = new TextEncoder();

function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = "";
  for (const b of view) out += b.toString(16).padStart(2, "0");
  return out;
}

/** 128 random bits as 32 hex characters: the secrets and tokens we issue. */
export function randomSecret(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)));
}

function uuidForm(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * 128 random bits in UUID form (no version bits: every bit is random).
 * @example randomId() // "9f1c0e2a-5b7d-4c3e-8a1f-0d2e3c4b5a69"
 */
export function randomId(): string {
  return uuidForm(randomSecret());
}

/**
 * A UUID version 7 (RFC 9562): the time in milliseconds, then 74 random bits. Ids made in a later
 * millisecond sort later, so the rows and index entries keyed by them are appended rather than
 * scattered: a drained batch then dirties a few pages of each such index instead of one page per row.
 * @example timeOrderedId(Date.UTC(2026, 10, 22)) // "01a2008d-7400-7…"
 */
export function timeOrderedId(now: number = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  for (let i = 5, t = now; i >= 0; i--, t = Math.floor(t / 256)) bytes[i] = t % 256;
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return uuidForm(toHex(bytes));
}

/** SHA-256 of a string, hex encoded: how secrets are stored. */
export async function sha256Hex(value: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", encoder.encode(value)));
}

/** HMAC-SHA256 of raw bytes with a string key, hex encoded. */
export async function hmacSha256Hex(key: string, data: ArrayBuffer | Uint8Array): Promise<string> {
  const k = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toHex(await crypto.subtle.sign("HMAC", k, data));
}

/**
 * Compares two strings in time independent of where they differ. Both sides are hashed first
 * so that inputs of different lengths compare in constant time too.
 */
export async function timingSafeEqualString(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}

/** Constant-time equality of two hex digests of the same algorithm. */
export function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return crypto.subtle.timingSafeEqual(encoder.encode(a), encoder.encode(b));
}

/**
 * Whether any of the candidate hex signatures is the HMAC-SHA256 of `data` under `key`. Each
 * candidate is compared in constant time; all of them are compared, so the time does not tell
 * which one matched.
 */
export async function anyHmacSha256HexMatches(key: string, data: Uint8Array, candidates: readonly string[]): Promise<boolean> {
  const expected = await hmacSha256Hex(key, data);
  let matched = false;
  for (const candidate of candidates) matched = timingSafeEqualHex(candidate.toLowerCase(), expected) || matched;
  return matched;
}
