// Maglev table population (Eisenbud et al., NSDI'16, section 3.4, Pseudocode 1) for every
// profile flowpin reproduces. One placement step (walk a backend's permutation to its next
// free slot, take it) is shared by all of them; what differs between Envoy, Katran, Cilium
// and IPVS is only *whose turn it is* (the weight schedule), plus Katran's uint32 walk.
//
// Memory (allocated and laid out by src/maglev-build.ts, 16-byte aligned; n backends, M slots):
//   state + 4n*OFF   u32[n]  offset: first slot of the backend's permutation
//   state + 4n*SKIP  u32[n]  skip, in [1, M)
//   state + 4n*ID    u32[n]  the value stored in the table for this backend (its input index)
//   state + 4n*A     u32[n]  schedule input: first-round turns / integer weight
//   state + 4n*B     u32[n]  schedule input: later-round turns / cumulative counter
//   state + 4n*POS   u32[n]  walk state: the slot the permutation currently points at
//   state + 4n*RAW   u32[n]  walk state: Katran's unreduced uint32 (offset + next*skip)
//   state + fpBase   f64[n]  FW: Envoy normalized weight / Cilium weight counter
//   state + fpBase + 8n f64[n] FT: Envoy target weight
//   table            T[M]    T = u16 when every ID < 0xffff, else u32
//   bitmap           u32[ceil(M/32)] taken slots (zeroed here)
// fpBase = align8(28n) keeps every f64 load naturally aligned (wasm2js: HEAPF64[p >> 3]).
import { xxh64 } from "./hash/xxh64";
import { murmur3_128 } from "./hash/murmur3";
import { sipHash } from "./hash/siphash";
import { flowHashV4, flowHashV6 } from "./flow";
import { OUT } from "./out";
import { fastmod, recip } from "./reduce";

// @ts-ignore: decorator
@inline const OFF: usize = 0;
// @ts-ignore: decorator
@inline const SKIP: usize = 1;
// @ts-ignore: decorator
@inline const ID: usize = 2;
// @ts-ignore: decorator
@inline const A: usize = 3;
// @ts-ignore: decorator
@inline const B: usize = 4;
// @ts-ignore: decorator
@inline const POS: usize = 5;
// @ts-ignore: decorator
@inline const RAW: usize = 6;

/** Weight schedules (low bits of `kind`). */
// @ts-ignore: decorator
@inline const ENVOY: u32 = 0; // normalized doubles; a turn when iteration*w >= target
// @ts-ignore: decorator
@inline const CONSECUTIVE: u32 = 1; // A[i] turns in a row in round 1, then B[i] per round
// @ts-ignore: decorator
@inline const CUMULATIVE: u32 = 2; // Katran V2: B += A; a turn when B >= max, B -= max
// @ts-ignore: decorator
@inline const CILIUM: u32 = 3; // per-slot round robin, skipping backends ahead of their share
/** Flag: walk in uint32 arithmetic as Katran does ((offset + next*skip) wraps mod 2^32). */
// @ts-ignore: decorator
@inline const WRAP32: u32 = 16;

// @ts-ignore: decorator
@inline function fpBase(n: u32): usize {
  return (<usize>n * 28 + 7) & ~(<usize>7);
}

// @ts-ignore: decorator
@inline function u32at(state: usize, arr: usize, n: u32, i: u32): usize {
  return state + ((arr * <usize>n + <usize>i) << 2);
}

/**
 * Taken slots are tracked in a bitmap rather than by reading the table: M/8 bytes (8 KB for
 * M = 65537, 80 KB for 655373) stay in cache while the probes jump around. Measured with
 * the `select` wrap in place() (Envoy fill, N = 1000, u32 table): 1.50 → 1.20 ms at
 * M = 65537 and 21 → 14 ms at M = 655373 against probing the table itself with a branch.
 */
// @ts-ignore: decorator
@inline function taken(bm: usize, pos: u32): bool {
  return (load<u32>(bm + (<usize>(pos >> 5) << 2)) & (<u32>1 << (pos & 31))) != 0;
}

