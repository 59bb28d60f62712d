/**
 * The connection table: flow (or string key) → backend index, in Wasm linear memory, with a
 * capacity fixed at creation, O(1) lookup / insert / remove, per-entry idle timeouts and
 * S3-FIFO eviction that a flood of one-packet flows cannot flush (assembly/conntrack.ts says
 * why S3-FIFO rather than Katran's LRU with a new-flow rate limit).
 *
 * Memory: 32 bytes per entry (an IPv4 5-tuple is stored whole), plus 8 bytes per hash bucket
 * (chain head and ghost fingerprint; buckets = capacity rounded up to a power of two), plus
 * 5 bytes per possible backend index: {@link ConnTable.bytesPerEntry} is 40 for a capacity
 * that is a power of two. Nothing grows after creation, whatever the traffic.
 *
 * IPv6 flows and string keys are stored by a 64-bit SipHash-2-4 digest under a random
 * per-table key (plus the ports and protocol for IPv6), so clients cannot make two of their
 * flows share an entry on purpose.
 *
 * @example
 * import { ConnTable } from "flowpin";
 * using ct = new ConnTable({ capacity: 1 << 16, timeout: 30_000 });
 * const flow = { src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 443, proto: "udp" };
 * if (ct.lookup(flow) < 0) ct.insert(flow, 2);
 * ct.lookup(flow); // 2
 */
import type { Engine } from "../engine/engine.js";
import { active } from "../engine/state.js";
import { disposable, track, untrack } from "../engine/regions.js";
import { flowpinError, show } from "../errors.js";
import { FlowBatch } from "../flow-batch.js";
import { FLOW_WORDS, parseFlowInto, type Flow } from "../flow.js";
import { siphash24 } from "../hashes.js";
import { int, knownFields, object } from "../validate.js";

/** Largest capacity: 2^24 entries (512 MiB of entries); indices stay far below 2^32. */
export const MAX_CONNECTIONS = 1 << 24;
/** Backend indices are stored in 16 bits. */
export const MAX_BACKEND_INDEX = 0xffff;
/** Idle timeouts are compared on a wrapping u32 millisecond clock: at most 2^30 ms (12.4 days). */
export const MAX_TIMEOUT = 2 ** 30;

export interface ConnTableOptions {
  /** Entries the table holds (1..2^24); memory is reserved for all of them at creation. */
  capacity: number;
  /** Default idle timeout in ms for inserted entries (0, the default: none; remove() them). */
  timeout?: number;
  /** Backend indices go from 0 to maxBackends - 1 (default 4096, at most 65536). */
  maxBackends?: number;
  /** Milliseconds, any origin (default: performance.now()). Tests pass a manual clock. */
  clock?: () => number;
  /** A u32 fixing the table's hash seed and digest key (reproducible runs); default random. */
  seed?: number;
}

/** Counters of a ConnTable. */
export interface ConnTableStats {
  capacity: number;
  /** Live entries (found by lookup). */
  size: number;
  /** Live entries evicted to make room for new ones, since creation. */
  evicted: number;
  /** Entries that idled out, since creation. */
  expired: number;
  /** Bytes of Wasm memory the table holds. */
  bytes: number;
}

const OPTION_FIELDS = ["capacity", "timeout", "maxBackends", "clock", "seed"];
const W = new Uint32Array(FLOW_WORDS);
const DIGEST_IN = new Uint8Array(32);
const DIGEST_DV = new DataView(DIGEST_IN.buffer);
const SPLIT = new DataView(new ArrayBuffer(8));
const enc = new TextEncoder();
// The key's fields (a, b, c, proto | kind << 12) for the last flow given to keyOf().
const K = new Uint32Array(4);
const KIND_DIGEST = 1 << 12;
// String keys: proto byte 255 (IANA reserved) with the digest kind, so no IPv6 flow shares it.
const PK_STRING = KIND_DIGEST | 0xff;

function randomU32(): number {
  const c = (globalThis as { crypto?: { getRandomValues(a: Uint32Array): Uint32Array } }).crypto;
  if (c) return c.getRandomValues(new Uint32Array(1))[0]!;
  return (Math.random() * 2 ** 32) >>> 0;
}

