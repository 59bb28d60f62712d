// Slow reference of Katran's whole first-packet decision, written from Katran's and folly's
// sources as the vectors' notes describe them (balancer.bpf.c process_packet / get_packet_dst /
// get_packet_hash, KatranLb modifyRealsForVip, Vip::getEndpoints, folly IPAddress::hash), on
// plain bytes: no address text, no flowpin code. An oracle for random tests, never shipped.
import { refHashlittle, refHashword } from "./jhash.js";
import { refKatran as refKatranMaglev, refKatranParams } from "./maglev.js";

const MASK = (1n << 64n) - 1n;

/** CityHash Hash128to64 (folly hash_128_to_64). */
function h128to64(upper: bigint, lower: bigint): bigint {
  const mul = 0x9ddfea08eb382d69n;
  let a = BigInt.asUintN(64, (lower ^ upper) * mul);
  a = a ^ (a >> 47n);
  let b = BigInt.asUintN(64, (upper ^ a) * mul);
  b = b ^ (b >> 47n);
  return BigInt.asUintN(64, b * mul);
}

function rotl(x: bigint, r: number): bigint {
  return BigInt.asUintN(64, (x << BigInt(r)) | (x >> BigInt(64 - r)));
}

/** SpookyHash V2 Short() for a 16-byte message with seeds 0, 0 (Bob Jenkins' spooky.cpp). */
function spookyShort16(m: Uint8Array): [bigint, bigint] {
  const le = (at: number): bigint => {
    let x = 0n;
    for (let i = 7; i >= 0; i--) x = (x << 8n) | BigInt(m[at + i]!);
    return x;
  };
  const k = 0xdeadbeefdeadbeefn;
  const h = [0n, 0n, k, k];
  const add = (i: number, v: bigint) => (h[i] = (h[i]! + v) & MASK);
  add(2, le(0));
  add(3, le(8));
  // ShortMix: (target, rotation, then target += next, prev ^= target) in spooky.h's order.
  const mixRounds = [50, 52, 30, 41, 54, 48, 38, 37, 62, 34, 5, 36];
  mixRounds.forEach((r, i) => {
    const t = [2, 3, 0, 1][i % 4]!;
    const plus = [3, 0, 1, 2][i % 4]!;
    const x = [0, 1, 2, 3][i % 4]!;
    h[t] = rotl(h[t]!, r);
    add(t, h[plus]!);
    h[x] = h[x]! ^ h[t]!;
  });
  add(3, 16n << 56n);
  add(2, k);
  add(3, k);
  // ShortEnd: hX ^= hY; hY = rot(hY); hX += hY.
  const endRounds: [number, number, number][] = [
    [3, 2, 15], [0, 3, 52], [1, 0, 26], [2, 1, 51], [3, 2, 28], [0, 3, 9],
    [1, 0, 47], [2, 1, 54], [3, 2, 32], [0, 3, 25], [1, 0, 63],
  ];
  for (const [x, y, r] of endRounds) {
    h[x] = h[x]! ^ h[y]!;
    h[y] = rotl(h[y]!, r);
    add(x, h[y]!);
  }
  return [h[0]!, h[1]!];
}

/** folly::IPAddress::hash() on x86-64 Linux, for 4 or 16 address bytes. */
export function refFollyHash(addr: Uint8Array): bigint {
  const mapped = addr.length === 16 && addr.slice(0, 10).every((b) => b === 0) && addr[10] === 0xff && addr[11] === 0xff;
  if (addr.length === 16 && !mapped) {
    const [h1, h2] = spookyShort16(addr);
    return h128to64(10n, h128to64(h1, h2));
  }
  const v4 = mapped ? addr.slice(12) : addr;
  let fnv = 2166136261;
  for (const byte of v4) {
    fnv = Number((BigInt(fnv) * 16777619n) & 0xffffffffn);
    fnv = (fnv ^ (byte >= 128 ? byte - 256 : byte)) >>> 0;
  }
  return h128to64(2n, BigInt(fnv));
}

export interface RefKatranVip {
  /** 16 bytes: an IPv4 VIP's 4 bytes then 12 zeros. */
  key: Uint8Array;
  port: number;
  proto: number;
  noSrcPort: boolean;
  dportOnly: boolean;
  srcDstPort: boolean;
}

