// The TypeScript view of assembly/index.ts: the exports every engine provides. Wasm i32
// results arrive signed; callers apply `>>> 0`. A test checks that each built module exports
// exactly these names, so this list cannot drift from the AssemblyScript side.

/** Linear memory as both real Wasm and the wasm2js engine expose it. */
export interface LinearMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmExports {
  memory: LinearMemory;
  heapBase(): number;
  outPtr(): number;
  simd(): number;
  xxh32(ptr: number, len: number, seed: number): number;
  /** Writes the digest to OUT[0, 8). */
  xxh64(ptr: number, len: number, seedLo: number, seedHi: number): void;
  murmur3_32(ptr: number, len: number, seed: number): number;
  /** Writes h1 to OUT[0, 8) and h2 to OUT[8, 16). */
  murmur3_128(ptr: number, len: number, seed: number): void;
  jhash(ptr: number, len: number, initval: number): number;
  jhash2words(a: number, b: number, initval: number): number;
  jhash3words(a: number, b: number, c: number, initval: number): number;
  /** SipHash-2-4 of (ptr, len) under the 16-byte key at keyPtr; tag to OUT[0, 8). */
  siphash24(ptr: number, len: number, keyPtr: number): void;
  /** SipHash-1-3, as siphash24. */
  siphash13(ptr: number, len: number, keyPtr: number): void;
  /** HalfSipHash-2-4, 32-bit tag, 8-byte key at keyPtr. */
  halfsiphash24(ptr: number, len: number, keyPtr: number): number;
  /** HalfSipHash-1-3, 32-bit tag, 8-byte key at keyPtr. */
  halfsiphash13(ptr: number, len: number, keyPtr: number): number;
  /** Toeplitz (RSS) hash; the key at keyPtr has at least len + 4 bytes. */
  toeplitz(ptr: number, len: number, keyPtr: number): number;
  /** One IPv4 flow under the hasher config at cfg (assembly/flow.ts); 64-bit results also to OUT. */
  flowHashV4(cfg: number, src: number, dst: number, sport: number, dport: number, proto: number): number;
  /** One IPv6 flow; src and dst point at u32[4] numeric words. */
  flowHashV6(cfg: number, src: number, dst: number, sport: number, dport: number, proto: number): number;
  /** A struct-of-arrays flow batch (layout: assembly/flow.ts flowHashBatch). */
  flowHashBatch(cfg: number, v6: number, n: number, src: number, dst: number, sport: number, dport: number, proto: number, out: number, outHi: number): void;
  /** n raw IP packets at data + offsets[i], lengths[i]; hashes and a status byte per packet. */
  packetHashBatch(cfg: number, n: number, data: number, offsets: number, lengths: number, out: number, outHi: number, status: number): void;
  /** Populates a Maglev table (layout and kinds: assembly/maglev.ts). */
  maglevFill(kind: number, n: number, size: number, state: number, table: number, bitmap: number, wide: number, x: number): void;
  /** Envoy's XXH64 offset/skip for n keys (u32 arrays of starts, lengths, outputs). */
  maglevEnvoyParams(keys: number, starts: number, lens: number, n: number, size: number, offsets: number, skips: number): void;
  /** Offset and skip for keys idx[0..n) of a key layout, by kind (envoy 0, cilium 1, katran 2, ipvs 3: assembly/maglev.ts). */
  maglevParams(kind: number, keys: number, starts: number, lens: number, idx: number, n: number, size: number, seed: number, offsets: number, skips: number): void;
  /** order[0..n) = key indices sorted bytewise; scratch of maglevSortBytes(n) bytes. */
  maglevSort(keys: number, starts: number, lens: number, n: number, order: number, scratch: number): void;
  maglevSortBytes(n: number): number;
  /** Writes M and its fastmod constant in the 16 bytes at `header`; the table's entries follow them. */
  maglevPickHeader(header: number, size: number): void;
  /** table[flow hash % M] for one IPv4 flow (`table` = header + 16); flags 1 = u32 table, 2 = 64-bit hash. */
  maglevPickV4(cfg: number, table: number, flags: number, src: number, dst: number, sport: number, dport: number, proto: number): number;
  /** As maglevPickV4; src and dst point at u32[4] address words. */
  maglevPickV6(cfg: number, table: number, flags: number, src: number, dst: number, sport: number, dport: number, proto: number): number;
  /** Bytes of the Maglev state region for n backends. */
  maglevStateBytes(n: number): number;
  /** Bytes of the Maglev taken-slot bitmap for a table of `size` slots. */
  maglevBitmapBytes(size: number): number;
  /** glb-director's 65536-row table (layout: assembly/glb.ts). */
  glbBuild(seed: number, w0: number, w1: number, meta: number, n: number, family: number, out: number): void;
  /** Rendezvous pick: index of the best backend, -1 if none (layout: assembly/rendezvous.ts). */
  rdvPick(lo: number, hi: number, keys: number, weights: number, n: number, mode: number): number;
  rdvPickBatch(hashes: number, hashesHi: number, count: number, keys: number, weights: number, n: number, mode: number, out: number): void;
  rdvTopK(lo: number, hi: number, keys: number, weights: number, n: number, mode: number, k: number, scratch: number, out: number): void;
  /** ln of f64[n] in place, the log rendezvous scores use (fdlibm's, as Math.log). */
  rdvLn(ptr: number, n: number): void;
  /**
   * Hash + table lookup of a whole flow batch in one pass (layout and parameter block:
   * assembly/route.ts); called only through src/engine/route-kernel.ts.
   */
  routeBatch(params: number, n: number, src: number, dst: number, sport: number, dport: number, proto: number, table: number, out: number, hashes: number): void;
  /** Jump consistent hash of the 64-bit key (lo, hi). */
  jump(lo: number, hi: number, buckets: number): number;
  /** Bytes of a connection table region (layout: assembly/conntrack.ts; used by src/balancer/conntrack.ts). */
  ctBytes(capacity: number, maxBackends: number): number;
  ctInit(t: number, capacity: number, maxBackends: number, seed: number): void;
  /** Backend index of key (a, b, c, proto | kind << 12) at time `now` (ms), or -1. */
  ctLookup(t: number, a: number, b: number, c: number, pk: number, now: number): number;
  /** Inserts or repoints a key; 1 when a live entry was evicted for it. */
  ctInsert(t: number, a: number, b: number, c: number, pk: number, backend: number, now: number, timeout: number): number;
  ctRemove(t: number, a: number, b: number, c: number, pk: number): number;
  ctSweep(t: number, now: number, count: number): number;
  /** out[i] = backend index of IPv4 batch flow i, or 0xffffffff; returns the hits. */
  ctLookupBatch(t: number, n: number, src: number, dst: number, sport: number, dport: number, proto: number, now: number, out: number): number;
}

/** The export names, for the drift test and for wasm2js output checks. */
export const EXPORT_NAMES: readonly (keyof WasmExports)[] = ["memory", "heapBase", "outPtr", "simd", "xxh32", "xxh64", "murmur3_32", "murmur3_128", "jhash", "jhash2words", "jhash3words", "siphash24", "siphash13", "halfsiphash24", "halfsiphash13", "toeplitz", "flowHashV4", "flowHashV6", "flowHashBatch", "packetHashBatch", "maglevFill", "maglevEnvoyParams", "maglevStateBytes", "maglevBitmapBytes", "maglevParams", "maglevSort", "maglevSortBytes", "maglevPickV4", "maglevPickV6", "maglevPickHeader", "glbBuild", "routeBatch", "rdvPick", "rdvPickBatch", "rdvTopK", "rdvLn", "jump", "ctBytes", "ctInit", "ctLookup", "ctInsert", "ctRemove", "ctSweep", "ctLookupBatch"];
