/**
 * A struct-of-arrays batch of flows that lives in Wasm memory: the caller fills typed-array
 * views (no copy per flow) and `hasher.hashBatch(batch)` hashes all of them in one call.
 *
 * @example
 * import { FlowBatch, FlowHasher } from "flowpin";
 * const hasher = new FlowHasher({ key: secret8Bytes });
 * using batch = new FlowBatch(4096);            // IPv4; new FlowBatch(n, { family: 6 }) for IPv6
 * batch.src.set(srcWords); batch.dst.set(dstWords);
 * batch.sport.set(sports); batch.dport.set(dports); batch.proto.fill(6);
 * hasher.hashBatch(batch);
 * batch.hashes; // Uint32Array of n hashes
 */
import type { Engine } from "./engine/engine.js";
import { active } from "./engine/state.js";
import { disposable, track, untrack } from "./engine/regions.js";
import { flowpinError, show } from "./errors.js";
import { FLOW_WORDS, parseFlowInto, type Flow } from "./flow.js";
import { VERSION } from "./version.js";

// The ESM and CJS builds are two copies of this class in one process: `instanceof` holds for
// a batch of either copy (the brand is a registry symbol, as FlowpinError's), provided both
// copies are the same version (the same Wasm ABI).
const BRAND = Symbol.for("flowpin.FlowBatch");

/** Largest batch: keeps every region offset below 2^31 on 32-bit Wasm memory. */
export const MAX_BATCH = 1 << 24;


/** Offsets of one batch's arrays inside its region (each 16-aligned). */
interface Layout {
  src: number;
  dst: number;
  sport: number;
  dport: number;
  proto: number;
  hashes: number;
  hashesHi: number;
  bytes: number;
}

function layout(capacity: number, family: 4 | 6): Layout {
  // Rounded up to 16 entries so every array starts 16-aligned and SIMD loads of 4 lanes stay
  // inside the batch.
  const c = Math.max(16, Math.ceil(capacity / 16) * 16);
  const words = family === 4 ? 1 : 4;
  const src = 0;
  const dst = src + 4 * words * c;
  const sport = dst + 4 * words * c;
  const dport = sport + 2 * c;
  const proto = dport + 2 * c;
  const hashes = proto + c;
  const hashesHi = hashes + 4 * c;
  return { src, dst, sport, dport, proto, hashes, hashesHi, bytes: hashesHi + 4 * c };
}

// One validated flow for set() (see parseFlowInto).
const SCRATCH = new Uint32Array(FLOW_WORDS);

export interface FlowBatchOptions {
  /** Address family of every flow in the batch (default 4). */
  family?: 4 | 6;
}

export class FlowBatch {
  /** 4: src/dst hold one u32 per flow; 6: four u32 per flow (flow i at [4i, 4i+4)). */
  readonly family: 4 | 6;
  readonly capacity: number;
  /**
   * The engine whose memory holds the batch (batches do not move between engines).
   * @internal
   */
  readonly engine: Engine;
  private readonly ptr: number;
  private readonly lay: Layout;
  private _length: number;
  private buffer: ArrayBuffer | undefined;
  private views!: {
    src: Uint32Array;
    dst: Uint32Array;
    sport: Uint16Array;
    dport: Uint16Array;
    proto: Uint8Array;
    hashes: Uint32Array;
    hashesHi: Uint32Array;
  };
  private disposed = false;
  private readonly token = {};
  // Entries [0, hiWritten) of hashesHi hold a 64-bit hash's high half (see afterHash).
  private hiWritten = 0;
  // Only constructed batches of this copy have it (prototype-made look-alikes do not).
  readonly #own = true;

  /** A FlowBatch of this copy of flowpin, constructed (not a prototype-made look-alike). */
  static isOwn(value: unknown): value is FlowBatch {
    return typeof value === "object" && value !== null && #own in value;
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return FlowBatch.isOwn(value) || (typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === VERSION);
  }

  /**
   * @param capacity flows the batch can hold (1..2^24); `length` starts equal to it.
   * @example const batch = new FlowBatch(1 << 20);
   */
  constructor(capacity: number, options: FlowBatchOptions = {}) {
    if (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 1 || capacity > MAX_BATCH) {
      throw flowpinError(typeof capacity === "number" ? "OUT_OF_RANGE" : "INVALID_TYPE", `capacity must be an integer in 1..${MAX_BATCH}, got ${show(capacity)}`);
    }
    // null is not "no options" (FlowHasher and Maglev refuse it too); a null field inside is.
    if (typeof options !== "object" || options === null) throw flowpinError("INVALID_TYPE", `options must be an object {family?}, got ${show(options)}`);
    const family = options.family ?? 4;
    if (family !== 4 && family !== 6) throw flowpinError("OUT_OF_RANGE", `family must be 4 or 6, got ${show(family)}`);
    this.family = family;
    this.capacity = capacity;
    this._length = capacity;
    this.engine = active();
    this.lay = layout(capacity, family);
    this.ptr = this.engine.alloc(this.lay.bytes);
    // Fresh memory may hold an earlier batch's data: start from zeros.
    this.engine.u8.fill(0, this.ptr, this.ptr + this.lay.bytes);
    track(this, this.engine, this.ptr, this.token);
  }

  /** How many flows (from index 0) hashBatch() hashes; 0..capacity. */
  get length(): number {
    return this._length;
  }

