/**
 * @module
 * How routes reach an integration's Durable Object.
 */
import type { Env } from "../env";
import type { IngestReply, IngestRequest } from "./protocol";

/** Integration ids are 128 random bits in UUID form. */
export const INTEGRATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The Durable Object of one integration. */
export function integrationObject(env: Env, id: string) {
  return env.INTEGRATION.get(env.INTEGRATION.idFromName(id));
}

/** Sends commands to an integration's object; an id that cannot exist is refused without a hop. */
export async function submit(env: Env, id: string, request: IngestRequest): Promise<IngestReply> {
  if (!INTEGRATION_ID.test(id)) return { ok: false, reason: "unknown_integration" };
  return (await integrationObject(env, id).ingest(request)) as IngestReply;
}
