/**
 * Hashing raw IP packets: each packet starts at its IPv4 or IPv6 header. The Wasm side skips
 * IPv4 options (IHL) and IPv6 extension headers, reads TCP/UDP/SCTP ports, hashes fragments
 * on addresses and protocol only (so every fragment of a datagram lands alike), and reports a
 * status per packet instead of failing the batch.
 *
 * @example
 * const r = hasher.hashPackets([ipPacket1, ipPacket2]);
 * r.status[0] === PacketStatus.OK; r.hashes[0];
 */
import type { Engine } from "./engine/engine.js";
import { flowpinError, show } from "./errors.js";
import * as v from "./validate.js";

/** Per-packet status (assembly/flow.ts mirrors these numbers). */
export const PacketStatus = {
  /** Hashed on the full 5-tuple. */
  OK: 0,
  /** An IPv4 or IPv6 fragment: hashed with both ports 0. */
  FRAGMENT: 1,
  /** A protocol without ports (ICMP, ESP, ...): hashed with both ports 0. */
  NO_PORTS: 2,
  /** Shorter than its headers (or than the 4 port bytes): not hashed (hash 0). */
  TRUNCATED: 3,
  /** IP version neither 4 nor 6: not hashed. */
  BAD_VERSION: 4,
  /** IHL below 5, total length below the header, or an extension header chain over 16: not hashed. */
  BAD_HEADER: 5,
} as const;

export type PacketStatusCode = (typeof PacketStatus)[keyof typeof PacketStatus];

const NAMES = Object.fromEntries(Object.entries(PacketStatus).map(([k, v]) => [v, k.toLowerCase().replace("_", " ")]));

/** A status code as a word ("ok", "fragment", "truncated", ...). */
export function packetStatusName(code: number): string {
  return NAMES[code] ?? `status ${code}`;
}

/** Whether a status means the packet was hashed. */
export const hashed = (code: number): boolean => code <= PacketStatus.NO_PORTS;

/** Results of hashPackets: copies, independent of Wasm memory. */
export interface PacketHashes {
  hashes: Uint32Array;
  /** High 32 bits (64-bit profiles only). */
  hashesHi?: Uint32Array;
  status: Uint8Array;
}

/** Copies the packets into Wasm memory, hashes them in one call and copies the results out. */
export function hashPacketsOn(e: Engine, cfg: number, wide: boolean, packets: readonly Uint8Array[]): PacketHashes {
  if (!Array.isArray(packets)) throw flowpinError("INVALID_TYPE", `packets must be an array of Uint8Array, got ${show(packets)}`);
  const n = packets.length;
  // Each element is read once, validated (a detached view would throw a plain TypeError from
  // TypedArray.set below) and kept: a getter must not swap it between check and copy.
  const list: Uint8Array[] = new Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = v.bytes(`packets[${i}]`, packets[i]);
    list[i] = p;
    total += p.length;
  }
  const pad = (x: number): number => (x + 15) & ~15;
  // u32 offsets, u32 lengths, u32 hashes, u32 hashesHi, u8 status, then packet bytes.
  const offOffsets = 0;
  const offLengths = pad(4 * n);
  const offOut = offLengths + pad(4 * n);
  const offHi = offOut + pad(4 * n);
  const offStatus = offHi + pad(4 * n);
  const offData = offStatus + pad(n);
  const base = e.alloc(offData + total);
  try {
    const dv = e.dv;
    const mem = e.u8;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const p = list[i]!;
      dv.setUint32(base + offOffsets + 4 * i, at, true);
      dv.setUint32(base + offLengths + 4 * i, p.length, true);
      mem.set(p, base + offData + at);
      at += p.length;
    }
    e.x.packetHashBatch(cfg, n, base + offData, base + offOffsets, base + offLengths, base + offOut, base + offHi, base + offStatus);
    const buf = e.u8.buffer;
    const out: PacketHashes = {
      hashes: new Uint32Array(buf.slice(base + offOut, base + offOut + 4 * n)),
      status: new Uint8Array(buf.slice(base + offStatus, base + offStatus + n)),
    };
    if (wide) out.hashesHi = new Uint32Array(buf.slice(base + offHi, base + offHi + 4 * n));
    return out;
  } finally {
    e.release(base);
  }
}