  set length(n: number) {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > this.capacity) {
      throw flowpinError("OUT_OF_RANGE", `length must be an integer in 0..${this.capacity}, got ${show(n)}`);
    }
    this._length = n;
  }

  private get v(): FlowBatch["views"] {
    if (this.disposed) throw flowpinError("DISPOSED", "this FlowBatch was disposed");
    const buf = this.engine.u8.buffer as ArrayBuffer;
    // Wasm memory growth detaches the old ArrayBuffer: rebuild every view on the new one.
    if (buf !== this.buffer) {
      const w = this.family === 4 ? 1 : 4;
      const p = this.ptr;
      const L = this.lay;
      this.views = {
        src: new Uint32Array(buf, p + L.src, w * this.capacity),
        dst: new Uint32Array(buf, p + L.dst, w * this.capacity),
        sport: new Uint16Array(buf, p + L.sport, this.capacity),
        dport: new Uint16Array(buf, p + L.dport, this.capacity),
        proto: new Uint8Array(buf, p + L.proto, this.capacity),
        hashes: new Uint32Array(buf, p + L.hashes, this.capacity),
        hashesHi: new Uint32Array(buf, p + L.hashesHi, this.capacity),
      };
      this.buffer = buf;
    }
    return this.views;
  }

  /** Source addresses as numeric words (192.0.2.1 = 0xc0000201; IPv6: 4 words per flow, most significant first). */
  get src(): Uint32Array {
    return this.v.src;
  }
  get dst(): Uint32Array {
    return this.v.dst;
  }
  get sport(): Uint16Array {
    return this.v.sport;
  }
  get dport(): Uint16Array {
    return this.v.dport;
  }
  /** IP protocol numbers. */
  get proto(): Uint8Array {
    return this.v.proto;
  }
  /** The hashes (low 32 bits for 64-bit profiles), written by hashBatch(). */
  get hashes(): Uint32Array {
    return this.v.hashes;
  }
  /**
   * High 32 bits of each hash: 64-bit profiles (envoy, glb) write them; hashing with a 32-bit
   * profile sets them to 0, so `(hashesHi[i], hashes[i])` is always the u64 value of the last
   * hash, never a stale high half of an earlier 64-bit one.
   */
  get hashesHi(): Uint32Array {
    return this.v.hashesHi;
  }

  /**
   * Validates `flow` and writes it at index i (a convenience; filling the views directly is
   * faster). A flow of the other family is a MIXED_FAMILIES error.
   */
  set(i: number, flow: Flow): void {
    if (typeof i !== "number" || !Number.isInteger(i) || i < 0 || i >= this.capacity) {
      throw flowpinError("OUT_OF_RANGE", `index must be an integer in 0..${this.capacity - 1}, got ${show(i)}`);
    }
    // The whole flow is validated (each field read once) before anything is written, so a
    // bad flow leaves slot i as it was.
    const w = SCRATCH;
    const fam = parseFlowInto(flow, w);
    if (fam !== this.family) {
      throw flowpinError("MIXED_FAMILIES", `flow ${i} is IPv${fam}; this batch holds IPv${this.family}`);
    }
    const v = this.v;
    const n = this.family === 4 ? 1 : 4;
    for (let k = 0; k < n; k++) {
      v.src[i * n + k] = w[k]!;
      v.dst[i * n + k] = w[4 + k]!;
    }
    v.sport[i] = w[8]!;
    v.dport[i] = w[9]!;
    v.proto[i] = w[10]!;
  }

  /**
   * Pointers for the Wasm call.
   * @internal
   */
  pointers(): { src: number; dst: number; sport: number; dport: number; proto: number; hashes: number; hashesHi: number } {
    if (this.disposed) throw flowpinError("DISPOSED", "this FlowBatch was disposed");
    const p = this.ptr;
    const L = this.lay;
    return { src: p + L.src, dst: p + L.dst, sport: p + L.sport, dport: p + L.dport, proto: p + L.proto, hashes: p + L.hashes, hashesHi: p + L.hashesHi };
  }

  /**
   * Called by FlowHasher.hashBatch after hashing [0, length) with a `bits`-bit profile
   * (internal). A 32-bit profile does not write hashesHi: high halves left by an earlier
   * 64-bit hash are cleared here, so a 64-bit lookup over (hashes, hashesHi) reads the 32-bit
   * hash itself. Costs nothing while the profile stays the same width.
   */
  afterHash(bits: 32 | 64): void {
    if (this.disposed) throw flowpinError("DISPOSED", "this FlowBatch was disposed");
    if (bits === 64) {
      this.hiWritten = Math.max(this.hiWritten, this._length);
      return;
    }
    if (this.hiWritten === 0) return;
    const at = this.ptr + this.lay.hashesHi;
    this.engine.u8.fill(0, at, at + 4 * this.hiWritten);
    this.hiWritten = 0;
  }

  /** Returns the batch's Wasm memory now (also done by `using` and, eventually, by GC). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    untrack(this.token);
    this.engine.release(this.ptr);
  }
}

disposable(FlowBatch);

// Declares the method disposable() installs, so that `using x = new FlowBatch(...)` type-checks.
export interface FlowBatch {
  /** The same as dispose(): `using` calls it at the end of the block (where the runtime has Symbol.dispose). */
  [Symbol.dispose](): void;
}

// Symbol.dispose for programs whose libs lack it (ES2022 without esnext.disposable or
// @types/node), so these declarations compile there too; the same declaration as
// lib.esnext.disposable's and @types/node's, with which it merges.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
Object.defineProperty(FlowBatch.prototype, BRAND, { value: VERSION });
