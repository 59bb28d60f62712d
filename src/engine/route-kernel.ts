/**
 * The one binding to the route kernel (assembly/route.ts `routeBatch`): flow hash, `h % M`
 * and the table lookup of a whole batch in one Wasm call. Systems describe what to hash with
 * a {@link RouteSpec} (made once, at build time) and hand over flows as a FlowBatch (no copy)
 * or typed arrays; they get backend indices back (Int32Array, -1 = no backend). No pointer
 * leaves this file.
 *
 * Tables are copied into the engine's memory once per table object and engine (tables are
 * immutable) and returned to it when the table is garbage-collected.
 *
 * @example
 * const spec = routeSpec({ profile: "katran", seed: 512 * 65537, zeroDport: true }, { size: 65537 });
 * routeKernel(spec, table, batch, out); // out[i] = table[hash_i % 65537]
 */
import { flowpinError, show } from "../errors.js";
import type { FlowBatch } from "../flow-batch.js";
import type { Engine } from "./engine.js";
import { track, untrack } from "./regions.js";
import { active } from "./state.js";

/** What the kernel hashes (assembly/route.ts profiles and flags). */
export type RouteHash =
  /** flowpin: keyed HalfSipHash-1-3 over the canonical 5-tuple (8-byte key). */
  | { profile: "flowpin"; key: Uint8Array; symmetric?: boolean; noPorts?: boolean }
  /**
   * katran: jhash_2words(src, ports, seed) with seed = MAX_VIPS·RING_SIZE; IPv6 sources
   * folded with jhash(src, 16, MAX_VIPS). `zeroDport`: the flow matched a port-0 VIP.
   */
  | { profile: "katran"; seed: number; noSrcPort?: boolean; dportOnly?: boolean; zeroDport?: boolean }
  /** cilium: jhash_3words / hash_from_tuple_v6; `swapped` = 1.17+ port order, `affinity` zeroes the client port there. */
  | { profile: "cilium"; seed: number; swapped: boolean; affinity?: boolean }
  /** No hash: the flows' `src` column holds u32 hashes (lookupIndices). */
  | { profile: "lookup" };

/** Flows that get -1 instead of a backend (a frontend / VIP filter), checked in the same pass. */
export interface RouteMatch {
  /** Only protocols 6 and 17. */
  tcpUdpOnly?: boolean;
  /** The destination address as numeric words (1 for IPv4, 4 for IPv6). */
  dst?: ArrayLike<number>;
  dport?: number;
  proto?: number;
}

const PROFILE = { lookup: 0, flowpin: 1, katran: 2, cilium: 3 } as const;
// Flag and match bits: assembly/route.ts.
const F_SYMMETRIC = 1;
const F_NO_PORTS = 2;
const F_NO_SRC_PORT = 8;
const F_DPORT_ONLY = 16;
const F_SWAPPED = 32;
const F_AFFINITY = 64;
const F_ZERO_DPORT = 128;
const M_TCP_UDP = 1;
const M_DST = 2;
const M_DPORT = 4;
const M_PROTO = 8;
const PARAM_BYTES = 64;
// Flows per kernel call: the out and hash chunks (64 KiB each) stay in L2 between the kernel
// writing them and the copy out.
const CHUNK = 1 << 14;

/** A prepared parameter block for one table size, profile and match (make it once). */
export interface RouteSpec {
  readonly size: number;
  readonly words: Uint32Array;
}

/**
 * Prepares the kernel's parameter block. `size` is the table size M (1..2^26: u64 lookups
 * stay exact below 2^52, assembly/route.ts lookupBatch).
 * @example routeSpec({ profile: "flowpin", key }, { size: 65537 })
 */
export function routeSpec(hash: RouteHash, table: { size: number; match?: RouteMatch }): RouteSpec {
  const M = table.size;
  if (!Number.isInteger(M) || M < 1 || M > 1 << 26) throw flowpinError("OUT_OF_RANGE", `table size must be an integer in 1..${1 << 26}, got ${show(M)}`);
  const w = new Uint32Array(PARAM_BYTES / 4);
  w[0] = PROFILE[hash.profile];
  let flags = 0;
  if (hash.profile === "flowpin") {
    const k = hash.key;
    if (!(k instanceof Uint8Array) || k.length !== 8) throw flowpinError("INVALID_KEY", `the flowpin key must be 8 bytes, got ${show(k)}`);
    w[4] = (k[0]! | (k[1]! << 8) | (k[2]! << 16) | (k[3]! << 24)) >>> 0;
    w[5] = (k[4]! | (k[5]! << 8) | (k[6]! << 16) | (k[7]! << 24)) >>> 0;
    if (hash.symmetric) flags |= F_SYMMETRIC;
    if (hash.noPorts) flags |= F_NO_PORTS;
  } else if (hash.profile === "katran") {
    w[3] = hash.seed >>> 0;
    if (hash.noSrcPort) flags |= F_NO_SRC_PORT;
    if (hash.dportOnly) flags |= F_DPORT_ONLY;
    if (hash.zeroDport) flags |= F_ZERO_DPORT;
  } else if (hash.profile === "cilium") {
    w[3] = hash.seed >>> 0;
    if (hash.swapped) flags |= F_SWAPPED;
    if (hash.affinity) flags |= F_AFFINITY;
  }
  w[2] = flags;
  w[6] = M;
  const m = table.match;
  let bits = 0;
  if (m) {
    if (m.tcpUdpOnly) bits |= M_TCP_UDP;
    if (m.dst !== undefined) {
      bits |= M_DST;
      for (let k = 0; k < m.dst.length && k < 4; k++) w[12 + k] = m.dst[k]! >>> 0;
    }
    if (m.dport !== undefined) {
      bits |= M_DPORT;
      w[9] = m.dport;
    }
    if (m.proto !== undefined) {
      bits |= M_PROTO;
      w[10] = m.proto;
    }
  }
  w[8] = bits;
  return { size: M, words: w };
}

