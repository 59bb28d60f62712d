// Rendezvous (highest random weight) hashing, and jump consistent hashing.
//
// Scoring (src/rendezvous.ts documents the profiles):
//   x = xorshift*(flowHash ^ keyHash)           Envoy's mix (rendezvous_hash_lb.cc): x ^= x>>12,
//                                               x ^= x<<25, x ^= x>>27, x *= 2685821657736338717
//   MODE_DEFAULT: u = ((x & (2^53-1)) + 1) * 2^-53 in (0, 1]; score = -w / min(ln u, -0)
//                 ln is fdlibm's __ieee754_log (logFdlibm below), the function V8 runs for
//                 Math.log (test/rendezvous.log.test.ts); min(.., -0) makes ln 1 = -0, so u = 1 scores +inf
//                 (computed by setting the sign bit, the same thing for ln u <= 0).
//   MODE_ENVOY:   u = (x & (2^53-1)) * 2^-53 in [0, 1); score = -w / (fastLog2(u) * ln 2),
//                 Envoy's rational approximation, weights normalised by the TS side.
//   MODE_MAX64:   score = x itself as a u64, no weights (dgryski/go-rendezvous, as go-redis'
//                 Ring uses it with XXH64): scored by the loops at the end of this file.
// Highest score wins; ties go to the lower index. Weights are >= 0: a zero weight (a drained
// backend, or a padding lane) scores +0 or NaN and never beats the initial best of 0.
//
// Memory (16-byte aligned, prepared by src/rendezvous.ts), npad = n rounded up to even:
//   keys:    u64[npad]  backend key hashes (padding 0)
//   weights: f64[npad]  backend weights (padding 0)
// The flow hash arrives as (lo, hi) u32 halves.

// @ts-ignore: decorator
@inline const MODE_ENVOY: u32 = 1;
// @ts-ignore: decorator
@inline const MODE_MAX64: u32 = 2;
// @ts-ignore: decorator
@inline const XS_MULT: u64 = 2685821657736338717;
// @ts-ignore: decorator
@inline const MASK53: u64 = (<u64>1 << 53) - 1;
// The f64 sign bit: ln u <= 0 here, so setting it changes only ln 1 = +0 into -0.
// @ts-ignore: decorator
@inline const SIGN: u64 = 0x8000000000000000;
// @ts-ignore: decorator
@inline const TWO_M53: f64 = 1.1102230246251565e-16; // 2^-53

// fdlibm e_log.c constants, given by their bit patterns so no decimal conversion is involved.
// @ts-ignore: decorator
@inline const LN2_HI: f64 = reinterpret<f64>(0x3fe62e42fee00000);
// @ts-ignore: decorator
@inline const LN2_LO: f64 = reinterpret<f64>(0x3dea39ef35793c76);
// @ts-ignore: decorator
@inline const LG1: f64 = reinterpret<f64>(0x3fe5555555555593);
// @ts-ignore: decorator
@inline const LG2: f64 = reinterpret<f64>(0x3fd999999997fa04);
// @ts-ignore: decorator
@inline const LG3: f64 = reinterpret<f64>(0x3fd2492494229359);
// @ts-ignore: decorator
@inline const LG4: f64 = reinterpret<f64>(0x3fcc71c51d8e78af);
// @ts-ignore: decorator
@inline const LG5: f64 = reinterpret<f64>(0x3fc7466496cb03de);
// @ts-ignore: decorator
@inline const LG6: f64 = reinterpret<f64>(0x3fc39a09d078c69f);
// @ts-ignore: decorator
@inline const LG7: f64 = reinterpret<f64>(0x3fc2f112df3e5244);
// 0.33333333333333333 in e_log.c's small-|f| branch, rounded to the nearest double.
// @ts-ignore: decorator
@inline const THIRD: f64 = 0.3333333333333333;
// 2^52 + 2^51: adding a small signed integer to its bits gives that integer plus this value.
// @ts-ignore: decorator
@inline const MAGIC_BITS: u64 = 0x4338000000000000;
// @ts-ignore: decorator
@inline const MAGIC: f64 = 6755399441055744.0;
// 2^52, for the exact u64 -> f64 conversion of values below 2^32.
// @ts-ignore: decorator
@inline const TWO52_BITS: u64 = 0x4330000000000000;
// @ts-ignore: decorator
@inline const TWO52: f64 = 4503599627370496.0;

