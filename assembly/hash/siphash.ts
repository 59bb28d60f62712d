// SipHash-c-d (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012), 64-bit tag.
// SipHash-2-4 is the paper's recommendation (glb-director, Linux skb->hash); SipHash-1-3 is
// what 64-bit Linux kernels run as hsiphash (IPVS mh) and Rust's default hasher.
//
// Memory: key u8[16] at `keyPtr`, message u8[len] at `ptr`; both 8-byte aligned (ABI rule),
// so the u64 loads below are natural. The tag goes to OUT as a little-endian u64, which is
// the paper's output byte string read little-endian.
import { OUT } from "../out";

// "somepseudorandomlygeneratedbytes", paper section 2 (initialization).
// @ts-ignore: decorator
@inline const IV0: u64 = 0x736f6d6570736575;
// @ts-ignore: decorator
@inline const IV1: u64 = 0x646f72616e646f6d;
// @ts-ignore: decorator
@inline const IV2: u64 = 0x6c7967656e657261;
// @ts-ignore: decorator
@inline const IV3: u64 = 0x7465646279746573;

/**
 * SipHash with `C` compression and `D` finalization rounds over message bytes [ptr, ptr+len),
 * key (k0, k1) = the two little-endian u64 halves of the 16-byte key. `C` and `D` must be
 * compile-time constants at every call site: after inlining, the round loops have constant
 * trip counts (measured as fast as hand-unrolled rounds on Node 20 for 4-64 byte inputs, so
 * the round is written once per phase). Exposed for AS callers that hold the key as words
 * (glb rows, IPVS mh).
 */
// @ts-ignore: decorator
@inline export function sipHash(k0: u64, k1: u64, ptr: usize, len: u32, C: i32, D: i32): u64 {
  let v0 = k0 ^ IV0;
  let v1 = k1 ^ IV1;
  let v2 = k0 ^ IV2;
  let v3 = k1 ^ IV3;
  const end = ptr + (len & ~7);
  // Paper section 2, compression: each 8-byte word m enters as v3 ^= m, C SipRounds, v0 ^= m.
  // The last word, holding the 0-7 trailing bytes and len mod 256 in its top byte, is
  // handled by the same loop body through `last`.
  let last: u64 = <u64>(len & 0xff) << 56;
  const tail = len & 7;
  if (tail >= 4) {
    // tail starts 8-aligned, so this u32 load is natural.
    last |= <u64>load<u32>(end);
    for (let i: u32 = 4; i < tail; i++) last |= <u64>load<u8>(end + i) << (i << 3);
  } else {
    for (let i: u32 = 0; i < tail; i++) last |= <u64>load<u8>(end + i) << (i << 3);
  }
  let p = ptr;
  while (true) {
    const m: u64 = p < end ? load<u64>(p) : last;
    v3 ^= m;
    for (let r = 0; r < C; r++) {
      v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
      v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
      v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
      v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
    }
    v0 ^= m;
    if (p >= end) break;
    p += 8;
  }
  // Finalization: v2 ^= 0xff, D SipRounds, tag = v0 ^ v1 ^ v2 ^ v3.
  v2 ^= 0xff;
  for (let r = 0; r < D; r++) {
    v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
    v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
  }
  return v0 ^ v1 ^ v2 ^ v3;
}

/** SipHash-2-4 of [ptr, ptr+len) under the 16-byte key at keyPtr; tag to OUT (u64 LE). */
export function siphash24(ptr: usize, len: u32, keyPtr: usize): void {
  store<u64>(OUT, sipHash(load<u64>(keyPtr), load<u64>(keyPtr, 8), ptr, len, 2, 4));
}

/** SipHash-1-3 of [ptr, ptr+len) under the 16-byte key at keyPtr; tag to OUT (u64 LE). */
export function siphash13(ptr: usize, len: u32, keyPtr: usize): void {
  store<u64>(OUT, sipHash(load<u64>(keyPtr), load<u64>(keyPtr, 8), ptr, len, 1, 3));
}
