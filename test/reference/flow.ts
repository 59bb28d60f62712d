// Slow reference flow hashes, written from the layouts in flowhash.json
// (`derived_lb_examples`, `production_lb_hash_layouts`, `toeplitz_rss.input_layout`) and the
// issue's definition of the flowpin profile, on top of the reference primitives. Flows are
// bytes here (4 or 16 per address); nothing is shared with src/ or assembly/.
import { refHashlittle, refHashword } from "./jhash.js";
import { refHalfSipHash32, refSipHash } from "./siphash.js";
import { refToeplitz } from "./toeplitz.js";
import { refXxh64 } from "./xxhash.js";

export interface RefFlow {
  src: Uint8Array;
  dst: Uint8Array;
  sport: number;
  dport: number;
  proto: number;
}

const be16 = (x: number): number[] => [x >> 8, x & 0xff];
const cat = (...parts: (Uint8Array | number[])[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
/** A little-endian u32 read of 4 bytes, as C code on x86 reads a network-order field. */
const le32 = (b: Uint8Array | number[], at = 0): number => ((b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0);

/** flowpin canonical bytes: src, dst, sport BE, dport BE, proto; symmetric = lower (addr, port) first. */
export function refCanonical(f: RefFlow, symmetric: boolean, noPorts = false): Uint8Array {
  let { src, dst, sport, dport } = f;
  if (noPorts) sport = dport = 0;
  if (symmetric) {
    const a = cat(src, be16(sport));
    const b = cat(dst, be16(dport));
    // Bytewise comparison of address then port bytes (big-endian port = numeric order).
    if (Buffer.compare(Buffer.from(a), Buffer.from(b)) > 0) {
      [src, dst] = [dst, src];
      [sport, dport] = [dport, sport];
    }
  }
  return cat(src, dst, be16(sport), be16(dport), [f.proto]);
}

export function refFlowpin(f: RefFlow, key8: Uint8Array, symmetric = false, noPorts = false): number {
  return refHalfSipHash32(refCanonical(f, symmetric, noPorts), key8, 1, 3);
}

export function refToeplitzFlow(f: RefFlow, key: Uint8Array, ports = true): number {
  return refToeplitz(ports ? cat(f.src, f.dst, be16(f.sport), be16(f.dport)) : cat(f.src, f.dst), key);
}

export interface RefKatranFlags {
  srcDstPort?: boolean;
  noSrcPort?: boolean;
  dportOnly?: boolean;
}

/** Katran get_packet_hash after the VIP-flag edits of the port halves (balancer.bpf.c). */
export function refKatran(f: RefFlow, flags: RefKatranFlags = {}): number {
  let p0 = f.sport;
  let p1 = f.dport;
  let src = f.src;
  if (!flags.srcDstPort && !flags.dportOnly) p1 = 0;
  if (flags.noSrcPort) p0 = 0;
  if (flags.dportOnly) {
    p0 = p1;
    src = new Uint8Array(src.length);
  }
  // flow.ports: {be16 port16[0], be16 port16[1]} loaded as a host (LE) u32.
  const ports = le32([...be16(p0), ...be16(p1)]);
  const a = src.length === 4 ? le32(src) : refHashlittle(src, 512);
  return refHashword([a, ports], 512 * 65537);
}

/** Cilium hash_from_tuple_v4/v6 with the CT tuple's swapped ports. */
export function refCilium(f: RefFlow, seed4: number, seed6: number): number {
  // tuple->dport = packet source port, tuple->sport = packet destination port, each a
  // network-order u16 read as a host (LE) u16.
  const ports = ((le32([...be16(f.sport), 0, 0]) << 16) | le32([...be16(f.dport), 0, 0])) >>> 0;
  if (f.src.length === 4) return refHashword([le32(f.src), ports, f.proto], seed4);
  // v6: a,b,c = p1..p3; mix; += p4, ports, nexthdr; mix; a += seed; final. hashword over
  // nine words with its initial state forced to zero performs exactly that sequence.
  const words = [le32(f.src, 0), le32(f.src, 4), le32(f.src, 8), le32(f.src, 12), ports, f.proto, seed6, 0, 0];
  return refHashword(words, (-(0xdeadbeef + 4 * words.length)) >>> 0);
}

/** glibc inet_ntop text (what Envoy's addressAsString() returns). */
export function refNtop(addr: Uint8Array): string {
  if (addr.length === 4) return Array.from(addr).join(".");
  const words = Array.from({ length: 8 }, (_, i) => (addr[2 * i]! << 8) | addr[2 * i + 1]!);
  // Longest run of zero words of length >= 2, earliest on a tie.
  let base = -1;
  let len = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > len) {
      base = i;
      len = j - i;
    }
  }
  if (len < 2) base = -1;
  const v4tail = base === 0 && (len === 6 || (len === 5 && words[5] === 0xffff));
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (base >= 0 && i >= base && i < base + len) {
      if (i === base) out += ":";
      continue;
    }
    if (i > 0) out += ":";
    if (i === 6 && v4tail) return out + Array.from(addr.subarray(12)).join(".");
    out += words[i]!.toString(16);
  }
  if (base >= 0 && base + len === 8) out += ":";
  return out;
}

export function refEnvoy(f: RefFlow): bigint {
  return refXxh64(new TextEncoder().encode(refNtop(f.src)), 0n);
}

export type RefGlbField = "src_addr" | "dst_addr" | "src_port" | "dst_port";

/** glb_compute_hash: SipHash-2-4 over the configured fields, always in this order. */
export function refGlb(f: RefFlow, key16: Uint8Array, fields: readonly RefGlbField[]): bigint {
  const has = (x: RefGlbField): boolean => fields.includes(x);
  const parts: (Uint8Array | number[])[] = [];
  if (has("src_addr")) parts.push(f.src);
  if (has("dst_addr")) parts.push(f.dst);
  if (has("src_port")) parts.push(be16(f.sport));
  if (has("dst_port")) parts.push(be16(f.dport));
  return refSipHash(cat(...parts), key16, 2, 4);
}
