// Flow hashing: every profile over one 5-tuple, one flow at a time or a whole batch in one
// call (4 lanes in i32x4 in the SIMD build: HalfSipHash for the flowpin profile, jhash for
// katran and cilium over IPv4).
//
// Addresses arrive as numeric words: IPv4 as the u32 whose big-endian bytes are the address
// (192.0.2.1 = 0xc0000201), IPv6 as four such words, most significant first. The wire bytes
// every profile hashes are those words byte-swapped (bswap), since hashes read memory
// little-endian.
//
// Config block `cfg` (16-aligned, written by src/flow-hasher.ts, which mirrors these offsets):
//   u32 profile @0, u32 flags @4, u32 seed4 @8, u32 seed6 @12 (cilium), u32 keyLen @16,
//   key bytes @32 (flowpin k0 @32, k1 @36; glb 16 bytes; toeplitz keyLen bytes).
import { OUT } from "./out";
import { halfSip13w10, halfSip13w4 } from "./hash/halfsip13";
import { sipHash } from "./hash/siphash";
import { toeplitz } from "./hash/toeplitz";
import { final, jhash, jhash2words, jhash3words } from "./hash/jhash";
import { xxh64 } from "./hash/xxh64";
import { bswapx4, flowpinV4Range, flowpinV6Range, halfSip13x4w10, jhash2x4, jhash3x4, loadU8x4, transposeRow } from "./flowx4";

// @ts-ignore: decorator
@inline const P_FLOWPIN: u32 = 0;
// @ts-ignore: decorator
@inline const P_TOEPLITZ: u32 = 1;
// @ts-ignore: decorator
@inline const P_KATRAN: u32 = 2;
// @ts-ignore: decorator
@inline const P_CILIUM: u32 = 3;
// @ts-ignore: decorator
@inline const P_ENVOY: u32 = 4;
// @ts-ignore: decorator
@inline const P_GLB: u32 = 5;

// @ts-ignore: decorator
@inline const F_SYMMETRIC: u32 = 1;
// @ts-ignore: decorator
@inline const F_NO_PORTS: u32 = 2;
// Katran VIP flags (balancer_consts.h): F_HASH_SRC_DST_PORT keeps the destination port,
// F_HASH_NO_SRC_PORT zeroes the source port, F_HASH_DPORT_ONLY hashes the destination port
// alone (both port halves = dport, source address zeroed).
// @ts-ignore: decorator
@inline const F_KATRAN_SRC_DST_PORT: u32 = 4;
// @ts-ignore: decorator
@inline const F_KATRAN_NO_SRC_PORT: u32 = 8;
// @ts-ignore: decorator
@inline const F_KATRAN_DPORT_ONLY: u32 = 16;
// glb-director hash_fields (glb_director_config.c), pushed in this order.
// @ts-ignore: decorator
@inline const F_GLB_SRC_ADDR: u32 = 32;
// @ts-ignore: decorator
@inline const F_GLB_DST_ADDR: u32 = 64;
// @ts-ignore: decorator
@inline const F_GLB_SRC_PORT: u32 = 128;
// @ts-ignore: decorator
@inline const F_GLB_DST_PORT: u32 = 256;

// @ts-ignore: decorator
@inline const KEY: usize = 32;
// Katran balancer_consts.h: INIT_JHASH_SEED = MAX_VIPS * RING_SIZE = 512 * 65537,
// INIT_JHASH_SEED_V6 = MAX_VIPS = 512.
// @ts-ignore: decorator
@inline const KATRAN_SEED: u32 = 33554944;
// @ts-ignore: decorator
@inline const KATRAN_SEED_V6: u32 = 512;

// Canonical bytes of the flow being hashed: u8[48] (37 used at most).
const TUPLE: usize = memory.data(48, 16);
// Envoy's address text: u8[48] (an IPv6 text is at most 45 characters).
const TEXT: usize = memory.data(48, 16);
// Address words for the IPv6 packet path: u32[8] (src, dst).
const ADDR: usize = memory.data(32, 16);
// The high half of the last 64-bit result (envoy, glb); 0 for 32-bit profiles.
let hi: u32 = 0;

