/**
 * Ring hash (Karger et al. 1997 consistent hashing, as ketama and Envoy's `ring_hash` load
 * balancer build it), here as a comparator for Maglev and rendezvous: same ring as Envoy's
 * RingHashLoadBalancer with `hash_function: XX_HASH` (ring_hash_lb.cc):
 *
 *   scale  = min(ceil(w_min · minRingSize) / w_min, maxRingSize)   (w = weight / Σ weight)
 *   points: walking the backends in input order, a running target += scale · w; while the
 *           running count of points is below it, point i of the backend is
 *           XXH64("<key>_<i>", seed 0), i = 0, 1, ...
 *   lookup: the first point with hash ≥ h (u64), wrapping to the first point.
 *
 * Point hashes that tie (never seen with XXH64 in practice) keep input order; Envoy's
 * std::sort leaves their order unspecified.
 * @module
 */
import { flowpinError, show } from "./errors.js";
import { xxh64 } from "./hashes.js";
import { brand, hashWith, type BackendTable, type FlowHashFunction } from "./lookup.js";
import * as v from "./validate.js";

/** A backend: a unique id, a weight (default 1) and the string hashed for it (default the id). */
export interface RingBackend {
  readonly id: string;
  /** Positive and finite; default 1. */
  readonly weight?: number;
  /** The string whose points are hashed ("<key>_<i>"); default `id` (Envoy: the host address). */
  readonly key?: string;
}

export interface RingOptions {
  readonly backends: readonly (string | RingBackend)[];
  /** Envoy's `minimum_ring_size`; default 1024. */
  readonly minRingSize?: number;
  /** The README's name for minRingSize (give one of the two). */
  readonly size?: number;
  /** Envoy's `maximum_ring_size`; default 8388608 (8M). */
  readonly maxRingSize?: number;
  /**
   * The weights are already shares of the hash space (Envoy's normalized host weights, which
   * sum to less than 1 when a locality has no healthy host: thread_aware_lb_impl.cc keeps its
   * share in the locality sum), used as given instead of divided by their sum. Default false.
   */
  readonly normalized?: boolean;
  /**
   * Accept more backends than maxRingSize: the running sums then leave some backends without
   * a point, never picked (Envoy builds such rings: ring_hash_lb.cc). Default false.
   */
  readonly allowPointless?: boolean;
}

/** A backend as the ring holds it. */
export interface RingEntry {
  readonly id: string;
  readonly weight: number;
  readonly key: string;
  /** Points this backend has on the ring. */
  readonly points: number;
}

/** Envoy's defaults (RingHashLoadBalancer DefaultMinRingSize / DefaultMaxRingSize). */
export const RING_DEFAULT_MIN_SIZE = 1024;
export const RING_DEFAULT_MAX_SIZE = 8 * 1024 * 1024;

const enc = new TextEncoder();
const SPLIT = new DataView(new ArrayBuffer(8));
const TWO64 = 2 ** 64;
/** withBackends() hands the point-hash cache to the new ring under this key (not public API). */
const CACHE = Symbol("ring point cache");

/** Point hashes of one key, u32 halves; grown on demand and shared by withBackends(). */
interface KeyPoints {
  lo: number[];
  hi: number[];
}

/**
 * A ketama-style hash ring with Envoy's ring_hash layout. Immutable: `withBackends()` returns
 * a new one (reusing the point hashes of backends that stay).
 *
 * @example
 * import { Ring } from "flowpin";
 * const ring = new Ring({ backends: ["10.0.0.1:80", "10.0.0.2:80", { id: "10.0.0.3:80", weight: 2 }] });
 * ring.pick(0x9e3779b97f4a7c15n).id;     // the first point at or after the u64 hash
 * ring.shares();                          // exact share of the hash space per backend
 */
const OPTION_FIELDS = ["backends", "minRingSize", "size", "maxRingSize", "normalized", "allowPointless"] as const;
void (true satisfies v.AllListed<RingOptions, typeof OPTION_FIELDS>);
const BACKEND_FIELDS = ["id", "weight", "key"] as const;
void (true satisfies v.AllListed<RingBackend, typeof BACKEND_FIELDS>);

