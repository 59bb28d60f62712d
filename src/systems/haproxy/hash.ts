/**
 * HAProxy 2.6's hash functions for load balancing, in u32 arithmetic: the four functions
 * `hash-type ... <function>` names (src/hash.c) and the avalanche step `full_hash`
 * (include/haproxy/intops.h `__full_hash`, Bob Jenkins' 6-shift integer hash times 3221225473).
 *
 * They are HAProxy's own and short (a few integer operations per byte over 4 or 16 address
 * bytes), so they live here in TypeScript rather than in the Wasm engine: a Wasm call would
 * cost more than the hash.
 *
 * @example
 * import { fullHash, hashFunction } from "./hash.js";
 * fullHash(0x7f010203);                                   // avalanche of 127.1.2.3
 * hashFunction("crc32")(new Uint8Array([127, 1, 2, 3]), 4); // zlib's crc32 of the 4 bytes
 */

/** The hash functions `hash-type consistent|map-based <function>` accepts (src/cfgparse-listen.c). */
export type HaproxyHashFunction = "sdbm" | "djb2" | "wt6" | "crc32";

export const HASH_FUNCTIONS: readonly HaproxyHashFunction[] = ["sdbm", "djb2", "wt6", "crc32"];

/** A hash over the first `len` bytes of `key`, as an unsigned 32-bit number. */
export type ByteHash = (key: Uint8Array, len: number) => number;

/**
 * Bob Jenkins' full-avalanche integer hash, then a multiply by 3221225473 (a prime near 3/4
 * of 2^32) so that keys spread over the whole tree (intops.h `__full_hash`). A bijection on
 * u32: node keys of distinct `puid * 4096 + j` never collide.
 */
export function fullHash(x: number): number {
  let a = x >>> 0;
  a = (a + 0x7ed55d16 + (a << 12)) >>> 0;
  a = (a ^ 0xc761c23c ^ (a >>> 19)) >>> 0;
  a = (a + 0x165667b1 + (a << 5)) >>> 0;
  a = ((a + 0xd3a2646c) ^ (a << 9)) >>> 0;
  a = (a + 0xfd7046c5 + (a << 3)) >>> 0;
  a = (a ^ 0xb55a4f09 ^ (a >>> 16)) >>> 0;
  return Math.imul(a, 3221225473) >>> 0;
}

/** sdbm (hash.c `hash_sdbm`): h = c + (h << 6) + (h << 16) - h per byte; HAProxy's default function. */
export function sdbm(key: Uint8Array, len: number): number {
  let h = 0;
  for (let i = 0; i < len; i++) h = (key[i]! + (h << 6) + (h << 16) - h) | 0;
  return h >>> 0;
}

/** djb2 (hash.c `hash_djb2`): h = h * 33 + c from 5381. */
export function djb2(key: Uint8Array, len: number): number {
  let h = 5381;
  for (let i = 0; i < len; i++) h = (Math.imul(h, 33) + key[i]!) | 0;
  return h >>> 0;
}

/** wt6 (hash.c `hash_wt6`): Willy Tarreau's two-lane rotate hash, rotations driven by the state. */
export function wt6(key: Uint8Array, len: number): number {
  let h0 = 0xa53c965a;
  let h1 = 0x5ca6953a;
  let step0 = 6;
  let step1 = 18;
  for (let i = 0; i < len; i++) {
    const c = key[i]!;
    h0 = ~(h0 ^ c) >>> 0;
    h1 = ~(h1 + c) >>> 0;
    // A rotation by 32 in C is (x << 32) | (x >> 0): undefined, in practice x on x86 either
    // way; JS shifts count mod 32, so `>>> (32 - 0)` is `>>> 0` and the result is x | x = x.
    const t = ((h1 << step0) | (h1 >>> (32 - step0))) >>> 0;
    h1 = ((h0 << step1) | (h0 >>> (32 - step1))) >>> 0;
    h0 = t;
    const u = ((h0 >>> 16) ^ h1) & 0xffff;
    step0 = u & 0x1f;
    step1 = u >>> 11;
  }
  return (h0 ^ h1) >>> 0;
}

/** The reflected CRC-32 (polynomial 0xEDB88320, init and final ~0: zlib's crc32), hash.c `hash_crc32`. */
export function crc32(key: Uint8Array, len: number): number {
  let h = ~0;
  for (let i = 0; i < len; i++) {
    h ^= key[i]!;
    for (let bit = 0; bit < 8; bit++) h = (h >>> 1) ^ (h & 1 ? 0xedb88320 : 0);
  }
  return ~h >>> 0;
}

const BY_NAME: Readonly<Record<HaproxyHashFunction, ByteHash>> = { sdbm, djb2, wt6, crc32 };

/** The function for a `hash-type` function name. */
export function hashFunction(name: HaproxyHashFunction): ByteHash {
  return BY_NAME[name];
}
