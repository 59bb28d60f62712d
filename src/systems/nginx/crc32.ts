/**
 * CRC-32 as nginx computes it (src/core/ngx_crc32.h: ngx_crc32_init / ngx_crc32_update /
 * ngx_crc32_final, and ngx_crc32_long for a whole buffer): the reflected polynomial
 * 0xEDB88320, state started at 0xffffffff and inverted at the end, i.e. the CRC-32 of zlib,
 * PNG and Ethernet. nginx hashes the `hash` key with it and builds every ring point from it.
 *
 * The running state is kept apart from the final value because the ring points continue a
 * shared base state (host ‖ 0 ‖ port) with four more bytes each (ngx_http_upstream_init_chash).
 *
 * @example
 * import { crc32 } from "./crc32.js";
 * crc32(new TextEncoder().encode("123456789")); // 0xcbf43926
 */

/** The byte-at-a-time table for 0xEDB88320 (nginx's ngx_crc32_table256). */
const TABLE = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** ngx_crc32_init: the state before any byte. */
export const CRC32_INIT = 0xffffffff;

/** ngx_crc32_update over bytes[start, end): returns the new running state (not finalized). */
export function crc32Update(state: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = state;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

/** ngx_crc32_update with one byte. */
export function crc32Byte(state: number, byte: number): number {
  return (TABLE[(state ^ byte) & 0xff]! ^ (state >>> 8)) >>> 0;
}

/** ngx_crc32_final: the CRC of everything given so far. */
export function crc32Final(state: number): number {
  return (state ^ 0xffffffff) >>> 0;
}

/** ngx_crc32_long: CRC-32 of bytes[start, end) as an unsigned 32-bit number. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32Final(crc32Update(CRC32_INIT, bytes, start, end));
}
