/**
 * Maglev consistent-hashing tables (Eisenbud et al., NSDI'16, section 3.4), byte-identical
 * with Envoy, Katran, Cilium and Linux IPVS `mh` through profiles.
 * @module
 */
import type { Engine } from "./engine/engine.js";
import { disposable, track, untrack } from "./engine/regions.js";
import { lookupIndices, releaseTable, routeSpec, type RouteSpec } from "./engine/route-kernel.js";
import { active } from "./engine/state.js";
import { flowpinError, show } from "./errors.js";
import { FlowHasher } from "./flow-hasher.js";
import { ParamCache, buildTable, isShared, sharedOption, tableBuffer, validateInputs, type MaglevInputs } from "./maglev-build.js";
import { decodeMaglev, encodeMaglev } from "./maglev-bytes.js";
import type { MaglevBackend, MaglevProfileName, MaglevProfileOptions, NormalizedBackend } from "./profiles/maglev-profile.js";
import { FLOW_WORDS, parseFlowInto, type Flow } from "./flow.js";
import { brand, hashOf, type BackendTable, type FlowHashFunction } from "./lookup.js";
import { diffTables, type MaglevDiff } from "./table-diff.js";

// diffTables and its types live in table-diff.ts; these names stay importable from here.
export { diffTables, type MaglevDiff, type MaglevBackendDiff, type SlotTable } from "./table-diff.js";
export type { FlowHashFunction } from "./lookup.js";

export type { MaglevBackend, MaglevProfileName, MaglevProfileOptions } from "./profiles/maglev-profile.js";

/** Options of `new Maglev()`: the backends, the profile and its options. */
export interface MaglevOptions extends MaglevProfileOptions {
  /** Backends in input order; table entries and `lookup()` refer to this order. */
  readonly backends: readonly MaglevBackend[];
  /** Compatibility profile; default "envoy". */
  readonly profile?: MaglevProfileName;
  /** Table size M, a prime the profile allows; default per profile (envoy/katran 65537, cilium 16381, ipvs 4093). */
  readonly size?: number;
  /** Put the table in a SharedArrayBuffer so worker_threads can read it without a copy (see `toShared()`). */
  readonly shared?: boolean;
  /**
   * cilium: the cluster seed under FlowHasher's name for it, `{ hashSeed: "JLfvgnHc2kaSUFaI" }`
   * (the same setting as `seed`; give one of the two).
   */
  readonly cilium?: { readonly hashSeed?: string };
  /**
   * Build even when there are more backends than slots: the fill stops when the table is full
   * and some backends get no slot (Envoy builds such tables: maglev_lb.cc). Default false
   * (INVALID_TABLE_SIZE). Not kept by withBackends().
   */
  readonly allowUnslotted?: boolean;
}


/**
 * A backend as the table holds it: validated, frozen, with its weight filled in. (Written out,
 * not as an alias of the profiles' internal type, so the published declarations name no
 * internal type.)
 */
export type MaglevEntry = MaglevBackend & { readonly weight: number };

/** `stats()`: how the slots are spread over the backends. */
export interface MaglevStats {
  readonly size: number;
  /** Slots per backend, input order. */
  readonly entries: readonly number[];
  /** Share of the hash space each backend should get from its weight (sums to 1). */
  readonly ideal: readonly number[];
  /** Fewest and most slots held by a backend that has a positive ideal share. */
  readonly min: number;
  readonly max: number;
  /** size / number of backends with a positive share. */
  readonly mean: number;
  /** Largest entries / (ideal * size): 1 is perfect balance. */
  readonly maxOverIdeal: number;
}

/** Structured-cloneable form for worker_threads (`toShared()` / `Maglev.fromShared()`). */
export interface MaglevShared {
  readonly format: "flowpin-maglev-shared/1";
  readonly profile: MaglevProfileName;
  readonly size: number;
  readonly options: MaglevProfileOptions;
  readonly backends: readonly MaglevEntry[];
  readonly table: Uint16Array | Uint32Array;
}