// @ts-ignore: decorator
@inline function take(bm: usize, pos: u32): void {
  const p = bm + (<usize>(pos >> 5) << 2);
  store<u32>(p, load<u32>(p) | (<u32>1 << (pos & 31)));
}

// @ts-ignore: decorator
@inline function bitmapBytes(M: u32): usize {
  return <usize>((M + 31) >> 5) << 2;
}

/** Bytes of the taken-slot bitmap for M slots. */
export function maglevBitmapBytes(M: u32): u32 {
  return <u32>bitmapBytes(M);
}

/**
 * One turn of backend i: walk its permutation to the first free slot, take it, step past it.
 * The walk is incremental (`pos += skip; if (pos >= M) pos -= M`), so there is no division
 * per probe. With `wrap` (Katran) the slot is (offset + next*skip) mod 2^32 mod M: when the
 * uint32 sum carries, the slot drops by 2^32 mod M (`w32`), modulo M.
 */
// @ts-ignore: decorator
@inline function place<T>(state: usize, n: u32, i: u32, table: usize, bm: usize, M: u32, wrap: bool, w32: u32): void {
  const pp = u32at(state, POS, n, i);
  const skip = load<u32>(pp - (((POS - SKIP) * <usize>n) << 2));
  let pos = load<u32>(pp);
  if (!wrap) {
    // `select` (a cmov) rather than a branch: pos >= M is a coin flip per probe. Two probes
    // per iteration, both computed from `pos` (+skip, +2skip), halve the add-compare-select
    // dependency chain that bounds this loop.
    let skip2 = skip + skip;
    skip2 = select<u32>(skip2 - M, skip2, skip2 >= M);
    while (taken(bm, pos)) {
      let p1 = pos + skip;
      p1 = select<u32>(p1 - M, p1, p1 >= M);
      pos += skip2;
      pos = select<u32>(pos - M, pos, pos >= M);
      if (!taken(bm, p1)) {
        pos = p1;
        break;
      }
    }
    take(bm, pos);
    store<T>(table + (<usize>pos << alignof<T>()), <T>load<u32>(pp - (((POS - ID) * <usize>n) << 2)));
    pos += skip;
    pos = select<u32>(pos - M, pos, pos >= M);
  } else {
    const rp = pp + (<usize>n << 2);
    let raw = load<u32>(rp);
    // The two-probe step of the plain walk wherever raw + 2·skip cannot carry (raw <= lim:
    // all but the last two probes before each wrap of the u32 sum), the one-probe step with
    // the carry correction otherwise (measured katran 65537x1000 with wrapping forced: 1.48 ->
    // 1.29 ms).
    let skip2 = skip + skip;
    skip2 = select<u32>(skip2 - M, skip2, skip2 >= M);
    const lim = 0xffffffff - (skip << 1);
    while (taken(bm, pos)) {
      if (raw <= lim) {
        let p1 = pos + skip;
        p1 = select<u32>(p1 - M, p1, p1 >= M);
        pos += skip2;
        pos = select<u32>(pos - M, pos, pos >= M);
        if (!taken(bm, p1)) {
          pos = p1;
          raw += skip;
          break;
        }
        raw += skip << 1;
      } else {
        const next = raw + skip;
        pos += skip;
        pos = select<u32>(pos - M, pos, pos >= M);
        if (next < raw) pos = pos >= w32 ? pos - w32 : pos + M - w32;
        raw = next;
      }
    }
    take(bm, pos);
    store<T>(table + (<usize>pos << alignof<T>()), <T>load<u32>(pp - (((POS - ID) * <usize>n) << 2)));
    const next = raw + skip;
    pos += skip;
    pos = select<u32>(pos - M, pos, pos >= M);
    if (next < raw) pos = pos >= w32 ? pos - w32 : pos + M - w32;
    store<u32>(rp, next);
  }
  store<u32>(pp, pos);
}

