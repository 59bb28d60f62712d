// Builds raw IPv4/IPv6 packets for the packet-path tests, from RFC 791 / RFC 8200 layouts:
// IPv4 options (IHL > 5) and IPv6 extension header chains vary with `seed`.
import type { RefFlow } from "./reference/flow.js";

export interface BuildOptions {
  /** Varies IPv4 options length and the IPv6 extension header chain. */
  seed?: number;
  /** "first": MF set, offset 0 (ports present); "later": offset > 0 (no L4 header). */
  fragment?: "first" | "later";
}

const hasPorts = (p: number): boolean => p === 6 || p === 17 || p === 132;

function l4(f: RefFlow): number[] {
  const body = [0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  return hasPorts(f.proto) ? [f.sport >> 8, f.sport & 0xff, f.dport >> 8, f.dport & 0xff, ...body] : [8, 0, 0x12, 0x34, ...body];
}

export function buildPacket(f: RefFlow, opts: BuildOptions = {}): Uint8Array {
  const seed = opts.seed ?? 0;
  if (f.src.length === 4) {
    const optWords = seed % 11; // 0..10 words of options: IHL 5..15
    const ihl = 5 + optWords;
    const payload = opts.fragment === "later" ? [1, 2, 3, 4, 5, 6, 7, 8] : l4(f);
    const total = ihl * 4 + payload.length;
    const frag = opts.fragment === "first" ? 0x2000 : opts.fragment === "later" ? 0x0000 | 185 : 0x4000; // DF when whole
    const h = [0x40 | ihl, 0, total >> 8, total & 0xff, 0x12, 0x34, frag >> 8, frag & 0xff, 64, f.proto, 0, 0, ...f.src, ...f.dst];
    // Options: NOPs (type 1) ending in End of Option List (type 0).
    for (let i = 0; i < optWords * 4; i++) h.push(i === optWords * 4 - 1 ? 0 : 1);
    return Uint8Array.from([...h, ...payload]);
  }
  // IPv6: a chain of extension headers chosen by the seed.
  const chain: number[] = [];
  const kinds = [0, 60, 43, 51];
  let s = seed;
  const count = s % 4;
  for (let i = 0; i < count; i++) {
    s = Math.floor(s / 4) + 7 * i;
    let k = kinds[s % kinds.length]!;
    if (k === 0 && i > 0) k = 60; // Hop-by-Hop only first (RFC 8200 4.1)
    chain.push(k);
  }
  if (opts.fragment) chain.push(44);
  const ext: number[] = [];
  chain.forEach((kind, i) => {
    const next = i + 1 < chain.length ? chain[i + 1]! : f.proto;
    if (kind === 44) {
      const off = opts.fragment === "later" ? 185 << 3 : 1; // offset, or M flag
      ext.push(next, 0, off >> 8, off & 0xff, 0, 0, 0x56, 0x78);
    } else if (kind === 51) {
      // AH: payload length in 4-octet units minus 2; 12 bytes ICV -> 24 bytes, len 4.
      ext.push(next, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, ...new Array(12).fill(0xaa));
    } else {
      const units = (seed + i) % 3; // 8, 16 or 24 bytes
      const body = new Array(6 + 8 * units).fill(0);
      body[0] = 1; // PadN option
      body[1] = 4 + 8 * units;
      ext.push(next, units, ...body);
    }
  });
  const first = chain.length ? chain[0]! : f.proto;
  const payload = opts.fragment === "later" ? [1, 2, 3, 4, 5, 6, 7, 8] : l4(f);
  const plen = ext.length + payload.length;
  const h = [0x60, 0, 0, 0, plen >> 8, plen & 0xff, first, 64, ...f.src, ...f.dst];
  return Uint8Array.from([...h, ...ext, ...payload]);
}