/** A packet as Katran's parser leaves it: 16-byte addresses (IPv4: 4 bytes then zeros). */
export interface RefKatranPacket {
  v6: boolean;
  src: Uint8Array;
  dst: Uint8Array;
  sport: number;
  dport: number;
  proto: number;
}

/**
 * Katran's ring over distinct reals (in real-number order): ring[slot] = index into `reals`,
 * or null when no real has a weight above 0 (Vip::calculateHashRing writes nothing).
 */
export function refKatranRing(reals: readonly { address: Uint8Array; weight: number }[], ringSize: number, version: "v1" | "v2"): number[] | null {
  if (!reals.some((r) => r.weight > 0)) return null;
  return refKatranMaglev(reals.map((r) => ({ hash: refFollyHash(r.address), weight: r.weight })), ringSize, version);
}

/**
 * Katran's decision for one TCP/UDP packet: null when no VIP takes it (XDP_PASS), else the
 * hash, the slot and ring[slot] (null when the ring is empty: XDP_DROP).
 */
export function refKatranRoute(vip: RefKatranVip, ringSize: number, ring: readonly number[] | null, p: RefKatranPacket): { hash: number; slot: number; real: number | null } | null {
  const same = (a: Uint8Array, b: Uint8Array) => a.every((x, i) => x === b[i]);
  if (!same(vip.key, p.dst) || vip.proto !== p.proto) return null;
  let dport = p.dport;
  if (vip.port !== dport) {
    if (vip.port !== 0) return null;
    if (!vip.dportOnly && !vip.srcDstPort) dport = 0;
  }
  let sport = p.sport;
  let src = p.src;
  if (vip.noSrcPort) sport = 0;
  if (vip.dportOnly) {
    sport = dport;
    src = new Uint8Array(16);
  }
  // The u32 Katran loads from memory: network-order bytes read little-endian.
  const le32 = (b: Uint8Array) => (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  const ports = le32(Uint8Array.of(sport >> 8, sport & 0xff, dport >> 8, dport & 0xff));
  const first = p.v6 ? refHashlittle(src, 512) : le32(src);
  const hash = refHashword([first, ports], (512 * ringSize) >>> 0);
  const slot = hash % ringSize;
  return { hash, slot, real: ring === null ? null : ring[slot]! };
}

/**
 * MaglevHashV2::generateHashRing with Katran's uint32 counters written out: cum_weight[i] +=
 * weight wraps at 2^32 (weights near 2^32 - 1), which refKatran's plain numbers do not model.
 * `endpoints` are distinct reals with weight > 0; returns indices into them.
 */
export function refKatranV2U32(endpoints: readonly { hash: bigint; weight: number }[], ringSize: number): number[] {
  const eps = endpoints.map((e, num) => ({ num, weight: e.weight, hash: e.hash }));
  eps.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const result = new Array<number>(ringSize).fill(-1);
  if (eps.length === 1) return result.fill(eps[0]!.num);
  let maxWeight = 0;
  for (const e of eps) if (e.weight > maxWeight) maxWeight = e.weight;
  const perm = eps.map((e) => refKatranParams(e.hash, ringSize));
  const next = new Array<number>(eps.length).fill(0);
  const cum = new Array<number>(eps.length).fill(0);
  let runs = 0;
  for (;;) {
    for (let i = 0; i < eps.length; i++) {
      cum[i] = (cum[i]! + eps[i]!.weight) % 2 ** 32;
      if (cum[i]! < maxWeight) continue;
      cum[i] = cum[i]! - maxWeight;
      const [offset, skip] = perm[i]!;
      let cur = ((offset + Math.imul(next[i]!, skip)) >>> 0) % ringSize;
      while (result[cur]! >= 0) {
        next[i] = next[i]! + 1;
        cur = ((offset + Math.imul(next[i]!, skip)) >>> 0) % ringSize;
      }
      result[cur] = eps[i]!.num;
      next[i] = next[i]! + 1;
      if (++runs === ringSize) return result;
    }
  }
}