// @ts-ignore: decorator
@inline function bswap16(x: u32): u32 {
  return ((x & 0xff) << 8) | ((x >> 8) & 0xff);
}

/** Stores the four bytes of numeric word `w` big-endian at p (any alignment). */
// @ts-ignore: decorator
@inline function putBE32(p: usize, w: u32): void {
  store<u8>(p, <u8>(w >> 24));
  store<u8>(p, <u8>(w >> 16), 1);
  store<u8>(p, <u8>(w >> 8), 2);
  store<u8>(p, <u8>w, 3);
}

/** Reads a big-endian u32 at any alignment (packets sit at arbitrary offsets). */
// @ts-ignore: decorator
@inline function getBE32(p: usize): u32 {
  return (<u32>load<u8>(p) << 24) | (<u32>load<u8>(p, 1) << 16) | (<u32>load<u8>(p, 2) << 8) | <u32>load<u8>(p, 3);
}

// @ts-ignore: decorator
@inline function getBE16(p: usize): u32 {
  return (<u32>load<u8>(p) << 8) | <u32>load<u8>(p, 1);
}

// ---------------------------------------------------------------------------------------
// Address text as Envoy renders it (Address::Ipv4Instance / Ipv6Instance::makeFriendlyAddress:
// inet_ntop). IPv4: dotted decimal. IPv6: glibc inet_ntop6: lowercase hex without leading
// zeros, the longest run of two or more zero groups (the first on a tie) as "::", and the
// last 32 bits dotted when the address is IPv4-compatible (::a.b.c.d with groups 0-5 zero
// and group 6 non-zero) or IPv4-mapped.

/** Writes the decimal digits of v (0..255) at p; returns the count. */
function putDec(p: usize, v: u32): usize {
  if (v >= 100) {
    store<u8>(p, <u8>(48 + v / 100));
    store<u8>(p, <u8>(48 + (v / 10) % 10), 1);
    store<u8>(p, <u8>(48 + v % 10), 2);
    return 3;
  }
  if (v >= 10) {
    store<u8>(p, <u8>(48 + v / 10));
    store<u8>(p, <u8>(48 + v % 10), 1);
    return 2;
  }
  store<u8>(p, <u8>(48 + v));
  return 1;
}

function putDotted(p: usize, w: u32): usize {
  let q = p;
  q += putDec(q, w >> 24);
  store<u8>(q++, 46);
  q += putDec(q, (w >> 16) & 0xff);
  store<u8>(q++, 46);
  q += putDec(q, (w >> 8) & 0xff);
  store<u8>(q++, 46);
  q += putDec(q, w & 0xff);
  return q - p;
}

function putHex(p: usize, v: u32): usize {
  let n: usize = 1;
  if (v >= 0x1000) n = 4;
  else if (v >= 0x100) n = 3;
  else if (v >= 0x10) n = 2;
  for (let i: usize = 0; i < n; i++) {
    const d = (v >> (<u32>(n - 1 - i) << 2)) & 15;
    store<u8>(p + i, <u8>(d < 10 ? 48 + d : 87 + d));
  }
  return n;
}

// @ts-ignore: decorator
@inline function group(w: usize, i: i32): u32 {
  const word = load<u32>(w + (<usize>(i >> 1) << 2));
  return (i & 1) ? word & 0xffff : word >> 16;
}

/** inet_ntop(AF_INET6) of the four numeric words at w into p; returns the length. */
function putV6(p: usize, w: usize): usize {
  let bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (group(w, i) == 0) {
      if (curBase < 0) { curBase = i; curLen = 1; } else curLen++;
    } else if (curBase >= 0) {
      if (curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
      curBase = -1;
    }
  }
  if (curBase >= 0 && curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
  if (bestLen < 2) bestBase = -1;
  let q = p;
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i == bestBase) store<u8>(q++, 58);
      continue;
    }
    if (i != 0) store<u8>(q++, 58);
    if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && group(w, 5) == 0xffff))) {
      q += putDotted(q, load<u32>(w, 12));
      return q - p;
    }
    q += putHex(q, group(w, i));
  }
  if (bestBase >= 0 && bestBase + bestLen == 8) store<u8>(q++, 58);
  return q - p;
}