// @ts-ignore: decorator
@inline function mix(x: u64): u64 {
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  return x * XS_MULT;
}

/**
 * ln x for positive normal x (the domain here: [2^-53, 1]), as fdlibm 5.3 e_log.c computes
 * it. e_log.c's six return paths collapse to two formulas: its k == 0 variants equal the
 * general ones exactly (0 - y == -y, y - 0 == y, and -(a - f) == f - a under round to
 * nearest), and its f == 0 path equals the small-|f| formula with R = 0. The SIMD version
 * below evaluates the same two formulas in the same order, so both agree bit for bit.
 */
// @ts-ignore: decorator
@inline function logFdlibm(x: f64): f64 {
  const bits = reinterpret<u64>(x);
  let hx = <i32>(bits >> 32);
  let k = (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  // Normalise x to [sqrt(2)/2, sqrt(2)): exponent 0 or -1.
  const xn = reinterpret<f64>((<u64>(hx | (i ^ 0x3ff00000)) << 32) | (bits & 0xffffffff));
  k += i >> 20;
  const f = xn - 1.0;
  const dk = <f64>k;
  if ((0x000fffff & (2 + hx)) < 3) {
    // |f| < 2^-20
    const R = f * f * (0.5 - THIRD * f);
    return dk * LN2_HI - ((R - dk * LN2_LO) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const R = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return dk * LN2_HI - ((hfsq - (s * (hfsq + R) + dk * LN2_LO)) - f);
  }
  return dk * LN2_HI - ((s * (f - R) - dk * LN2_LO) - f);
}

// The splatted constants of logFdlibm2 and score2, each as two u64 lanes. V8 rebuilds every
// v128.const at each use (there were 40 per pair of backends); a load from this table is one
// instruction. Entries: 0: i64x2.splat(0x000fffff), 16: i64x2.splat(0x95f64), 32: i64x2.splat(0x100000), 48: i64x2.splat(1023), 64: i64x2.splat(0x3ff00000), 80: i64x2.splat(0xffffffff), 96: f64x2.splat(1.0), 112: i64x2.splat(MAGIC_BITS), 128: f64x2.splat(LN2_HI), 144: f64x2.splat(LN2_LO), 160: f64x2.splat(2.0), 176: f64x2.splat(LG2), 192: f64x2.splat(LG4), 208: f64x2.splat(LG6), 224: f64x2.splat(LG1), 240: f64x2.splat(LG3), 256: f64x2.splat(LG5), 272: f64x2.splat(LG7), 288: f64x2.splat(0.5), 304: i64x2.splat(0x6147a), 320: i64x2.splat(0x6b851), 336: i64x2.splat(2), 352: i64x2.splat(3), 368: f64x2.splat(THIRD), 384: i64x2.splat(XS_MULT), 400: i64x2.splat(MASK53), 416: i64x2.splat(1), 432: i64x2.splat(TWO52_BITS), 448: f64x2.splat(4294967296.0), 464: f64x2.splat(TWO_M53), 480: i64x2.splat(<i64>SIGN).
const KT: usize = memory.data<u64>([0x00000000000fffff, 0x00000000000fffff, 0x0000000000095f64, 0x0000000000095f64, 0x0000000000100000, 0x0000000000100000, 0x00000000000003ff, 0x00000000000003ff, 0x000000003ff00000, 0x000000003ff00000, 0x00000000ffffffff, 0x00000000ffffffff, 0x3ff0000000000000, 0x3ff0000000000000, 0x4338000000000000, 0x4338000000000000, 0x3fe62e42fee00000, 0x3fe62e42fee00000, 0x3dea39ef35793c76, 0x3dea39ef35793c76, 0x4000000000000000, 0x4000000000000000, 0x3fd999999997fa04, 0x3fd999999997fa04, 0x3fcc71c51d8e78af, 0x3fcc71c51d8e78af, 0x3fc39a09d078c69f, 0x3fc39a09d078c69f, 0x3fe5555555555593, 0x3fe5555555555593, 0x3fd2492494229359, 0x3fd2492494229359, 0x3fc7466496cb03de, 0x3fc7466496cb03de, 0x3fc2f112df3e5244, 0x3fc2f112df3e5244, 0x3fe0000000000000, 0x3fe0000000000000, 0x000000000006147a, 0x000000000006147a, 0x000000000006b851, 0x000000000006b851, 0x0000000000000002, 0x0000000000000002, 0x0000000000000003, 0x0000000000000003, 0x3fd5555555555555, 0x3fd5555555555555, 0x2545f4914f6cdd1d, 0x2545f4914f6cdd1d, 0x001fffffffffffff, 0x001fffffffffffff, 0x0000000000000001, 0x0000000000000001, 0x4330000000000000, 0x4330000000000000, 0x41f0000000000000, 0x41f0000000000000, 0x3ca0000000000000, 0x3ca0000000000000, 0x8000000000000000, 0x8000000000000000], 16);

/** The same function on two lanes; see logFdlibm. */
// @ts-ignore: decorator
@inline function logFdlibm2(x: v128): v128 {
  const hx0 = i64x2.shr_u(x, 32);
  const hx = v128.and(hx0, v128.load(KT, 0));
  const i = v128.and(i64x2.add(hx, v128.load(KT, 16)), v128.load(KT, 32));
  const k = i64x2.add(i64x2.sub(i64x2.shr_u(hx0, 20), v128.load(KT, 48)), i64x2.shr_u(i, 20));
  const hi = v128.or(hx, v128.xor(i, v128.load(KT, 64)));
  const xn = v128.or(i64x2.shl(hi, 32), v128.and(x, v128.load(KT, 80)));
  const f = f64x2.sub(xn, v128.load(KT, 96));
  // k is small and signed: (bits(2^52 + 2^51) + k) read as f64, minus 2^52 + 2^51, is k.
  const dk = f64x2.sub(i64x2.add(k, v128.load(KT, 112)), v128.load(KT, 112));
  const kHi = f64x2.mul(dk, v128.load(KT, 128));
  const kLo = f64x2.mul(dk, v128.load(KT, 144));
  // general path
  const s = f64x2.div(f, f64x2.add(v128.load(KT, 160), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(v128.load(KT, 176), f64x2.mul(w, f64x2.add(v128.load(KT, 192), f64x2.mul(w, v128.load(KT, 208))))));
  const t2 = f64x2.mul(z, f64x2.add(v128.load(KT, 224), f64x2.mul(w, f64x2.add(v128.load(KT, 240), f64x2.mul(w, f64x2.add(v128.load(KT, 256), f64x2.mul(w, v128.load(KT, 272))))))));
  const R = f64x2.add(t2, t1);
  const hfsq = f64x2.mul(f64x2.mul(v128.load(KT, 288), f), f);
  const genA = f64x2.sub(kHi, f64x2.sub(f64x2.sub(hfsq, f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), kLo)), f));
  const genB = f64x2.sub(kHi, f64x2.sub(f64x2.sub(f64x2.mul(s, f64x2.sub(f, R)), kLo), f));
  const useA = i64x2.gt_s(v128.or(i64x2.sub(hx, v128.load(KT, 304)), i64x2.sub(v128.load(KT, 320), hx)), i64x2.splat(0));
  const gen = v128.bitselect(genA, genB, useA);
  const isSmall = i64x2.lt_s(v128.and(i64x2.add(hx, v128.load(KT, 336)), v128.load(KT, 0)), v128.load(KT, 352));
  // |f| < 2^-20 is rare for uniform u (about 2^-19 of inputs): skip that formula unless a
  // lane needs it.
  if (!v128.any_true(isSmall)) return gen;
  const Rs = f64x2.mul(f64x2.mul(f, f), f64x2.sub(v128.load(KT, 288), f64x2.mul(v128.load(KT, 368), f)));
  const small = f64x2.sub(kHi, f64x2.sub(f64x2.sub(Rs, kLo), f));
  return v128.bitselect(small, gen, isSmall);
}

/** Envoy's fastLog2 (rendezvous_hash_lb.cc), times ln 2 as Envoy's fastLog does. */
// @ts-ignore: decorator
@inline function envoyLog(x: f64): f64 {
  const bits = reinterpret<u64>(x);
  const exponent = (bits >> 52) & 0x7ff;
  const mantissa = bits & ((<u64>1 << 52) - 1);
  const newExponent: u64 = 1023 ^ (mantissa >> 51);
  const t = reinterpret<f64>((newExponent << 52) | mantissa) - 1.0;
  const approx = t * (0.338953 * t + 2.198599) / (t + 1.523692);
  return ((<f64>exponent - <f64>newExponent) + approx) * 0.6931471805599453;
}

// @ts-ignore: decorator
@inline function score1(h: u64, key: u64, w: f64, mode: u32): f64 {
  const m = mix(h ^ key) & MASK53;
  if (mode == MODE_ENVOY) return -w / envoyLog(<f64>m * TWO_M53);
  return -w / reinterpret<f64>(reinterpret<u64>(logFdlibm(<f64>(m + 1) * TWO_M53)) | SIGN);
}

/** Scores of two backends (keys kv, weights wv) for the flow hash splat hv; default mode. */
// @ts-ignore: decorator
@inline function score2(hv: v128, kv: v128, wv: v128): v128 {
  let x = v128.xor(hv, kv);
  x = v128.xor(x, i64x2.shr_u(x, 12));
  x = v128.xor(x, i64x2.shl(x, 25));
  x = v128.xor(x, i64x2.shr_u(x, 27));
  x = i64x2.mul(x, v128.load(KT, 384));
  const m1 = i64x2.add(v128.and(x, v128.load(KT, 400)), v128.load(KT, 416));
  // m1 <= 2^53 converted exactly: high and low 32-bit parts through the 2^52 trick.
  const hiPart = f64x2.sub(v128.or(i64x2.shr_u(m1, 32), v128.load(KT, 432)), v128.load(KT, 432));
  const loPart = f64x2.sub(v128.or(v128.and(m1, v128.load(KT, 80)), v128.load(KT, 432)), v128.load(KT, 432));
  const u = f64x2.mul(f64x2.add(f64x2.mul(hiPart, v128.load(KT, 448)), loPart), v128.load(KT, 464));
  const l = v128.or(logFdlibm2(u), v128.load(KT, 480));
  return f64x2.div(f64x2.neg(wv), l);
}

// @ts-ignore: decorator
@inline function pickOne(h: u64, keys: usize, weights: usize, n: i32, mode: u32): i32 {
  if (mode == MODE_MAX64) return pickMax64(h, keys, n);
  if (ASC_FEATURE_SIMD && mode != MODE_ENVOY) {
    // Per-lane running best (lane 0: even indices, lane 1: odd), strict > keeps the lower
    // index within a lane; the lanes are merged at the end with the same tie rule.
    const hv = i64x2.splat(h);
    let bestS = f64x2.splat(0.0);
    let bestI = i64x2.splat(-1);
    let idx = i64x2(0, 1);
    const two = i64x2.splat(2);
    for (let i = 0; i < n; i += 2) {
      const at = <usize>i << 3;
      const s = score2(hv, v128.load(keys + at), v128.load(weights + at));
      const better = f64x2.gt(s, bestS);
      bestS = v128.bitselect(s, bestS, better);
      bestI = v128.bitselect(idx, bestI, better);
      idx = i64x2.add(idx, two);
    }
    const s0 = f64x2.extract_lane(bestS, 0), s1 = f64x2.extract_lane(bestS, 1);
    const i0 = <i32>i64x2.extract_lane(bestI, 0), i1 = <i32>i64x2.extract_lane(bestI, 1);
    if (s1 > s0 || (s1 == s0 && i1 >= 0 && (i0 < 0 || i1 < i0))) return i1;
    return i0;
  }
  let best = -1;
  let bestS = 0.0;
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 3;
    const s = score1(h, load<u64>(keys + at), load<f64>(weights + at), mode);
    if (s > bestS) {
      bestS = s;
      best = i;
    }
  }
  return best;
}

