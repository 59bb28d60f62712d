/**
 * Rendezvous (highest random weight) hashing, weighted (Thaler & Ravishankar 1998; the
 * `-w / ln(u)` form of weighted HRW, Schindelhauer & Schomaker 2005, also Envoy's).
 *
 * Per flow hash h and backend b with key hash k_b (XXH64 of the backend's key string, seed
 * 0, as Envoy's host hash):
 *   x = xorshift*(h XOR k_b)             (x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
 *                                         x *= 2685821657736338717; Envoy's mix)
 *   profile "flowpin" (default): u = (low 53 bits of x + 1) / 2^53, in (0, 1];
 *                                score = -w / ln(u), with ln(1) taken as -0 (score +inf)
 *   profile "envoy":             u = (low 53 bits of x) / 2^53, in [0, 1); weights divided by
 *                                their sum; ln replaced by Envoy's fastLog (a rational
 *                                approximation of log2, times ln 2): same picks as Envoy's
 *                                RendezvousHashLoadBalancer (rendezvous_hash_lb.cc).
 *   profile "go-rendezvous":     score = x as a u64, unweighted: dgryski/go-rendezvous, which
 *                                go-redis' Ring runs with XXH64 (flow hash = XXH64 of the key).
 * The highest score wins, ties to the lower index. A backend wins with probability
 * w_b / sum(w): -ln(u) is Exp(1), so -ln(u) / w is Exp(w) and the smallest of independent
 * exponentials is b with probability w_b / sum(w).
 *
 * ln is fdlibm's __ieee754_log, compiled into the Wasm (assembly/rendezvous.ts), so every
 * engine computes the same scores; it is also the function V8 runs for Math.log (tests
 * compare them on millions of inputs). No approximation in "flowpin".
 * @module
 */
import type { Engine } from "./engine/engine.js";
import { active } from "./engine/state.js";
import { disposable, track, untrack } from "./engine/regions.js";
import { flowpinError, show } from "./errors.js";
import { xxh64 } from "./hashes.js";
import { brand, hashOf, type BackendTable, type FlowHashFunction } from "./lookup.js";
import * as v from "./validate.js";

export type RendezvousProfile = "flowpin" | "envoy" | "go-rendezvous";

/** A backend: a unique id, a weight (default 1) and the string hashed for it (default the id). */
export interface RendezvousBackend {
  readonly id: string;
  /** Finite, 0 or in [1e-290, 1e290]; 0 keeps the backend listed but never picked. */
  readonly weight?: number;
  /** The string whose XXH64 is the backend's key hash; default `id` (Envoy: the host address). */
  readonly key?: string;
}

export interface RendezvousOptions {
  readonly backends: readonly (string | RendezvousBackend)[];
  /** Default "flowpin". */
  readonly profile?: RendezvousProfile;
  /**
   * envoy profile: the weights are already Envoy's normalized host weights (which sum to less
   * than 1 when a locality has no healthy host), scored as given instead of divided by their
   * sum. Default false.
   */
  readonly normalized?: boolean;
}

/** A backend as the table holds it. */
export interface RendezvousEntry {
  readonly id: string;
  readonly weight: number;
  readonly key: string;
  /** XXH64(key, 0). */
  readonly keyHash: bigint;
}

/**
 * Anything that hashes a flow: the same type as FlowHashFunction (one hasher interface for
 * every table).
 * @deprecated use FlowHashFunction
 */
export type RendezvousHasher<F> = FlowHashFunction<F>;

const OPTION_FIELDS = ["backends", "profile", "normalized"] as const;
void (true satisfies v.AllListed<RendezvousOptions, typeof OPTION_FIELDS>);
const BACKEND_FIELDS = ["id", "weight", "key"] as const;
void (true satisfies v.AllListed<RendezvousBackend, typeof BACKEND_FIELDS>);

/** `stats()`: picks per backend over a sample of flow hashes. */
export interface RendezvousStats {
  readonly samples: number;
  readonly counts: readonly number[];
  /** Observed fraction of picks per backend. */
  readonly shares: readonly number[];
  /** weight / sum of weights. */
  readonly expected: readonly number[];
  /** Largest observed / expected over backends with weight > 0. */
  readonly maxOverExpected: number;
}

