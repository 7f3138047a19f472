/**
 * @module
 * Credential checks shared by the vendor routes that carry a secret or a signature rather than
 * relying on the id in the URL. Every failure is the same 401 whether or not the id exists.
 */
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../http/errors";
import { submit, verifyCredential, verifySigned, type SubmitReply } from "../ingest/client";
import type { Command, CommandResult, Credential, Vendor } from "../ingest/protocol";

/** A 401 that names the credential, never whether the integration exists. */
export function unauthorized(detail: string, headers: Record<string, string> = {}): ApiError {
  return new ApiError(401, [{ field: null, detail }], headers);
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
  credential: Exclude<Credential, { kind: "signature" }>,
  refused: () => ApiError,
  read: () => T | Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (!(await verifyCredential(c.env, id, vendor, credential))) throw refused();
    throw error;
  }
}

/** A signed delivery as a route judged its body: commands to apply, or a reply that stores nothing. */
export type Judged = { commands: Command[]; delivery_id: string | null; answer: (results: CommandResult[]) => Response } | { reply: Response };

/** What a signed route knows before it judges the body. */
export interface Signed {
  id: string;
  vendor: Vendor;
  body: Uint8Array;
  signatures: string[];
  /** The header the signatures came in, named by the 401. */
  header: string;
}

/**
 * Answers a signed delivery with one call to the object. A body with commands goes with its raw
 * bytes and signatures, verified there before anything is stored; any other body (refused,
 * ignored, a ping) is answered only once the signature is verified, so a caller without a valid
 * one gets the same 401 whatever the body holds.
 */
export async function answerSigned(c: Context<AppEnv>, signed: Signed, judge: () => Judged): Promise<Response> {
  const refused = () => unauthorized(`${signed.header} does not match this request`);
  let judged: Judged | { error: unknown };
  try {
    judged = judge();
  } catch (error) {
    judged = { error };
  }
  if ("commands" in judged) {
    const reply = await submit(c, signed.id, {
      vendor: signed.vendor,
      credential: { kind: "signature", body: signed.body, signatures: signed.signatures },
      delivery_id: judged.delivery_id,
      commands: judged.commands,
    });
    if (!reply.ok) throw refused();
    return judged.answer(reply.results);
  }
  if (!(await verifySigned(c.env, signed.id, signed.vendor, signed.body, signed.signatures))) throw refused();
  if ("error" in judged) throw judged.error;
  return judged.reply;
}
