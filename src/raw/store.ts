/**
 * @module
 * Original payloads in R2: many payloads gzipped one by one and packed into one object (one PUT
 * per drain batch), each read back alone with a range request.
 */
import { gzipMember } from "./gzip";

/** Where one payload lies in its object. */
export interface PayloadRef {
  objectKey: string;
  offset: number;
  length: number;
}

/** Object keys start with the day of their newest payload, so retention can stop listing early. */
export const RAW_PREFIX = "raw/";

/**
 * The key of an object whose newest payload was received at `newestReceivedAt`: retention deletes
 * the object only once that payload is old enough. `source` and `name` make it unique and
 * deterministic, so a retried write replaces the same object.
 */
export function objectKey(newestReceivedAt: string, source: string, name: string): string {
  return `${RAW_PREFIX}${newestReceivedAt.slice(0, 10)}/${source}/${name}.gz`;
}

/** Writes `bodies` (JSON texts) as one object; the references come back in the same order. */
export async function putPayloads(bucket: R2Bucket, key: string, bodies: readonly string[]): Promise<PayloadRef[]> {
  const members = await Promise.all(bodies.map(gzipMember));
  const packed = new Uint8Array(members.reduce((n, m) => n + m.length, 0));
  const refs: PayloadRef[] = [];
  let offset = 0;
  for (const member of members) {
    packed.set(member, offset);
    refs.push({ objectKey: key, offset, length: member.length });
    offset += member.length;
  }
  await bucket.put(key, packed, { httpMetadata: { contentType: "application/gzip" } });
  return refs;
}

/** One payload, parsed; null when its object is gone (retention deleted it). */
export async function readPayload(bucket: R2Bucket, ref: PayloadRef): Promise<unknown> {
  const object = await bucket.get(ref.objectKey, { range: { offset: ref.offset, length: ref.length } });
  if (!object) return null;
  const text = await new Response(object.body.pipeThrough(new DecompressionStream("gzip"))).text();
  return JSON.parse(text) as unknown;
}