/** Index of the highest-scoring backend for the flow hash (lo, hi); -1 if none scores > 0. */
export function rdvPick(lo: u32, hi: u32, keys: usize, weights: usize, n: i32, mode: u32): i32 {
  return pickOne((<u64>hi << 32) | <u64>lo, keys, weights, n, mode);
}

/**
 * rdvPick for `count` flow hashes: lo halves u32[count] at `hashes`, hi halves u32[count] at
 * `hashesHi` (or all 0 when hashesHi is 0); backend indices to u32[count] at `out`.
 */
export function rdvPickBatch(hashes: usize, hashesHi: usize, count: i32, keys: usize, weights: usize, n: i32, mode: u32, out: usize): void {
  for (let j = 0; j < count; j++) {
    const at = <usize>j << 2;
    const hi: u64 = hashesHi ? <u64>load<u32>(hashesHi + at) : 0;
    store<i32>(out + at, pickOne((hi << 32) | <u64>load<u32>(hashes + at), keys, weights, n, mode));
  }
}

/**
 * The k best backends for the flow hash (lo, hi), best first, to i32[k] at `out` (-1 where
 * fewer than k backends score > 0). `scratch` holds the running top scores, f64[k] (u64[k]
 * for MODE_MAX64).
 * Insertion into a sorted k-list as the scores are computed: O(n k) worst case, and k is
 * small (2 for glb-style pairs); most scores fail the first comparison.
 */
