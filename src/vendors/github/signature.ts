/**
 * @module
 * GitHub's `X-Hub-Signature-256: sha256=<hex>` header.
 */

const PATTERN = /^sha256=([0-9a-fA-F]{64})$/;

/** The hex digests a GitHub signature header offers (none when it is absent or malformed). */
export function githubSignatures(header: string | null): string[] {
  const match = header ? PATTERN.exec(header.trim()) : null;
  return match ? [match[1]!] : [];
}
