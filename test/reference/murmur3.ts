// Slow reference MurmurHash3, written from the semantics of smhasher's MurmurHash3.cpp
// (MurmurHash3_x86_32 and MurmurHash3_x64_128; little-endian block reads). BigInt throughout:
// an oracle for differential tests, never shipped.

const M32 = 0xffffffffn;
const M64 = 0xffffffffffffffffn;

const rotl = (x: bigint, r: bigint, bits: bigint, mask: bigint): bigint => ((x << r) | (x >> (bits - r))) & mask;

/** Little-endian integer of the bytes data[from, to). */
function le(data: Uint8Array, from: number, to: number): bigint {
  let x = 0n;
  for (let i = to - 1; i >= from; i--) x = (x << 8n) | BigInt(data[i]!);
  return x;
}

function fmix32(h: bigint): bigint {
  h ^= h >> 16n;
  h = (h * 0x85ebca6bn) & M32;
  h ^= h >> 13n;
  h = (h * 0xc2b2ae35n) & M32;
  return h ^ (h >> 16n);
}

function fmix64(k: bigint): bigint {
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & M64;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & M64;
  return k ^ (k >> 33n);
}

/** MurmurHash3_x86_32(data, seed). */
export function refMurmur3_32(data: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51n;
  const c2 = 0x1b873593n;
  const mixK = (k: bigint): bigint => (rotl((k * c1) & M32, 15n, 32n, M32) * c2) & M32;
  const n = data.length;
  const blocks = Math.floor(n / 4);
  let h = BigInt(seed);
  for (let i = 0; i < blocks; i++) {
    h ^= mixK(le(data, 4 * i, 4 * i + 4));
    h = (rotl(h, 13n, 32n, M32) * 5n + 0xe6546b64n) & M32;
  }
  // The tail (1..3 bytes) is mixed into h only if present.
  if (n % 4 !== 0) h ^= mixK(le(data, 4 * blocks, n));
  return Number(fmix32(h ^ BigInt(n)));
}

/** MurmurHash3_x64_128(data, seed) as [out[0], out[1]]. */
export function refMurmur3_128(data: Uint8Array, seed: number): [bigint, bigint] {
  const c1 = 0x87c37b91114253d5n;
  const c2 = 0x4cf5ad432745937fn;
  const mix1 = (k: bigint): bigint => (rotl((k * c1) & M64, 31n, 64n, M64) * c2) & M64;
  const mix2 = (k: bigint): bigint => (rotl((k * c2) & M64, 33n, 64n, M64) * c1) & M64;
  const n = data.length;
  const blocks = Math.floor(n / 16);
  let h1 = BigInt(seed);
  let h2 = BigInt(seed);
  for (let i = 0; i < blocks; i++) {
    h1 ^= mix1(le(data, 16 * i, 16 * i + 8));
    h1 = rotl(h1, 27n, 64n, M64);
    h1 = (h1 + h2) & M64;
    h1 = (h1 * 5n + 0x52dce729n) & M64;
    h2 ^= mix2(le(data, 16 * i + 8, 16 * i + 16));
    h2 = rotl(h2, 31n, 64n, M64);
    h2 = (h2 + h1) & M64;
    h2 = (h2 * 5n + 0x38495ab5n) & M64;
  }
  // Tail: bytes 8..14 form k2 (only when more than 8 remain), bytes 0..7 form k1.
  const t = 16 * blocks;
  const rem = n - t;
  if (rem > 8) h2 ^= mix2(le(data, t + 8, n));
  if (rem > 0) h1 ^= mix1(le(data, t, Math.min(n, t + 8)));
  h1 ^= BigInt(n);
  h2 ^= BigInt(n);
  h1 = (h1 + h2) & M64;
  h2 = (h2 + h1) & M64;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = (h1 + h2) & M64;
  h2 = (h2 + h1) & M64;
  return [h1, h2];
}
