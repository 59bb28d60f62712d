// Slow reference XXH64 (and XXH32), written from the xxHash specification
// (doc/xxhash_spec.md, "XXH64 algorithm description" and "XXH32 algorithm description").
// BigInt throughout and no shortcuts: an oracle for differential tests, never shipped.

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;

// Spec: "PRIME64_1 .. PRIME64_5".
const Q1 = 11400714785074694791n;
const Q2 = 14029467366897019727n;
const Q3 = 1609587929392839161n;
const Q4 = 9650029242287828579n;
const Q5 = 2870177450012600261n;
// Spec: "PRIME32_1 .. PRIME32_5".
const R1 = 2654435761n;
const R2 = 2246822519n;
const R3 = 3266489917n;
const R4 = 668265263n;
const R5 = 374761393n;

function rotl(x: bigint, r: bigint, bits: bigint, mask: bigint): bigint {
  return ((x << r) | (x >> (bits - r))) & mask;
}

/** Little-endian unsigned integer of `n` bytes at `at`. */
function le(data: Uint8Array, at: number, n: number): bigint {
  let x = 0n;
  for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(data[at + i]!);
  return x;
}

function round64(acc: bigint, lane: bigint): bigint {
  acc = (acc + lane * Q2) & M64;
  acc = rotl(acc, 31n, 64n, M64);
  return (acc * Q1) & M64;
}

/** XXH64 of `data` with a 64-bit seed. */
export function refXxh64(data: Uint8Array, seed: bigint): bigint {
  const len = data.length;
  let pos = 0;
  let acc: bigint;
  if (len >= 32) {
    const v = [(seed + Q1 + Q2) & M64, (seed + Q2) & M64, seed & M64, (seed - Q1) & M64];
    // Spec, step 2: every full 32-byte stripe feeds one 8-byte lane to each accumulator.
    while (len - pos >= 32) {
      for (let i = 0; i < 4; i++) v[i] = round64(v[i]!, le(data, pos + 8 * i, 8));
      pos += 32;
    }
    acc = (rotl(v[0]!, 1n, 64n, M64) + rotl(v[1]!, 7n, 64n, M64) + rotl(v[2]!, 12n, 64n, M64) + rotl(v[3]!, 18n, 64n, M64)) & M64;
    // Spec, step 3: mergeAccumulator for each of the four.
    for (let i = 0; i < 4; i++) {
      acc ^= round64(0n, v[i]!);
      acc = (acc * Q1 + Q4) & M64;
    }
  } else {
    acc = (seed + Q5) & M64;
  }
  acc = (acc + BigInt(len)) & M64;
  // Spec, step 5: the remaining input, 8 bytes, then 4, then single bytes.
  while (len - pos >= 8) {
    acc ^= round64(0n, le(data, pos, 8));
    acc = (rotl(acc, 27n, 64n, M64) * Q1 + Q4) & M64;
    pos += 8;
  }
  if (len - pos >= 4) {
    acc ^= (le(data, pos, 4) * Q1) & M64;
    acc = (rotl(acc, 23n, 64n, M64) * Q2 + Q3) & M64;
    pos += 4;
  }
  while (pos < len) {
    acc ^= (BigInt(data[pos]!) * Q5) & M64;
    acc = (rotl(acc, 11n, 64n, M64) * Q1) & M64;
    pos++;
  }
  // Spec, step 6: final mix (avalanche).
  acc ^= acc >> 33n;
  acc = (acc * Q2) & M64;
  acc ^= acc >> 29n;
  acc = (acc * Q3) & M64;
  acc ^= acc >> 32n;
  return acc;
}

function round32(acc: bigint, lane: bigint): bigint {
  return (rotl((acc + lane * R2) & M32, 13n, 32n, M32) * R1) & M32;
}

/** XXH32 of `data` with a 32-bit seed. */
export function refXxh32(data: Uint8Array, seed: number): number {
  const s = BigInt(seed);
  const len = data.length;
  let pos = 0;
  let acc: bigint;
  if (len >= 16) {
    const v = [(s + R1 + R2) & M32, (s + R2) & M32, s, (s - R1) & M32];
    while (len - pos >= 16) {
      for (let i = 0; i < 4; i++) v[i] = round32(v[i]!, le(data, pos + 4 * i, 4));
      pos += 16;
    }
    acc = (rotl(v[0]!, 1n, 32n, M32) + rotl(v[1]!, 7n, 32n, M32) + rotl(v[2]!, 12n, 32n, M32) + rotl(v[3]!, 18n, 32n, M32)) & M32;
  } else {
    acc = (s + R5) & M32;
  }
  acc = (acc + BigInt(len)) & M32;
  while (len - pos >= 4) {
    acc = (rotl((acc + le(data, pos, 4) * R3) & M32, 17n, 32n, M32) * R4) & M32;
    pos += 4;
  }
  while (pos < len) {
    acc = (rotl((acc + BigInt(data[pos]!) * R5) & M32, 11n, 32n, M32) * R1) & M32;
    pos++;
  }
  acc ^= acc >> 15n;
  acc = (acc * R2) & M32;
  acc ^= acc >> 13n;
  acc = (acc * R3) & M32;
  acc ^= acc >> 16n;
  return Number(acc);
}