export class Ring implements BackendTable<RingEntry> {
  readonly backends: readonly RingEntry[];
  readonly minRingSize: number;
  readonly maxRingSize: number;
  /** Number of points on the ring. */
  readonly size: number;
  /** Point hashes in ascending order as u32 halves, and the backend index of each point. */
  readonly #hi: Uint32Array;
  readonly #lo: Uint32Array;
  readonly #owner: Uint32Array;
  readonly #cache: Map<string, KeyPoints>;
  readonly #normalized: boolean;
  readonly #allowPointless: boolean;

  constructor(options: RingOptions) {
    v.options("Ring options", options, OPTION_FIELDS);
    if (options.size !== undefined && options.minRingSize !== undefined) throw flowpinError("INVALID_CONFIG", "give size or minRingSize (one setting, two names), not both");
    const minName = options.size !== undefined ? "size" : "minRingSize";
    this.minRingSize = v.int(minName, options.size ?? options.minRingSize ?? RING_DEFAULT_MIN_SIZE, 1, RING_DEFAULT_MAX_SIZE);
    this.maxRingSize = v.int("maxRingSize", options.maxRingSize ?? RING_DEFAULT_MAX_SIZE, 1, RING_DEFAULT_MAX_SIZE);
    if (this.minRingSize > this.maxRingSize) {
      throw flowpinError("OUT_OF_RANGE", `minRingSize (${this.minRingSize}) must not exceed maxRingSize (${this.maxRingSize})`);
    }
    this.#normalized = flag("normalized", options.normalized);
    this.#allowPointless = flag("allowPointless", options.allowPointless);
    const list = normalize(options.backends, this.#allowPointless ? Infinity : this.maxRingSize);
    this.#cache = (options as { [CACHE]?: Map<string, KeyPoints> })[CACHE] ?? new Map();
    let sum = 0;
    for (const b of list) sum += b.weight;
    // Dividing by 1 keeps every share bit for bit.
    if (this.#normalized) sum = 1;
    let wMin = Infinity;
    for (const b of list) wMin = Math.min(wMin, b.weight / sum);
    const scale = Math.min(Math.ceil(wMin * this.minRingSize) / wMin, this.maxRingSize);
    // Envoy's running sums: fractional shares carry over to the next backend.
    const counts: number[] = [];
    let current = 0;
    let target = 0;
    for (const b of list) {
      target += scale * (b.weight / sum);
      let i = 0;
      while (current < target) {
        i++;
        current++;
      }
      counts.push(i);
    }
    const size = current;
    const hi = new Uint32Array(size);
    const lo = new Uint32Array(size);
    const owner = new Uint32Array(size);
    let p = 0;
    list.forEach((b, index) => {
      const pts = this.#points(b.key, counts[index]!);
      for (let i = 0; i < counts[index]!; i++, p++) {
        hi[p] = pts.hi[i]!;
        lo[p] = pts.lo[i]!;
        owner[p] = index;
      }
    });
    const order = new Uint32Array(size);
    for (let i = 0; i < size; i++) order[i] = i;
    order.sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]! || a - b);
    this.#hi = order.map((i) => hi[i]!);
    this.#lo = order.map((i) => lo[i]!);
    this.#owner = order.map((i) => owner[i]!);
    this.size = size;
    this.backends = Object.freeze(list.map((b, i) => Object.freeze({ ...b, points: counts[i]! })));
  }