const U64_MAX = 0xffffffffffffffffn;
// FlowHasher's own methods: pick() and pickV4() hash and look up in one Wasm call only for a
// FlowHasher whose hash is this one (not a subclass's override, not the other copy's class).
const FLOW_HASH = FlowHasher.prototype.hash;
const FLOW_HASH_V4 = FlowHasher.prototype.hashV4;
// Scratch for the flow pick() parses (address words, ports, protocol).
const PW = new Uint32Array(FLOW_WORDS);
// Splits a u64 bigint into u32 halves without BigInt arithmetic (no allocation).
const SPLIT = new DataView(new ArrayBuffer(8));
const BUILD = Symbol("build");
// lookupBatch below this many hashes stays a JS loop (the Wasm call and copies do not pay).
const BATCH_IN_WASM = 64;
/** What the internal constructor path takes: validated inputs and a finished table. */
interface Parts {
  inputs: MaglevInputs;
  table: Uint16Array | Uint32Array;
  cache?: ParamCache;
  ideal?: Float64Array;
}

/**
 * An immutable Maglev lookup table over a list of backends.
 *
 * @example
 * import { Maglev } from "flowpin";
 * const lb = new Maglev({ backends: [{ id: "10.0.0.1:80", weight: 2 }, { id: "10.0.0.2:80" }] });
 * lb.lookup(0x12345678).id;           // the backend for a 32-bit flow hash
 * lb.lookup(0xdeadbeefcafef00dn).id;  // or a 64-bit one (Envoy hashes are u64)
 * const next = lb.withBackends([{ id: "10.0.0.1:80", weight: 2 }]);
 * Maglev.diff(lb, next).moved;        // slots that changed hands
 */
export class Maglev implements BackendTable<MaglevEntry> {
  readonly profile: MaglevProfileName;
  /** Table size M (prime). */
  readonly size: number;
  /** The backends in input order (validated copies): a frozen array of frozen records. */
  get backends(): readonly MaglevEntry[] {
    return this.frozen ?? this.freezeBackends();
  }
  /**
   * table[slot] = index into `backends`. Uint16Array when there are at most 65535 backends,
   * else Uint32Array. Treat it as read-only: it may be shared with other threads.
   */
  readonly table: Uint16Array | Uint32Array;
  /** The profile options in effect (katran version, cilium seed, envoy locality weights). */
  readonly options: MaglevProfileOptions;
  private readonly inputs: MaglevInputs;
  // `backends`, frozen on first read. Object.freeze is a runtime call of ~20 ns per record
  // (0.2 ms of a 2.2 ms build at 10 000 backends), so a table only looked up by index
  // (routeIndices, lookupIndex, lookupBatch) never pays it; every public path that hands out
  // a record (pick, lookup, diff, toBytes, toShared) reads it through the getter, so no
  // caller ever sees a record unfrozen.
  private frozen: readonly MaglevEntry[] | undefined;
  private readonly cache: ParamCache;
  // Ideal shares from the weights; computed on first stats() for decoded tables.
  private ideal: Float64Array | undefined;
  // 2^32 mod size: a u64 hash hi·2^32 + lo is ((hi mod M)·(2^32 mod M) + lo) mod M, every
  // term below 2^46 because M ≤ 5000011 < 2^23: exact in doubles, no BigInt.
  private readonly r32: number;
  // 1 / size, for x mod size = x - floor(x / size) * size in doubles with one correction
  // step: exact for x < 2^52 and 3x faster than `%` by a run-time divisor (measured: batch
  // lookups 2.3 ns vs 7.6 ns per hash).
  private readonly inv: number;
  // The table copied into an engine's memory for the one-call picks, made on first use there
  // (returned to the engine when this table is collected); the last engine's is at hand.
  private wasmEngine: Engine | undefined;
  /** 1 when table entries are u32 (the maglevPick flag). */
  private readonly wide: number;
  private wasmTable = 0;
  private wasmTables: Map<Engine, { at: number; token: object }> | undefined;
  private disposed = false;
  // The route kernel's lookup parameters (lookupBatch), made on first use.
  private lookupSpec: RouteSpec | undefined;

