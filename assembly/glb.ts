// glb-director's forwarding table (github/glb-director, docs/development/glb-hashing.md and
// src/glb-director/cli/main.c): 65536 rows, each the two backends with the LOWEST scores,
//   row_seed = SipHash-2-4(seed, u32_be(row))
//   score    = bswap64(SipHash-2-4(seed, row_seed(8 bytes) || address(4 or 16 bytes)))
// followed by the CLI's primary/secondary swap. glb-director sorts all backends per row
// (qsort); only the first two are used, so a single top-2 pass gives the same rows.
//
// What makes it fast:
// - the first message word is the row seed for every backend of a row, so the SipHash
//   state after absorbing it is computed once per row (2 of the 8 SipRounds per IPv4
//   backend); the remaining words depend only on the backend and are precomputed by TS;
// - the SIMD build hashes two backends per v128 (i64x2 lanes); the rotations by 16 and 32
//   and the final byte swap are single byte shuffles there, and the top-2 selection runs on
//   the lanes with compares and bitselects (no branch per backend);
// - the rounds are written out on locals: helpers on module globals (AssemblyScript cannot
//   return four words) stay globals after binaryen and V8 keeps those in memory (measured,
//   3 backends: 5.6 ms against 3.1 ms), and binaryen -O3 does not unroll constant loops.
//   Two interleaved i64x2 chains (four backends per iteration) measured no faster.
//
// Memory (16-byte aligned by the TS side), for the n usable (not inactive) backends in input
// order, npad = n rounded up to even:
//   seed: u8[16]          the table seed, read as the SipHash key (k0, k1)
//   w0:   u64[npad]       IPv4: LE u32 of the address | 12 << 56 (the whole last word);
//                         IPv6: address bytes 0..7 read LE
//   w1:   u64[npad]       IPv6: address bytes 8..15 read LE (IPv4: unused)
//   meta: u32[npad * 2]   (index in the full backend list, FLAG_* bits) per backend
//   out:  u32[65536 * 2]  (primary, secondary) index per row: glb's on-disk row layout
// `family` is FAMILY_V4 or FAMILY_V6 when all backends share it, FAMILY_MIXED otherwise
// (the per-backend FLAG_V6 decides; scalar path).
//
// With one usable backend glb-director reads an uninitialised second sort slot; here the
// single backend fills both columns (documented in src/glb.ts).

// @ts-ignore: decorator
@inline const IV0: u64 = 0x736f6d6570736575;
// @ts-ignore: decorator
@inline const IV1: u64 = 0x646f72616e646f6d;
// @ts-ignore: decorator
@inline const IV2: u64 = 0x6c7967656e657261;
// @ts-ignore: decorator
@inline const IV3: u64 = 0x7465646279746573;
// @ts-ignore: decorator
@inline const ROWS: u32 = 65536;
// The last word of a 24-byte message (row seed || IPv6 address): no tail bytes, length 24.
// @ts-ignore: decorator
@inline const V6_LAST: u64 = <u64>24 << 56;

// meta flags, set by src/glb.ts.
/** The backend's address is IPv6 (three message words after the row seed, not one). */
// @ts-ignore: decorator
@inline const FLAG_V6: u32 = 1;
/** As primary it hands the row to the secondary (draining, or unhealthy). */
// @ts-ignore: decorator
@inline const FLAG_BAD: u32 = 2;
/** As secondary it takes over from a bad primary (the second half of the swap rule). */
// @ts-ignore: decorator
@inline const FLAG_TAKEOVER: u32 = 4;

// @ts-ignore: decorator
@inline const FAMILY_V4: u32 = 0;
// @ts-ignore: decorator
@inline const FAMILY_V6: u32 = 1;