// ---------------------------------------------------------------------------------------
// Profiles over one IPv4 flow.

// @ts-ignore: decorator
@inline function flowpinV4(cfg: usize, flags: u32, a: u32, b: u32, sp: u32, dp: u32, proto: u32): u32 {
  if (flags & F_NO_PORTS) { sp = 0; dp = 0; }
  // Symmetric mode: (address, port) pairs compared address first; the lower goes first.
  if ((flags & F_SYMMETRIC) && (a > b || (a == b && sp > dp))) {
    const t = a; a = b; b = t;
    const u = sp; sp = dp; dp = u;
  }
  // The 13-byte message (a, b, ports big-endian, proto) as the four little-endian words
  // halfSipHash would read, the last with the length byte.
  return halfSip13w4(load<u32>(cfg, KEY), load<u32>(cfg, KEY + 4), bswap<u32>(a), bswap<u32>(b), bswap<u32>((sp << 16) | dp), proto | (13 << 24));
}

function hashV4(cfg: usize, a: u32, b: u32, sp: u32, dp: u32, proto: u32): u32 {
  const profile = load<u32>(cfg);
  const flags = load<u32>(cfg, 4);
  hi = 0;
  if (profile == P_FLOWPIN) return flowpinV4(cfg, flags, a, b, sp, dp, proto);
  if (profile == P_TOEPLITZ) {
    // RSS input (MS "RSS hashing functions"): src, dst [, sport, dport], network order.
    store<u32>(TUPLE, bswap<u32>(a));
    store<u32>(TUPLE, bswap<u32>(b), 4);
    if (flags & F_NO_PORTS) return toeplitz(TUPLE, 8, cfg + KEY);
    store<u32>(TUPLE, bswap<u32>((sp << 16) | dp), 8);
    return toeplitz(TUPLE, 12, cfg + KEY);
  }
  if (profile == P_KATRAN) {
    // balancer.bpf.c: jhash_2words(flow.src, flow.ports, INIT_JHASH_SEED), both read as
    // host (little-endian) u32s of network-order bytes.
    if (!(flags & (F_KATRAN_SRC_DST_PORT | F_KATRAN_DPORT_ONLY))) dp = 0;
    if (flags & F_KATRAN_NO_SRC_PORT) sp = 0;
    if (flags & F_KATRAN_DPORT_ONLY) { sp = dp; a = 0; }
    return jhash2words(bswap<u32>(a), bswap<u32>((sp << 16) | dp), KATRAN_SEED);
  }
  if (profile == P_CILIUM) {
    // bpf/lib/hash.h hash_from_tuple_v4: the CT tuple holds the ports swapped (tuple->dport
    // is the packet's source port), each a network-order u16 read on a little-endian host.
    return jhash3words(bswap<u32>(a), (bswap16(sp) << 16) | bswap16(dp), proto, load<u32>(cfg, 8));
  }
  if (profile == P_ENVOY) return envoyText(<u32>putDotted(TEXT, a));
  // P_GLB: glb_compute_hash pushes the configured fields in network order.
  let n: usize = 0;
  if (flags & F_GLB_SRC_ADDR) { putBE32(TUPLE + n, a); n += 4; }
  if (flags & F_GLB_DST_ADDR) { putBE32(TUPLE + n, b); n += 4; }
  return glbTail(cfg, flags, n, sp, dp);
}