/** Envoy (maglev_lb.cc): round `iteration` = 1, 2, ...; stops the moment M slots are filled. */
function fillEnvoy<T>(state: usize, n: u32, table: usize, bm: usize, M: u32, maxWeight: f64): void {
  const fw = state + fpBase(n);
  const ft = fw + (<usize>n << 3);
  let filled: u32 = 0;
  for (let iteration: u32 = 1; ; iteration++) {
    const it = <f64>iteration;
    for (let i: u32 = 0; i < n; i++) {
      const w = load<f64>(fw + (<usize>i << 3));
      const tp = ft + (<usize>i << 3);
      const target = load<f64>(tp);
      if (it * w < target) continue;
      store<f64>(tp, target + maxWeight);
      place<T>(state, n, i, table, bm, M, false, 0);
      if (++filled == M) return;
    }
  }
}

/** Katran V1 (A = weight, B = 1) and IPVS (A = B = turns): runs of turns per backend. */
function fillConsecutive<T>(state: usize, n: u32, table: usize, bm: usize, M: u32, wrap: bool, w32: u32): void {
  let filled: u32 = 0;
  let arr = A;
  for (;;) {
    for (let i: u32 = 0; i < n; i++) {
      const turns = load<u32>(u32at(state, arr, n, i));
      for (let j: u32 = 0; j < turns; j++) {
        place<T>(state, n, i, table, bm, M, wrap, w32);
        if (++filled == M) return;
      }
    }
    arr = B;
  }
}

/** Katran V2 (MaglevHashV2.cpp): B accumulates A; a turn whenever it reaches the max weight. */
function fillCumulative<T>(state: usize, n: u32, table: usize, bm: usize, M: u32, maxWeight: u32, wrap: bool, w32: u32): void {
  let filled: u32 = 0;
  for (;;) {
    for (let i: u32 = 0; i < n; i++) {
      const cp = u32at(state, B, n, i);
      const cum = load<u32>(cp) + load<u32>(u32at(state, A, n, i));
      if (cum >= maxWeight) {
        store<u32>(cp, cum - maxWeight);
        place<T>(state, n, i, table, bm, M, wrap, w32);
        if (++filled == M) return;
      } else {
        store<u32>(cp, cum);
      }
    }
  }
}

/**
 * Cilium (pkg/maglev computeLookupTable): slot k starts at backend k mod n; with weights
 * (weightSum / n > 1, integer division, decided by the caller: weightSum = 0 means off) a
 * backend whose (k+1)*w is below its float64 counter (truncated to uint64) passes the turn on.
 * Every product and counter stays below 2^53, so f64 arithmetic is exact here.
 */
function fillCilium<T>(state: usize, n: u32, table: usize, bm: usize, M: u32, weightSum: f64): void {
  const cntr = state + fpBase(n);
  if (weightSum > 0) {
    for (let i: u32 = 0; i < n; i++) {
      store<f64>(cntr + (<usize>i << 3), <f64>load<u32>(u32at(state, A, n, i)) / <f64>n);
    }
  }
  for (let k: u32 = 0; k < M; k++) {
    let i = k % n;
    if (weightSum > 0) {
      const k1 = <f64>(k + 1);
      for (;;) {
        const cp = cntr + (<usize>i << 3);
        const c = load<f64>(cp);
        if (k1 * <f64>load<u32>(u32at(state, A, n, i)) < Math.floor(c)) {
          i = i + 1 == n ? 0 : i + 1;
          continue;
        }
        store<f64>(cp, c + weightSum);
        break;
      }
    }
    place<T>(state, n, i, table, bm, M, false, 0);
  }
}

/**
 * Sets `bytes` bytes at `p` (4-aligned) to `v` with word stores. Not memory.fill: the JS
 * engine is wasm2js of this module, and the build does not enable bulk memory for it.
 */