  /**
   * Builds the table. Throws FlowpinError: NO_BACKENDS, DUPLICATE_BACKEND (id or profile
   * key), INVALID_WEIGHT (NaN, negative, infinite, fractional, all zero), INVALID_TABLE_SIZE
   * (not prime, out of the profile's range, below the backend count), UNKNOWN_PROFILE, and
   * profile field errors (INVALID_KEY, INVALID_ADDRESS, INVALID_PORT, INVALID_CONFIG).
   *
   * @example
   * new Maglev({ profile: "katran", version: "v2", backends: [{ id: "a", hash: 1n }, { id: "b", hash: 2n }] });
   */
  constructor(options: MaglevOptions);
  /** @internal */
  constructor(options: MaglevOptions | typeof BUILD, parts?: Parts);
  constructor(options: MaglevOptions | typeof BUILD, parts?: Parts) {
    let table: Uint16Array | Uint32Array;
    if (options === BUILD && parts) {
      this.inputs = parts.inputs;
      this.cache = parts.cache ?? new ParamCache();
      table = parts.table;
      this.ideal = parts.ideal;
    } else {
      this.inputs = validateInputs(options);
      const shared = (options as MaglevOptions).shared;
      if (shared !== undefined && typeof shared !== "boolean") throw flowpinError("INVALID_TYPE", `shared must be a boolean, got ${show(shared)}`);
      const built = buildTable(this.inputs, shared === true);
      this.cache = built.cache;
      table = built.table;
      this.ideal = built.share;
    }
    this.table = table;
    this.profile = this.inputs.profile.name;
    this.size = this.inputs.size;
    this.options = this.inputs.options;
    this.wide = this.inputs.backends.length > 0xffff ? 1 : 0;
    this.r32 = 2 ** 32 % this.size;
    this.inv = 1 / this.size;
  }

  private freezeBackends(): readonly MaglevEntry[] {
    const list = this.inputs.backends;
    for (let i = 0; i < list.length; i++) Object.freeze(list[i]);
    return (this.frozen = Object.freeze(list.slice()));
  }

  /**
   * The index (into `backends`) that `hash` selects: `table[hash % size]`. `hash` is a u32 /
   * safe non-negative integer, or a u64 bigint (taken modulo size exactly, as Envoy's
   * `table_[hash % table_size_]`).
   * @example lb.lookupIndex(12345n)
   */
  lookupIndex(hash: number | bigint): number {
    if (this.disposed) throw disposedError();
    const M = this.size;
    if (typeof hash === "number") {
      // u32 (the common case; `1 / hash > 0` rejects -0), then any other safe integer.
      if (hash >>> 0 === hash && (hash !== 0 || 1 / hash > 0)) {
        const r = hash - Math.floor(hash * this.inv) * M;
        return this.table[r >= M ? r - M : r < 0 ? r + M : r]!;
      }
      if (Number.isSafeInteger(hash) && hash > 0) return this.table[hash % M]!;
      throw flowpinError("OUT_OF_RANGE", `hash must be a non-negative safe integer or a u64 bigint, got ${show(hash)}`);
    }
    if (typeof hash !== "bigint") throw flowpinError("INVALID_TYPE", `hash must be a number or a bigint, got ${show(hash)}`);
    if (hash < 0n || hash > U64_MAX) throw flowpinError("OUT_OF_RANGE", `hash must be in 0..2^64-1, got ${show(hash)}`);
    SPLIT.setBigUint64(0, hash, true);
    const lo = SPLIT.getUint32(0, true);
    const hi = SPLIT.getUint32(4, true);
    const inv = this.inv;
    let h = hi - Math.floor(hi * inv) * M;
    h = (h >= M ? h - M : h < 0 ? h + M : h) * this.r32 + lo;
    const r = h - Math.floor(h * inv) * M;
    return this.table[r >= M ? r - M : r < 0 ? r + M : r]!;
  }

  /**
   * The index a flow hash selects (the lookup contract's name; the same as lookupIndex).
   * @example lb.pickIndex(12345n)
   */
  pickIndex(hash: number | bigint): number {
    return this.lookupIndex(hash);
  }

