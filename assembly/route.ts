// The route kernel: flow hash -> table slot -> backend index for a whole batch in one call
// (no JS loop per flow, no hash array in JS). Profiles: flowpin (keyed HalfSipHash-1-3),
// katran (jhash_2words with the ring-size seed, IPv6 source folded by jhash(src, 16,
// MAX_VIPS)), cilium (jhash_3words / hash_from_tuple_v6 with 1.16 or 1.17+ ports), and plain
// lookup of given hashes (u32, or u64 as lo/hi halves: Maglev.lookupBatch done in Wasm).
// The SIMD build hashes blocks of 256 flows four (IPv4: eight) at a time and reduces and
// looks the block up while it is in L1; the baseline build (and wasm2js) runs the same
// profiles one flow at a time, and SIMD builds do the last n mod 4 flows that way too.
//
// Parameter block `params` (u32 words, 16-aligned; src/engine/route-kernel.ts writes it):
//   @0 profile  @4 family (4|6)  @8 flags  @12 seed  @16 k0  @20 k1  @24 M (table size)
//   @28 entry width (2: u16 table, 4: u32)  @32 match bits  @36 match dport  @40 match proto
//   @48 match dst (u32[4], numeric words; IPv4 uses the first)
// Batch: src/dst u32[n] (IPv4) or u32[4n] (IPv6, most significant word first), sport/dport
// u16[n], proto u8[n], every region 16-aligned; lookup mode: src = hashes u32[n], dst =
// high halves u32[n] or 0. Outputs: out i32[n] = table[h % M], -1 where the flow fails the
// match or `table` is 0 (no backend); hashes u32[n] (if not 0) = the flow hash.
import { final, jhash2words, jhash3words } from "./hash/jhash";
import { halfSip13w10, halfSip13w4 } from "./hash/halfsip13";
import { fastmod, fastmodx4, recip } from "./reduce";
import { MSG, bswapx4, ciliumV6x4, flowpinV4Range, flowpinV6Range, halfSip13x4w10, jfinalx4x2, jhash16x4, jhash2x4, jhash3x4, loadU8x4, transposeRow } from "./flowx4";

// @ts-ignore: decorator
@inline const P_LOOKUP: u32 = 0;
// @ts-ignore: decorator
@inline const P_FLOWPIN: u32 = 1;
// @ts-ignore: decorator
@inline const P_KATRAN: u32 = 2;
// @ts-ignore: decorator
@inline const P_CILIUM: u32 = 3;

// flowpin: both directions alike; ports zeroed.
// @ts-ignore: decorator
@inline const F_SYMMETRIC: u32 = 1;
// @ts-ignore: decorator
@inline const F_NO_PORTS: u32 = 2;
// katran (balancer.bpf.c): F_HASH_NO_SRC_PORT, F_HASH_DPORT_ONLY, and the dport zeroing of a
// port-0 VIP match (the caller decides: it depends on the VIP, not on the flow).
// @ts-ignore: decorator
@inline const F_NO_SRC_PORT: u32 = 8;
// @ts-ignore: decorator
@inline const F_DPORT_ONLY: u32 = 16;
// @ts-ignore: decorator
@inline const F_ZERO_DPORT: u32 = 128;
// cilium: 1.17+ port order (dport << 16 | sport), and session affinity (sport half 0).
// @ts-ignore: decorator
@inline const F_SWAPPED: u32 = 32;
// @ts-ignore: decorator
@inline const F_AFFINITY: u32 = 64;

// Match bits: only TCP/UDP; destination address; destination port; protocol.
// @ts-ignore: decorator
@inline const M_TCP_UDP: u32 = 1;
// @ts-ignore: decorator
@inline const M_DST: u32 = 2;
// @ts-ignore: decorator
@inline const M_DPORT: u32 = 4;
// @ts-ignore: decorator
@inline const M_PROTO: u32 = 8;

// lookup3's JHASH_INITVAL.
// @ts-ignore: decorator
@inline const INITVAL: u32 = 0xdeadbeef;


/** table[slot] as an index, or -1 without a table. */
// @ts-ignore: decorator
@inline function entry(table: usize, slot: u32, wide: bool): i32 {
  if (table == 0) return -1;
  return wide ? load<i32>(table + (<usize>slot << 2)) : <i32>load<u16>(table + (<usize>slot << 1));
}