/** `Rendezvous.diff()`: how many sampled hashes pick a different backend id. */
export interface RendezvousDiff {
  readonly samples: number;
  readonly moved: number;
  readonly fraction: number;
}

const MODE: Record<RendezvousProfile, number> = { flowpin: 0, envoy: 1, "go-rendezvous": 2 };
const PROFILES = Object.keys(MODE) as RendezvousProfile[];
const MIN_W = 1e-290;
const MAX_W = 1e290;
const enc = new TextEncoder();
const SPLIT = new DataView(new ArrayBuffer(8));


/**
 * Weighted rendezvous hashing over up to millions of backends; picks run in Wasm (scores two
 * backends per SIMD vector). Immutable: `withBackends()` returns a new one.
 *
 * @example
 * import { Rendezvous, FlowHasher } from "flowpin";
 * const rdv = new Rendezvous({ backends: [{ id: "10.0.0.1:80", weight: 2 }, "10.0.0.2:80", "10.0.0.3:80"] });
 * rdv.pick(0x9e3779b9).id;                       // by a flow hash (u32 number or u64 bigint)
 * rdv.topK(0x9e3779b9, 2).map((b) => b.id);      // primary and secondary
 * const hasher = new FlowHasher({ key: secret8 });
 * rdv.pick({ src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 443, proto: "tcp" }, hasher);
 */
export class Rendezvous implements BackendTable<RendezvousEntry> {
  readonly profile: RendezvousProfile;
  readonly backends: readonly RendezvousEntry[];
  readonly #n: number;
  readonly #npad: number;
  /** keys u64[npad] then weights f64[npad], copied into each engine's memory on first use. */
  readonly #block: Uint8Array;
  readonly #regions = new Map<Engine, number>();
  readonly #token = {};
  readonly #mode: number;
  #lastEngine: Engine | undefined;
  #lastRegion = 0;
  #disposed = false;

  constructor(options: RendezvousOptions) {
    v.options("Rendezvous options", options, OPTION_FIELDS);
    const profile = options.profile ?? "flowpin";
    if (!PROFILES.includes(profile)) throw flowpinError("UNKNOWN_PROFILE", `profile must be one of ${PROFILES.join(", ")}, got ${show(profile)}`);
    this.profile = profile;
    const normalized = options.normalized ?? false;
    if (typeof normalized !== "boolean") throw flowpinError("INVALID_TYPE", `normalized must be a boolean, got ${show(normalized)}`);
    if (normalized && profile !== "envoy") throw flowpinError("INVALID_CONFIG", `normalized applies to the envoy profile only, not ${profile}`);
    const list = options.backends;
    if (!Array.isArray(list)) throw flowpinError("INVALID_TYPE", `backends must be an array, got ${show(list)}`);
    if (list.length === 0) throw flowpinError("NO_BACKENDS", "backends is empty");
    const seen = new Map<string, number>();
    const seenKey = new Map<string, number>();
    const entries: RendezvousEntry[] = [];
    let sum = 0;
    // An index loop, not forEach: forEach skips the holes of a sparse array (new Array(3) was
    // reported as "all weights are 0", and a 2^32-1 long sparse array took ~100 s to get there);
    // here a hole is backends[i] = undefined, an error at the first one.
    for (let i = 0; i < list.length; i++) {
      const item: unknown = list[i];
      const name = `backends[${i}]`;
      const o = (typeof item === "string" ? { id: item } : item) as RendezvousBackend;
      if (typeof o !== "object" || o === null) throw flowpinError("INVALID_TYPE", `${name} must be an id string or { id, weight?, key? }, got ${show(item)}`);
      v.knownFields(name, o, BACKEND_FIELDS);
      // Each field is read once: a getter must not pass the check and then change.
      const id: unknown = o.id;
      if (typeof id !== "string" || id.length === 0) throw flowpinError("INVALID_TYPE", `${name}.id must be a non-empty string, got ${show(id)}`);
      const weight = o.weight ?? 1;
      if (typeof weight !== "number") throw flowpinError("INVALID_TYPE", `${name}.weight must be a number, got ${show(weight)}`);
      if (!Number.isFinite(weight) || weight < 0 || Object.is(weight, -0) || (weight !== 0 && (weight < MIN_W || weight > MAX_W))) {
        throw flowpinError("INVALID_WEIGHT", `${name}.weight must be 0 or a finite number in [${MIN_W}, ${MAX_W}], got ${show(weight)}`);
      }
      if (profile === "go-rendezvous" && weight !== 1) throw flowpinError("INVALID_WEIGHT", `${name}.weight: the go-rendezvous profile is unweighted (weight 1), got ${show(weight)}`);
      const key = o.key === undefined ? id : v.nonEmptyString(`${name}.key`, o.key, "INVALID_KEY");
      const prev = seen.get(id);
      if (prev !== undefined) throw flowpinError("DUPLICATE_BACKEND", `${name} repeats the id ${show(id)} of backends[${prev}]`);
      seen.set(id, i);
      const prevKey = seenKey.get(key);
      // Equal keys hash alike and would always tie: one of them could never be picked.
      if (prevKey !== undefined) throw flowpinError("DUPLICATE_BACKEND", `${name} repeats the key ${show(key)} of backends[${prevKey}]`);
      seenKey.set(key, i);
      sum += weight;
      entries.push(Object.freeze({ id, weight, key, keyHash: 0n }));
    }
    if (sum === 0) throw flowpinError("INVALID_WEIGHT", `all ${entries.length} weights are 0: no backend can be picked`);
    const n = entries.length;
    const npad = (n + 1) & ~1;
    const block = new Uint8Array(16 * npad);
    const dv = new DataView(block.buffer);
    const withHashes = entries.map((b, i) => {
      const keyHash = xxh64(enc.encode(b.key));
      dv.setBigUint64(8 * i, keyHash, true);
      // Envoy normalises weights to sum 1 (thread_aware_lb_impl.cc) before scoring.
      dv.setFloat64(8 * npad + 8 * i, profile === "envoy" && !normalized ? b.weight / sum : b.weight, true);
      return Object.freeze({ ...b, keyHash });
    });
    this.backends = Object.freeze(withHashes);
    this.#n = n;
    this.#npad = npad;
    this.#block = block;
    this.#mode = MODE[profile];
  }

