// HalfSipHash-c-d, 32-bit tag: SipHash on 32-bit words (Aumasson, reference halfsiphash.c in
// veorq/SipHash; Linux hsiphash on 32-bit kernels is HalfSipHash-1-3). flowpin's default
// flow hash is HalfSipHash-1-3 under a 64-bit fleet key.
//
// Memory: key u8[8] at `keyPtr` (k0 = LE u32 of bytes 0-3, k1 = bytes 4-7), message u8[len]
// at `ptr`; both 4-byte aligned (ABI rule), so the u32 loads are natural.

// HalfSipHash keeps only the v2/v3 constants of SipHash, truncated to 32 bits
// ("lyge", "tedb"); v0 and v1 start as the key alone (halfsiphash.c).
// @ts-ignore: decorator
@inline const IV2: u32 = 0x6c796765;
// @ts-ignore: decorator
@inline const IV3: u32 = 0x74656462;

/**
 * HalfSipHash with `C` compression and `D` finalization rounds, 32-bit tag, over bytes
 * [ptr, ptr+len) under key words (k0, k1). `C` and `D` must be compile-time constants at the
 * call site. Exposed for AS callers that hold the key as words (flow hashing).
 */
// @ts-ignore: decorator
@inline export function halfSipHash(k0: u32, k1: u32, ptr: usize, len: u32, C: i32, D: i32): u32 {
  let v0 = k0;
  let v1 = k1;
  let v2 = k0 ^ IV2;
  let v3 = k1 ^ IV3;
  const end = ptr + (len & ~3);
  // The last word holds the 0-3 trailing bytes and len mod 256 in its top byte.
  let last: u32 = len << 24;
  const tail = len & 3;
  for (let i: u32 = 0; i < tail; i++) last |= <u32>load<u8>(end + i) << (i << 3);
  let p = ptr;
  while (true) {
    const m: u32 = p < end ? load<u32>(p) : last;
    v3 ^= m;
    // SipRound on 32-bit words: rotations 5, 16, 8, 7, 13, 16 (halfsiphash.c).
    for (let r = 0; r < C; r++) {
      v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
      v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
      v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
      v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
    }
    v0 ^= m;
    if (p >= end) break;
    p += 4;
  }
  // 32-bit-tag finalization: v2 ^= 0xff, D rounds, tag = v1 ^ v3 (not the four-word XOR of
  // SipHash: halfsiphash.c returns v1 ^ v3).
  v2 ^= 0xff;
  for (let r = 0; r < D; r++) {
    v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
    v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
    v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
    v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  }
  return v1 ^ v3;
}

/** HalfSipHash-2-4 (32-bit tag) of [ptr, ptr+len) under the 8-byte key at keyPtr. */
export function halfsiphash24(ptr: usize, len: u32, keyPtr: usize): u32 {
  return halfSipHash(load<u32>(keyPtr), load<u32>(keyPtr, 4), ptr, len, 2, 4);
}

/** HalfSipHash-1-3 (32-bit tag) of [ptr, ptr+len) under the 8-byte key at keyPtr. */
export function halfsiphash13(ptr: usize, len: u32, keyPtr: usize): u32 {
  return halfSipHash(load<u32>(keyPtr), load<u32>(keyPtr, 4), ptr, len, 1, 3);
}
