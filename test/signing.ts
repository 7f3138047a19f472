/**
 * Helpers for the signed webhooks (GitHub, PagerDuty): the HMAC the vendor would send, and a
 * request whose raw bytes are exactly what was signed.
 */
import { SELF } from "cloudflare:test";
import { hmacSha256Hex } from "../src/lib/crypto";
import { BASE } from "./helpers";

const encoder = new TextEncoder();

/** The hex HMAC-SHA256 of a body under a key. */
export function hmacHex(key: string, body: string): Promise<string> {
  return hmacSha256Hex(key, encoder.encode(body));
}

/** Posts raw text with headers and parses the JSON reply. */
export async function postRaw(path: string, body: string, headers: Record<string, string>) {
  const res = await SELF.fetch(`${BASE}${path}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : null };
}
