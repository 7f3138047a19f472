/**
 * @module
 * How routes reach an integration's Durable Object: one call per delivery.
 */
import type { Context } from "hono";
import type { AppEnv, Env } from "../env";
import { ApiError } from "../http/errors";
import { bodyRead } from "../http/body";
import type { Credential, IngestReply, IngestRequest, OriginalDelivery } from "./protocol";
import { signedByAny } from "./signature";

/** Integration ids are 128 random bits in UUID form. */
export const INTEGRATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The Durable Object of one integration. */
export function integrationObject(env: Env, id: string) {
  return env.INTEGRATION.get(env.INTEGRATION.idFromName(id));
}

/**
 * The vendors' own headers a forward carries as received: event type, delivery id, signature
 * (valid upstream only when it shares the secret) and idempotency key. Credentials are not among
 * them: the forward presents the ones configured for it.
 */
const VENDOR_HEADERS = new Set([
  "x-github-event",
  "x-github-delivery",
  "x-github-hook-id",
  "x-github-hook-installation-target-id",
  "x-github-hook-installation-target-type",
  "x-hub-signature",
  "x-hub-signature-256",
  "x-gitlab-event",
  "x-gitlab-event-uuid",
  "x-gitlab-webhook-uuid",
  "x-gitlab-instance",
  "x-pagerduty-signature",
  "x-webhook-id",
  "x-webhook-subscription",
  "idempotency-key",
  "user-agent",
]);

/** The delivery as it came, when the route read its body: what a forward sends on. */
function originalOf(request: Request, id: string): OriginalDelivery | undefined {
  const body = bodyRead(request);
  if (body === null) return undefined;
  // One pass over the few headers a request has, rather than a lookup per name we keep.
  const headers: [string, string][] = [];
  for (const [name, value] of request.headers) if (VENDOR_HEADERS.has(name)) headers.push([name, value]);
  const url = new URL(request.url);
  const at = url.pathname.indexOf(`/${id}`);
  return {
    body,
    content_type: request.headers.get("content-type"),
    headers,
    suffix: at < 0 ? "" : url.pathname.slice(at + id.length + 1),
    origin: url.origin,
  };
}

/** A refused or accepted request; a rate-limited one has already become a 429. */
export type SubmitReply = Exclude<IngestReply, { reason: "rate_limited" }>;

/**
 * Sends a delivery's commands to its integration's object; an id that cannot exist is refused
 * without a hop (a signed one after the same HMAC work as any other). A request over the
 * integration's rate limit throws a 429 with `Retry-After`, in the route's error shape.
 */
export async function submit(c: Context<AppEnv>, id: string, request: IngestRequest): Promise<SubmitReply> {
  if (!INTEGRATION_ID.test(id)) {
    if (request.credential.kind === "signature") await signedByAny([], request.credential.body, request.credential.signatures);
    return { ok: false, reason: "unknown_integration" };
  }
  const original = request.commands.length > 0 ? originalOf(c.req.raw, id) : undefined;
  const reply = (await integrationObject(c.env, id).ingest(original ? { ...request, original } : request)) as IngestReply;
  if (reply.ok || reply.reason !== "rate_limited") return reply;
  const wait = String(reply.retry_after_seconds);
  throw new ApiError(429, [{ field: null, detail: `rate limit exceeded for this integration; retry after ${wait} s` }], { "retry-after": wait });
}

/** Whether `signatures` sign `body` for the live integration `id` of `vendor`: one call, storing nothing. */
export async function verifySigned(env: Env, id: string, vendor: IngestRequest["vendor"], body: Uint8Array, signatures: string[]): Promise<boolean> {
  if (!INTEGRATION_ID.test(id)) return signedByAny([], body, signatures);
  return integrationObject(env, id).verifySignature(vendor, body, signatures);
}

/** Whether a secret (or the id alone) admits a request to the live integration `id` of `vendor`: one call, storing nothing, spending no rate-limit token. */
export async function verifyCredential(env: Env, id: string, vendor: IngestRequest["vendor"], credential: Exclude<Credential, { kind: "signature" }>): Promise<boolean> {
  if (!INTEGRATION_ID.test(id)) return false;
  return integrationObject(env, id).verifyCredential(vendor, credential);
}