// ---------------------------------------------------------------------------------------
// One flow at a time (baseline build, and the n mod 4 tail of the SIMD build).

/** hashlittle over 16 bytes given as little-endian words (Katran's IPv6 source fold). */
function jhash16(w0: u32, w1: u32, w2: u32, w3: u32, initval: u32): u32 {
  const iv = INITVAL + 16 + initval;
  let a = iv + w0, b = iv + w1, c = iv + w2;
  a -= c; a ^= rotl<u32>(c, 4); c += b;
  b -= a; b ^= rotl<u32>(a, 6); a += c;
  c -= b; c ^= rotl<u32>(b, 8); b += a;
  a -= c; a ^= rotl<u32>(c, 16); c += b;
  b -= a; b ^= rotl<u32>(a, 19); a += c;
  c -= b; c ^= rotl<u32>(b, 4); b += a;
  return final(a + w3, b, c);
}

/** Cilium hash_from_tuple_v6 over the source words as the datapath loads them. */
function ciliumV6(w0: u32, w1: u32, w2: u32, w3: u32, ports: u32, proto: u32, seed: u32): u32 {
  let a = w0, b = w1, c = w2;
  a -= c; a ^= rotl<u32>(c, 4); c += b;
  b -= a; b ^= rotl<u32>(a, 6); a += c;
  c -= b; c ^= rotl<u32>(b, 8); b += a;
  a -= c; a ^= rotl<u32>(c, 16); c += b;
  b -= a; b ^= rotl<u32>(a, 19); a += c;
  c -= b; c ^= rotl<u32>(b, 4); b += a;
  a += w3; b += ports; c += proto;
  a -= c; a ^= rotl<u32>(c, 4); c += b;
  b -= a; b ^= rotl<u32>(a, 6); a += c;
  c -= b; c ^= rotl<u32>(b, 8); b += a;
  a -= c; a ^= rotl<u32>(c, 16); c += b;
  b -= a; b ^= rotl<u32>(a, 19); a += c;
  c -= b; c ^= rotl<u32>(b, 4); b += a;
  return final(a + seed, b, c);
}

/** The hash of flow i (any profile but lookup, either family). */
function hashOne(params: usize, i: u32, v6: bool, src: usize, dst: usize, sport: usize, dport: usize, proto: usize): u32 {
  const profile = load<u32>(params);
  const flags = load<u32>(params, 8);
  let sp = <u32>load<u16>(sport + (<usize>i << 1));
  let dp = <u32>load<u16>(dport + (<usize>i << 1));
  const pr = <u32>load<u8>(proto + <usize>i);
  const s = src + (<usize>i << (v6 ? 4 : 2));
  const d = dst + (<usize>i << (v6 ? 4 : 2));
  if (profile == P_FLOWPIN) {
    const k0 = load<u32>(params, 16), k1 = load<u32>(params, 20);
    if (flags & F_NO_PORTS) { sp = 0; dp = 0; }
    let x = s, y = d;
    if (flags & F_SYMMETRIC) {
      // (address, port) pairs compared address first, unsigned; the lower goes first.
      let swap = sp > dp;
      const words: usize = v6 ? 4 : 1;
      for (let k: usize = 0; k < words; k++) {
        const p = load<u32>(s + (k << 2)), q = load<u32>(d + (k << 2));
        if (p != q) { swap = p > q; break; }
      }
      if (swap) { x = d; y = s; const t = sp; sp = dp; dp = t; }
    }
    const pw = bswap<u32>((sp << 16) | dp);
    if (!v6) return halfSip13w4(k0, k1, bswap<u32>(load<u32>(x)), bswap<u32>(load<u32>(y)), pw, pr | (13 << 24));
    return halfSip13w10(k0, k1,
      bswap<u32>(load<u32>(x)), bswap<u32>(load<u32>(x, 4)), bswap<u32>(load<u32>(x, 8)), bswap<u32>(load<u32>(x, 12)),
      bswap<u32>(load<u32>(y)), bswap<u32>(load<u32>(y, 4)), bswap<u32>(load<u32>(y, 8)), bswap<u32>(load<u32>(y, 12)),
      pw, pr | (37 << 24));
  }
  const seed = load<u32>(params, 12);
  if (profile == P_KATRAN) {
    if (flags & F_ZERO_DPORT) dp = 0;
    if (flags & F_NO_SRC_PORT) sp = 0;
    const only = (flags & F_DPORT_ONLY) != 0;
    if (only) sp = dp;
    // flow.ports: the two network-order u16s read as one little-endian u32.
    const ports = bswap<u32>((sp << 16) | dp);
    let a: u32 = 0;
    if (!only) {
      a = v6
        ? jhash16(bswap<u32>(load<u32>(s)), bswap<u32>(load<u32>(s, 4)), bswap<u32>(load<u32>(s, 8)), bswap<u32>(load<u32>(s, 12)), 512)
        : bswap<u32>(load<u32>(s));
    } else if (v6) a = jhash16(0, 0, 0, 0, 512);
    return jhash2words(a, ports, seed);
  }
  // P_CILIUM: (X << 16) | Y of network-order u16s read as host integers (src/systems/cilium/hash.ts).
  const ports = flags & F_SWAPPED ? bswap<u32>(((flags & F_AFFINITY ? 0 : sp) << 16) | dp) : bswap<u32>((dp << 16) | sp);
  if (!v6) return jhash3words(bswap<u32>(load<u32>(s)), ports, pr, seed);
  return ciliumV6(bswap<u32>(load<u32>(s)), bswap<u32>(load<u32>(s, 4)), bswap<u32>(load<u32>(s, 8)), bswap<u32>(load<u32>(s, 12)), ports, pr, seed);
}

