/**
 * @module
 * The secret a DevLake webhook call presents: `Authorization: Bearer <secret>` (the API key
 * form), or Basic auth whose password is the secret (the `curl -u user:password` form of the
 * vendor's examples; the user name is ignored).
 */
import { bearerToken } from "../../http/auth";

function basicPassword(header: string): string | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return null;
  let decoded: string;
  try {
    decoded = atob(match[1]!);
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  return colon < 0 || colon === decoded.length - 1 ? null : decoded.slice(colon + 1);
}

/** The presented secret, or null when the request carries none. */
export function devlakeSecret(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (!header) return null;
  return bearerToken(request) ?? basicPassword(header);
}
