// XXH64 (Collet, xxHash spec "XXH64 algorithm description", v0.1.1).
// Input at `ptr` (16-byte aligned per the ABI), `len` bytes, 64-bit seed as two u32 halves;
// the digest goes to OUT[0, 8). Every word load sits at an offset that is a multiple of its
// size (stripes of 32, then lanes of 8, then one of 4), so it stays naturally aligned.
import { OUT } from "../out";

// @ts-ignore: decorator
@inline const P1: u64 = 0x9e3779b185ebca87;
// @ts-ignore: decorator
@inline const P2: u64 = 0xc2b2ae3d27d4eb4f;
// @ts-ignore: decorator
@inline const P3: u64 = 0x165667b19e3779f9;
// @ts-ignore: decorator
@inline const P4: u64 = 0x85ebca77c2b2ae63;
// @ts-ignore: decorator
@inline const P5: u64 = 0x27d4eb2f165667c5;

// @ts-ignore: decorator
@inline function round(acc: u64, lane: u64): u64 {
  return rotl<u64>(acc + lane * P2, 31) * P1;
}

// @ts-ignore: decorator
@inline function merge(acc: u64, v: u64): u64 {
  return (acc ^ round(0, v)) * P1 + P4;
}

export function xxh64(ptr: usize, len: u32, seedLo: u32, seedHi: u32): void {
  const seed = (<u64>seedHi << 32) | <u64>seedLo;
  const end = ptr + len;
  let h: u64;
  if (len >= 32) {
    let v1 = seed + P1 + P2;
    let v2 = seed + P2;
    let v3 = seed;
    let v4 = seed - P1;
    const limit = end - 32;
    do {
      v1 = round(v1, load<u64>(ptr));
      v2 = round(v2, load<u64>(ptr, 8));
      v3 = round(v3, load<u64>(ptr, 16));
      v4 = round(v4, load<u64>(ptr, 24));
      ptr += 32;
    } while (ptr <= limit);
    h = rotl<u64>(v1, 1) + rotl<u64>(v2, 7) + rotl<u64>(v3, 12) + rotl<u64>(v4, 18);
    h = merge(h, v1);
    h = merge(h, v2);
    h = merge(h, v3);
    h = merge(h, v4);
  } else {
    h = seed + P5;
  }
  h += <u64>len;
  while (ptr + 8 <= end) {
    h = rotl<u64>(h ^ round(0, load<u64>(ptr)), 27) * P1 + P4;
    ptr += 8;
  }
  if (ptr + 4 <= end) {
    h = rotl<u64>(h ^ (<u64>load<u32>(ptr) * P1), 23) * P2 + P3;
    ptr += 4;
  }
  while (ptr < end) {
    h = rotl<u64>(h ^ (<u64>load<u8>(ptr) * P5), 11) * P1;
    ptr++;
  }
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  store<u64>(OUT, h);
}
