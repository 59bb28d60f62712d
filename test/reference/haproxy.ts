// A deliberately plain reference for HAProxy 2.6's load-balancing hashes, written from their
// definitions (src/hash.c, include/haproxy/intops.h) in BigInt arithmetic modulo 2^32, with
// nothing shared with src/systems/haproxy/hash.ts. Slow on purpose; tests only.
const M = 0xffffffffn;
const u = (x: bigint): bigint => x & M;

/** Bob Jenkins' 6-shift integer hash, then × 3221225473. */
export function refFullHash(x: number): number {
  let a = BigInt(x >>> 0);
  a = u(a + 0x7ed55d16n + u(a << 12n));
  a = u(a ^ 0xc761c23cn ^ (a >> 19n));
  a = u(a + 0x165667b1n + u(a << 5n));
  a = u((a + 0xd3a2646cn) ^ u(a << 9n));
  a = u(a + 0xfd7046c5n + u(a << 3n));
  a = u(a ^ 0xb55a4f09n ^ (a >> 16n));
  return Number(u(a * 3221225473n));
}

/** sdbm: hash = c + (hash << 6) + (hash << 16) - hash. */
export function refSdbm(key: Uint8Array): number {
  let h = 0n;
  for (const c of key) h = u(BigInt(c) + (h << 6n) + (h << 16n) - h);
  return Number(h);
}

/** djb2: hash = hash * 33 + c, from 5381. */
export function refDjb2(key: Uint8Array): number {
  let h = 5381n;
  for (const c of key) h = u(h * 33n + BigInt(c));
  return Number(h);
}

const rotl = (x: bigint, n: bigint): bigint => (n === 0n ? x : u((x << n) | (x >> (32n - n))));

/** wt6: two lanes, complemented, rotated by amounts taken from the state. */
export function refWt6(key: Uint8Array): number {
  let h0 = 0xa53c965an;
  let h1 = 0x5ca6953an;
  let s0 = 6n;
  let s1 = 18n;
  for (const c of key) {
    h0 = u(~(h0 ^ BigInt(c)));
    h1 = u(~(h1 + BigInt(c)));
    const t = rotl(h1, s0);
    h1 = rotl(h0, s1);
    h0 = t;
    const v = ((h0 >> 16n) ^ h1) & 0xffffn;
    s0 = v & 0x1fn;
    s1 = v >> 11n;
  }
  return Number(h0 ^ h1);
}

/** CRC-32 by polynomial division over GF(2), reflected (0xEDB88320), init and final ~0. */
export function refCrc32(key: Uint8Array): number {
  let crc = M;
  for (const c of key) {
    crc ^= BigInt(c);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ 0xedb88320n : crc >> 1n;
  }
  return Number(u(~crc));
}
