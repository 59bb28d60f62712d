// MurmurHash3 (Appleby, smhasher src/MurmurHash3.cpp): x86_32 and x64_128.
// Input at `ptr` (16-byte aligned per the ABI). Blocks are loaded as words at offsets that
// are multiples of the block size, so loads stay naturally aligned; tails are read byte by
// byte, exactly as the C switch does, and never past the end.
import { OUT } from "../out";

// @ts-ignore: decorator
@inline const C1_32: u32 = 0xcc9e2d51;
// @ts-ignore: decorator
@inline const C2_32: u32 = 0x1b873593;

// @ts-ignore: decorator
@inline function fmix32(h: u32): u32 {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

// @ts-ignore: decorator
@inline function mixK32(k: u32): u32 {
  return rotl<u32>(k * C1_32, 15) * C2_32;
}

/** MurmurHash3_x86_32; returns the digest. */
export function murmur3_32(ptr: usize, len: u32, seed: u32): u32 {
  let h = seed;
  const blocksEnd = ptr + (len & ~3);
  while (ptr < blocksEnd) {
    h ^= mixK32(load<u32>(ptr));
    h = rotl<u32>(h, 13) * 5 + 0xe6546b64;
    ptr += 4;
  }
  const rem = len & 3;
  if (rem != 0) {
    let k: u32 = <u32>load<u8>(ptr);
    if (rem > 1) k |= <u32>load<u8>(ptr, 1) << 8;
    if (rem > 2) k |= <u32>load<u8>(ptr, 2) << 16;
    h ^= mixK32(k);
  }
  return fmix32(h ^ len);
}

// @ts-ignore: decorator
@inline const C1_64: u64 = 0x87c37b91114253d5;
// @ts-ignore: decorator
@inline const C2_64: u64 = 0x4cf5ad432745937f;

// @ts-ignore: decorator
@inline function fmix64(k: u64): u64 {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccd;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53;
  k ^= k >> 33;
  return k;
}

/** Little-endian u64 of the `n` (1..8) bytes at `p`. */
// @ts-ignore: decorator
@inline function tailBytes(p: usize, n: u32): u64 {
  let k: u64 = 0;
  for (let i = <i32>n - 1; i >= 0; i--) k = (k << 8) | <u64>load<u8>(p + <usize>i);
  return k;
}

/** MurmurHash3_x64_128; writes h1 to OUT[0, 8) and h2 to OUT[8, 16) (the C out[0], out[1]). */
export function murmur3_128(ptr: usize, len: u32, seed: u32): void {
  let h1: u64 = seed;
  let h2: u64 = seed;
  const blocksEnd = ptr + (len & ~15);
  while (ptr < blocksEnd) {
    let k1 = load<u64>(ptr);
    let k2 = load<u64>(ptr, 8);
    h1 ^= rotl<u64>(k1 * C1_64, 31) * C2_64;
    h1 = (rotl<u64>(h1, 27) + h2) * 5 + 0x52dce729;
    h2 ^= rotl<u64>(k2 * C2_64, 33) * C1_64;
    h2 = (rotl<u64>(h2, 31) + h1) * 5 + 0x38495ab5;
    ptr += 16;
  }
  const rem = len & 15;
  if (rem > 8) h2 ^= rotl<u64>(tailBytes(ptr + 8, rem - 8) * C2_64, 33) * C1_64;
  if (rem > 0) h1 ^= rotl<u64>(tailBytes(ptr, rem > 8 ? 8 : rem) * C1_64, 31) * C2_64;
  h1 ^= <u64>len;
  h2 ^= <u64>len;
  h1 += h2;
  h2 += h1;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 += h2;
  h2 += h1;
  store<u64>(OUT, h1);
  store<u64>(OUT, h2, 8);
}
