/**
 * @module
 * One payload as one gzip member. A small payload is written as a stored (uncompressed) member,
 * framed here without zlib: compressing a few hundred bytes saves about as many, and a zlib stream
 * per payload was the costliest step of a drain. Either kind is valid gzip to any reader.
 */

/** Payloads from this many bytes of UTF-8 are compressed; smaller ones are stored. */
const COMPRESS_FROM_BYTES = 1024;

const encoder = new TextEncoder();

/** The CRC-32 (IEEE) lookup table, one entry per byte value. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A gzip member holding `data` in one stored deflate block (RFC 1951 3.2.4, RFC 1952): a 10-byte
 * header, the block's 5-byte header, the bytes, then CRC-32 and length.
 */
function storedMember(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(10 + 5 + data.length + 8);
  const view = new DataView(out.buffer);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  out[10] = 1; // final block, stored
  view.setUint16(11, data.length, true);
  view.setUint16(13, ~data.length & 0xffff, true);
  out.set(data, 15);
  view.setUint32(15 + data.length, crc32(data), true);
  view.setUint32(19 + data.length, data.length, true);
  return out;
}

async function compressed(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** `text` as one gzip member: stored when shorter than `COMPRESS_FROM_BYTES`, else compressed. */
export async function gzipMember(text: string): Promise<Uint8Array> {
  const data = encoder.encode(text);
  return data.length < COMPRESS_FROM_BYTES ? storedMember(data) : compressed(data);
}