// i64x2 rotations. By 16 and 32 bits they are byte permutations (one shuffle).
// @ts-ignore: decorator
@inline function rot(x: v128, n: i32): v128 {
  return v128.or(i64x2.shl(x, n), i64x2.shr_u(x, 64 - n));
}
// @ts-ignore: decorator
@inline function rot16(x: v128): v128 {
  return i8x16.shuffle(x, x, 6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13);
}
// @ts-ignore: decorator
@inline function rot32(x: v128): v128 {
  return i8x16.shuffle(x, x, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
}
// @ts-ignore: decorator
@inline function bswapLanes(x: v128): v128 {
  return i8x16.shuffle(x, x, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
}

/** Builds all 65536 rows; see the memory layout above. n >= 1. */
export function glbBuild(seedPtr: usize, w0: usize, w1: usize, meta: usize, n: i32, family: u32, out: usize): void {
  const k0 = load<u64>(seedPtr);
  const k1 = load<u64>(seedPtr, 8);
  for (let row: u32 = 0; row < ROWS; row++) {
    // Row seed: a 4-byte message, so a single word bswap(row) | 4 << 56.
    let a0 = k0 ^ IV0, a1 = k1 ^ IV1, a2 = k0 ^ IV2, a3 = k1 ^ IV3;
    const m = <u64>bswap<u32>(row) | (<u64>4 << 56);
    a3 ^= m;
    a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
    a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
    a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
    a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
    a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
    a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
    a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
    a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
    a0 ^= m;
    a2 ^= 0xff;
    a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
    a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
    a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
    a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
    a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
    a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
    a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
    a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
    a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
    a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
    a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
    a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
    a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
    a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
    a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
    a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
    const rowSeed = a0 ^ a1 ^ a2 ^ a3;
    // The state after the row seed word, shared by every backend of the row.
    a0 = k0 ^ IV0; a1 = k1 ^ IV1; a2 = k0 ^ IV2; a3 = k1 ^ IV3;
    a3 ^= rowSeed;
    a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
    a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
    a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
    a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
    a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
    a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
    a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
    a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
    a0 ^= rowSeed;
    const p0 = a0, p1 = a1, p2 = a2, p3 = a3;

    // Top two by (score, position): strict comparisons keep the earlier backend first on
    // equal scores (with distinct addresses that needs a 64-bit SipHash collision; qsort's
    // order would be unspecified there anyway).
    let best = -1, second = -1;
    let bestScore: u64 = 0, secondScore: u64 = 0;
    if (ASC_FEATURE_SIMD && family != 2 && n >= 2) {
      // Per-lane top two (lane 0: even positions, lane 1: odd) kept in vectors and updated
      // with compares and bitselects: no data-dependent branch per backend (the scalar
      // path's branches mispredict often). Scores are compared as signed after flipping the
      // top bit (i64x2 has no unsigned compare). Strict < keeps the earlier position on
      // ties within a lane; the lanes are merged below by (score, position).
      const P0 = i64x2.splat(p0), P1 = i64x2.splat(p1), P2 = i64x2.splat(p2), P3 = i64x2.splat(p3);
      const FF = i64x2.splat(0xff);
      const FLIP = i64x2.splat(<i64>0x8000000000000000);
      let bestV = i64x2.splat(<i64>0x7fffffffffffffff), secondV = bestV;
      let bestI = i64x2.splat(-1), secondI = bestI;
      let idx = i64x2(0, 1);
      const two = i64x2.splat(2);
      const pairs = n & ~1;
      for (let i = 0; i < pairs; i += 2) {
        let b0 = P0, b1 = P1, b2 = P2, b3 = P3;
        const x = v128.load(w0 + (<usize>i << 3));
        b3 = v128.xor(b3, x);
        b0 = i64x2.add(b0, b1); b1 = rot(b1, 13); b1 = v128.xor(b1, b0); b0 = rot32(b0);
        b2 = i64x2.add(b2, b3); b3 = rot16(b3); b3 = v128.xor(b3, b2);
        b0 = i64x2.add(b0, b3); b3 = rot(b3, 21); b3 = v128.xor(b3, b0);
        b2 = i64x2.add(b2, b1); b1 = rot(b1, 17); b1 = v128.xor(b1, b2); b2 = rot32(b2);
        b0 = i64x2.add(b0, b1); b1 = rot(b1, 13); b1 = v128.xor(b1, b0); b0 = rot32(b0);
        b2 = i64x2.add(b2, b3); b3 = rot16(b3); b3 = v128.xor(b3, b2);
        b0 = i64x2.add(b0, b3); b3 = rot(b3, 21); b3 = v128.xor(b3, b0);
        b2 = i64x2.add(b2, b1); b1 = rot(b1, 17); b1 = v128.xor(b1, b2); b2 = rot32(b2);
        b0 = v128.xor(b0, x);
        if (family == FAMILY_V6) {
          const y = v128.load(w1 + (<usize>i << 3));
          b3 = v128.xor(b3, y);
          b0 = i64x2.add(b0, b1); b1 = rot(b1, 13); b1 = v128.xor(b1, b0); b0 = rot32(b0);
          b2 = i64x2.add(b2, b3); b3 = rot16(b3); b3 = v128.xor(b3, b2);
          b0 = i64x2.add(b0, b3); b3 = rot(b3, 21); b3 = v128.xor(b3, b0);
          b2 = i64x2.add(b2, b1); b1 = rot(b1, 17); b1 = v128.xor(b1, b2); b2 = rot32(b2);
          b0 = i64x2.add(b0, b1); b1 = rot(b1, 13); b1 = v128.xor(b1, b0); b0 = rot32(b0);
          b2 = i64x2.add(b2, b3); b3 = rot16(b3); b3 = v128.xor(b3, b2);
          b0 = i64x2.add(b0, b3); b3 = rot(b3, 21); b3 = v128.xor(b3, b0);
          b2 = i64x2.add(b2, b1); b1 = rot(b1, 17); b1 = v128.xor(b1, b2); b2 = rot32(b2);
          b0 = v128.xor(b0, y);
          const z = i64x2.splat(V6_LAST);
          b3 = v128.xor(b3, z);
          b0 = i64x2.add(b0, b1); b1 = rot(b1, 13); b1 = v128.xor(b1, b0); b0 = rot32(b0);
          b2 = i64x2.add(b2, b3); b3 = rot16(b3); b3 = v128.xor(b3, b2);
          b0 = i64x2.add(b0, b3); b3 = rot(b3, 21); b3 = v128.xor(b3, b0);
          b2 = i64x2.add(b2, b1); b1 = rot(b1, 17); b1 = v128.xor(b1, b2); b2 = rot32(b2);
          b0 = i64x2.add(b0, b1); b1 = rot(b1, 13); b1 = v128.xor(b1, b0); b0 = rot32(b0);
          b2 = i64x2.add(b2, b3); b3 = rot16(b3); b3 = v128.xor(b3, b2);
          b0 = i64x2.add(b0, b3); b3 = rot(b3, 21); b3 = v128.xor(b3, b0);
          b2 = i64x2.add(b2, b1); b1 = rot(b1, 17); b1 = v128.xor(b1, b2); b2 = rot32(b2);
          b0 = v128.xor(b0, z);
        }
        b2 = v128.xor(b2, FF);
        b0 = i64x2.add(b0, b1); b1 = rot(b1, 13); b1 = v128.xor(b1, b0); b0 = rot32(b0);
        b2 = i64x2.add(b2, b3); b3 = rot16(b3); b3 = v128.xor(b3, b2);
        b0 = i64x2.add(b0, b3); b3 = rot(b3, 21); b3 = v128.xor(b3, b0);
        b2 = i64x2.add(b2, b1); b1 = rot(b1, 17); b1 = v128.xor(b1, b2); b2 = rot32(b2);
        b0 = i64x2.add(b0, b1); b1 = rot(b1, 13); b1 = v128.xor(b1, b0); b0 = rot32(b0);
        b2 = i64x2.add(b2, b3); b3 = rot16(b3); b3 = v128.xor(b3, b2);
        b0 = i64x2.add(b0, b3); b3 = rot(b3, 21); b3 = v128.xor(b3, b0);
        b2 = i64x2.add(b2, b1); b1 = rot(b1, 17); b1 = v128.xor(b1, b2); b2 = rot32(b2);
        b0 = i64x2.add(b0, b1); b1 = rot(b1, 13); b1 = v128.xor(b1, b0); b0 = rot32(b0);
        b2 = i64x2.add(b2, b3); b3 = rot16(b3); b3 = v128.xor(b3, b2);
        b0 = i64x2.add(b0, b3); b3 = rot(b3, 21); b3 = v128.xor(b3, b0);
        b2 = i64x2.add(b2, b1); b1 = rot(b1, 17); b1 = v128.xor(b1, b2); b2 = rot32(b2);
        b0 = i64x2.add(b0, b1); b1 = rot(b1, 13); b1 = v128.xor(b1, b0); b0 = rot32(b0);
        b2 = i64x2.add(b2, b3); b3 = rot16(b3); b3 = v128.xor(b3, b2);
        b0 = i64x2.add(b0, b3); b3 = rot(b3, 21); b3 = v128.xor(b3, b0);
        b2 = i64x2.add(b2, b1); b1 = rot(b1, 17); b1 = v128.xor(b1, b2); b2 = rot32(b2);
        const h = v128.xor(bswapLanes(v128.xor(v128.xor(b0, b1), v128.xor(b2, b3))), FLIP);
        // The first pair always enters (also a score of 2^64 - 1, which < would miss).
        const first = i64x2.eq(bestI, i64x2.splat(-1));
        const lt1 = v128.or(i64x2.lt_s(h, bestV), first);
        const lt2 = i64x2.lt_s(h, secondV);
        secondV = v128.bitselect(bestV, v128.bitselect(h, secondV, lt2), lt1);
        secondI = v128.bitselect(bestI, v128.bitselect(idx, secondI, lt2), lt1);
        bestV = v128.bitselect(h, bestV, lt1);
        bestI = v128.bitselect(idx, bestI, lt1);
        idx = i64x2.add(idx, two);
      }
      // Merge the lanes' candidates by (score, position): order-independent.
      for (let c = 0; c < 4; c++) {
        const i = <i32>(c == 0 ? i64x2.extract_lane(bestI, 0) : c == 1 ? i64x2.extract_lane(bestI, 1) : c == 2 ? i64x2.extract_lane(secondI, 0) : i64x2.extract_lane(secondI, 1));
        if (i < 0) continue;
        const sv = <u64>(c == 0 ? i64x2.extract_lane(bestV, 0) : c == 1 ? i64x2.extract_lane(bestV, 1) : c == 2 ? i64x2.extract_lane(secondV, 0) : i64x2.extract_lane(secondV, 1)) ^ 0x8000000000000000;
        if (best < 0 || sv < bestScore || (sv == bestScore && i < best)) {
          second = best; secondScore = bestScore; best = i; bestScore = sv;
        } else if (second < 0 || sv < secondScore || (sv == secondScore && i < second)) {
          second = i; secondScore = sv;
        }
      }
      if (n & 1) {
        // The odd last backend, scalar.
        const i = n - 1;
        a0 = p0; a1 = p1; a2 = p2; a3 = p3;
        const x = load<u64>(w0 + (<usize>i << 3));
        a3 ^= x;
        a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
        a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
        a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
        a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
        a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
        a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
        a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
        a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
        a0 ^= x;
        if (family == FAMILY_V6) {
          const y = load<u64>(w1 + (<usize>i << 3));
          a3 ^= y;
          a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
          a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
          a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
          a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
          a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
          a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
          a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
          a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
          a0 ^= y;
          a3 ^= V6_LAST;
          a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
          a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
          a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
          a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
          a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
          a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
          a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
          a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
          a0 ^= V6_LAST;
        }
        a2 ^= 0xff;
        a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
        a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
        a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
        a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
        a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
        a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
        a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
        a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
        a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
        a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
        a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
        a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
        a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
        a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
        a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
        a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
        const sv = bswap<u64>(a0 ^ a1 ^ a2 ^ a3);
        if (best < 0 || sv < bestScore || (sv == bestScore && i < best)) {
          second = best; secondScore = bestScore; best = i; bestScore = sv;
        } else if (second < 0 || sv < secondScore || (sv == secondScore && i < second)) {
          second = i; secondScore = sv;
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        a0 = p0; a1 = p1; a2 = p2; a3 = p3;
        const x = load<u64>(w0 + (<usize>i << 3));
        a3 ^= x;
        a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
        a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
        a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
        a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
        a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
        a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
        a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
        a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
        a0 ^= x;
        if (load<u32>(meta + (<usize>i << 3), 4) & FLAG_V6) {
          const y = load<u64>(w1 + (<usize>i << 3));
          a3 ^= y;
          a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
          a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
          a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
          a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
          a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
          a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
          a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
          a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
          a0 ^= y;
          a3 ^= V6_LAST;
          a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
          a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
          a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
          a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
          a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
          a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
          a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
          a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
          a0 ^= V6_LAST;
        }
        a2 ^= 0xff;
        a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
        a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
        a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
        a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
        a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
        a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
        a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
        a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
        a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
        a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
        a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
        a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
        a0 += a1; a1 = rotl<u64>(a1, 13); a1 ^= a0; a0 = rotl<u64>(a0, 32);
        a2 += a3; a3 = rotl<u64>(a3, 16); a3 ^= a2;
        a0 += a3; a3 = rotl<u64>(a3, 21); a3 ^= a0;
        a2 += a1; a1 = rotl<u64>(a1, 17); a1 ^= a2; a2 = rotl<u64>(a2, 32);
        const s = bswap<u64>(a0 ^ a1 ^ a2 ^ a3);
        if (best < 0 || s < bestScore) {
          second = best; secondScore = bestScore; best = i; bestScore = s;
        } else if (second < 0 || s < secondScore) {
          second = i; secondScore = s;
        }
      }
    }
    if (second < 0) second = best;
    writeRow(out, row, meta + (<usize>best << 3), meta + (<usize>second << 3));
  }
}

// glb-director-cli's swap (main.c): a bad primary hands the row to its secondary when the
// secondary may take over. What "bad" and "may take over" mean (glb-director's rule with its
// quirks, or the corrected one) is decided per backend by src/glb.ts and arrives as flags.
// @ts-ignore: decorator
@inline function writeRow(out: usize, row: u32, p: usize, s: usize): void {
  if ((load<u32>(p, 4) & FLAG_BAD) && (load<u32>(s, 4) & FLAG_TAKEOVER)) {
    const t = p; p = s; s = t;
  }
  const at = out + (<usize>row << 3);
  store<u32>(at, load<u32>(p));
  store<u32>(at, load<u32>(s), 4);
}