/** Flows as typed arrays (copied into the engine for the call): IPv4 one word per address, IPv6 four. */
export interface RouteArrays {
  family: 4 | 6;
  src: Uint32Array;
  dst: Uint32Array;
  sport: Uint16Array;
  dport: Uint16Array;
  proto: Uint8Array;
  /** Flows [0, n); default sport.length. */
  n?: number;
}

export type RouteFlows = FlowBatch | RouteArrays;

// Per table (immutable) and engine: where its copy lives in that engine's memory.
const copies = new WeakMap<object, Map<Engine, { ptr: number; token: object }>>();

function tablePtr(e: Engine, table: Uint16Array | Uint32Array): number {
  let m = copies.get(table);
  if (!m) {
    m = new Map();
    copies.set(table, m);
  }
  let c = m.get(e);
  if (c === undefined) {
    c = { ptr: e.alloc(table.byteLength), token: {} };
    e.u8.set(new Uint8Array(table.buffer, table.byteOffset, table.byteLength), c.ptr);
    m.set(e, c);
    track(table, e, c.ptr, c.token);
  }
  return c.ptr;
}

/** Returns the engines' copies of `table` now (the owner of the table was disposed). */
export function releaseTable(table: Uint16Array | Uint32Array): void {
  const m = copies.get(table);
  if (!m) return;
  for (const [e, c] of m) {
    untrack(c.token);
    e.release(c.ptr);
  }
  copies.delete(table);
}

const align = (n: number): number => (n + 15) & ~15;

function isBatch(f: RouteFlows): f is FlowBatch {
  return typeof (f as FlowBatch).pointers === "function";
}

/**
 * Routes flows [0, n): `out[i]` = `table[hash_i % M]` (-1 where the flow fails the spec's
 * match, or with no table), `hashes[i]` = hash_i when given. A FlowBatch is routed in its own
 * engine's memory (its columns are read in place; its `hashes` column is left alone); typed
 * arrays must not be views of Wasm memory (pass the FlowBatch instead). Returns `out`.
 * @example routeKernel(spec, maglev.table, batch, new Int32Array(batch.length))
 */
export function routeKernel(spec: RouteSpec, table: Uint16Array | Uint32Array | null, flows: RouteFlows, out: Int32Array, hashes?: Uint32Array): Int32Array {
  if (table !== null && table.length !== spec.size) throw flowpinError("OUT_OF_RANGE", `the table has ${table.length} slots, the spec says ${spec.size}`);
  const batch = isBatch(flows);
  const e: Engine = batch ? flows.engine : active();
  const family = flows.family;
  const n = batch ? flows.length : (flows.n ?? flows.sport.length);
  if (out.length < n) throw flowpinError("OUT_OF_RANGE", `out has ${out.length} elements, fewer than the ${n} flows`);
  if (hashes !== undefined && hashes.length < n) throw flowpinError("OUT_OF_RANGE", `hashes has ${hashes.length} elements, fewer than the ${n} flows`);
  const words = family === 6 ? 4 : 1;
  if (!batch && (flows.src.length < words * n || flows.dst.length < words * n || flows.dport.length < n || flows.proto.length < n)) {
    throw flowpinError("OUT_OF_RANGE", `the flow arrays hold fewer than ${n} IPv${family} flows`);
  }
  const tp = table === null ? 0 : tablePtr(e, table);
  const chunk = Math.min(n, CHUNK);
  // One scratch region: parameters, then (arrays only) a chunk of each column, then a chunk
  // of out and of hashes. Chunks keep it in L2 and the input copies small.
  let bytes = PARAM_BYTES + 2 * align(4 * chunk);
  if (!batch) bytes += 2 * align(4 * words * chunk) + 2 * align(2 * chunk) + align(chunk);
  const base = e.scratch(bytes);
  const buf = e.u8.buffer;
  const params = new Uint32Array(buf, base, PARAM_BYTES / 4);
  params.set(spec.words);
  params[1] = family;
  if (table !== null) params[7] = table.BYTES_PER_ELEMENT;
  let at = base + PARAM_BYTES;
  const take = (size: number): number => {
    const p = at;
    at += align(size);
    return p;
  };
  const op = take(4 * chunk);
  const hp = hashes === undefined ? 0 : take(4 * chunk);
  let cols: { src: number; dst: number; sport: number; dport: number; proto: number } | undefined;
  if (!batch) cols = { src: take(4 * words * chunk), dst: take(4 * words * chunk), sport: take(2 * chunk), dport: take(2 * chunk), proto: take(chunk) };
  const p = batch ? flows.pointers() : undefined;
  const x = e.x;
  for (let off = 0; off < n; off += chunk) {
    const m = Math.min(chunk, n - off);
    if (p) x.routeBatch(base, m, p.src + 4 * words * off, p.dst + 4 * words * off, p.sport + 2 * off, p.dport + 2 * off, p.proto + off, tp, op, hp);
    else {
      const a = flows as RouteArrays;
      const c = cols!;
      new Uint32Array(buf, c.src, words * m).set(a.src.subarray(words * off, words * (off + m)));
      new Uint32Array(buf, c.dst, words * m).set(a.dst.subarray(words * off, words * (off + m)));
      new Uint16Array(buf, c.sport, m).set(a.sport.subarray(off, off + m));
      new Uint16Array(buf, c.dport, m).set(a.dport.subarray(off, off + m));
      new Uint8Array(buf, c.proto, m).set(a.proto.subarray(off, off + m));
      x.routeBatch(base, m, c.src, c.dst, c.sport, c.dport, c.proto, tp, op, hp);
    }
    out.set(new Int32Array(buf, op, m), off);
    if (hashes !== undefined) hashes.set(new Uint32Array(buf, hp, m), off);
  }
  return out;
}