function glbTail(cfg: usize, flags: u32, n: usize, sp: u32, dp: u32): u32 {
  if (flags & F_GLB_SRC_PORT) { store<u8>(TUPLE + n, <u8>(sp >> 8)); store<u8>(TUPLE + n, <u8>sp, 1); n += 2; }
  if (flags & F_GLB_DST_PORT) { store<u8>(TUPLE + n, <u8>(dp >> 8)); store<u8>(TUPLE + n, <u8>dp, 1); n += 2; }
  const h = sipHash(load<u64>(cfg, KEY), load<u64>(cfg, KEY + 8), TUPLE, <u32>n, 2, 4);
  hi = <u32>(h >> 32);
  return <u32>h;
}

/** Envoy's source-IP hash: XXH64 (seed 0) of the `len` text bytes at TEXT; low word
 *  returned, high word in `hi`. */
// @ts-ignore: decorator
@inline function envoyText(len: u32): u32 {
  xxh64(TEXT, len, 0, 0);
  const h = load<u64>(OUT);
  hi = <u32>(h >> 32);
  return <u32>h;
}

// ---------------------------------------------------------------------------------------
// Profiles over one IPv6 flow; s and d point at four numeric words each.

function putV6Bytes(p: usize, w: usize): void {
  store<u32>(p, bswap<u32>(load<u32>(w)));
  store<u32>(p, bswap<u32>(load<u32>(w, 4)), 4);
  store<u32>(p, bswap<u32>(load<u32>(w, 8)), 8);
  store<u32>(p, bswap<u32>(load<u32>(w, 12)), 12);
}

// Cilium's hash_from_tuple_v6 hand-rolls two lookup3 mix() steps and final() (hash.h), so
// it cannot be expressed through jhash()/jhash_3words(). The mixes stay inline here (a
// helper cannot hand back three words without module globals, which V8 keeps in memory:
// measured 1.8x slower in assembly/glb.ts); final() is jhash.ts's.
// @ts-ignore: decorator
@inline function ciliumV6(s: usize, ports: u32, proto: u32, seed: u32): u32 {
  let a = bswap<u32>(load<u32>(s));
  let b = bswap<u32>(load<u32>(s, 4));
  let c = bswap<u32>(load<u32>(s, 8));
  a -= c; a ^= rotl<u32>(c, 4); c += b;
  b -= a; b ^= rotl<u32>(a, 6); a += c;
  c -= b; c ^= rotl<u32>(b, 8); b += a;
  a -= c; a ^= rotl<u32>(c, 16); c += b;
  b -= a; b ^= rotl<u32>(a, 19); a += c;
  c -= b; c ^= rotl<u32>(b, 4); b += a;
  a += bswap<u32>(load<u32>(s, 12));
  b += ports;
  c += proto;
  a -= c; a ^= rotl<u32>(c, 4); c += b;
  b -= a; b ^= rotl<u32>(a, 6); a += c;
  c -= b; c ^= rotl<u32>(b, 8); b += a;
  a -= c; a ^= rotl<u32>(c, 16); c += b;
  b -= a; b ^= rotl<u32>(a, 19); a += c;
  c -= b; c ^= rotl<u32>(b, 4); b += a;
  return final(a + seed, b, c);
}

