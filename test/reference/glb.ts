// Slow oracle for glb-director's forwarding table, written from glb-director's description
// (docs/development/glb-hashing.md) and the behaviour of glb-director-cli (cli/main.c): every
// backend of a row is scored, the list is SORTED (no top-2 shortcut), and the swap rule is
// applied to the first two. BigInt SipHash from ./siphash.ts, bytes assembled literally.
import { refSipHash } from "./siphash.js";

export type RefState = "filling" | "active" | "draining" | "inactive";
export interface RefBackend {
  /** 4 or 16 bytes, network order. */
  address: Uint8Array;
  state: RefState;
  healthy: boolean;
}

/** SipHash-2-4 tag as the 8 bytes the C code writes (the u64 little-endian). */
function tagBytes(t: bigint): Uint8Array {
  const b = new Uint8Array(8);
  for (let i = 0; i < 8; i++) b[i] = Number((t >> BigInt(8 * i)) & 0xffn);
  return b;
}

function readBE(b: Uint8Array): bigint {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

export function refRowSeed(seed: Uint8Array, row: number): Uint8Array {
  const msg = new Uint8Array([row >>> 24, (row >>> 16) & 0xff, (row >>> 8) & 0xff, row & 0xff]);
  return tagBytes(refSipHash(msg, seed, 2, 4));
}

export function refScore(seed: Uint8Array, rowSeed: Uint8Array, address: Uint8Array): bigint {
  const msg = new Uint8Array(8 + address.length);
  msg.set(rowSeed, 0);
  msg.set(address, 8);
  return readBE(tagBytes(refSipHash(msg, seed, 2, 4)));
}

/** [primary, secondary] for one row. swap: glb-director-cli's rule or the corrected one. */
export function refRow(seed: Uint8Array, backends: readonly RefBackend[], row: number, swap: "glb-director" | "corrected" = "glb-director"): [number, number] {
  const rs = refRowSeed(seed, row);
  const ranked = backends
    .map((b, i) => ({ i, b, s: refScore(seed, rs, b.address) }))
    .filter((x) => x.b.state !== "inactive")
    .sort((x, y) => (x.s < y.s ? -1 : x.s > y.s ? 1 : x.i - y.i));
  const p = ranked[0]!;
  const s = ranked[1] ?? p;
  const primaryBad = p.b.state === "draining" || !p.b.healthy;
  const takeover = swap === "glb-director" ? s.b.state === "active" : (s.b.state === "active" || s.b.state === "filling") && s.b.healthy;
  return primaryBad && takeover ? [s.i, p.i] : [p.i, s.i];
}