function fillWords(p: usize, bytes: usize, v: u32): void {
  const end = p + (bytes & ~(<usize>3));
  while (p < end) {
    store<u32>(p, v);
    p += 4;
  }
  if (bytes & 2) store<u16>(p, <u16>v);
}

function fill<T>(kind: u32, n: u32, M: u32, state: usize, table: usize, bm: usize, x: f64): void {
  // Empty table and fresh walk state: every permutation starts at its offset.
  fillWords(bm, bitmapBytes(M), 0);
  for (let i: u32 = 0; i < n; i++) {
    const off = load<u32>(u32at(state, OFF, n, i));
    store<u32>(u32at(state, POS, n, i), off);
    store<u32>(u32at(state, RAW, n, i), off);
  }
  // Katran's u32 walk, (offset + next·skip) mod 2^32, wraps only if offset + next·skip
  // reaches 2^32 for some next < M (a backend placing a turn has a free slot among the M
  // positions of its permutation, so next stays below M). When no backend can get there the
  // plain walk gives the same slots, two probes per step (katran 65537x1000 then builds as
  // fast as envoy's: wrapping needs a skip within ~2 of M there).
  let wrap = (kind & WRAP32) != 0;
  if (wrap) {
    wrap = false;
    const last = <u64>(M - 1);
    for (let i: u32 = 0; i < n; i++) {
      if (<u64>load<u32>(u32at(state, OFF, n, i)) + last * <u64>load<u32>(u32at(state, SKIP, n, i)) > <u64>0xffffffff) {
        wrap = true;
        break;
      }
    }
  }
  // 2^32 mod M, for Katran's carry correction.
  const w32 = <u32>(<u64>0x100000000 % <u64>M);
  const schedule = kind & 15;
  if (schedule == ENVOY) {
    const ft = state + fpBase(n) + (<usize>n << 3);
    fillWords(ft, <usize>n << 3, 0);
    fillEnvoy<T>(state, n, table, bm, M, x);
  } else if (schedule == CONSECUTIVE) {
    fillConsecutive<T>(state, n, table, bm, M, wrap, w32);
  } else if (schedule == CUMULATIVE) {
    fillWords(state + ((B * <usize>n) << 2), <usize>n << 2, 0);
    fillCumulative<T>(state, n, table, bm, M, <u32>x, wrap, w32);
  } else {
    fillCilium<T>(state, n, table, bm, M, x);
  }
}

/**
 * Populates a Maglev table of M slots from n backends whose offset, skip, ID and schedule
 * inputs are in `state` (layout above), using `bitmap` (u32[ceil(M / 32)], maglevBitmapBytes)
 * to mark taken slots. `kind` = schedule | WRAP32; `wide` = 0 for a u16
 * table, 1 for u32; `x` = Envoy's max normalized weight, Katran V2's max weight, or Cilium's
 * weight sum (0 = unweighted).
 */
export function maglevFill(kind: u32, n: u32, M: u32, state: usize, table: usize, bitmap: usize, wide: u32, x: f64): void {
  if (wide) fill<u32>(kind, n, M, state, table, bitmap, x);
  else fill<u16>(kind, n, M, state, table, bitmap, x);
}

/**
 * Envoy's permutation parameters for n keys: offset = XXH64(key, 0) % M and
 * skip = XXH64(key, 1) % (M - 1) + 1, in u64 arithmetic (maglev_lb.cc). Key i is the bytes
 * [keys + starts[i], keys + starts[i] + lens[i]); each start is 8-byte aligned (xxh64's word
 * loads). `starts`, `lens`, `offsets` and `skips` are u32[n].
 */
export function maglevEnvoyParams(keys: usize, starts: usize, lens: usize, n: u32, M: u32, offsets: usize, skips: usize): void {
  const m = <u64>M;
  for (let i: u32 = 0; i < n; i++) {
    const q = <usize>i << 2;
    const p = keys + <usize>load<u32>(starts + q);
    const len = load<u32>(lens + q);
    xxh64(p, len, 0, 0);
    store<u32>(offsets + q, <u32>(load<u64>(OUT) % m));
    xxh64(p, len, 1, 0);
    store<u32>(skips + q, <u32>(load<u64>(OUT) % (m - 1)) + 1);
  }
}