function hashV6(cfg: usize, s: usize, d: usize, sp: u32, dp: u32, proto: u32): u32 {
  const profile = load<u32>(cfg);
  const flags = load<u32>(cfg, 4);
  hi = 0;
  if (profile == P_FLOWPIN) {
    if (flags & F_NO_PORTS) { sp = 0; dp = 0; }
    if (flags & F_SYMMETRIC) {
      let swap = sp > dp;
      for (let k: usize = 0; k < 16; k += 4) {
        const x = load<u32>(s + k), y = load<u32>(d + k);
        if (x != y) { swap = x > y; break; }
      }
      if (swap) {
        const t = s; s = d; d = t;
        const u = sp; sp = dp; dp = u;
      }
    }
    return halfSip13w10(load<u32>(cfg, KEY), load<u32>(cfg, KEY + 4),
      bswap<u32>(load<u32>(s)), bswap<u32>(load<u32>(s, 4)), bswap<u32>(load<u32>(s, 8)), bswap<u32>(load<u32>(s, 12)),
      bswap<u32>(load<u32>(d)), bswap<u32>(load<u32>(d, 4)), bswap<u32>(load<u32>(d, 8)), bswap<u32>(load<u32>(d, 12)),
      bswap<u32>((sp << 16) | dp), proto | (37 << 24));
  }
  if (profile == P_TOEPLITZ) {
    putV6Bytes(TUPLE, s);
    putV6Bytes(TUPLE + 16, d);
    if (flags & F_NO_PORTS) return toeplitz(TUPLE, 32, cfg + KEY);
    store<u32>(TUPLE, bswap<u32>((sp << 16) | dp), 32);
    return toeplitz(TUPLE, 36, cfg + KEY);
  }
  if (profile == P_KATRAN) {
    // get_packet_hash(hash_16bytes): the source folds to jhash(srcv6, 16, INIT_JHASH_SEED_V6).
    if (!(flags & (F_KATRAN_SRC_DST_PORT | F_KATRAN_DPORT_ONLY))) dp = 0;
    if (flags & F_KATRAN_NO_SRC_PORT) sp = 0;
    if (flags & F_KATRAN_DPORT_ONLY) {
      sp = dp;
      store<u64>(TUPLE, 0); store<u64>(TUPLE, 0, 8);
    } else {
      putV6Bytes(TUPLE, s);
    }
    return jhash2words(jhash(TUPLE, 16, KATRAN_SEED_V6), bswap<u32>((sp << 16) | dp), KATRAN_SEED);
  }
  if (profile == P_CILIUM) {
    return ciliumV6(s, (bswap16(sp) << 16) | bswap16(dp), proto, load<u32>(cfg, 12));
  }
  if (profile == P_ENVOY) return envoyText(<u32>putV6(TEXT, s));
  let n: usize = 0;
  if (flags & F_GLB_SRC_ADDR) { putV6Bytes(TUPLE + n, s); n += 16; }
  if (flags & F_GLB_DST_ADDR) { putV6Bytes(TUPLE + n, d); n += 16; }
  return glbTail(cfg, flags, n, sp, dp);
}

// @ts-ignore: decorator
@inline function is64(cfg: usize): bool {
  const p = load<u32>(cfg);
  return p == P_ENVOY || p == P_GLB;
}

// ---------------------------------------------------------------------------------------
// Exports.

/** One IPv4 flow from numbers; a 64-bit result also goes to OUT[0, 8). */
export function flowHashV4(cfg: usize, src: u32, dst: u32, sport: u32, dport: u32, proto: u32): u32 {
  const lo = hashV4(cfg, src, dst, sport, dport, proto);
  if (is64(cfg)) store<u64>(OUT, (<u64>hi << 32) | <u64>lo);
  return lo;
}

/** One IPv6 flow; src and dst point at four numeric words each (u32[4], 4-aligned). */
export function flowHashV6(cfg: usize, src: usize, dst: usize, sport: u32, dport: u32, proto: u32): u32 {
  const lo = hashV6(cfg, src, dst, sport, dport, proto);
  if (is64(cfg)) store<u64>(OUT, (<u64>hi << 32) | <u64>lo);
  return lo;
}

/**
 * flowpin profile over IPv4 flows [0, n4) four at a time: HalfSipHash-1-3 with one flow per
 * i32x4 lane. The 13-byte message is 3 full words plus the last word (proto | 13 << 24):
 * 4 compression rounds and 3 finalization rounds, written out in flowx4.ts.
 */
// @ts-ignore: decorator
@inline function flowpinV4x4(cfg: usize, flags: u32, n4: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, out: usize): void {
  const k0 = i32x4.splat(load<u32>(cfg, KEY));
  const k1 = i32x4.splat(load<u32>(cfg, KEY + 4));
  const keep = i32x4.splat(flags & F_NO_PORTS ? 0 : -1);
  if (flags & F_SYMMETRIC) flowpinV4Range(k0, k1, true, keep, 0, n4, src, dst, sport, dport, proto, out);
  else flowpinV4Range(k0, k1, false, keep, 0, n4, src, dst, sport, dport, proto, out);
}