  /** The first `count` point hashes of `key`, computed once per key for this ring family. */
  #points(key: string, count: number): KeyPoints {
    let pts = this.#cache.get(key);
    if (!pts) {
      pts = { lo: [], hi: [] };
      this.#cache.set(key, pts);
    }
    for (let i = pts.lo.length; i < count; i++) {
      const h = xxh64(enc.encode(`${key}_${i}`));
      SPLIT.setBigUint64(0, h, true);
      pts.lo.push(SPLIT.getUint32(0, true));
      pts.hi.push(SPLIT.getUint32(4, true));
    }
    return pts;
  }

  /** The ring's points in ascending order: `[hash, backend index]`. */
  points(): [bigint, number][] {
    return Array.from(this.#owner, (o, i) => [(BigInt(this.#hi[i]!) << 32n) | BigInt(this.#lo[i]!), o]);
  }

  /**
   * The backend index a u64 flow hash picks. The hash must be a bigint: the ring spans 2^64,
   * and a number (a 32-bit hash, or any hash below 2^53) would fall in the ring's first 2^-32
   * (2^-11), where one or two points own every flow. Hash flows with a 64-bit profile
   * (FlowHasher `profile: "envoy"`, as Envoy's ring_hash does).
   */
  pickIndex(hash: number | bigint): number {
    if (typeof hash !== "bigint") {
      throw flowpinError("INVALID_TYPE", `hash must be a u64 bigint: a ring spans 2^64, and a number hash (32-bit) would send every flow to one backend; got ${show(hash)}`);
    }
    v.u64("hash", hash);
    SPLIT.setBigUint64(0, hash, true);
    return this.#owner[this.#find(SPLIT.getUint32(0, true), SPLIT.getUint32(4, true))]!;
  }

  /**
   * The index (into `points()` order, ascending) of the point a u64 flow hash picks: Envoy's
   * `point_index`.
   */
  pointIndex(hash: bigint): number {
    v.u64("hash", hash);
    SPLIT.setBigUint64(0, hash, true);
    return this.#find(SPLIT.getUint32(0, true), SPLIT.getUint32(4, true));
  }

  /** The backend index owning point `index` (0 <= index < size). */
  pointOwner(index: number): number {
    return this.#owner[v.int("index", index, 0, this.size - 1)]!;
  }

  /** The hash of point `index` (0 <= index < size). */
  pointHash(index: number): bigint {
    const i = v.int("index", index, 0, this.size - 1);
    return (BigInt(this.#hi[i]!) << 32n) | BigInt(this.#lo[i]!);
  }

  /**
   * The backend a u64 flow hash (bigint) picks, or a flow hashed by a 64-bit `hasher` (a
   * FlowHasher whose `bits` is 32 is refused before hashing).
   * @example ring.pick(flow, new FlowHasher({ profile: "envoy" })).id
   */
  pick(hash: number | bigint): RingEntry;
  pick<F>(flow: F, hasher: FlowHashFunction<F>): RingEntry;
  pick<F>(hashOrFlow: number | bigint | F, hasher?: FlowHashFunction<F>): RingEntry {
    if (hasher === undefined) return this.backends[this.pickIndex(hashOrFlow as number | bigint)]!;
    const bits: unknown = typeof hasher === "object" && hasher !== null ? hasher.bits : undefined;
    if (bits !== undefined && bits !== 64) {
      throw flowpinError("INVALID_TYPE", `hasher must give 64-bit hashes (bits 64, e.g. FlowHasher profile "envoy"): a ring spans 2^64; got a hasher with bits ${show(bits)}`);
    }
    return this.backends[this.pickIndex(hashWith(hashOrFlow as F, hasher))]!;
  }

  /**
   * Picks for many u64 hashes given as halves: out[i] = index for hashesHi[i]·2^32 + hashes[i].
   * Returns `out`.
   */
  pickBatch(hashes: Uint32Array, out: Uint32Array, hashesHi?: Uint32Array): Uint32Array {
    // hashesHi is required (typed optional only to share BackendTable's signature): without
    // the high halves every hash would fall in the ring's first 2^-32.
    if (!(hashes instanceof Uint32Array) || !(hashesHi instanceof Uint32Array) || !(out instanceof Uint32Array)) {
      throw flowpinError("INVALID_TYPE", "hashes, out and hashesHi must be Uint32Arrays");
    }
    if (hashesHi.length < hashes.length || out.length < hashes.length) {
      throw flowpinError("OUT_OF_RANGE", `hashesHi and out need at least ${hashes.length} elements`);
    }
    for (let i = 0; i < hashes.length; i++) out[i] = this.#owner[this.#find(hashes[i]!, hashesHi[i]!)]!;
    return out;
  }

  /** Index of the first point ≥ (hi, lo), or 0 past the last point (lower bound with wrap). */
  #find(lo: number, hi: number): number {
    const H = this.#hi;
    const L = this.#lo;
    let a = 0;
    let b = H.length;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (H[m]! < hi || (H[m] === hi && L[m]! < lo)) a = m + 1;
      else b = m;
    }
    return a === H.length ? 0 : a;
  }

  /**
   * The exact share of the u64 hash space each backend owns (sums to 1): a point owns the
   * hashes after the previous point, up to and including its own.
   */
  shares(): Float64Array {
    const out = new Float64Array(this.backends.length);
    const n = this.size;
    const at = (i: number): number => this.#hi[i]! * 2 ** 32 + this.#lo[i]!;
    for (let i = 1; i < n; i++) out[this.#owner[i]!]! += ((this.#hi[i]! - this.#hi[i - 1]!) * 2 ** 32 + (this.#lo[i]! - this.#lo[i - 1]!)) / TWO64;
    out[this.#owner[0]!]! += (TWO64 - at(n - 1) + at(0)) / TWO64;
    return out;
  }

  /** A ring over another backend list with the same sizes; point hashes of kept keys are reused. */
  withBackends(backends: readonly (string | RingBackend)[]): Ring {
    return new Ring({ backends, minRingSize: this.minRingSize, maxRingSize: this.maxRingSize, normalized: this.#normalized, allowPointless: this.#allowPointless, [CACHE]: this.#cache } as RingOptions);
  }
}

brand(Ring, "Ring");

function flag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw flowpinError("INVALID_TYPE", `${name} must be a boolean, got ${show(value)}`);
  return value;
}

function normalize(list: unknown, maxRingSize: number): { id: string; weight: number; key: string }[] {
  if (!Array.isArray(list)) throw flowpinError("INVALID_TYPE", `backends must be an array, got ${show(list)}`);
  if (list.length === 0) throw flowpinError("NO_BACKENDS", "backends is empty");
  // Every backend needs a point; checked before any work, so a sparse array of length 2^32-1
  // is refused at once instead of being walked (map() visits every index to skip its holes).
  if (list.length > maxRingSize) {
    throw flowpinError("OUT_OF_RANGE", `backends has ${list.length} entries, more than maxRingSize (${maxRingSize}): every backend needs a point on the ring`);
  }
  const seen = new Set<string>();
  const seenKey = new Set<string>();
  const out: { id: string; weight: number; key: string }[] = [];
  // An index loop, not map(): map skips holes, which must be reported.
  for (let i = 0; i < list.length; i++) {
    const name = `backends[${i}]`;
    if (!(i in list)) throw flowpinError("INVALID_TYPE", `${name} is a hole: backends must not be a sparse array`);
    const item: unknown = list[i];
    const o = (typeof item === "string" ? { id: item } : item) as RingBackend;
    if (typeof o !== "object" || o === null) throw flowpinError("INVALID_TYPE", `${name} must be an id string or { id, weight?, key? }, got ${show(item)}`);
    v.knownFields(name, o, BACKEND_FIELDS);
    // Each field read once: the values checked are the values kept.
    const id = o.id;
    const rawWeight = o.weight;
    const rawKey = o.key;
    if (typeof id !== "string" || id.length === 0) throw flowpinError("INVALID_TYPE", `${name}.id must be a non-empty string, got ${show(id)}`);
    const weight = rawWeight === undefined ? 1 : v.number(`${name}.weight`, rawWeight);
    if (!Number.isFinite(weight) || weight <= 0) {
      throw flowpinError("INVALID_WEIGHT", `${name}.weight must be a positive finite number, got ${show(rawWeight)}`);
    }
    const key = rawKey === undefined ? id : v.nonEmptyString(`${name}.key`, rawKey, "INVALID_KEY");
    if (seen.has(id)) throw flowpinError("DUPLICATE_BACKEND", `${name}.id ${show(id)} appears twice`);
    if (seenKey.has(key)) throw flowpinError("DUPLICATE_BACKEND", `${name}.key ${show(key)} appears twice`);
    seen.add(id);
    seenKey.add(key);
    out.push({ id, weight, key });
  }
  return out;
}
