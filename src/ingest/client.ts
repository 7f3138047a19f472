/**
 * @module
 * How routes reach an integration's Durable Object.
 */
import type { Context } from "hono";
import type { AppEnv, Env } from "../env";
import { ApiError } from "../http/errors";
import { Batcher } from "./batcher";
import { environmentAliases } from "./environment-aliases";
import type { BatchReply, IngestReply, IngestRequest } from "./protocol";

/** Integration ids are 128 random bits in UUID form. */
export const INTEGRATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Concurrent requests to one integration share a call to its object: each call costs the runtime
 * far more than the requests it carries (README, Performance), and is one billed request to the
 * object. A call unanswered after 30 s counts as lost: its requests answer 503 (a retry is
 * deduplicated), and the lane goes on.
 */
const batcher = new Batcher<IngestRequest, BatchReply>({ maxBatch: 8, stallMs: 30_000, handoverMs: 100 });

/**
 * Bodies larger than this, or of undeclared length, go in a call of their own: an event can carry
 * more than its body (an adapter may repeat a field into every commit), and a call that fails for
 * its size would fail every request it carries. Webhook deliveries are mostly far smaller.
 */
const SHARED_MAX_BODY_BYTES = 64 * 1024;

/**
 * Whether a request may wait for a reply that another request's call brings: the runtime then
 * resumes it in its own context. On at our compatibility date; `@cloudflare/vitest-plugin` turns it
 * off for its tests, where each request then makes its own call.
 */
const SHARED_CALLS = Cloudflare.compatibilityFlags["handle_cross_request_promise_resolution"] === true;

/** The Durable Object of one integration. */
export function integrationObject(env: Env, id: string) {
  return env.INTEGRATION.get(env.INTEGRATION.idFromName(id));
}

/** A refused or accepted request; a rate-limited one has already become a 429. */
export type SubmitReply = Exclude<IngestReply, { reason: "rate_limited" }>;

/**
 * Sends commands to an integration's object, in one call with whatever else this isolate has for
 * it at the time; an id that cannot exist is refused without a hop, and nothing is sent while
 * `ENVIRONMENT_ALIASES` is malformed (503). A request over the
 * integration's rate limit throws a 429 with `Retry-After`, in the route's error shape.
 */
export async function submit(c: Context<AppEnv>, id: string, request: IngestRequest): Promise<SubmitReply> {
  environmentAliases(c.env);
  if (!INTEGRATION_ID.test(id)) return { ok: false, reason: "unknown_integration" };
  const call = (requests: IngestRequest[]) => integrationObject(c.env, id).ingestBatch(requests) as Promise<BatchReply[]>;
  const shared = SHARED_CALLS && Number(c.req.header("content-length") ?? Infinity) <= SHARED_MAX_BODY_BYTES;
  const reply = shared ? await batcher.submit(id, request, call, (p) => c.executionCtx.waitUntil(p)) : (await call([request]))[0]!;
  if (reply.ok) return reply;
  if (reply.reason === "failed") throw new Error(`the integration's object failed: ${reply.error}`);
  if (reply.reason === "rate_limited") {
    const wait = String(reply.retry_after_seconds);
    throw new ApiError(429, [{ field: null, detail: `rate limit exceeded for this integration; retry after ${wait} s` }], { "retry-after": wait });
  }
  return reply;
}