/** flowpin profile over IPv6 flows [0, n4) four at a time (flowx4.ts's flowpinV6Range). */
// @ts-ignore: decorator
@inline function flowpinV6x4(cfg: usize, flags: u32, n4: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, out: usize): void {
  const keep = i32x4.splat(flags & F_NO_PORTS ? 0 : -1);
  flowpinV6Range(i32x4.splat(load<u32>(cfg, KEY)), i32x4.splat(load<u32>(cfg, KEY + 4)), (flags & F_SYMMETRIC) != 0, keep, 0, n4, src, dst, sport, dport, proto, out);
}

/**
 * katran and cilium profiles over IPv4 flows [0, n4) four at a time, the same words as
 * hashV4(): Katran jhash_2words(src, ports, INIT_JHASH_SEED) after the VIP-flag edits (as
 * lane masks, so the loop does not branch on them); Cilium 1.16 jhash_3words(saddr, ports,
 * nexthdr, seed4).
 */
// @ts-ignore: decorator
@inline function jhashV4x4(cfg: usize, profile: u32, n4: u32, src: usize, sport: usize, dport: usize, proto: usize, out: usize): void {
  const flags = load<u32>(cfg, 4);
  if (profile == P_KATRAN) {
    const iv = i32x4.splat(0xdeadbeef + 8 + KATRAN_SEED);
    const dpKeep = i32x4.splat(flags & (F_KATRAN_SRC_DST_PORT | F_KATRAN_DPORT_ONLY) ? -1 : 0);
    const spKeep = i32x4.splat(flags & F_KATRAN_NO_SRC_PORT ? 0 : -1);
    const only = i32x4.splat(flags & F_KATRAN_DPORT_ONLY ? -1 : 0);
    for (let i: u32 = 0; i < n4; i += 4) {
      const dp = v128.and(v128.load16x4_u(dport + (<usize>i << 1)), dpKeep);
      const sp = v128.bitselect(dp, v128.and(v128.load16x4_u(sport + (<usize>i << 1)), spKeep), only);
      const a = v128.andnot(bswapx4(v128.load(src + (<usize>i << 2))), only);
      v128.store(out + (<usize>i << 2), jhash2x4(a, bswapx4(v128.or(i32x4.shl(sp, 16), dp)), iv));
    }
    return;
  }
  const iv = i32x4.splat(0xdeadbeef + 12 + load<u32>(cfg, 8));
  for (let i: u32 = 0; i < n4; i += 4) {
    const sp = v128.load16x4_u(sport + (<usize>i << 1));
    const dp = v128.load16x4_u(dport + (<usize>i << 1));
    // (bswap16(sport) << 16) | bswap16(dport) = bswap32((dport << 16) | sport).
    const ports = bswapx4(v128.or(i32x4.shl(dp, 16), sp));
    v128.store(out + (<usize>i << 2), jhash3x4(bswapx4(v128.load(src + (<usize>i << 2))), ports, loadU8x4(proto + <usize>i), iv));
  }
}

/**
 * Hashes flows [0, n) of a batch (struct of arrays, each region 16-aligned): src/dst u32[n]
 * (IPv4) or u32[4n] (IPv6), sport/dport u16[n], proto u8[n]; low words to out u32[n], high
 * words of 64-bit profiles to outHi u32[n].
 */