  /**
   * The backend `hash` selects (the same as `pick(hash)`).
   * @example lb.lookup(flowHash).id
   */
  lookup(hash: number | bigint): MaglevEntry {
    return this.backends[this.lookupIndex(hash)]!;
  }

  /**
   * The backend for a flow hash, or for a flow hashed by `hasher` (a FlowHasher or any
   * `{ hash(flow) }`).
   * @example lb.pick({ src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 443, proto: "tcp" }, hasher)
   */
  pick(hash: number | bigint): MaglevEntry;
  pick<F>(flow: F, hasher: FlowHashFunction<F>): MaglevEntry;
  pick<F>(hashOrFlow: number | bigint | F, hasher?: FlowHashFunction<F>): MaglevEntry {
    if (hasher instanceof FlowHasher && hasher.hash === FLOW_HASH) {
      // Parse, hash and table[hash % size] with one Wasm call: the same validation and result
      // as hashing first and looking up after.
      // Parse, hash and table[hash % size] with one Wasm call: the same checks in the same
      // order as hasher.hash() (disposed, the flow's fields, the key length), the same result
      // as hashing first and looking up after. Written out here: measured, the JS-to-Wasm
      // call costs 30 ns more one non-inlined call deeper.
      const e = active();
      const cfg = FlowHasher.configOf(hasher, e);
      const w = PW;
      const fam = parseFlowInto(hashOrFlow as Flow, w);
      if (hasher.profile === "toeplitz") FlowHasher.checkKey(hasher, fam);
      const table = e === this.wasmEngine ? this.wasmTable : this.tableIn(e);
      const flags = hasher.bits === 64 ? this.wide | 2 : this.wide;
      if (fam === 4) return this.backends[e.x.maglevPickV4(cfg, table, flags, w[0]!, w[4]!, w[8]!, w[9]!, w[10]!)]!;
      const p = e.scratch(32);
      const dv = e.dv;
      for (let k = 0; k < 8; k++) dv.setUint32(p + 4 * k, w[k]!, true);
      return this.backends[e.x.maglevPickV6(cfg, table, flags, p, p + 16, w[8]!, w[9]!, w[10]!)]!;
    }
    return this.backends[this.lookupIndex(hashOf(hashOrFlow, hasher))]!;
  }

  /**
   * The backend for one IPv4 flow given as numbers (192.0.2.1 = 0xc0000201), hashed by
   * `hasher`: the same as `lb.lookup(hasher.hashV4(src, dst, sport, dport, proto))`, in one
   * Wasm call (hash and table lookup) and without allocation. The per-packet path for
   * proxies that hold addresses as integers. Throws as hashV4() does.
   * @example lb.pickV4(hasher, 0xc6336407, 0xcb007101, 51512, 443, 6).id
   */
  pickV4(hasher: FlowHasher, src: number, dst: number, sport: number, dport: number, proto: number): MaglevEntry {
    if (!(hasher instanceof FlowHasher)) throw flowpinError("INVALID_TYPE", `hasher must be a FlowHasher, got ${show(hasher)}`);
    if (
      hasher.hashV4 !== FLOW_HASH_V4 ||
      typeof src !== "number" || typeof dst !== "number" || typeof sport !== "number" || typeof dport !== "number" || typeof proto !== "number" ||
      (src >>> 0) !== src || (dst >>> 0) !== dst || (sport & 0xffff) !== sport || (dport & 0xffff) !== dport || (proto & 0xff) !== proto ||
      Object.is(src, -0) || Object.is(dst, -0) || Object.is(sport, -0) || Object.is(dport, -0) || Object.is(proto, -0)
    ) {
      // hashV4 throws the error for bad numbers (or hashes with a subclass's own hashV4).
      return this.lookup(hasher.hashV4(src, dst, sport, dport, proto));
    }
    // Written out here rather than through a helper: measured, the JS-to-Wasm call costs
    // 30 ns more when it sits one non-inlined call deeper.
    const e = active();
    const table = e === this.wasmEngine ? this.wasmTable : this.tableIn(e);
    const flags = hasher.bits === 64 ? this.wide | 2 : this.wide;
    return this.backends[e.x.maglevPickV4(FlowHasher.v4Config(hasher, e), table, flags, src, dst, sport, dport, proto)]!;
  }

