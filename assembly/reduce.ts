// The reduction shared by the route kernel (assembly/route.ts) and the per-call Maglev pick
// (assembly/maglev.ts). h % M for u32 h by a precomputed reciprocal (Lemire, Kaser, Kurz, "Faster
// Remainder by Direct Computation", 2019, fastmod_u32): c = floor((2^64 - 1) / M) + 1, then
// h % M = ((c * h mod 2^64) * M) >> 64, exact for every u32 h and 1 <= M < 2^32. The 64x32
// high product is taken in two halves, (L1*M + (L0*M >> 32)) >> 32, which cannot overflow.
// test/route-kernel.test.ts checks it (and fastmodx4) against BigInt over edge values and random ones.

/** The fastmod constant for M (M = 1 gives 0, which makes every remainder 0). */
// @ts-ignore: decorator
@inline export function recip(M: u32): u64 {
  return u64.MAX_VALUE / <u64>M + 1;
}

// @ts-ignore: decorator
@inline export function fastmod(h: u32, c: u64, M: u32): u32 {
  const low = c * <u64>h;
  return <u32>(((low >> 32) * <u64>M + (((low & 0xffffffff) * <u64>M) >> 32)) >> 32);
}

/**
 * fastmod of four u32 hashes at once (SIMD build): the same three products, each a 32x32->64
 * one (`extmul`, pmuludq), with c = chi·2^32 + clo. c·h mod 2^64 = clo·h + (chi·h mod 2^32)·2^32;
 * then ((c·h mod 2^64)·M) >> 64 = (hi·M + (lo·M >> 32)) >> 32 on its halves, as fastmod.
 */
// @ts-ignore: decorator
@inline export function fastmodx4(h: v128, clo: v128, chi: v128, m: v128): v128 {
  const l01 = i64x2.extmul_low_i32x4_u(h, clo);
  const l23 = i64x2.extmul_high_i32x4_u(h, clo);
  const lo = i8x16.shuffle(l01, l23, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
  const hi = i32x4.add(i8x16.shuffle(l01, l23, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31), i32x4.mul(h, chi));
  const t01 = i64x2.extmul_low_i32x4_u(lo, m);
  const t23 = i64x2.extmul_high_i32x4_u(lo, m);
  const t = i8x16.shuffle(t01, t23, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
  const u01 = i64x2.add(i64x2.extmul_low_i32x4_u(hi, m), i64x2.extend_low_i32x4_u(t));
  const u23 = i64x2.add(i64x2.extmul_high_i32x4_u(hi, m), i64x2.extend_high_i32x4_u(t));
  return i8x16.shuffle(u01, u23, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
}