export function flowHashBatch(cfg: usize, v6: u32, n: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, out: usize, outHi: usize): void {
  const wide = is64(cfg);
  let i: u32 = 0;
  if (!v6) {
    if (load<u32>(cfg) == P_FLOWPIN) {
      const flags = load<u32>(cfg, 4);
      if (ASC_FEATURE_SIMD) {
        i = n & ~3;
        flowpinV4x4(cfg, flags, i, src, dst, sport, dport, proto, out);
      }
      for (; i < n; i++) {
        store<u32>(out + (<usize>i << 2), flowpinV4(cfg, flags,
          load<u32>(src + (<usize>i << 2)), load<u32>(dst + (<usize>i << 2)),
          <u32>load<u16>(sport + (<usize>i << 1)), <u32>load<u16>(dport + (<usize>i << 1)), <u32>load<u8>(proto + <usize>i)));
      }
      return;
    }
    if (ASC_FEATURE_SIMD) {
      const profile = load<u32>(cfg);
      if (profile == P_KATRAN || profile == P_CILIUM) {
        i = n & ~3;
        jhashV4x4(cfg, profile, i, src, sport, dport, proto, out);
      }
    }
    for (; i < n; i++) {
      const lo = hashV4(cfg, load<u32>(src + (<usize>i << 2)), load<u32>(dst + (<usize>i << 2)),
        <u32>load<u16>(sport + (<usize>i << 1)), <u32>load<u16>(dport + (<usize>i << 1)), <u32>load<u8>(proto + <usize>i));
      store<u32>(out + (<usize>i << 2), lo);
      if (wide) store<u32>(outHi + (<usize>i << 2), hi);
    }
    return;
  }
  if (ASC_FEATURE_SIMD) {
    if (load<u32>(cfg) == P_FLOWPIN) {
      i = n & ~3;
      flowpinV6x4(cfg, load<u32>(cfg, 4), i, src, dst, sport, dport, proto, out);
    }
  }
  for (; i < n; i++) {
    const lo = hashV6(cfg, src + (<usize>i << 4), dst + (<usize>i << 4),
      <u32>load<u16>(sport + (<usize>i << 1)), <u32>load<u16>(dport + (<usize>i << 1)), <u32>load<u8>(proto + <usize>i));
    store<u32>(out + (<usize>i << 2), lo);
    if (wide) store<u32>(outHi + (<usize>i << 2), hi);
  }
}

// ---------------------------------------------------------------------------------------
// Raw packets: each starts at its IP header. Status per packet (src/packet.ts mirrors):
// @ts-ignore: decorator
@inline const S_OK: u8 = 0;
// @ts-ignore: decorator
@inline const S_FRAGMENT: u8 = 1; // hashed on addresses and protocol, ports 0
// @ts-ignore: decorator
@inline const S_NO_PORTS: u8 = 2; // a protocol without ports (ICMP, ESP, ...), ports 0
// @ts-ignore: decorator
@inline const S_TRUNCATED: u8 = 3;
// @ts-ignore: decorator
@inline const S_BAD_VERSION: u8 = 4;
// @ts-ignore: decorator
@inline const S_BAD_HEADER: u8 = 5;

// TCP, UDP and SCTP start with the 16-bit source and destination ports (RFC 9293 3.1,
// RFC 768, RFC 9260 3.1).
// @ts-ignore: decorator
@inline function hasPorts(proto: u32): bool {
  return proto == 6 || proto == 17 || proto == 132;
}