/**
 * Maglev-style lookup of given hashes in Wasm: `out[i]` = `table[h_i % M]` with h_i the u32
 * `hashes[i]`, or the u64 `hashesHi[i]·2^32 + hashes[i]`. `out` may be any integer array wide
 * enough for the indices (Maglev.lookupBatch hands its Uint16Array / Uint32Array). Views of
 * the engine's memory (a FlowBatch's columns) are read in place. Returns `out` (a fresh view of
 * the same memory where `out` was a view of the engine's memory that growing it detached).
 * @example lookupIndices(spec, table, hashes, new Int32Array(hashes.length))
 */
export function lookupIndices<T extends Int32Array | Uint32Array | Uint16Array>(spec: RouteSpec, table: Uint16Array | Uint32Array, hashes: Uint32Array, out: T, hashesHi?: Uint32Array): T {
  if (spec.words[0] !== PROFILE.lookup) throw flowpinError("INVALID_CONFIG", "lookupIndices needs a spec with profile lookup");
  if (table.length !== spec.size) throw flowpinError("OUT_OF_RANGE", `the table has ${table.length} slots, the spec says ${spec.size}`);
  const n = hashes.length;
  if (out.length < n) throw flowpinError("OUT_OF_RANGE", `out has ${out.length} elements, fewer than the ${n} hashes`);
  if (hashesHi !== undefined && hashesHi.length < n) throw flowpinError("OUT_OF_RANGE", `hashesHi has ${hashesHi.length} elements, fewer than the ${n} hashes`);
  const e = active();
  // Arrays that are views of this engine's memory (a FlowBatch's hashes column) are read or
  // written in place by address: growing the memory below (tablePtr, scratch) detaches the
  // views themselves, not what they address.
  const mem = e.u8.buffer;
  const hashesAt = hashes.buffer === mem ? hashes.byteOffset : -1;
  const hiAt = hashesHi !== undefined && hashesHi.buffer === mem ? hashesHi.byteOffset : -1;
  const outAt = out.buffer === mem ? out.byteOffset : -1;
  const tp = tablePtr(e, table);
  const chunk = Math.min(n, CHUNK);
  const base = e.scratch(PARAM_BYTES + 3 * align(4 * chunk));
  const buf = e.u8.buffer;
  const params = new Uint32Array(buf, base, PARAM_BYTES / 4);
  params.set(spec.words);
  params[7] = table.BYTES_PER_ELEMENT;
  const lo = base + PARAM_BYTES;
  const hi = hashesHi === undefined ? 0 : lo + align(4 * chunk);
  const op = lo + 2 * align(4 * chunk);
  const o = outAt < 0 ? out : (new (out.constructor as new (b: ArrayBufferLike, at: number, n: number) => T)(buf, outAt, out.length));
  const x = e.x;
  // Chunks keep the scratch in L2 (as routeKernel's) and bounded whatever n is.
  for (let off = 0; off < n; off += chunk) {
    const m = Math.min(chunk, n - off);
    let l = lo;
    if (hashesAt >= 0) l = hashesAt + 4 * off;
    else new Uint32Array(buf, lo, m).set(off === 0 && m === n ? hashes : hashes.subarray(off, off + m));
    let h = hi;
    if (hiAt >= 0) h = hiAt + 4 * off;
    else if (hashesHi !== undefined) new Uint32Array(buf, hi, m).set(hashesHi.subarray(off, off + m));
    x.routeBatch(base, m, l, h, 0, 0, 0, tp, op, 0);
    o.set(new Int32Array(buf, op, m), off);
  }
  return o;
}
