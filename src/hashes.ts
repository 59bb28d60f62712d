/**
 * Hash primitives, each byte-identical with its reference implementation and identical on
 * every engine. `data` is always a Uint8Array; bad arguments throw FlowpinError.
 *
 * @example
 * import { hashes } from "flowpin";
 * hashes.xxh32(new TextEncoder().encode("abc")); // 0x32d153ff
 */
import { active } from "./engine/state.js";
import { keySpan } from "./engine/engine.js";
import { flowpinError } from "./errors.js";
import * as v from "./validate.js";

/**
 * XXH32 (xxHash spec, 32-bit variant).
 * @example hashes.xxh32(new Uint8Array([0]), 0) // 0xcf65b03e
 */
export function xxh32(data: Uint8Array, seed = 0): number {
  v.bytes("data", data);
  v.u32("seed", seed);
  const e = active();
  return e.x.xxh32(e.put(data), data.length, seed) >>> 0;
}

/**
 * XXH64 (xxHash spec, 64-bit variant); Envoy's Maglev and hash policies use seed 0.
 * `seed` is a bigint or a safe non-negative integer.
 * @example hashes.xxh64(new TextEncoder().encode("abc")) // 0x44bc2cf5ad770999n
 */
export function xxh64(data: Uint8Array, seed: bigint | number = 0n): bigint {
  v.bytes("data", data);
  const s = v.u64("seed", seed);
  const e = active();
  e.x.xxh64(e.put(data), data.length, Number(s & 0xffffffffn), Number(s >> 32n));
  return e.outU64(0);
}

/**
 * MurmurHash3_x86_32 (smhasher MurmurHash3.cpp).
 * @example hashes.murmur3_32(new TextEncoder().encode("test"), 0x9747b28c) // 0x704b81dc
 */
export function murmur3_32(data: Uint8Array, seed = 0): number {
  v.bytes("data", data);
  v.u32("seed", seed);
  const e = active();
  return e.x.murmur3_32(e.put(data), data.length, seed) >>> 0;
}

/**
 * MurmurHash3_x64_128 (smhasher MurmurHash3.cpp; Cilium's Maglev permutation hash) with a
 * u32 seed. Returns [h1, h2], the two u64 words the C code writes to out[0] and out[1].
 * @example hashes.murmur3_128(new TextEncoder().encode("a")) // [0x85555565f6597889n, 0xe6b53a48510e895an]
 */
export function murmur3_128(data: Uint8Array, seed = 0): [bigint, bigint] {
  v.bytes("data", data);
  v.u32("seed", seed);
  const e = active();
  e.x.murmur3_128(e.put(data), data.length, seed);
  return [e.outU64(0), e.outU64(8)];
}

/**
 * Bob Jenkins' lookup3 `hashlittle`, equal to Linux `jhash(key, len, initval)` on
 * little-endian hosts (Katran folds IPv6 sources with it, initval 512).
 * @example hashes.jhash(new TextEncoder().encode("Four score and seven years ago")) // 0x17770551
 */
export function jhash(data: Uint8Array, initval = 0): number {
  v.bytes("data", data);
  v.u32("initval", initval);
  const e = active();
  return e.x.jhash(e.put(data), data.length, initval) >>> 0;
}

/**
 * Linux `jhash_2words(a, b, initval)` (lookup3 hashword over two words); Katran's flow hash.
 * @example hashes.jhash2words(0xbb950942, 0x0000ea0a, 512 * 65537) // 0x3b419b0e
 */
export function jhash2words(a: number, b: number, initval: number): number {
  v.u32("a", a);
  v.u32("b", b);
  v.u32("initval", initval);
  return active().x.jhash2words(a, b, initval) >>> 0;
}

/**
 * Linux `jhash_3words(a, b, c, initval)` (lookup3 hashword over three words); Cilium's flow hash.
 * @example hashes.jhash3words(0xbb950942, 0xea0ae606, 6, 0x71dcda46) // 0x30bffa57
 */
