/**
 * @module
 * The key a Harness SEI custom CI/CD call presents: `Authorization: ApiKey <key>`, as Harness's
 * current documentation and its published Jenkins stage send it (the scheme in any case), or
 * `Authorization: Bearer <key>`, as its older documentation shows.
 */

const SCHEME = /^(?:Bearer|ApiKey)\s+(\S+)\s*$/i;

/** The presented key, or null when the request carries none in either scheme. */
export function seiApiKey(request: Request): string | null {
  const header = request.headers.get("authorization");
  return header ? (SCHEME.exec(header)?.[1] ?? null) : null;
}
