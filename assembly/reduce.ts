// The reduction shared by the route kernel (assembly/route.ts) and the per-call Maglev pick
// (assembly/maglev.ts). h % M for u32 h by a precomputed reciprocal (Lemire, Kaser, Kurz, "Faster
// Remainder by Direct Computation", 2019, fastmod_u32): c = floor((2^64 - 1) / M) + 1, then
// h % M = ((c * h mod 2^64) * M) >> 64, exact for every u32 h and 1 <= M < 2^32. The 64x32
// high product is taken in two halves, (L1*M + (L0*M >> 32)) >> 32, which cannot overflow.
// test/route-kernel.reduce.test.ts checks it against BigInt over edge values and random ones.

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