/** Bytes of the state region for n backends (the TS side allocates this much). */
export function maglevStateBytes(n: u32): u32 {
  return <u32>(fpBase(n) + (<usize>n << 4));
}

// ---------------------------------------------------------------------------------------
// Build inputs: the backends' keys sorted bytewise and their permutation parameters, for
// every profile, over keys laid out once by src/profiles/keys.ts:
//   keys + starts[j]  u8[lens[j]]  key j (starts 8-aligned: xxh64 and murmur3 load u64 words)
// Doing both here, over the bytes, is what makes the build proportionate: a JS comparator
// sort of 10 000 strings and a BigInt or TextEncoder step per backend cost more than the fill.

/** maglevParams kinds: which hash makes offset and skip. */
// @ts-ignore: decorator
@inline const P_ENVOY: u32 = 0; // XXH64(key, 0) % M, XXH64(key, 1) % (M - 1) + 1 (maglev_lb.cc)
// @ts-ignore: decorator
@inline const P_CILIUM: u32 = 1; // MurmurHash3_x64_128(key, seed): h1 % M, h2 % (M - 1) + 1
// @ts-ignore: decorator
@inline const P_KATRAN: u32 = 2; // key = the u64 endpoint hash, 8 bytes big-endian
// @ts-ignore: decorator
@inline const P_IPVS: u32 = 3; // key = the u32 hash input, 4 bytes little-endian

// Katran's second murmur word (MaglevBase.cpp kHashSeed0..3) and IPVS's hsiphash keys
// (ip_vs_mh.c: {2654435761, 2654435761} and {2654446892, 2654446892} as u64 pairs).
const KATRAN_IN: usize = memory.data(16, 16);
// @ts-ignore: decorator
@inline const IPVS_K1: u64 = 2654435761;
// @ts-ignore: decorator
@inline const IPVS_K2: u64 = 2654446892;

/**
 * offsets[k], skips[k] for key idx[k], k < n (u32 arrays; idx indexes starts/lens). `seed`:
 * Cilium's murmur seed. Katran: offset = MurmurHash3_x64_64(A, 42, seed 0) % M and
 * skip = MurmurHash3_x64_64(A, 2718281828, seed 2307) % (M - 1) + 1, the x64_64 being h1 of
 * x64_128 over LE64(A) ‖ LE64(B) (MaglevBase.cpp). IPVS: the low 32 bits of SipHash-1-3.
 */
export function maglevParams(kind: u32, keys: usize, starts: usize, lens: usize, idx: usize, n: u32, M: u32, seed: u32, offsets: usize, skips: usize): void {
  const m = <u64>M;
  for (let k: u32 = 0; k < n; k++) {
    const q = <usize>k << 2;
    const j = <usize>load<u32>(idx + q) << 2;
    const p = keys + <usize>load<u32>(starts + j);
    const len = load<u32>(lens + j);
    let a: u64;
    let b: u64;
    if (kind == P_ENVOY) {
      xxh64(p, len, 0, 0);
      a = load<u64>(OUT);
      xxh64(p, len, 1, 0);
      b = load<u64>(OUT);
    } else if (kind == P_CILIUM) {
      murmur3_128(p, len, seed);
      a = load<u64>(OUT);
      b = load<u64>(OUT, 8);
    } else if (kind == P_KATRAN) {
      store<u64>(KATRAN_IN, bswap<u64>(load<u64>(p)));
      store<u64>(KATRAN_IN, 42, 8);
      murmur3_128(KATRAN_IN, 16, 0);
      a = load<u64>(OUT);
      store<u64>(KATRAN_IN, 2718281828, 8);
      murmur3_128(KATRAN_IN, 16, 2307);
      b = load<u64>(OUT);
    } else {
      a = sipHash(IPVS_K1, IPVS_K1, p, 4, 1, 3) & 0xffffffff;
      b = sipHash(IPVS_K2, IPVS_K2, p, 4, 1, 3) & 0xffffffff;
    }
    store<u32>(offsets + q, <u32>(a % m));
    store<u32>(skips + q, <u32>(b % (m - 1)) + 1);
  }
}