  /** This table in `e`'s linear memory (copied there on first use). */
  private tableIn(e: Engine): number {
    if (e === this.wasmEngine) return this.wasmTable;
    if (this.disposed) throw disposedError();
    let c = this.wasmTables?.get(e);
    if (c === undefined) {
      // 16 bytes of header (M and its fastmod constant: assembly/maglev.ts), then the entries.
      const t = this.table;
      const h = e.alloc(16 + t.byteLength);
      e.x.maglevPickHeader(h, this.size);
      e.u8.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), h + 16);
      c = { at: h, token: {} };
      (this.wasmTables ??= new Map()).set(e, c);
      track(this, e, h, c.token);
    }
    this.wasmEngine = e;
    this.wasmTable = c.at + 16;
    return this.wasmTable;
  }

  /**
   * Returns the Wasm memory holding copies of this table (made for the one-call picks and
   * batch lookups; otherwise returned when the table is garbage collected) now; `using lb =
   * new Maglev(...)` calls it where the runtime has `Symbol.dispose`. The table itself (a
   * plain typed array) stays readable; the Maglev throws FlowpinError DISPOSED on use.
   * @example lb.dispose()
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.wasmEngine = undefined;
    for (const [e, c] of this.wasmTables ?? []) {
      untrack(c.token);
      e.release(c.at);
    }
    this.wasmTables = undefined;
    releaseTable(this.table);
  }

  /**
   * Many hashes at once (the lookup contract's name; the same as lookupBatch).
   * @example lb.pickBatch(batch.hashes, new Uint32Array(batch.hashes.length), batch.hashesHi)
   */
  pickBatch<T extends Uint32Array | Uint16Array>(hashes: Uint32Array, out: T, hashesHi?: Uint32Array): T {
    return this.lookupBatch(hashes, out, hashesHi);
  }

  /**
   * Looks up many hashes at once: out[i] = index for hashes[i] (with `hashesHi`, the hash is
   * the u64 hashesHi[i]·2^32 + hashes[i]). Returns `out`.
   * @example lb.lookupBatch(batch.hashes, new Uint16Array(batch.hashes.length))
   */
  lookupBatch<T extends Uint32Array | Uint16Array>(hashes: Uint32Array, out: T, hashesHi?: Uint32Array): T {
    if (!(hashes instanceof Uint32Array)) throw flowpinError("INVALID_TYPE", `hashes must be a Uint32Array, got ${show(hashes)}`);
    if (!(out instanceof Uint32Array || out instanceof Uint16Array)) throw flowpinError("INVALID_TYPE", `out must be a Uint32Array or Uint16Array, got ${show(out)}`);
    const n = hashes.length;
    if (out.length < n) throw flowpinError("OUT_OF_RANGE", `out has ${out.length} elements, fewer than the ${n} hashes`);
    if (out instanceof Uint16Array && this.backends.length > 0xffff) {
      throw flowpinError("INVALID_TYPE", `out must be a Uint32Array: ${this.backends.length} backends do not fit 16 bits`);
    }
    if (hashesHi !== undefined) {
      if (!(hashesHi instanceof Uint32Array)) throw flowpinError("INVALID_TYPE", `hashesHi must be a Uint32Array, got ${show(hashesHi)}`);
      if (hashesHi.length < n) throw flowpinError("OUT_OF_RANGE", `hashesHi has ${hashesHi.length} elements, fewer than the ${n} hashes`);
    }
    if (this.disposed) throw disposedError();
    if (n >= BATCH_IN_WASM) {
      // In Wasm (the route kernel's lookup mode): measured 1.1 vs 2.8 ns per hash at n = 4096,
      // the copies in and out included.
      this.lookupSpec ??= routeSpec({ profile: "lookup" }, { size: this.size });
      return lookupIndices(this.lookupSpec, this.table, hashes, out, hashesHi);
    }
    const t = this.table;
    const M = this.size;
    const inv = this.inv;
    if (hashesHi === undefined) {
      for (let i = 0; i < n; i++) {
        const h = hashes[i]!;
        const r = h - Math.floor(h * inv) * M;
        out[i] = t[r >= M ? r - M : r < 0 ? r + M : r]!;
      }
      return out;
    }
    const r = this.r32;
    for (let i = 0; i < n; i++) {
      const hi = hashesHi[i]!;
      let h = hi - Math.floor(hi * inv) * M;
      h = (h >= M ? h - M : h < 0 ? h + M : h) * r + hashes[i]!;
      const q = h - Math.floor(h * inv) * M;
      out[i] = t[q >= M ? q - M : q < 0 ? q + M : q]!;
    }
    return out;
  }

  /**
   * The next table for a changed backend list, with the same profile, size and options.
   * Permutation parameters of backends that survive are reused, not rehashed.
   * @example const next = lb.withBackends(lb.backends.filter((b) => b.id !== "10.0.0.2:80"));
   */
  withBackends(backends: readonly MaglevBackend[], opts: { shared?: boolean } = {}): Maglev {
    const inputs = validateInputs({ ...this.options, profile: this.profile, size: this.size, backends });
    const built = buildTable(inputs, sharedOption(opts, isShared(this.table.buffer)), this.cache);
    return new Maglev(BUILD, { inputs, table: built.table, cache: built.cache, ideal: built.share });
  }

  /**
   * Slots per backend against the share their weights ask for.
   * @example lb.stats().maxOverIdeal // 1.0007 for 1000 equal backends in 65537 slots
   */
  stats(): MaglevStats {
    const entries = new Array<number>(this.backends.length).fill(0);
    for (const i of this.table) entries[i]!++;
    const ideal = Array.from(this.idealShare());
    let min = Infinity;
    let max = 0;
    let k = 0;
    let worst = 0;
    entries.forEach((c, i) => {
      if (ideal[i]! <= 0) return;
      k++;
      min = Math.min(min, c);
      max = Math.max(max, c);
      worst = Math.max(worst, c / (ideal[i]! * this.size));
    });
    return { size: this.size, entries, ideal, min, max, mean: this.size / k, maxOverIdeal: worst };
  }

  private idealShare(): Float64Array {
    this.ideal ??= this.inputs.profile.plan(this.inputs.backends, this.inputs.options, this.size).share;
    return this.ideal;
  }

  /**
   * Compares two tables of the same size (matching backends by id).
   * @example const d = Maglev.diff(before, after); d.fraction; d.disruption.fraction
   */
  static diff(a: Maglev, b: Maglev): MaglevDiff {
    // instanceof holds for a table of the other copy of flowpin in this process (ESM and CJS
    // loaded together): Maglev is branded (lookup.ts brand()).
    if (!(a instanceof Maglev) || !(b instanceof Maglev)) throw flowpinError("INVALID_TYPE", `Maglev.diff needs two Maglev tables, got ${show(a)} and ${show(b)}`);
    const inB = new Map(b.backends.map((x) => [x.id, x]));
    // A backend is changed when its weight, locality or profile key differs.
    const changed = (id: string): boolean => {
      const pa = a.backends.find((x) => x.id === id)!;
      const pb = inB.get(id)!;
      return pa.weight !== pb.weight || pa.locality !== pb.locality || a.inputs.profile.identity(pa) !== b.inputs.profile.identity(pb);
    };
    return diffTables(
      { ids: a.backends.map((x) => x.id), table: a.table },
      { ids: b.backends.map((x) => x.id), table: b.table },
      changed,
    );
  }

  /**
   * Versioned, checksummed binary form (profile, size, options, backends, table) for
   * shipping a table from a control plane to edge workers.
   * @example fs.writeFileSync("table.bin", lb.toBytes())
   */
  toBytes(): Uint8Array {
    return encodeMaglev({ profile: this.profile, size: this.size, options: this.options, backends: this.backends, table: this.table });
  }

  /**
   * Reads `toBytes()` output. Throws FlowpinError CORRUPT_DATA (truncated, bad checksum, bad
   * fields) or UNSUPPORTED_VERSION (a newer format).
   * @example const lb = Maglev.fromBytes(fs.readFileSync("table.bin"))
   */
  static fromBytes(bytes: Uint8Array, opts: { shared?: boolean } = {}): Maglev {
    const shared = sharedOption(opts, false);
    const d = decodeMaglev(bytes);
    const inputs = inputsFrom(d, "CORRUPT_DATA");
    const table = copyTable(d.table, shared);
    return new Maglev(BUILD, { inputs, table });
  }

  /**
   * A structured-cloneable view for `worker.postMessage()`: with `{ shared: true }` the table
   * lives in a SharedArrayBuffer, so every worker reads the same memory (no copy).
   *
   * Swapping tables: build the next table completely (`new Maglev()` / `withBackends()` only
   * return finished tables, and tables are never written afterwards), then publish it by
   * posting its `toShared()`; each reader replaces its reference in one assignment. A
   * reader therefore sees the old table or the new one, never a half-written one.
   *
   * @example
   * // main thread
   * const lb = new Maglev({ backends, shared: true });
   * worker.postMessage(lb.toShared());
   * // worker
   * parentPort.on("message", (m) => { current = Maglev.fromShared(m); });
   */
  toShared(): MaglevShared {
    return { format: "flowpin-maglev-shared/1", profile: this.profile, size: this.size, options: this.options, backends: this.backends, table: this.table };
  }

  /**
   * Wraps a `toShared()` object (after postMessage) without copying its table. Validates the
   * backends and that every entry is in range. Throws FlowpinError CORRUPT_DATA otherwise.
   * @example parentPort.on("message", (m) => { current = Maglev.fromShared(m); });
   */
  static fromShared(s: MaglevShared): Maglev {
    if (typeof s !== "object" || s === null || s.format !== "flowpin-maglev-shared/1") {
      throw flowpinError("CORRUPT_DATA", `not a Maglev toShared() object: ${show(s)}`);
    }
    const inputs = inputsFrom(s, "CORRUPT_DATA");
    const t = s.table;
    const wide = inputs.backends.length > 0xffff;
    if (!(wide ? t instanceof Uint32Array : t instanceof Uint16Array) || t.length !== inputs.size) {
      throw flowpinError("CORRUPT_DATA", `table must be a ${wide ? "Uint32Array" : "Uint16Array"} of ${inputs.size} entries, got ${show(t)}`);
    }
    checkEntries(t, inputs.backends.length);
    return new Maglev(BUILD, { inputs, table: t });
  }
}