function packetOne(cfg: usize, p: usize, len: u32, status: usize): u32 {
  hi = 0;
  if (len < 1) { store<u8>(status, S_TRUNCATED); return 0; }
  const ver = <u32>load<u8>(p) >> 4;
  if (ver == 4) {
    if (len < 20) { store<u8>(status, S_TRUNCATED); return 0; }
    const ihl = (<u32>load<u8>(p) & 15) << 2;
    if (ihl < 20) { store<u8>(status, S_BAD_HEADER); return 0; }
    if (len < ihl) { store<u8>(status, S_TRUNCATED); return 0; }
    const total = getBE16(p + 2);
    if (total < ihl) { store<u8>(status, S_BAD_HEADER); return 0; }
    // A capture may hold less than the datagram (snap length): the ports are enough.
    const end = min(len, total);
    const proto = <u32>load<u8>(p, 9);
    // RFC 791: MF flag (0x2000) or a non-zero fragment offset (0x1fff) marks a fragment.
    const frag = (getBE16(p + 6) & 0x3fff) != 0;
    let sp: u32 = 0, dp: u32 = 0;
    let st = S_OK;
    if (frag) st = S_FRAGMENT;
    else if (hasPorts(proto)) {
      if (end < ihl + 4) { store<u8>(status, S_TRUNCATED); return 0; }
      sp = getBE16(p + ihl);
      dp = getBE16(p + ihl + 2);
    } else st = S_NO_PORTS;
    store<u8>(status, st);
    return hashV4(cfg, getBE32(p + 12), getBE32(p + 16), sp, dp, proto);
  }
  if (ver == 6) {
    if (len < 40) { store<u8>(status, S_TRUNCATED); return 0; }
    const plen = getBE16(p + 4);
    // Payload length 0 is a jumbogram (RFC 2675): use what was captured.
    const end = plen == 0 ? len : min(len, 40 + plen);
    let nh = <u32>load<u8>(p, 6);
    let off: u32 = 40;
    let frag = false;
    let hops = 0;
    // RFC 8200 4: skip extension headers to the upper-layer header.
    while (true) {
      if (nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140) {
        // Hop-by-Hop, Routing, Destination Options, Mobility, HIP, Shim6: length in
        // 8-octet units, not counting the first 8.
        if (off + 8 > end) { store<u8>(status, S_TRUNCATED); return 0; }
        const next = <u32>load<u8>(p + off);
        off += (<u32>load<u8>(p + off, 1) + 1) << 3;
        nh = next;
      } else if (nh == 44) {
        // Fragment header (RFC 8200 4.5): offset in the top 13 bits, M flag in bit 0.
        if (off + 8 > end) { store<u8>(status, S_TRUNCATED); return 0; }
        const fo = getBE16(p + off + 2);
        if ((fo & 0xfff9) != 0) frag = true;
        nh = <u32>load<u8>(p + off);
        off += 8;
        if (frag) break;
      } else if (nh == 51) {
        // Authentication Header (RFC 4302 2.2): length in 4-octet units minus 2.
        if (off + 8 > end) { store<u8>(status, S_TRUNCATED); return 0; }
        const next = <u32>load<u8>(p + off);
        off += (<u32>load<u8>(p + off, 1) + 2) << 2;
        nh = next;
      } else break;
      if (++hops > 16) { store<u8>(status, S_BAD_HEADER); return 0; }
    }
    let sp: u32 = 0, dp: u32 = 0;
    let st = S_OK;
    if (frag) st = S_FRAGMENT;
    else if (hasPorts(nh)) {
      if (off + 4 > end) { store<u8>(status, S_TRUNCATED); return 0; }
      sp = getBE16(p + off);
      dp = getBE16(p + off + 2);
    } else {
      if (off > end) { store<u8>(status, S_TRUNCATED); return 0; }
      st = S_NO_PORTS;
    }
    for (let k: usize = 0; k < 8; k++) store<u32>(ADDR + (k << 2), getBE32(p + 8 + (k << 2)));
    store<u8>(status, st);
    return hashV6(cfg, ADDR, ADDR + 16, sp, dp, nh);
  }
  store<u8>(status, S_BAD_VERSION);
  return 0;
}

/**
 * Hashes n raw packets: packet i is u8[lengths[i]] at data + offsets[i] (any alignment),
 * starting at its IPv4 or IPv6 header. Low words to out u32[n], high words (64-bit profiles)
 * to outHi u32[n], status u8[n]; a packet that cannot be parsed gets hash 0 and an error
 * status, and the rest of the batch goes on.
 */
export function packetHashBatch(cfg: usize, n: u32, data: usize, offsets: usize, lengths: usize, out: usize, outHi: usize, status: usize): void {
  const wide = is64(cfg);
  for (let i: u32 = 0; i < n; i++) {
    const lo = packetOne(cfg, data + <usize>load<u32>(offsets + (<usize>i << 2)), load<u32>(lengths + (<usize>i << 2)), status + <usize>i);
    store<u32>(out + (<usize>i << 2), lo);
    if (wide) store<u32>(outHi + (<usize>i << 2), hi);
  }
}