/** Byte d of key j, plus one; 0 past its end (a key sorts before every longer one it starts). */
// @ts-ignore: decorator
@inline function keyByte(keys: usize, starts: usize, lens: usize, j: u32, d: u32): u32 {
  const q = <usize>j << 2;
  return d < load<u32>(lens + q) ? <u32>load<u8>(keys + <usize>load<u32>(starts + q) + <usize>d) + 1 : 0;
}

/** Compares keys x and y bytewise from byte d on (memcmp, then the shorter first). */
function keyCompare(keys: usize, starts: usize, lens: usize, x: u32, y: u32, d: u32): i32 {
  const lx = load<u32>(lens + (<usize>x << 2));
  const ly = load<u32>(lens + (<usize>y << 2));
  const px = keys + <usize>load<u32>(starts + (<usize>x << 2));
  const py = keys + <usize>load<u32>(starts + (<usize>y << 2));
  const l = lx < ly ? lx : ly;
  for (let i = d; i < l; i++) {
    const a = <i32>load<u8>(px + <usize>i);
    const b = <i32>load<u8>(py + <usize>i);
    if (a != b) return a - b;
  }
  return <i32>lx - <i32>ly;
}

// Segments at most this long are insertion-sorted: below it a 257-bucket pass costs more.
// @ts-ignore: decorator
@inline const SMALL: u32 = 24;
const COUNTS: usize = memory.data(257 * 4, 16);

/** Bytes of maglevSort's scratch for n keys. */
export function maglevSortBytes(n: u32): u32 {
  // tmp u32[n], then a stack of (lo, hi, depth) triples: segments on it are disjoint and
  // hold at least two keys, so there are at most n / 2 of them.
  return (n << 2) + (n / 2 + 2) * 12;
}

/**
 * order[0..n) = 0..n-1 sorted by the bytes of their keys (bytewise, as std::sort on strings
 * and Go's cmp.Compare). MSD radix sort: one counting pass per byte position over each
 * segment of keys sharing a prefix, insertion sort for short segments; a segment whose keys
 * all share the next byte moves to the next position without a pass of its own. Equal keys
 * (never passed: identities are unique) end up adjacent. `scratch`: maglevSortBytes(n).
 */
