// Four flows per i32x4 (SIMD build only): the hash cores the batch paths share, one flow per
// lane. Every function here is @inline and reached only under `if (ASC_FEATURE_SIMD)`, so
// the baseline build (and wasm2js, which cannot lower SIMD) never compiles them.
//
// HalfSipHash-1-3 is written out round by round: a round loop with `if (r < 4)` selects
// costs a compare and a branch per step that V8 does not unroll away (measured: the flows
// suite's 1M-flow IPv4 batch went from 78 M/s with the loop to the figure in the README).
// lookup3 (jhash) has no SIMD rotate: rotlx4 is shift-shift-or, still ~2.4x fewer
// instructions per flow than four scalar hashes.
// HalfSipHash v2/v3 start values ("lyge", "tedb"), as assembly/hash/halfsiphash.ts.
// @ts-ignore: decorator
@inline const IV2: u32 = 0x6c796765;
// @ts-ignore: decorator
@inline const IV3: u32 = 0x74656462;

// u32 rotations by 8 and 16 are byte shuffles; the rest shift-or.
// @ts-ignore: decorator
@inline export function rotl16x4(x: v128): v128 {
  return i8x16.shuffle(x, x, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
}
// @ts-ignore: decorator
@inline export function rotl8x4(x: v128): v128 {
  return i8x16.shuffle(x, x, 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
}
// @ts-ignore: decorator
@inline export function rotr8x4(x: v128): v128 {
  return i8x16.shuffle(x, x, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
}
// @ts-ignore: decorator
@inline export function bswapx4(x: v128): v128 {
  return i8x16.shuffle(x, x, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
}
// @ts-ignore: decorator
@inline export function rotlx4(x: v128, n: i32): v128 {
  return v128.or(i32x4.shl(x, n), i32x4.shr_u(x, 32 - n));
}

/** Word k of four rows (one IPv6 address per row) as one vector: a 4x4 u32 transpose. */
// @ts-ignore: decorator
@inline export function transposeRow(r0: v128, r1: v128, r2: v128, r3: v128, k: i32): v128 {
  if (k == 0) return i32x4.shuffle(i32x4.shuffle(r0, r1, 0, 4, 1, 5), i32x4.shuffle(r2, r3, 0, 4, 1, 5), 0, 1, 4, 5);
  if (k == 1) return i32x4.shuffle(i32x4.shuffle(r0, r1, 0, 4, 1, 5), i32x4.shuffle(r2, r3, 0, 4, 1, 5), 2, 3, 6, 7);
  if (k == 2) return i32x4.shuffle(i32x4.shuffle(r0, r1, 2, 6, 3, 7), i32x4.shuffle(r2, r3, 2, 6, 3, 7), 0, 1, 4, 5);
  return i32x4.shuffle(i32x4.shuffle(r0, r1, 2, 6, 3, 7), i32x4.shuffle(r2, r3, 2, 6, 3, 7), 2, 3, 6, 7);
}

/** u8[4] at p widened to four u32 lanes (the proto column). */
// @ts-ignore: decorator
@inline export function loadU8x4(p: usize): v128 {
  return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p)));
}

/**
 * HalfSipHash-1-3 (32-bit tag) of a 13-byte message per lane: message words m0..m2 and the
 * last word m3 (byte 12 | 13 << 24), under key words k0, k1 (splatted).
 */
// @ts-ignore: decorator
@inline export function halfSip13x4w4(k0: v128, k1: v128, m0: v128, m1: v128, m2: v128, m3: v128): v128 {
  let v0 = k0, v1 = k1;
  let v2 = v128.xor(k0, i32x4.splat(IV2)), v3 = v128.xor(k1, i32x4.splat(IV3));
  v3 = v128.xor(v3, m0);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = v128.xor(v0, m0);
  v3 = v128.xor(v3, m1);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = v128.xor(v0, m1);
  v3 = v128.xor(v3, m2);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = v128.xor(v0, m2);
  v3 = v128.xor(v3, m3);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = v128.xor(v0, m3);
  v2 = v128.xor(v2, i32x4.splat(0xff));
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  return v128.xor(v1, v3);
}

/** HalfSipHash-1-3 of a 37-byte message per lane (IPv6): words m0..m8 and the last m9. */
// @ts-ignore: decorator
@inline export function halfSip13x4w10(k0: v128, k1: v128, m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, m6: v128, m7: v128, m8: v128, m9: v128): v128 {
  let v0 = k0, v1 = k1;
  let v2 = v128.xor(k0, i32x4.splat(IV2)), v3 = v128.xor(k1, i32x4.splat(IV3));
  v3 = v128.xor(v3, m0);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = v128.xor(v0, m0);
  v3 = v128.xor(v3, m1);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = v128.xor(v0, m1);
  v3 = v128.xor(v3, m2);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = v128.xor(v0, m2);
  v3 = v128.xor(v3, m3);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = v128.xor(v0, m3);
  v3 = v128.xor(v3, m4);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = v128.xor(v0, m4);
  v3 = v128.xor(v3, m5);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = v128.xor(v0, m5);
  v3 = v128.xor(v3, m6);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = v128.xor(v0, m6);
  v3 = v128.xor(v3, m7);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = v128.xor(v0, m7);
  v3 = v128.xor(v3, m8);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = v128.xor(v0, m8);
  v3 = v128.xor(v3, m9);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = v128.xor(v0, m9);
  v2 = v128.xor(v2, i32x4.splat(0xff));
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  return v128.xor(v1, v3);
}

/** lookup3.c final() in four lanes; returns c (the hash). */
// @ts-ignore: decorator
@inline export function jfinalx4(a: v128, b: v128, c: v128): v128 {
  c = v128.xor(c, b); c = i32x4.sub(c, rotlx4(b, 14));
  a = v128.xor(a, c); a = i32x4.sub(a, rotlx4(c, 11));
  b = v128.xor(b, a); b = i32x4.sub(b, rotlx4(a, 25));
  c = v128.xor(c, b); c = i32x4.sub(c, rotl16x4(b));
  a = v128.xor(a, c); a = i32x4.sub(a, rotlx4(c, 4));
  b = v128.xor(b, a); b = i32x4.sub(b, rotlx4(a, 14));
  c = v128.xor(c, b); c = i32x4.sub(c, rotr8x4(b));
  return c;
}

/** Linux jhash_2words(a, b, initval) in four lanes; `iv` = splat(0xdeadbeef + 8 + initval). */
// @ts-ignore: decorator
@inline export function jhash2x4(a: v128, b: v128, iv: v128): v128 {
  return jfinalx4(i32x4.add(a, iv), i32x4.add(b, iv), iv);
}

/** Linux jhash_3words(a, b, c, initval) in four lanes; `iv` = splat(0xdeadbeef + 12 + initval). */
// @ts-ignore: decorator
@inline export function jhash3x4(a: v128, b: v128, c: v128, iv: v128): v128 {
  return jfinalx4(i32x4.add(a, iv), i32x4.add(b, iv), i32x4.add(c, iv));
}

/**
 * Katran's IPv6 source fold jhash(src, 16, initval) (hashlittle over 16 bytes) in four lanes:
 * w0..w3 the little-endian words of the address bytes; `iv` = splat(0xdeadbeef + 16 + initval).
 * One 12-byte block and mix(), then the last 4 bytes and final().
 */
// @ts-ignore: decorator
@inline export function jhash16x4(w0: v128, w1: v128, w2: v128, w3: v128, iv: v128): v128 {
  let a = i32x4.add(iv, w0), b = i32x4.add(iv, w1), c = i32x4.add(iv, w2);
  a = i32x4.sub(a, c); a = v128.xor(a, rotlx4(c, 4)); c = i32x4.add(c, b);
  b = i32x4.sub(b, a); b = v128.xor(b, rotlx4(a, 6)); a = i32x4.add(a, c);
  c = i32x4.sub(c, b); c = v128.xor(c, rotl8x4(b)); b = i32x4.add(b, a);
  a = i32x4.sub(a, c); a = v128.xor(a, rotl16x4(c)); c = i32x4.add(c, b);
  b = i32x4.sub(b, a); b = v128.xor(b, rotlx4(a, 19)); a = i32x4.add(a, c);
  c = i32x4.sub(c, b); c = v128.xor(c, rotlx4(b, 4)); b = i32x4.add(b, a);
  return jfinalx4(i32x4.add(a, w3), b, c);
}

/**
 * Cilium's hash_from_tuple_v6 (bpf/lib/hash.h) in four lanes: w0..w3 the source address as
 * the datapath loads it (little-endian words of the network bytes), then ports and nexthdr;
 * two __jhash_mix steps, a += seed, __jhash_final.
 */
// @ts-ignore: decorator
@inline export function ciliumV6x4(w0: v128, w1: v128, w2: v128, w3: v128, ports: v128, proto: v128, seed: v128): v128 {
  let a = w0, b = w1, c = w2;
  a = i32x4.sub(a, c); a = v128.xor(a, rotlx4(c, 4)); c = i32x4.add(c, b);
  b = i32x4.sub(b, a); b = v128.xor(b, rotlx4(a, 6)); a = i32x4.add(a, c);
  c = i32x4.sub(c, b); c = v128.xor(c, rotl8x4(b)); b = i32x4.add(b, a);
  a = i32x4.sub(a, c); a = v128.xor(a, rotl16x4(c)); c = i32x4.add(c, b);
  b = i32x4.sub(b, a); b = v128.xor(b, rotlx4(a, 19)); a = i32x4.add(a, c);
  c = i32x4.sub(c, b); c = v128.xor(c, rotlx4(b, 4)); b = i32x4.add(b, a);
  a = i32x4.add(a, w3); b = i32x4.add(b, ports); c = i32x4.add(c, proto);
  a = i32x4.sub(a, c); a = v128.xor(a, rotlx4(c, 4)); c = i32x4.add(c, b);
  b = i32x4.sub(b, a); b = v128.xor(b, rotlx4(a, 6)); a = i32x4.add(a, c);
  c = i32x4.sub(c, b); c = v128.xor(c, rotl8x4(b)); b = i32x4.add(b, a);
  a = i32x4.sub(a, c); a = v128.xor(a, rotl16x4(c)); c = i32x4.add(c, b);
  b = i32x4.sub(b, a); b = v128.xor(b, rotlx4(a, 19)); a = i32x4.add(a, c);
  c = i32x4.sub(c, b); c = v128.xor(c, rotlx4(b, 4)); b = i32x4.add(b, a);
  return jfinalx4(i32x4.add(a, seed), b, c);
}

/**
 * Two groups of four flows through halfSip13x4w4 at once, the rounds of the two interleaved
 * statement by statement: one group's rounds are a single dependency chain, and the second
 * group fills the issue slots it leaves (measured on V8/Node 20: ~195 -> ~270 M flows/s for
 * the 1M-flow IPv4 batch). The tags go to out[0, 16) and out[16, 32).
 */
// @ts-ignore: decorator
@inline export function halfSip13x4w4x2(k0: v128, k1: v128, m0: v128, m1: v128, m2: v128, m3: v128, n0: v128, n1: v128, n2: v128, n3: v128, out: usize): void {
  let v0 = k0, v1 = k1;
  let v2 = v128.xor(k0, i32x4.splat(IV2)), v3 = v128.xor(k1, i32x4.splat(IV3));
  let w0 = v0, w1 = v1, w2 = v2, w3 = v3;
  v3 = v128.xor(v3, m0);
  w3 = v128.xor(w3, n0);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  w0 = i32x4.add(w0, w1); w1 = rotlx4(w1, 5); w1 = v128.xor(w1, w0); w0 = rotl16x4(w0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  w2 = i32x4.add(w2, w3); w3 = rotl8x4(w3); w3 = v128.xor(w3, w2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  w0 = i32x4.add(w0, w3); w3 = rotlx4(w3, 7); w3 = v128.xor(w3, w0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  w2 = i32x4.add(w2, w1); w1 = rotlx4(w1, 13); w1 = v128.xor(w1, w2); w2 = rotl16x4(w2);
  v0 = v128.xor(v0, m0);
  w0 = v128.xor(w0, n0);
  v3 = v128.xor(v3, m1);
  w3 = v128.xor(w3, n1);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  w0 = i32x4.add(w0, w1); w1 = rotlx4(w1, 5); w1 = v128.xor(w1, w0); w0 = rotl16x4(w0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  w2 = i32x4.add(w2, w3); w3 = rotl8x4(w3); w3 = v128.xor(w3, w2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  w0 = i32x4.add(w0, w3); w3 = rotlx4(w3, 7); w3 = v128.xor(w3, w0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  w2 = i32x4.add(w2, w1); w1 = rotlx4(w1, 13); w1 = v128.xor(w1, w2); w2 = rotl16x4(w2);
  v0 = v128.xor(v0, m1);
  w0 = v128.xor(w0, n1);
  v3 = v128.xor(v3, m2);
  w3 = v128.xor(w3, n2);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  w0 = i32x4.add(w0, w1); w1 = rotlx4(w1, 5); w1 = v128.xor(w1, w0); w0 = rotl16x4(w0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  w2 = i32x4.add(w2, w3); w3 = rotl8x4(w3); w3 = v128.xor(w3, w2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  w0 = i32x4.add(w0, w3); w3 = rotlx4(w3, 7); w3 = v128.xor(w3, w0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  w2 = i32x4.add(w2, w1); w1 = rotlx4(w1, 13); w1 = v128.xor(w1, w2); w2 = rotl16x4(w2);
  v0 = v128.xor(v0, m2);
  w0 = v128.xor(w0, n2);
  v3 = v128.xor(v3, m3);
  w3 = v128.xor(w3, n3);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  w0 = i32x4.add(w0, w1); w1 = rotlx4(w1, 5); w1 = v128.xor(w1, w0); w0 = rotl16x4(w0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  w2 = i32x4.add(w2, w3); w3 = rotl8x4(w3); w3 = v128.xor(w3, w2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  w0 = i32x4.add(w0, w3); w3 = rotlx4(w3, 7); w3 = v128.xor(w3, w0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  w2 = i32x4.add(w2, w1); w1 = rotlx4(w1, 13); w1 = v128.xor(w1, w2); w2 = rotl16x4(w2);
  v0 = v128.xor(v0, m3);
  w0 = v128.xor(w0, n3);
  v2 = v128.xor(v2, i32x4.splat(0xff));
  w2 = v128.xor(w2, i32x4.splat(0xff));
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  w0 = i32x4.add(w0, w1); w1 = rotlx4(w1, 5); w1 = v128.xor(w1, w0); w0 = rotl16x4(w0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  w2 = i32x4.add(w2, w3); w3 = rotl8x4(w3); w3 = v128.xor(w3, w2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  w0 = i32x4.add(w0, w3); w3 = rotlx4(w3, 7); w3 = v128.xor(w3, w0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  w2 = i32x4.add(w2, w1); w1 = rotlx4(w1, 13); w1 = v128.xor(w1, w2); w2 = rotl16x4(w2);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  w0 = i32x4.add(w0, w1); w1 = rotlx4(w1, 5); w1 = v128.xor(w1, w0); w0 = rotl16x4(w0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  w2 = i32x4.add(w2, w3); w3 = rotl8x4(w3); w3 = v128.xor(w3, w2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  w0 = i32x4.add(w0, w3); w3 = rotlx4(w3, 7); w3 = v128.xor(w3, w0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  w2 = i32x4.add(w2, w1); w1 = rotlx4(w1, 13); w1 = v128.xor(w1, w2); w2 = rotl16x4(w2);
  v0 = i32x4.add(v0, v1); v1 = rotlx4(v1, 5); v1 = v128.xor(v1, v0); v0 = rotl16x4(v0);
  w0 = i32x4.add(w0, w1); w1 = rotlx4(w1, 5); w1 = v128.xor(w1, w0); w0 = rotl16x4(w0);
  v2 = i32x4.add(v2, v3); v3 = rotl8x4(v3); v3 = v128.xor(v3, v2);
  w2 = i32x4.add(w2, w3); w3 = rotl8x4(w3); w3 = v128.xor(w3, w2);
  v0 = i32x4.add(v0, v3); v3 = rotlx4(v3, 7); v3 = v128.xor(v3, v0);
  w0 = i32x4.add(w0, w3); w3 = rotlx4(w3, 7); w3 = v128.xor(w3, w0);
  v2 = i32x4.add(v2, v1); v1 = rotlx4(v1, 13); v1 = v128.xor(v1, v2); v2 = rotl16x4(v2);
  w2 = i32x4.add(w2, w1); w1 = rotlx4(w1, 13); w1 = v128.xor(w1, w2); w2 = rotl16x4(w2);
  v128.store(out, v128.xor(v1, v3));
  v128.store(out, v128.xor(w1, w3), 16);
}

/** Two lookup3 final()s interleaved (see halfSip13x4w4x2); the two c words to out[0, 16), out[16, 32). */
// @ts-ignore: decorator
@inline export function jfinalx4x2(a: v128, b: v128, c: v128, d: v128, e: v128, f: v128, out: usize): void {
  c = v128.xor(c, b); c = i32x4.sub(c, rotlx4(b, 14));
  f = v128.xor(f, e); f = i32x4.sub(f, rotlx4(e, 14));
  a = v128.xor(a, c); a = i32x4.sub(a, rotlx4(c, 11));
  d = v128.xor(d, f); d = i32x4.sub(d, rotlx4(f, 11));
  b = v128.xor(b, a); b = i32x4.sub(b, rotlx4(a, 25));
  e = v128.xor(e, d); e = i32x4.sub(e, rotlx4(d, 25));
  c = v128.xor(c, b); c = i32x4.sub(c, rotl16x4(b));
  f = v128.xor(f, e); f = i32x4.sub(f, rotl16x4(e));
  a = v128.xor(a, c); a = i32x4.sub(a, rotlx4(c, 4));
  d = v128.xor(d, f); d = i32x4.sub(d, rotlx4(f, 4));
  b = v128.xor(b, a); b = i32x4.sub(b, rotlx4(a, 14));
  e = v128.xor(e, d); e = i32x4.sub(e, rotlx4(d, 14));
  c = v128.xor(c, b); c = i32x4.sub(c, rotr8x4(b));
  f = v128.xor(f, e); f = i32x4.sub(f, rotr8x4(e));
  v128.store(out, c);
  v128.store(out, f, 16);
}

/** Message words of four flows: u32x4[4] (m0..m3, or a..b for jhash), 16-aligned, for two groups. */
export const MSG: usize = memory.data(128, 16);

/**
 * The four HalfSipHash-1-3 message words of IPv4 flows [i, i+4) to msg[0, 64): the canonical
 * 13-byte tuple (src, dst, sport << 16 | dport, all big-endian; then proto | 13 << 24), ports
 * masked by `keep` (zero for no-ports mode), endpoints ordered in symmetric mode.
 */
// @ts-ignore: decorator
@inline export function flowpinMsgV4(msg: usize, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, i: u32, symmetric: bool, keep: v128): void {
  let a = v128.load(src + (<usize>i << 2));
  let b = v128.load(dst + (<usize>i << 2));
  let sp = v128.and(v128.load16x4_u(sport + (<usize>i << 1)), keep);
  let dp = v128.and(v128.load16x4_u(dport + (<usize>i << 1)), keep);
  if (symmetric) {
    // The lower (address, port) first, lane by lane.
    const swap = v128.or(i32x4.gt_u(a, b), v128.and(i32x4.eq(a, b), i32x4.gt_u(sp, dp)));
    const a2 = v128.bitselect(b, a, swap);
    b = v128.bitselect(a, b, swap);
    a = a2;
    const sp2 = v128.bitselect(dp, sp, swap);
    dp = v128.bitselect(sp, dp, swap);
    sp = sp2;
  }
  v128.store(msg, bswapx4(a));
  v128.store(msg, bswapx4(b), 16);
  v128.store(msg, bswapx4(v128.or(i32x4.shl(sp, 16), dp)), 32);
  v128.store(msg, v128.or(loadU8x4(proto + <usize>i), i32x4.splat(13 << 24)), 48);
}

/**
 * flowpin over IPv4 flows [i0, i1) (multiples of 4) into out u32[]: eight flows per step as
 * two interleaved groups, then a last group of four if one is left.
 */
// @ts-ignore: decorator
@inline export function flowpinV4Range(k0: v128, k1: v128, symmetric: bool, keep: v128, i0: u32, i1: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, out: usize): void {
  let i = i0;
  for (; i + 8 <= i1; i += 8) {
    flowpinMsgV4(MSG, src, dst, sport, dport, proto, i, symmetric, keep);
    flowpinMsgV4(MSG + 64, src, dst, sport, dport, proto, i + 4, symmetric, keep);
    halfSip13x4w4x2(k0, k1, v128.load(MSG), v128.load(MSG, 16), v128.load(MSG, 32), v128.load(MSG, 48),
      v128.load(MSG, 64), v128.load(MSG, 80), v128.load(MSG, 96), v128.load(MSG, 112), out + (<usize>i << 2));
  }
  if (i < i1) {
    flowpinMsgV4(MSG, src, dst, sport, dport, proto, i, symmetric, keep);
    v128.store(out + (<usize>i << 2), halfSip13x4w4(k0, k1, v128.load(MSG), v128.load(MSG, 16), v128.load(MSG, 32), v128.load(MSG, 48)));
  }
}

/**
 * flowpin over IPv6 flows [i0, i1) (multiples of 4) into out u32[], four at a time: the
 * 37-byte message is 9 full words plus the last (proto | 37 << 24), so 10 compression rounds
 * and 3 finalization rounds. `keep` zeroes both ports (noPorts) where it is 0.
 */
// @ts-ignore: decorator
@inline export function flowpinV6Range(k0: v128, k1: v128, symmetric: bool, keep: v128, i0: u32, i1: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, out: usize): void {
  const len = i32x4.splat(37 << 24);
  for (let i = i0; i < i1; i += 4) {
    const s = src + (<usize>i << 4);
    const d = dst + (<usize>i << 4);
    const s0 = v128.load(s), s1 = v128.load(s, 16), s2 = v128.load(s, 32), s3 = v128.load(s, 48);
    const d0 = v128.load(d), d1 = v128.load(d, 16), d2 = v128.load(d, 32), d3 = v128.load(d, 48);
    let a0 = transposeRow(s0, s1, s2, s3, 0), a1 = transposeRow(s0, s1, s2, s3, 1);
    let a2 = transposeRow(s0, s1, s2, s3, 2), a3 = transposeRow(s0, s1, s2, s3, 3);
    let b0 = transposeRow(d0, d1, d2, d3, 0), b1 = transposeRow(d0, d1, d2, d3, 1);
    let b2 = transposeRow(d0, d1, d2, d3, 2), b3 = transposeRow(d0, d1, d2, d3, 3);
    let sp = v128.load16x4_u(sport + (<usize>i << 1));
    let dp = v128.load16x4_u(dport + (<usize>i << 1));
    const pr = loadU8x4(proto + <usize>i);
    sp = v128.and(sp, keep);
    dp = v128.and(dp, keep);
    if (symmetric) {
      // Lexicographic (word 0..3, then port) unsigned comparison, all lanes at once.
      let gt = i32x4.gt_u(a0, b0);
      let eq = i32x4.eq(a0, b0);
      gt = v128.or(gt, v128.and(eq, i32x4.gt_u(a1, b1))); eq = v128.and(eq, i32x4.eq(a1, b1));
      gt = v128.or(gt, v128.and(eq, i32x4.gt_u(a2, b2))); eq = v128.and(eq, i32x4.eq(a2, b2));
      gt = v128.or(gt, v128.and(eq, i32x4.gt_u(a3, b3))); eq = v128.and(eq, i32x4.eq(a3, b3));
      const swap = v128.or(gt, v128.and(eq, i32x4.gt_u(sp, dp)));
      let t = v128.bitselect(b0, a0, swap); b0 = v128.bitselect(a0, b0, swap); a0 = t;
      t = v128.bitselect(b1, a1, swap); b1 = v128.bitselect(a1, b1, swap); a1 = t;
      t = v128.bitselect(b2, a2, swap); b2 = v128.bitselect(a2, b2, swap); a2 = t;
      t = v128.bitselect(b3, a3, swap); b3 = v128.bitselect(a3, b3, swap); a3 = t;
      t = v128.bitselect(dp, sp, swap); dp = v128.bitselect(sp, dp, swap); sp = t;
    }
    const h = halfSip13x4w10(k0, k1, bswapx4(a0), bswapx4(a1), bswapx4(a2), bswapx4(a3),
      bswapx4(b0), bswapx4(b1), bswapx4(b2), bswapx4(b3), bswapx4(v128.or(i32x4.shl(sp, 16), dp)), v128.or(pr, len));
    v128.store(out + (<usize>i << 2), h);
  }
}