/**
 * A fixed-capacity connection table (see the module doc). Backend numbers are indices the
 * caller chooses (0..maxBackends-1); a backend marked down makes its entries misses.
 */
export class ConnTable {
  readonly capacity: number;
  readonly maxBackends: number;
  /** Default idle timeout (ms) of insert(). */
  readonly timeout: number;
  /**
   * The engine whose memory holds the table.
   * @internal
   */
  readonly engine: Engine;
  readonly #ptr: number;
  readonly #bytes: number;
  readonly #clock: () => number;
  readonly #epoch: number;
  readonly #digestKey: Uint8Array;
  readonly #token = {};
  #disposed = false;
  #buffer: ArrayBuffer | undefined;
  #counts!: Uint32Array;
  #states!: Uint8Array;
  #countsAt: number;
  #lastFullSweep = 0;

  /**
   * Reserves the table's memory. Throws FlowpinError: INVALID_TYPE, OUT_OF_RANGE, INVALID_CONFIG
   * (unknown option).
   * @example new ConnTable({ capacity: 100_000, timeout: 60_000 })
   */
  constructor(options: ConnTableOptions) {
    const o = object("connection table options", options);
    knownFields("connection table options", o, OPTION_FIELDS);
    this.capacity = int("capacity", o.capacity, 1, MAX_CONNECTIONS);
    this.timeout = o.timeout === undefined ? 0 : int("timeout", o.timeout, 0, MAX_TIMEOUT);
    this.maxBackends = o.maxBackends === undefined ? 4096 : int("maxBackends", o.maxBackends, 1, MAX_BACKEND_INDEX + 1);
    if (o.clock !== undefined && typeof o.clock !== "function") throw flowpinError("INVALID_TYPE", `clock must be a function returning milliseconds, got ${show(o.clock)}`);
    this.#clock = (o.clock as (() => number) | undefined) ?? (() => performance.now());
    const seed = o.seed === undefined ? randomU32() : int("seed", o.seed, 0, 0xffffffff);
    this.#digestKey = new Uint8Array(16);
    const dv = new DataView(this.#digestKey.buffer);
    // splitmix32-style expansion of the seed into the 16-byte digest key.
    let s = seed;
    for (let i = 0; i < 4; i++) {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      dv.setUint32(4 * i, (z ^ (z >>> 16)) >>> 0, true);
    }
    this.engine = active();
    const x = this.engine.x;
    this.#bytes = x.ctBytes(this.capacity, this.maxBackends) >>> 0;
    this.#ptr = this.engine.alloc(this.#bytes);
    x.ctInit(this.#ptr, this.capacity, this.maxBackends, seed);
    track(this, this.engine, this.#ptr, this.#token);
    this.#countsAt = this.#bytes - this.maxBackends * 4 - ((this.maxBackends + 15) & ~15);
    this.#epoch = this.#now0();
  }

  #now0(): number {
    const t = this.#clock();
    if (typeof t !== "number" || !Number.isFinite(t)) throw flowpinError("INVALID_TYPE", `clock() must return a finite number of milliseconds, got ${show(t)}`);
    return t;
  }

  /** The table's u32 millisecond clock (wrapping), with a full sweep every 2^30 ms so no idle entry outlives the wrap. */
  #now(): number {
    const ms = Math.floor(this.#now0() - this.#epoch);
    if (ms - this.#lastFullSweep >= MAX_TIMEOUT) {
      this.#lastFullSweep = ms;
      this.engine.x.ctSweep(this.#ptr, ms >>> 0, this.capacity);
    }
    return ms >>> 0;
  }

  #live(): void {
    if (this.#disposed) throw flowpinError("DISPOSED", "this ConnTable was disposed");
  }

  #views(): void {
    const buf = this.engine.u8.buffer as ArrayBuffer;
    if (buf !== this.#buffer) {
      this.#counts = new Uint32Array(buf, this.#ptr + this.#countsAt, this.maxBackends);
      this.#states = new Uint8Array(buf, this.#ptr + this.#countsAt + 4 * this.maxBackends, this.maxBackends);
      this.#buffer = buf;
    }
  }

  /** Live entries per backend index (a view on Wasm memory; read it, do not write it). */
  get counts(): Uint32Array {
    this.#live();
    this.#views();
    return this.#counts;
  }

  /** Live entries. */
  get size(): number {
    this.#live();
    return this.engine.dv.getUint32(this.#ptr + 44, true);
  }

  /** Bytes of Wasm memory per entry of capacity, everything included. */
  get bytesPerEntry(): number {
    return this.#bytes / this.capacity;
  }

  /**
   * Marks a backend down (its entries become misses, and are dropped when looked up) or up.
   * @example ct.setDown(3, true)
   */
  setDown(backend: number, down: boolean): void {
    this.#live();
    int("backend", backend, 0, this.maxBackends - 1);
    this.#views();
    this.#states[backend] = down ? 1 : 0;
  }

  // The key words of a flow or string key into K.
  #key(input: Flow | string): void {
    if (typeof input === "string") {
      const d = siphash24(enc.encode(input), this.#digestKey);
      SPLIT.setBigUint64(0, d, true);
      K[0] = SPLIT.getUint32(0, true);
      K[1] = SPLIT.getUint32(4, true);
      K[2] = 0;
      K[3] = PK_STRING;
      return;
    }
    const fam = parseFlowInto(input, W);
    if (fam === 4) {
      K[0] = W[0]!;
      K[1] = W[4]!;
      K[2] = ((W[8]! << 16) | W[9]!) >>> 0;
      K[3] = W[10]!;
      return;
    }
    for (let k = 0; k < 8; k++) DIGEST_DV.setUint32(4 * k, W[k]!, false);
    const d = siphash24(DIGEST_IN, this.#digestKey);
    SPLIT.setBigUint64(0, d, true);
    K[0] = SPLIT.getUint32(0, true);
    K[1] = SPLIT.getUint32(4, true);
    K[2] = ((W[8]! << 16) | W[9]!) >>> 0;
    K[3] = W[10]! | KIND_DIGEST;
  }

  /**
   * The backend index of a flow or string key, or -1 when absent, idle past its timeout, or
   * on a backend marked down (those entries are removed). A hit restarts the idle timeout.
   * @example const b = ct.lookup(flow)
   */
  lookup(input: Flow | string): number {
    this.#live();
    this.#key(input);
    return this.engine.x.ctLookup(this.#ptr, K[0]!, K[1]!, K[2]!, K[3]!, this.#now());
  }

  /**
   * lookup() for an IPv4 flow given as numbers (192.0.2.1 = 0xc0000201): no parsing, no allocation.
   * @example ct.lookupV4(0xc6336407, 0xcb007101, 51512, 443, 6)
   */
  lookupV4(src: number, dst: number, sport: number, dport: number, proto: number): number {
    this.#live();
    checkV4(src, dst, sport, dport, proto);
    return this.engine.x.ctLookup(this.#ptr, src, dst, ((sport << 16) | dport) >>> 0, proto, this.#now());
  }

  /**
   * Pins a flow or key to `backend` (replacing its entry if present). When the table is full
   * an entry is evicted (S3-FIFO); returns true if a live entry was. `timeout` in ms (0: none)
   * defaults to the table's.
   * @example ct.insert(flow, 2, 30_000)
   */
  insert(input: Flow | string, backend: number, timeout: number = this.timeout): boolean {
    this.#live();
    int("backend", backend, 0, this.maxBackends - 1);
    int("timeout", timeout, 0, MAX_TIMEOUT);
    this.#key(input);
    return this.engine.x.ctInsert(this.#ptr, K[0]!, K[1]!, K[2]!, K[3]!, backend, this.#now(), timeout) === 1;
  }

  /** insert() for an IPv4 flow given as numbers. */
  insertV4(src: number, dst: number, sport: number, dport: number, proto: number, backend: number, timeout: number = this.timeout): boolean {
    this.#live();
    checkV4(src, dst, sport, dport, proto);
    int("backend", backend, 0, this.maxBackends - 1);
    int("timeout", timeout, 0, MAX_TIMEOUT);
    return this.engine.x.ctInsert(this.#ptr, src, dst, ((sport << 16) | dport) >>> 0, proto, backend, this.#now(), timeout) === 1;
  }

  /**
   * Removes a flow or key (a TCP close). Returns whether it was present.
   * @example ct.remove(flow)
   */
  remove(input: Flow | string): boolean {
    this.#live();
    this.#key(input);
    return this.engine.x.ctRemove(this.#ptr, K[0]!, K[1]!, K[2]!, K[3]!) === 1;
  }

  /**
   * Looks up flows [0, batch.length) of an IPv4 FlowBatch (read only) in one Wasm call:
   * out[i] = backend index, or 0xffffffff for a miss. Returns the number of hits.
   * @example const hits = ct.lookupBatch(batch, out)
   */
  lookupBatch(batch: FlowBatch, out: Uint32Array): number {
    this.#live();
    if (!FlowBatch.isOwn(batch)) throw flowpinError("INVALID_TYPE", `batch must be a FlowBatch, got ${show(batch)}`);
    if (batch.engine !== this.engine) throw flowpinError("INVALID_TYPE", `batch lives in the ${batch.engine.kind} engine's memory, this table in the ${this.engine.kind} engine's`);
    if (batch.family !== 4) throw flowpinError("MIXED_FAMILIES", "lookupBatch takes IPv4 batches (IPv6 flows: lookup())");
    if (!(out instanceof Uint32Array)) throw flowpinError("INVALID_TYPE", `out must be a Uint32Array, got ${show(out)}`);
    const n = batch.length;
    if (out.length < n) throw flowpinError("OUT_OF_RANGE", `out has ${out.length} elements, fewer than the batch's ${n} flows`);
    const e = this.engine;
    const now = this.#now();
    const p = batch.pointers();
    const at = e.scratch(4 * n);
    const hits = e.x.ctLookupBatch(this.#ptr, n, p.src, p.dst, p.sport, p.dport, p.proto, now, at) >>> 0;
    out.set(new Uint32Array(e.u8.buffer, at, n));
    return hits;
  }

  /**
   * Removes every entry idle past its timeout now (O(capacity)); lookups and inserts already
   * treat them as absent, this returns their memory to new flows sooner. Returns how many.
   * @example ct.sweep()
   */
  sweep(): number {
    this.#live();
    return this.engine.x.ctSweep(this.#ptr, this.#now(), this.capacity) >>> 0;
  }

  /** Counters since creation. */
  stats(): ConnTableStats {
    this.#live();
    const dv = this.engine.dv;
    return { capacity: this.capacity, size: dv.getUint32(this.#ptr + 44, true), evicted: dv.getUint32(this.#ptr + 48, true), expired: dv.getUint32(this.#ptr + 52, true), bytes: this.#bytes };
  }

  /** Returns the table's Wasm memory (also done by `using` and, eventually, by GC). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    untrack(this.#token);
    this.engine.release(this.#ptr);
  }
}

function checkV4(src: number, dst: number, sport: number, dport: number, proto: number): void {
  const u32 = (x: unknown): boolean => typeof x === "number" && x >>> 0 === x && !Object.is(x, -0);
  if (!u32(src)) throw flowpinError("INVALID_ADDRESS", `src must be an IPv4 u32 in 0..4294967295, got ${show(src)}`);
  if (!u32(dst)) throw flowpinError("INVALID_ADDRESS", `dst must be an IPv4 u32 in 0..4294967295, got ${show(dst)}`);
  if (typeof sport !== "number" || (sport & 0xffff) !== sport || Object.is(sport, -0)) throw flowpinError("INVALID_PORT", `sport must be an integer in 0..65535, got ${show(sport)}`);
  if (typeof dport !== "number" || (dport & 0xffff) !== dport || Object.is(dport, -0)) throw flowpinError("INVALID_PORT", `dport must be an integer in 0..65535, got ${show(dport)}`);
  if (typeof proto !== "number" || (proto & 0xff) !== proto || Object.is(proto, -0)) throw flowpinError("INVALID_PROTOCOL", `proto must be an integer in 0..255, got ${show(proto)}`);
}

disposable(ConnTable);

// Declares the method disposable() installs, so that `using x = new ConnTable(...)` type-checks.
export interface ConnTable {
  /** The same as dispose(): `using` calls it at the end of the block (where the runtime has Symbol.dispose). */
  [Symbol.dispose](): void;
}