export function rdvTopK(lo: u32, hi: u32, keys: usize, weights: usize, n: i32, mode: u32, k: i32, scratch: usize, out: usize): void {
  const h = (<u64>hi << 32) | <u64>lo;
  const top = scratch;
  for (let j = 0; j < k; j++) {
    store<i32>(out + (<usize>j << 2), -1);
    store<f64>(top + (<usize>j << 3), 0.0);
  }
  const last = top + (<usize>(k - 1) << 3);
  if (mode == MODE_MAX64) {
    topMax64(h, keys, n, k, top, out);
    return;
  }
  if (ASC_FEATURE_SIMD && mode != MODE_ENVOY) {
    const hv = i64x2.splat(h);
    for (let i = 0; i < n; i += 2) {
      const at = <usize>i << 3;
      const sv = score2(hv, v128.load(keys + at), v128.load(weights + at));
      const s0 = f64x2.extract_lane(sv, 0);
      if (s0 > load<f64>(last)) insert(top, out, k, s0, i);
      const s1 = f64x2.extract_lane(sv, 1);
      // Lane 1 of the last pair is padding when n is odd (weight 0: it never passes anyway).
      if (s1 > load<f64>(last) && i + 1 < n) insert(top, out, k, s1, i + 1);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 3;
    const sc = score1(h, load<u64>(keys + at), load<f64>(weights + at), mode);
    if (sc > load<f64>(last)) insert(top, out, k, sc, i);
  }
}

/** Inserts (s, i) into the sorted top list; s is strictly greater than its last score. */
// @ts-ignore: decorator
@inline function insert(top: usize, out: usize, k: i32, s: f64, i: i32): void {
  // Strictly greater: equal scores keep the earlier (lower) index ahead.
  let j = k - 1;
  while (j > 0 && s > load<f64>(top + (<usize>(j - 1) << 3))) {
    store<f64>(top + (<usize>j << 3), load<f64>(top + (<usize>(j - 1) << 3)));
    store<i32>(out + (<usize>j << 2), load<i32>(out + (<usize>(j - 1) << 2)));
    j--;
  }
  store<f64>(top + (<usize>j << 3), s);
  store<i32>(out + (<usize>j << 2), i);
}

/** MODE_MAX64 pick: the largest u64 mix, the first on ties (strict >, as go-rendezvous). */
function pickMax64(h: u64, keys: usize, n: i32): i32 {
  let best = 0;
  let bs = mix(h ^ load<u64>(keys));
  for (let i = 1; i < n; i++) {
    const s = mix(h ^ load<u64>(keys + (<usize>i << 3)));
    if (s > bs) {
      bs = s;
      best = i;
    }
  }
  return best;
}

/** MODE_MAX64 top k: `top` holds u64[k] here; every backend is ranked (no weights). */
function topMax64(h: u64, keys: usize, n: i32, k: i32, top: usize, out: usize): void {
  let filled = 0;
  for (let i = 0; i < n; i++) {
    const s = mix(h ^ load<u64>(keys + (<usize>i << 3)));
    if (filled == k && !(s > load<u64>(top + (<usize>(k - 1) << 3)))) continue;
    let j = filled < k ? filled++ : k - 1;
    while (j > 0 && s > load<u64>(top + (<usize>(j - 1) << 3))) {
      store<u64>(top + (<usize>j << 3), load<u64>(top + (<usize>(j - 1) << 3)));
      store<i32>(out + (<usize>j << 2), load<i32>(out + (<usize>(j - 1) << 2)));
      j--;
    }
    store<u64>(top + (<usize>j << 3), s);
    store<i32>(out + (<usize>j << 2), i);
  }
}

/**
 * Jump consistent hash (Lamping & Veach 2014, "A Fast, Minimal Memory, Consistent Hash
 * Algorithm", figure 1) of the 64-bit key (lo, hi) into [0, buckets); buckets >= 1.
 * The LCG and the double division are the paper's; f64 division is exactly rounded on
 * every engine, so results are identical everywhere.
 */
export function jump(lo: u32, hi: u32, buckets: i32): i32 {
  // The paper keeps j in an int64; here it stays a double: trunc(j) < buckets exactly when
  // j < buckets (buckets is an integer), and a j below buckets fits an i32. wasm2js cannot
  // lower a saturating f64 -> i64 truncation, and this avoids it.
  let key = (<u64>hi << 32) | <u64>lo;
  let b: i32 = -1;
  let j: f64 = 0;
  while (j < <f64>buckets) {
    b = <i32>j;
    key = key * 2862933555777941757 + 1;
    // (key >> 33) + 1 <= 2^31: exact as u32, so no i64 -> f64 conversion either.
    j = <f64>(b + 1) * (2147483648.0 / <f64>(<u32>(key >> 33) + 1));
  }
  return b;
}

/**
 * ln of f64[n] at `ptr` in place (n even, values in [2^-53, 1]), with the same code paths
 * the scores use (two lanes in the SIMD build). Lets tests hold the log to JS Math.log.
 */
export function rdvLn(ptr: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) {
    for (let i = 0; i < n; i += 2) {
      const at = ptr + (<usize>i << 3);
      v128.store(at, logFdlibm2(v128.load(at)));
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const at = ptr + (<usize>i << 3);
    store<f64>(at, logFdlibm(load<f64>(at)));
  }
}