export function maglevSort(keys: usize, starts: usize, lens: usize, n: u32, order: usize, scratch: usize): void {
  for (let i: u32 = 0; i < n; i++) store<u32>(order + (<usize>i << 2), i);
  const tmp = scratch;
  const stack = scratch + (<usize>n << 2);
  let top: usize = 0;
  let lo: u32 = 0;
  let hi: u32 = n;
  let d: u32 = 0;
  for (;;) {
    if (hi - lo <= SMALL) {
      for (let i = lo + 1; i < hi; i++) {
        const v = load<u32>(order + (<usize>i << 2));
        let j = i;
        while (j > lo) {
          const u = load<u32>(order + (<usize>(j - 1) << 2));
          if (keyCompare(keys, starts, lens, u, v, d) <= 0) break;
          store<u32>(order + (<usize>j << 2), u);
          j--;
        }
        store<u32>(order + (<usize>j << 2), v);
      }
    } else {
      fillWords(COUNTS, 257 * 4, 0);
      for (let i = lo; i < hi; i++) {
        const c = COUNTS + (<usize>keyByte(keys, starts, lens, load<u32>(order + (<usize>i << 2)), d) << 2);
        store<u32>(c, load<u32>(c) + 1);
      }
      // One bucket holds them all: the same byte here (or all ended: equal keys).
      const first = keyByte(keys, starts, lens, load<u32>(order + (<usize>lo << 2)), d);
      if (load<u32>(COUNTS + (<usize>first << 2)) == hi - lo) {
        if (first != 0) {
          d++;
          continue;
        }
      } else {
        // Bucket starts (exclusive prefix sums), scatter to tmp, copy back.
        let sum: u32 = 0;
        for (let b: u32 = 0; b < 257; b++) {
          const c = COUNTS + (<usize>b << 2);
          const k = load<u32>(c);
          store<u32>(c, sum);
          sum += k;
        }
        for (let i = lo; i < hi; i++) {
          const v = load<u32>(order + (<usize>i << 2));
          const c = COUNTS + (<usize>keyByte(keys, starts, lens, v, d) << 2);
          const at = load<u32>(c);
          store<u32>(c, at + 1);
          store<u32>(tmp + (<usize>at << 2), v);
        }
        for (let i = lo; i < hi; i++) store<u32>(order + (<usize>i << 2), load<u32>(tmp + (<usize>(i - lo) << 2)));
        // Now COUNTS[b] is the end of bucket b (relative to lo). Bucket 0 (keys that ended)
        // holds equal keys only: no further order among them.
        let start = load<u32>(COUNTS);
        for (let b: u32 = 1; b < 257; b++) {
          const end = load<u32>(COUNTS + (<usize>b << 2));
          if (end - start > 1) {
            store<u32>(stack + top, lo + start);
            store<u32>(stack + top, lo + end, 4);
            store<u32>(stack + top, d + 1, 8);
            top += 12;
          }
          start = end;
        }
      }
    }
    if (top == 0) return;
    top -= 12;
    lo = load<u32>(stack + top);
    hi = load<u32>(stack + top, 4);
    d = load<u32>(stack + top, 8);
  }
}

// ---------------------------------------------------------------------------------------
// One decision per call: the flow hash and table[hash % M] in one Wasm call, so a numeric
// pick crosses the JS/Wasm boundary once. `table` is a copy of the Maglev table in linear
// memory (src/maglev.ts keeps one per engine) behind a 16-byte header: M (u32) at table - 16
// and its fastmod constant (u64, assembly/reduce.ts) at table - 8, so a u32 hash is reduced
// by two multiplications instead of a division and M is not an argument. flags: 1 = u32
// entries (else u16), 2 = the hasher's result is 64 bits (envoy, glb: the u64 in OUT is
// reduced, as Envoy's `table_[hash % table_size_]`).

// @ts-ignore: decorator
@inline function entryAt(table: usize, flags: u32, lo: u32): u32 {
  const M = load<u32>(table - 16);
  const slot = (flags & 2) != 0 ? <u32>(load<u64>(OUT) % <u64>M) : fastmod(lo, load<u64>(table - 8), M);
  return (flags & 1) != 0 ? load<u32>(table + (<usize>slot << 2)) : <u32>load<u16>(table + (<usize>slot << 1));
}

/** table[flowHashV4(...) % M]: the backend index of one IPv4 flow (assembly/flow.ts layout). */
export function maglevPickV4(cfg: usize, table: usize, flags: u32, src: u32, dst: u32, sport: u32, dport: u32, proto: u32): u32 {
  return entryAt(table, flags, flowHashV4(cfg, src, dst, sport, dport, proto));
}

/** table[flowHashV6(...) % M]; src and dst point at u32[4] address words. */
export function maglevPickV6(cfg: usize, table: usize, flags: u32, src: usize, dst: usize, sport: u32, dport: u32, proto: u32): u32 {
  return entryAt(table, flags, flowHashV6(cfg, src, dst, sport, dport, proto));
}

/** Writes the header of a table copy at `table` (entries from table + 16) for M slots. */
export function maglevPickHeader(table: usize, M: u32): void {
  store<u32>(table, M);
  store<u32>(table, 0, 4);
  store<u64>(table, recip(M), 8);
}
