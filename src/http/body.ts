/**
 * @module
 * Reading request bodies: size-capped raw bytes, and JSON parsed with the position of any error.
 */
import { ApiError } from "./errors";
import { describeOffset, jsonErrorOffset, nestingOffset } from "./json-error";

/** The largest body any route accepts. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** The deepest nesting of objects and arrays any route accepts; no vendor payload comes near. */
export const MAX_JSON_DEPTH = 64;

/** The bytes each request's body gave, so that a rejection can show how it began. */
const bodies = new WeakMap<Request, Uint8Array>();

/** What `readRawBody` read of this request's body; null when it read none (or refused it for its size). */
export function bodyRead(request: Request): Uint8Array | null {
  return bodies.get(request) ?? null;
}

const tooLarge = () => ApiError.of(413, `request body is larger than ${MAX_BODY_BYTES} bytes`);

/** Reads the raw body, refusing more than `MAX_BODY_BYTES` without buffering past the limit. */
export async function readRawBody(request: Request): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (!request.body) return remember(request, new Uint8Array());
  // HTTP framing ends a body at its declared length, so it can be read in one call; only a
  // streamed body of unknown length needs reading chunk by chunk against the limit.
  if (Number.isSafeInteger(declared) && declared >= 0) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge();
    return remember(request, bytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return remember(request, out);
}

function remember(request: Request, bytes: Uint8Array): Uint8Array {
  bodies.set(request, bytes);
  return bytes;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Parses JSON from raw bytes whatever the content type said; a syntax error is a 400 that says
 * where, by position, line and column.
 */
export function parseJsonBody(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw ApiError.of(400, "request body is not valid UTF-8");
  }
  if (text.trim() === "") throw ApiError.of(400, "malformed JSON: the request body is empty");
  const tooDeep = nestingOffset(text, MAX_JSON_DEPTH);
  if (tooDeep >= 0) throw ApiError.of(400, `JSON nests deeper than ${MAX_JSON_DEPTH} levels at ${describeOffset(text, tooDeep)}`);
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const offset = message.includes("position") ? -1 : jsonErrorOffset(text);
    throw ApiError.of(400, `malformed JSON: ${message}${offset >= 0 ? ` at ${describeOffset(text, offset)}` : ""}`);
  }
}

/** Reads and parses a JSON body in one step. */
export async function readJsonBody(request: Request): Promise<unknown> {
  return parseJsonBody(await readRawBody(request));
}