export function jhash3words(a: number, b: number, c: number, initval: number): number {
  v.u32("a", a);
  v.u32("b", b);
  v.u32("c", c);
  v.u32("initval", initval);
  return active().x.jhash3words(a, b, c, initval) >>> 0;
}

/**
 * SipHash-2-4 (Aumasson & Bernstein 2012): 16-byte key, the 8-byte tag read little-endian.
 * glb-director's table and flow hash; Linux skb->hash.
 * @example hashes.siphash24(new Uint8Array(0), Uint8Array.from({ length: 16 }, (_, i) => i)) // 0x726fdb47dd0e0e31n
 */
export function siphash24(data: Uint8Array, key: Uint8Array): bigint {
  v.bytes("data", data);
  v.key("key", key, 16);
  const e = active();
  const k = e.putKeyed(key, data);
  e.x.siphash24(k + keySpan(16), data.length, k);
  return e.outU64(0);
}

/**
 * SipHash-1-3: 16-byte key, the 8-byte tag read little-endian. Linux `hsiphash` on 64-bit
 * kernels is its low 32 bits (IPVS mh).
 * @example hashes.siphash13(new Uint8Array(0), Uint8Array.from({ length: 16 }, (_, i) => i)) // 0xabac0158050fc4dcn
 */
export function siphash13(data: Uint8Array, key: Uint8Array): bigint {
  v.bytes("data", data);
  v.key("key", key, 16);
  const e = active();
  const k = e.putKeyed(key, data);
  e.x.siphash13(k + keySpan(16), data.length, k);
  return e.outU64(0);
}

/**
 * HalfSipHash-2-4 with a 32-bit tag: 8-byte key (k0 = bytes 0-3, k1 = bytes 4-7, little-endian).
 * @example hashes.halfsiphash24(new Uint8Array(0), Uint8Array.from({ length: 8 }, (_, i) => i)) // 0x5b9f35a9
 */
export function halfsiphash24(data: Uint8Array, key: Uint8Array): number {
  v.bytes("data", data);
  v.key("key", key, 8);
  const e = active();
  const k = e.putKeyed(key, data);
  return e.x.halfsiphash24(k + keySpan(8), data.length, k) >>> 0;
}

/**
 * HalfSipHash-1-3 with a 32-bit tag: 8-byte key. flowpin's default flow hash; Linux
 * `hsiphash` on 32-bit kernels.
 * @example hashes.halfsiphash13(new Uint8Array(0), Uint8Array.from({ length: 8 }, (_, i) => i)) // 0x5814c896
 */
export function halfsiphash13(data: Uint8Array, key: Uint8Array): number {
  v.bytes("data", data);
  v.key("key", key, 8);
  const e = active();
  const k = e.putKeyed(key, data);
  return e.x.halfsiphash13(k + keySpan(8), data.length, k) >>> 0;
}

/**
 * Toeplitz hash as NICs compute it for RSS (Microsoft NdisHashFunctionToeplitz). The key
 * needs at least `data.length + 4` bytes (the usual 40-byte RSS key covers 36-byte IPv6
 * 4-tuples); longer keys are fine, their extra bytes are unused.
 * @example
 * // msKey: Microsoft's 40-byte default RSS key, 6d 5a 56 da 25 5b 0e c2 ... be ac 01 fa
 * // input: 66.9.149.187 -> 161.142.100.80, source address first
 * hashes.toeplitz(Uint8Array.of(66, 9, 149, 187, 161, 142, 100, 80), msKey) // 0x323e8fc2
 */
export function toeplitz(data: Uint8Array, key: Uint8Array): number {
  v.bytes("data", data);
  v.bytes("key", key);
  if (key.length < data.length + 4) {
    throw flowpinError(
      "INVALID_KEY",
      `key must be at least data.length + 4 = ${data.length + 4} bytes for ${data.length} bytes of data, got ${key.length}`,
    );
  }
  const e = active();
  const k = e.putKeyed(key, data);
  return e.x.toeplitz(k + keySpan(key.length), data.length, k) >>> 0;
}