/** Whether flow i passes the match bits (a frontend / VIP and protocol filter). */
function matchOne(params: usize, i: u32, v6: bool, dst: usize, dport: usize, proto: usize): bool {
  const m = load<u32>(params, 32);
  if (m == 0) return true;
  const pr = <u32>load<u8>(proto + <usize>i);
  if ((m & M_TCP_UDP) && pr != 6 && pr != 17) return false;
  if ((m & M_PROTO) && pr != load<u32>(params, 40)) return false;
  if ((m & M_DPORT) && <u32>load<u16>(dport + (<usize>i << 1)) != load<u32>(params, 36)) return false;
  if (m & M_DST) {
    const d = dst + (<usize>i << (v6 ? 4 : 2));
    if (load<u32>(d) != load<u32>(params, 48)) return false;
    if (v6 && (load<u32>(d, 4) != load<u32>(params, 52) || load<u32>(d, 8) != load<u32>(params, 56) || load<u32>(d, 12) != load<u32>(params, 60))) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Four flows at a time (SIMD build).

/** All-ones lanes for the flows [i, i+4) that pass the match bits. */
// @ts-ignore: decorator
@inline function matchx4(params: usize, v6: bool, i: u32, dst: usize, dp: v128, pr: v128): v128 {
  const m = load<u32>(params, 32);
  let ok = i32x4.splat(-1);
  if (m == 0) return ok;
  if (m & M_TCP_UDP) ok = v128.and(ok, v128.or(i32x4.eq(pr, i32x4.splat(6)), i32x4.eq(pr, i32x4.splat(17))));
  if (m & M_PROTO) ok = v128.and(ok, i32x4.eq(pr, i32x4.splat(load<u32>(params, 40))));
  if (m & M_DPORT) ok = v128.and(ok, i32x4.eq(dp, i32x4.splat(load<u32>(params, 36))));
  if (m & M_DST) {
    if (!v6) ok = v128.and(ok, i32x4.eq(v128.load(dst + (<usize>i << 2)), i32x4.splat(load<u32>(params, 48))));
    else {
      // Four flows' destinations are four rows of four words: compare each row to the
      // frontend, then keep the lanes whose four words all matched.
      const fe = v128.load(params, 48);
      const d = dst + (<usize>i << 4);
      const e0 = i32x4.eq(v128.load(d), fe), e1 = i32x4.eq(v128.load(d, 16), fe);
      const e2 = i32x4.eq(v128.load(d, 32), fe), e3 = i32x4.eq(v128.load(d, 48), fe);
      ok = v128.and(ok, i32x4(i32x4.all_true(e0) ? -1 : 0, i32x4.all_true(e1) ? -1 : 0, i32x4.all_true(e2) ? -1 : 0, i32x4.all_true(e3) ? -1 : 0));
    }
  }
  return ok;
}

// Blocks: the 4-lane loops hash BLOCK flows into `out` (and their match lanes into MASK),
// then lookupBlock() turns those hashes into indices in place while they are still in L1.
// Doing the reduction and the four table loads inside the hash loop is the same work, but
// V8's optimizing tier (Node 20) then spills the HalfSipHash state and the loop ran at a
// fifth of the speed (measured 37 vs 160 M flows/s for flowpin; katran and cilium did not care).
// @ts-ignore: decorator
@inline const BLOCK: u32 = 256;
// The match lanes of the current block: i32[BLOCK].
const MASK: usize = memory.data(BLOCK << 2, 16);

/** MASK[i - i0] = the match lanes of flows [i0, i1). */
function matchRange(params: usize, v6: bool, i0: u32, i1: u32, dst: usize, dport: usize, proto: usize): void {
  for (let i = i0; i < i1; i += 4) {
    v128.store(MASK + (<usize>(i - i0) << 2), matchx4(params, v6, i, dst, v128.load16x4_u(dport + (<usize>i << 1)), loadU8x4(proto + <usize>i)));
  }
}

/**
 * out[i] = table[hashes[i] % M] for i in [0, n), n a multiple of 4 (SIMD build; out may be
 * hashes): the slots four at a time by fastmodx4, eight per step as two independent groups,
 * then the table reads. Measured (route flowpin, 1M IPv4 flows, u16 table): 211 -> 226 M flows/s
 * against the scalar fastmod per flow.
 */
function lookupx4<T>(n: u32, hashes: usize, table: usize, M: u32, c: u64, out: usize): void {
  const clo = i32x4.splat(<u32>c), chi = i32x4.splat(<u32>(c >> 32)), m = i32x4.splat(M);
  const shift = alignof<T>();
  let i: u32 = 0;
  for (; i + 8 <= n; i += 8) {
    const h = hashes + (<usize>i << 2);
    const s = fastmodx4(v128.load(h), clo, chi, m);
    const u = fastmodx4(v128.load(h, 16), clo, chi, m);
    const p = out + (<usize>i << 2);
    store<i32>(p, <i32>load<T>(table + (<usize>i32x4.extract_lane(s, 0) << shift)));
    store<i32>(p, <i32>load<T>(table + (<usize>i32x4.extract_lane(s, 1) << shift)), 4);
    store<i32>(p, <i32>load<T>(table + (<usize>i32x4.extract_lane(s, 2) << shift)), 8);
    store<i32>(p, <i32>load<T>(table + (<usize>i32x4.extract_lane(s, 3) << shift)), 12);
    store<i32>(p, <i32>load<T>(table + (<usize>i32x4.extract_lane(u, 0) << shift)), 16);
    store<i32>(p, <i32>load<T>(table + (<usize>i32x4.extract_lane(u, 1) << shift)), 20);
    store<i32>(p, <i32>load<T>(table + (<usize>i32x4.extract_lane(u, 2) << shift)), 24);
    store<i32>(p, <i32>load<T>(table + (<usize>i32x4.extract_lane(u, 3) << shift)), 28);
  }
  if (i < n) {
    const s = fastmodx4(v128.load(hashes + (<usize>i << 2)), clo, chi, m);
    const p = out + (<usize>i << 2);
    store<i32>(p, <i32>load<T>(table + (<usize>i32x4.extract_lane(s, 0) << shift)));
    store<i32>(p, <i32>load<T>(table + (<usize>i32x4.extract_lane(s, 1) << shift)), 4);
    store<i32>(p, <i32>load<T>(table + (<usize>i32x4.extract_lane(s, 2) << shift)), 8);
    store<i32>(p, <i32>load<T>(table + (<usize>i32x4.extract_lane(s, 3) << shift)), 12);
  }
}

/** out[i] = table[out[i] % M] for i in [i0, i1); then -1 where MASK says the flow failed the match. */
function lookupBlock(i0: u32, i1: u32, masked: bool, table: usize, wide: bool, M: u32, c: u64, out: usize): void {
  if (table == 0) {
    for (let i = i0; i < i1; i++) store<i32>(out + (<usize>i << 2), -1);
    return;
  }
  const o = out + (<usize>i0 << 2);
  // The entry width fixed per loop; no branch per flow.
  if (wide) lookupx4<u32>(i1 - i0, o, table, M, c, o);
  else lookupx4<u16>(i1 - i0, o, table, M, c, o);
  if (!masked) return;
  const none = i32x4.splat(-1);
  for (let i = i0; i < i1; i += 4) {
    const p = out + (<usize>i << 2);
    v128.store(p, v128.bitselect(v128.load(p), none, v128.load(MASK + (<usize>(i - i0) << 2))));
  }
}

// The loops below are functions of their own, not inlined into routeBatch: V8's optimizing
// tier (Node 20) allocated registers so badly for one function holding every profile's
// 4-lane loop that the flowpin route ran at a quarter of its hash-only speed (measured 48 vs
// 193 M flows/s). Flags become lane masks, so each loop has no branch on them.

function flowpinV6x4(params: usize, i0: u32, i1: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, out: usize): void {
  const flags = load<u32>(params, 8);
  const keep = i32x4.splat(flags & F_NO_PORTS ? 0 : -1);
  flowpinV6Range(i32x4.splat(load<u32>(params, 16)), i32x4.splat(load<u32>(params, 20)), (flags & F_SYMMETRIC) != 0, keep, i0, i1, src, dst, sport, dport, proto, out);
}

/** Katran's jhash_2words inputs for IPv4 flows [i, i+4), initval added: a to msg[0, 16), b to msg[16, 32). */
// @ts-ignore: decorator
@inline function katranMsgV4(msg: usize, i: u32, src: usize, sport: usize, dport: usize, dpKeep: v128, spKeep: v128, only: v128, iv: v128): void {
  const dp = v128.and(v128.load16x4_u(dport + (<usize>i << 1)), dpKeep);
  const sp = v128.bitselect(dp, v128.and(v128.load16x4_u(sport + (<usize>i << 1)), spKeep), only);
  v128.store(msg, i32x4.add(v128.andnot(bswapx4(v128.load(src + (<usize>i << 2))), only), iv));
  v128.store(msg, i32x4.add(bswapx4(v128.or(i32x4.shl(sp, 16), dp)), iv), 16);
}

/** Cilium's jhash_3words inputs for IPv4 flows [i, i+4), initval added: msg[0, 48). */
// @ts-ignore: decorator
@inline function ciliumMsgV4(msg: usize, i: u32, src: usize, sport: usize, dport: usize, proto: usize, swapped: bool, spKeep: v128, iv: v128): void {
  const sp = v128.load16x4_u(sport + (<usize>i << 1));
  const dp = v128.load16x4_u(dport + (<usize>i << 1));
  const ports = swapped ? bswapx4(v128.or(i32x4.shl(v128.and(sp, spKeep), 16), dp)) : bswapx4(v128.or(i32x4.shl(dp, 16), sp));
  v128.store(msg, i32x4.add(bswapx4(v128.load(src + (<usize>i << 2))), iv));
  v128.store(msg, i32x4.add(ports, iv), 16);
  v128.store(msg, i32x4.add(loadU8x4(proto + <usize>i), iv), 32);
}

// @ts-ignore: decorator
@inline function katranx4(params: usize, v6: bool, i0: u32, i1: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, out: usize): void {
  const flags = load<u32>(params, 8);
  const iv = i32x4.splat(INITVAL + 8 + load<u32>(params, 12));
  const iv6 = i32x4.splat(INITVAL + 16 + 512);
  // The flag edits as lane masks, so the loop has no branch on them.
  const dpKeep = i32x4.splat(flags & F_ZERO_DPORT ? 0 : -1);
  const spKeep = i32x4.splat(flags & F_NO_SRC_PORT ? 0 : -1);
  const only = i32x4.splat(flags & F_DPORT_ONLY ? -1 : 0);
  let i = i0;
  if (!v6) {
    // Eight flows per step: two final()s interleaved (flowx4.ts halfSip13x4w4x2 says why).
    for (; i + 8 <= i1; i += 8) {
      katranMsgV4(MSG, i, src, sport, dport, dpKeep, spKeep, only, iv);
      katranMsgV4(MSG + 64, i + 4, src, sport, dport, dpKeep, spKeep, only, iv);
      jfinalx4x2(v128.load(MSG), v128.load(MSG, 16), iv, v128.load(MSG, 64), v128.load(MSG, 80), iv, out + (<usize>i << 2));
    }
  }
  for (; i < i1; i += 4) {
    let sp = v128.load16x4_u(sport + (<usize>i << 1));
    let dp = v128.load16x4_u(dport + (<usize>i << 1));
    const pr = loadU8x4(proto + <usize>i);
    dp = v128.and(dp, dpKeep);
    sp = v128.bitselect(dp, v128.and(sp, spKeep), only);
    let a: v128;
    if (!v6) a = v128.andnot(bswapx4(v128.load(src + (<usize>i << 2))), only);
    else {
      const s = src + (<usize>i << 4);
      const s0 = v128.load(s), s1 = v128.load(s, 16), s2 = v128.load(s, 32), s3 = v128.load(s, 48);
      a = jhash16x4(
        v128.andnot(bswapx4(transposeRow(s0, s1, s2, s3, 0)), only), v128.andnot(bswapx4(transposeRow(s0, s1, s2, s3, 1)), only),
        v128.andnot(bswapx4(transposeRow(s0, s1, s2, s3, 2)), only), v128.andnot(bswapx4(transposeRow(s0, s1, s2, s3, 3)), only), iv6);
    }
    const h = jhash2x4(a, bswapx4(v128.or(i32x4.shl(sp, 16), dp)), iv);
    v128.store(out + (<usize>i << 2), h);
  }
}

// @ts-ignore: decorator
@inline function ciliumx4(params: usize, v6: bool, i0: u32, i1: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, out: usize): void {
  const flags = load<u32>(params, 8);
  const seed = load<u32>(params, 12);
  const iv = i32x4.splat(INITVAL + 12 + seed);
  const seedv = i32x4.splat(seed);
  const swapped = (flags & F_SWAPPED) != 0;
  const spKeep = i32x4.splat(flags & F_AFFINITY ? 0 : -1);
  let i = i0;
  if (!v6) {
    for (; i + 8 <= i1; i += 8) {
      ciliumMsgV4(MSG, i, src, sport, dport, proto, swapped, spKeep, iv);
      ciliumMsgV4(MSG + 64, i + 4, src, sport, dport, proto, swapped, spKeep, iv);
      jfinalx4x2(v128.load(MSG), v128.load(MSG, 16), v128.load(MSG, 32), v128.load(MSG, 64), v128.load(MSG, 80), v128.load(MSG, 96), out + (<usize>i << 2));
    }
  }
  for (; i < i1; i += 4) {
    const sp = v128.load16x4_u(sport + (<usize>i << 1));
    const dp = v128.load16x4_u(dport + (<usize>i << 1));
    const pr = loadU8x4(proto + <usize>i);
    const ports = swapped
      ? bswapx4(v128.or(i32x4.shl(v128.and(sp, spKeep), 16), dp))
      : bswapx4(v128.or(i32x4.shl(dp, 16), sp));
    let h: v128;
    if (!v6) h = jhash3x4(bswapx4(v128.load(src + (<usize>i << 2))), ports, pr, iv);
    else {
      const s = src + (<usize>i << 4);
      const s0 = v128.load(s), s1 = v128.load(s, 16), s2 = v128.load(s, 32), s3 = v128.load(s, 48);
      h = ciliumV6x4(bswapx4(transposeRow(s0, s1, s2, s3, 0)), bswapx4(transposeRow(s0, s1, s2, s3, 1)),
        bswapx4(transposeRow(s0, s1, s2, s3, 2)), bswapx4(transposeRow(s0, s1, s2, s3, 3)), ports, pr, seedv);
    }
    v128.store(out + (<usize>i << 2), h);
  }
}

function routeFlowpinV4(params: usize, i0: u32, i1: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, out: usize): void {
  const keep = i32x4.splat(load<u32>(params, 8) & F_NO_PORTS ? 0 : -1);
  flowpinV4Range(i32x4.splat(load<u32>(params, 16)), i32x4.splat(load<u32>(params, 20)), false, keep, i0, i1, src, dst, sport, dport, proto, out);
}

function routeFlowpinV4Symmetric(params: usize, i0: u32, i1: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, out: usize): void {
  const keep = i32x4.splat(load<u32>(params, 8) & F_NO_PORTS ? 0 : -1);
  flowpinV4Range(i32x4.splat(load<u32>(params, 16)), i32x4.splat(load<u32>(params, 20)), true, keep, i0, i1, src, dst, sport, dport, proto, out);
}

function routeKatranV4(params: usize, i0: u32, i1: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, out: usize): void {
  katranx4(params, false, i0, i1, src, dst, sport, dport, proto, out);
}

function routeKatranV6(params: usize, i0: u32, i1: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, out: usize): void {
  katranx4(params, true, i0, i1, src, dst, sport, dport, proto, out);
}

function routeCiliumV4(params: usize, i0: u32, i1: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, out: usize): void {
  ciliumx4(params, false, i0, i1, src, dst, sport, dport, proto, out);
}

function routeCiliumV6(params: usize, i0: u32, i1: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, out: usize): void {
  ciliumx4(params, true, i0, i1, src, dst, sport, dport, proto, out);
}

// ---------------------------------------------------------------------------------------
// Exports.

/** Routes flows [0, n) (layout above): out[i] = table[hash_i % M] or -1; hashes[i] = hash_i. */
export function routeBatch(params: usize, n: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, table: usize, out: usize, hashes: usize): void {
  const profile = load<u32>(params);
  const M = load<u32>(params, 24);
  const wide = load<u32>(params, 28) == 4;
  const c = recip(M);
  if (profile == P_LOOKUP) {
    lookupBatch(n, src, dst, table, wide, M, c, out);
    return;
  }
  const v6 = load<u32>(params, 4) == 6;
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const n4 = n & ~3;
    const masked = load<u32>(params, 32) != 0;
    for (let i0: u32 = 0; i0 < n4; i0 += BLOCK) {
      const i1 = min(i0 + BLOCK, n4);
      if (profile == P_FLOWPIN) {
        if (v6) flowpinV6x4(params, i0, i1, src, dst, sport, dport, proto, out);
        else if (load<u32>(params, 8) & F_SYMMETRIC) routeFlowpinV4Symmetric(params, i0, i1, src, dst, sport, dport, proto, out);
        else routeFlowpinV4(params, i0, i1, src, dst, sport, dport, proto, out);
      } else if (profile == P_KATRAN) {
        if (v6) routeKatranV6(params, i0, i1, src, dst, sport, dport, proto, out);
        else routeKatranV4(params, i0, i1, src, dst, sport, dport, proto, out);
      } else if (v6) routeCiliumV6(params, i0, i1, src, dst, sport, dport, proto, out);
      else routeCiliumV4(params, i0, i1, src, dst, sport, dport, proto, out);
      if (masked) matchRange(params, v6, i0, i1, dst, dport, proto);
      if (hashes != 0) memory.copy(hashes + (<usize>i0 << 2), out + (<usize>i0 << 2), <usize>(i1 - i0) << 2);
      lookupBlock(i0, i1, masked, table, wide, M, c, out);
    }
    i = n4;
  }
  for (; i < n; i++) {
    const h = hashOne(params, i, v6, src, dst, sport, dport, proto);
    if (hashes != 0) store<u32>(hashes + (<usize>i << 2), h);
    store<i32>(out + (<usize>i << 2), matchOne(params, i, v6, dst, dport, proto) ? entry(table, fastmod(h, c, M), wide) : -1);
  }
}

/**
 * Lookup of given hashes: out[i] = table[h_i % M] for h_i = hashes[i] (u32), or, with
 * `hashesHi`, the u64 hashesHi[i]·2^32 + hashes[i]. u64: ((hi mod M)·(2^32 mod M) + lo) is
 * below 2^52 for M < 2^26 and is reduced by a precomputed f64 reciprocal: the quotient
 * floor(x·(1/M)) is off by at most one there, and one correction step makes it exact.
 */
function lookupBatch(n: u32, hashes: usize, hashesHi: usize, table: usize, wide: bool, M: u32, c: u64, out: usize): void {
  if (hashesHi == 0) {
    let i: u32 = 0;
    if (ASC_FEATURE_SIMD && table != 0) {
      i = n & ~3;
      if (wide) lookupx4<u32>(i, hashes, table, M, c, out);
      else lookupx4<u16>(i, hashes, table, M, c, out);
    }
    for (; i < n; i++) {
      store<i32>(out + (<usize>i << 2), entry(table, fastmod(load<u32>(hashes + (<usize>i << 2)), c, M), wide));
    }
    return;
  }
  const r32 = <f64>((<u64>1 << 32) % <u64>M);
  const m = <f64>M;
  const inv = 1.0 / m;
  for (let i: u32 = 0; i < n; i++) {
    const x = <f64>fastmod(load<u32>(hashesHi + (<usize>i << 2)), c, M) * r32 + <f64>load<u32>(hashes + (<usize>i << 2));
    let r = x - Math.floor(x * inv) * m;
    if (r < 0) r += m;
    else if (r >= m) r -= m;
    store<i32>(out + (<usize>i << 2), entry(table, <u32>r, wide));
  }
}