function disposedError(): Error {
  return flowpinError("DISPOSED", "this Maglev was disposed");
}

function checkEntries(t: Uint16Array | Uint32Array, n: number): void {
  for (let i = 0; i < t.length; i++) {
    if (t[i]! >= n) throw flowpinError("CORRUPT_DATA", `table[${i}] = ${t[i]} is not a backend index (there are ${n} backends)`);
  }
}

function copyTable(t: Uint16Array | Uint32Array, shared: boolean): Uint16Array | Uint32Array {
  const buffer = tableBuffer(t.byteLength, shared);
  const out = t instanceof Uint32Array ? new Uint32Array(buffer) : new Uint16Array(buffer);
  out.set(t);
  return out;
}

/** Re-validates decoded or transferred parts, reporting any problem as `code`. */
function inputsFrom(d: { profile: unknown; size: unknown; options: unknown; backends: unknown; table: Uint16Array | Uint32Array }, code: "CORRUPT_DATA"): MaglevInputs {
  let inputs: MaglevInputs;
  try {
    inputs = validateInputs({ ...(d.options as object), profile: d.profile, size: d.size, backends: d.backends });
  } catch (e) {
    throw flowpinError(code, `serialized Maglev table has invalid contents: ${(e as Error).message}`);
  }
  if (d.table.length !== inputs.size) throw flowpinError(code, `table has ${d.table.length} entries, size says ${inputs.size}`);
  checkEntries(d.table, inputs.backends.length);
  return inputs;
}

brand(Maglev, "Maglev");

disposable(Maglev);

// Declares the method disposable() installs, so that `using lb = new Maglev(...)` type-checks.
export interface Maglev {
  /** The same as dispose(): `using` calls it at the end of the block (where the runtime has Symbol.dispose). */
  [Symbol.dispose](): void;
}