  #region(e: Engine): number {
    let p = this.#regions.get(e);
    if (p === undefined) {
      if (this.#disposed) throw flowpinError("DISPOSED", "this Rendezvous was disposed");
      p = e.alloc(this.#block.length);
      e.u8.set(this.#block, p);
      this.#regions.set(e, p);
      track(this, e, p, this.#token);
    }
    return p;
  }

  /** The index of the backend a flow hash (u32/safe-integer number or u64 bigint) picks. */
  pickIndex(hash: number | bigint): number {
    const e = active();
    // The last engine's region, without a Map lookup: this call is the hot path for small N.
    if (e !== this.#lastEngine) {
      this.#lastRegion = this.#region(e);
      this.#lastEngine = e;
    }
    const p = this.#lastRegion;
    // u32 flow hashes (the common case) skip the general split.
    // (-0 >>> 0 === -0 holds: the `1 / hash` test sends -0 to halves(), which rejects it.)
    if (typeof hash === "number" && hash >>> 0 === hash && (hash !== 0 || 1 / hash > 0)) return e.x.rdvPick(hash, 0, p, p + 8 * this.#npad, this.#n, this.#mode);
    const [lo, hi] = halves(hash);
    return e.x.rdvPick(lo, hi, p, p + 8 * this.#npad, this.#n, this.#mode);
  }

  /**
   * The backend for a flow hash, or for a flow hashed by `hasher` (a FlowHasher or any
   * `{ hash(flow) }`).
   * @example rdv.pick(12345n).id
   */
  pick(hash: number | bigint): RendezvousEntry;
  pick<F>(flow: F, hasher: FlowHashFunction<F>): RendezvousEntry;
  pick<F>(hashOrFlow: number | bigint | F, hasher?: FlowHashFunction<F>): RendezvousEntry {
    return this.backends[this.pickIndex(hashOf(hashOrFlow, hasher))]!;
  }

  /**
   * The `k` highest-scoring backends, best first (fewer if fewer have weight > 0).
   * @example rdv.topK(12345n, 2) // [primary, secondary]
   */
  topK(hash: number | bigint, k: number): RendezvousEntry[];
  topK<F>(flow: F, k: number, hasher: FlowHashFunction<F>): RendezvousEntry[];
  topK<F>(hashOrFlow: number | bigint | F, k: number, hasher?: FlowHashFunction<F>): RendezvousEntry[] {
    return this.topKIndices(hashOf(hashOrFlow, hasher), k).map((i) => this.backends[i]!);
  }

  /** topK as backend indices. */
  topKIndices(hash: number | bigint, k: number): number[] {
    v.int("k", k, 1, this.#n);
    const [lo, hi] = halves(hash);
    const e = active();
    const p = this.#region(e);
    // The per-call scratch region (valid until the next scratch() call; nothing else runs in between).
    const scratch = e.scratch(8 * k + 4 * k);
    const out = scratch + 8 * k;
    e.x.rdvTopK(lo, hi, p, p + 8 * this.#npad, this.#n, this.#mode, k, scratch, out);
    const dv = e.dv;
    const res: number[] = [];
    for (let j = 0; j < k; j++) {
      const i = dv.getInt32(out + 4 * j, true);
      if (i >= 0) res.push(i);
    }
    return res;
  }

  /**
   * Picks for many flow hashes in one call: out[i] = index for hashes[i] (with `hashesHi`, the
   * hash is hashesHi[i]·2^32 + hashes[i]). A FlowBatch's `hashes` / `hashesHi` work directly.
   * Returns `out`.
   * @example rdv.pickBatch(batch.hashes, new Uint32Array(batch.count))
   */
  pickBatch(hashes: Uint32Array, out: Uint32Array, hashesHi?: Uint32Array): Uint32Array {
    if (!(hashes instanceof Uint32Array)) throw flowpinError("INVALID_TYPE", `hashes must be a Uint32Array, got ${show(hashes)}`);
    if (!(out instanceof Uint32Array)) throw flowpinError("INVALID_TYPE", `out must be a Uint32Array, got ${show(out)}`);
    const count = hashes.length;
    if (out.length < count) throw flowpinError("OUT_OF_RANGE", `out has ${out.length} elements, fewer than the ${count} hashes`);
    if (hashesHi !== undefined) {
      if (!(hashesHi instanceof Uint32Array)) throw flowpinError("INVALID_TYPE", `hashesHi must be a Uint32Array, got ${show(hashesHi)}`);
      if (hashesHi.length < count) throw flowpinError("OUT_OF_RANGE", `hashesHi has ${hashesHi.length} elements, fewer than the ${count} hashes`);
    }
    const e = active();
    const p = this.#region(e);
    const bytes = 4 * count;
    // A FlowBatch's views live in this engine's memory: note where before alloc(), which may
    // grow the memory and detach those views, then copy within linear memory.
    const wasmMem = e.x.memory.buffer;
    const hAt = hashes.buffer === wasmMem ? hashes.byteOffset : -1;
    const hiAt = hashesHi !== undefined && hashesHi.buffer === wasmMem ? hashesHi.byteOffset : -1;
    const block = e.alloc(3 * bytes);
    try {
      const mem = e.u8;
      if (hAt >= 0) mem.copyWithin(block, hAt, hAt + bytes);
      else mem.set(new Uint8Array(hashes.buffer, hashes.byteOffset, bytes), block);
      if (hiAt >= 0) mem.copyWithin(block + bytes, hiAt, hiAt + bytes);
      else if (hashesHi) mem.set(new Uint8Array(hashesHi.buffer, hashesHi.byteOffset, bytes), block + bytes);
      e.x.rdvPickBatch(block, hashesHi ? block + bytes : 0, count, p, p + 8 * this.#npad, this.#n, MODE[this.profile], block + 2 * bytes);
      out.set(new Uint32Array(e.u8.buffer, block + 2 * bytes, count));
      return out;
    } finally {
      e.release(block);
    }
  }

  /**
   * Returns the Wasm memory holding the backends' keys and weights now (otherwise done when
   * the object is garbage collected); `using rdv = new Rendezvous(...)` calls it where the
   * runtime has `Symbol.dispose`. A disposed Rendezvous throws FlowpinError DISPOSED on use.
   */
  dispose(): void {
    this.#disposed = true;
    untrack(this.#token);
    for (const [e, p] of this.#regions) e.release(p);
    this.#regions.clear();
    this.#lastEngine = undefined;
  }

  /** A new Rendezvous with the same profile over another backend list. */
  withBackends(backends: readonly (string | RendezvousBackend)[]): Rendezvous {
    return new Rendezvous({ backends, profile: this.profile });
  }

  /**
   * How picks spread over `sample` flow hashes: a Uint32Array of hashes, or a count of
   * pseudo-random u64 hashes (a fixed splitmix64 sequence, so runs are reproducible).
   * @example rdv.stats(100000).maxOverExpected // close to 1
   */
  stats(sample: number | Uint32Array = 100000): RendezvousStats {
    const { lo, hi } = sampleHashes(sample);
    const picks = this.pickBatch(lo, new Uint32Array(lo.length), hi);
    const counts = new Array<number>(this.#n).fill(0);
    for (const i of picks) counts[i]!++;
    const total = this.backends.reduce((s, b) => s + b.weight, 0);
    const expected = this.backends.map((b) => b.weight / total);
    const shares = counts.map((c) => c / lo.length);
    let maxOverExpected = 0;
    shares.forEach((s, i) => {
      if (expected[i]! > 0) maxOverExpected = Math.max(maxOverExpected, s / expected[i]!);
    });
    return { samples: lo.length, counts, shares, expected, maxOverExpected };
  }

  /**
   * How many of `sample` flow hashes pick a backend with a different id in `b` than in `a`.
   * @example Rendezvous.diff(rdv, rdv.withBackends(rdv.backends.slice(1))).fraction
   */
  static diff(a: Rendezvous, b: Rendezvous, sample: number | Uint32Array = 100000): RendezvousDiff {
    if (!(a instanceof Rendezvous) || !(b instanceof Rendezvous)) throw flowpinError("INVALID_TYPE", "diff needs two Rendezvous objects");
    const { lo, hi } = sampleHashes(sample);
    const pa = a.pickBatch(lo, new Uint32Array(lo.length), hi);
    const pb = b.pickBatch(lo, new Uint32Array(lo.length), hi);
    let moved = 0;
    for (let i = 0; i < lo.length; i++) if (a.backends[pa[i]!]!.id !== b.backends[pb[i]!]!.id) moved++;
    return { samples: lo.length, moved, fraction: moved / lo.length };
  }
}

function halves(hash: number | bigint): [number, number] {
  if (typeof hash === "number") {
    if (!(Number.isInteger(hash) && hash >= 0 && hash <= Number.MAX_SAFE_INTEGER) || Object.is(hash, -0)) {
      throw flowpinError("OUT_OF_RANGE", `hash must be a non-negative safe integer or a u64 bigint, got ${show(hash)}`);
    }
    return [hash >>> 0, Math.floor(hash / 2 ** 32)];
  }
  if (typeof hash !== "bigint") throw flowpinError("INVALID_TYPE", `hash must be a number or a bigint, got ${show(hash)}`);
  if (hash < 0n || hash > v.U64_MAX) throw flowpinError("OUT_OF_RANGE", `hash must be in 0..2^64-1, got ${show(hash)}`);
  SPLIT.setBigUint64(0, hash, true);
  return [SPLIT.getUint32(0, true), SPLIT.getUint32(4, true)];
}

/** A sample of flow hashes: given (u32), or `count` splitmix64 outputs split in halves. */
function sampleHashes(sample: number | Uint32Array): { lo: Uint32Array; hi: Uint32Array | undefined } {
  if (sample instanceof Uint32Array) {
    if (sample.length === 0) throw flowpinError("OUT_OF_RANGE", "sample must hold at least one hash");
    return { lo: sample, hi: undefined };
  }
  const count = v.int("sample", sample, 1, 1 << 24);
  const lo = new Uint32Array(count);
  const hi = new Uint32Array(count);
  // splitmix64 (Steele, Lea & Flood 2014) from a fixed seed, in two 32-bit halves.
  let s = 0x9e3779b97f4a7c15n;
  const M = 0xffffffffffffffffn;
  for (let i = 0; i < count; i++) {
    s = (s + 0x9e3779b97f4a7c15n) & M;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    z ^= z >> 31n;
    lo[i] = Number(z & 0xffffffffn);
    hi[i] = Number(z >> 32n);
  }
  return { lo, hi };
}

disposable(Rendezvous);

// Declares the method disposable() installs, so that `using x = new Rendezvous(...)` type-checks.
export interface Rendezvous {
  /** The same as dispose(): `using` calls it at the end of the block (where the runtime has Symbol.dispose). */
  [Symbol.dispose](): void;
}
brand(Rendezvous, "Rendezvous");
