// Validation of Maglev inputs and the table build: the TypeScript half of the Maglev hot path
// (assembly/maglev.ts is the other). Internal; the public surface is src/maglev.ts.
import { active } from "./engine/state.js";
import { flowpinError, show } from "./errors.js";
import type { StagedIds } from "./profiles/keys.js";
import { MAX_TABLE_SIZE, isPrime, type MaglevBackend, type MaglevProfile, type MaglevProfileOptions, type NormalizedBackend, type PlanKeys } from "./profiles/maglev-profile.js";
import { maglevProfile } from "./profiles/registry.js";
import * as v from "./validate.js";

/** Options each profile reads, for rejecting options given to the wrong profile. */
const PROFILE_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  envoy: ["localityWeights"],
  katran: ["version"],
  // `cilium: { hashSeed }` is FlowHasher's name for the same seed; `seed` the older one here.
  cilium: ["seed", "cilium"],
  ipvs: [],
};
/** Every field a MaglevBackend may have, over all profiles (the compiler keeps the list whole). */
const BACKEND_FIELDS = ["id", "weight", "key", "locality", "hash", "address", "port", "serviceFamily", "protocol", "internal"] as const;
void (true satisfies v.AllListed<MaglevBackend, typeof BACKEND_FIELDS>);
const COMMON_OPTIONS = ["backends", "profile", "size", "shared", "allowUnslotted"];

/**
 * Permutation parameters by backend identity, valid for one profile, size and option set,
 * packed as offset * 2^23 + skip (both below 2^23): one number per backend. The map is made
 * on the first get() (by the next withBackends()), so a build that is never followed by one
 * pays nothing for it: for 10 000 backends, the map alone cost a third of the fill.
 */
export class ParamCache {
  private map: Map<string, number> | undefined;
  private readonly from: { profile: MaglevProfile; backends: readonly NormalizedBackend[]; order: Uint32Array; offsets: Uint32Array; skips: Uint32Array } | undefined;

  constructor(from?: ParamCache["from"]) {
    this.from = from;
  }

  get(identity: string): number | undefined {
    if (this.map === undefined) {
      this.map = new Map();
      const f = this.from;
      if (f) for (let k = 0; k < f.order.length; k++) this.map.set(f.profile.identity(f.backends[f.order[k]!]!), f.offsets[k]! * PACK + f.skips[k]!);
    }
    return this.map.get(identity);
  }
}
const PACK = 2 ** 23;

export interface MaglevInputs {
  profile: MaglevProfile;
  size: number;
  options: MaglevProfileOptions;
  backends: readonly NormalizedBackend[];
  /** The ids as validation staged them (envoy without keys), for the next build's sort; dropped by it. */
  ids?: StagedIds;
}

/** Validates everything `new Maglev(options)` accepts; throws FlowpinError naming the field. */
export function validateInputs(raw: unknown): MaglevInputs {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw flowpinError("INVALID_TYPE", `Maglev options must be an object, got ${show(raw)}`);
  }
  const o = raw as Record<string, unknown>;
  const profile = maglevProfile(o.profile ?? "envoy");
  const known = [...COMMON_OPTIONS, ...PROFILE_OPTIONS[profile.name]!];
  v.knownFields("Maglev options", o, known, {
    noun: "Maglev option",
    owner: (k) => {
      const owner = Object.keys(PROFILE_OPTIONS).find((p) => PROFILE_OPTIONS[p]!.includes(k));
      return owner === undefined ? undefined : `option ${k} belongs to the ${owner} profile, not ${profile.name}`;
    },
  });
  const options = profile.options(o);
  const backends = validateBackends(profile, o.backends);
  const ids = staged;
  staged = undefined;
  if (o.allowUnslotted !== undefined && typeof o.allowUnslotted !== "boolean") throw flowpinError("INVALID_TYPE", `allowUnslotted must be a boolean, got ${show(o.allowUnslotted)}`);
  const size = validateSize(profile, o.size, o.allowUnslotted === true ? 0 : backends.length);
  return ids === undefined ? { profile, size, options, backends } : { profile, size, options, backends, ids };
}

const KNOWN_BACKEND_FIELDS: ReadonlySet<string> = new Set(BACKEND_FIELDS);
// Per process, so that crafted ids cannot be made to collide in FirstIndex.
const SEED = (Math.random() * 0x100000000) >>> 0;

/**
 * The first index each string was seen at: open addressing over an Int32Array with a seeded
 * FNV-1a hash of the UTF-16 units. Measured at 10 000 ids: a Map or Set costs about 100 ns per
 * insertion (more than the whole Maglev fill per backend); this about 15 ns.
 */
class FirstIndex {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly strings: string[] = [];
  // With staging (stage()): each string's UTF-16 units written as bytes, 8-aligned, while
  // the hash reads them anyway; dropped (undefined) at the first non-ASCII unit.
  private data: Uint8Array | undefined;
  private starts: Uint32Array | undefined;
  private lens: Uint32Array | undefined;
  private at = 0;

  constructor(n: number, stage = false) {
    let size = 16;
    while (size < 2 * n) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    if (stage) {
      this.data = new Uint8Array(24 * n + 64);
      this.starts = new Uint32Array(n);
      this.lens = new Uint32Array(n);
    }
  }

  /** The index `s` was first seen at, or -1 after recording it at `i`. */
  seen(s: string, i: number): number {
    let h = SEED ^ s.length;
    const data = this.data;
    if (data !== undefined) h = this.stageAndHash(s, i, h, data);
    else for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
    h = (h ^ (h >>> 15)) & this.mask;
    const slots = this.slots;
    for (;;) {
      const at = slots[h]!;
      if (at === 0) {
        slots[h] = i + 1;
        this.strings[i] = s;
        return -1;
      }
      if (this.strings[at - 1] === s) return at - 1;
      h = (h + 1) & this.mask;
    }
  }

  private stageAndHash(s: string, i: number, h: number, data: Uint8Array): number {
    const n = s.length;
    let p = this.at;
    if (p + n > data.length) {
      const bigger = new Uint8Array(2 * (p + n));
      bigger.set(data.subarray(0, p));
      this.data = data = bigger;
    }
    let any = 0;
    for (let k = 0; k < n; k++) {
      const c = s.charCodeAt(k);
      h = Math.imul(h ^ c, 0x01000193);
      data[p + k] = c;
      any |= c;
    }
    if (any >= 0x80) {
      this.data = undefined;
      return h;
    }
    this.starts![i] = p;
    this.lens![i] = n;
    this.at = (p + n + 7) & ~7;
    return h;
  }

  /** The staged strings (every one seen, input order), or undefined after a non-ASCII one. */
  staged(): StagedIds | undefined {
    const data = this.data;
    return data === undefined ? undefined : { data, starts: this.starts!, lens: this.lens!, bytes: this.at };
  }
}
const hasOwn = Object.prototype.hasOwnProperty;

/** FirstIndex for u64 identities given as (hi, lo) halves: open addressing on the two words. */
class FirstIndexU64 {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly halves: Uint32Array;

  constructor(n: number) {
    let size = 16;
    while (size < 2 * n) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    this.halves = new Uint32Array(2 * n);
  }

  /** The index the u64 at w[at], w[at + 1] was first seen at, or -1 after recording it at `i`. */
  seen(w: Uint32Array, at: number, i: number): number {
    const hi = w[at]!;
    const lo = w[at + 1]!;
    let h = Math.imul(SEED ^ hi, 0x01000193);
    h = Math.imul(h ^ lo, 0x01000193);
    h = (h ^ (h >>> 15)) & this.mask;
    const slots = this.slots;
    const halves = this.halves;
    for (;;) {
      const j = slots[h]!;
      if (j === 0) {
        slots[h] = i + 1;
        halves[2 * i] = hi;
        halves[2 * i + 1] = lo;
        return -1;
      }
      if (halves[2 * j - 2] === hi && halves[2 * j - 1] === lo) return j - 1;
      h = (h + 1) & this.mask;
    }
  }
}
const U64W = new Uint32Array(2);

/**
 * Every backend checked in input order, the first problem thrown. Messages (and the strings
 * they need) are made only on failure: at 10 000 backends, building "backends[i]" names
 * eagerly cost more than the fill.
 */
function validateBackends(profile: MaglevProfile, list: unknown): NormalizedBackend[] {
  if (!Array.isArray(list)) throw flowpinError("INVALID_TYPE", `backends must be an array, got ${show(list)}`);
  if (list.length === 0) throw flowpinError("NO_BACKENDS", "backends is empty: a Maglev table needs at least one backend");
  // Envoy sorts and hashes the ids themselves (without `key`s): staged as bytes here.
  const ids = new FirstIndex(list.length, profile.name === "envoy");
  // Until a backend's identity differs from its id (an envoy `key`, or any other profile),
  // identities repeat exactly when ids do, and the ids' check covers them.
  let identities: FirstIndex | undefined;
  const u64s = profile.identityU64 === undefined ? undefined : new FirstIndexU64(list.length);
  let anyWeight = false;
  const out: NormalizedBackend[] = [];
  // An index loop, not map(): map skips the holes of a sparse array, which must be reported
  // (and a hole at 0 stops a 2^32-1 long sparse array at once).
  for (let i = 0; i < list.length; i++) {
    const b: unknown = list[i];
    if (typeof b !== "object" || b === null || Array.isArray(b)) {
      throw flowpinError("INVALID_TYPE", `backends[${i}] must be an object with an id, got ${show(b)}`);
    }
    const r = b as Record<string, unknown>;
    // The fields of every profile are known (one backend list serves them all, as in
    // `flowpin simulate`); a misspelled one (`wieght`) is refused rather than ignored. The
    // two fields nearly every backend has are compared first (interned names: a pointer
    // compare each), before the Set.
    for (const k in r) {
      if (k !== "id" && k !== "weight" && !KNOWN_BACKEND_FIELDS.has(k) && hasOwn.call(r, k)) v.knownFields(`backends[${i}]`, r, BACKEND_FIELDS);
    }
    const id = r.id;
    if (typeof id !== "string" || id.length === 0) v.nonEmptyString(`backends[${i}].id`, id, "INVALID_TYPE");
    const prev = ids.seen(id as string, i);
    if (prev >= 0) throw flowpinError("DUPLICATE_BACKEND", `backends[${i}].id ${show(id)} repeats backends[${prev}].id`);
    const given = r.weight;
    const weight = given === undefined ? profile.defaultWeight : typeof given === "number" ? given : v.number(`backends[${i}].weight`, given);
    if (!Number.isInteger(weight) || weight < 0 || weight > profile.maxWeight || (weight === 0 && 1 / weight < 0)) {
      throw flowpinError("INVALID_WEIGHT", `backends[${i}].weight must be an integer in 0..${profile.maxWeight} for the ${profile.name} profile, got ${show(weight)}`);
    }
    if (weight > 0) anyWeight = true;
    const nb = profile.backend(r, weight, i);
    if (u64s !== undefined) {
      // A u64 identity (katran): compared as two words; its decimal text only for the message.
      profile.identityU64!(nb, U64W, 0);
      const same = u64s.seen(U64W, 0, i);
      if (same >= 0) {
        throw flowpinError("DUPLICATE_BACKEND", `backends[${i}] (${show(id)}) hashes like backends[${same}]: both have the ${profile.name} key ${show(profile.identity(nb))}`);
      }
      out.push(nb);
      continue;
    }
    const identity = profile.identity(nb);
    if (identities === undefined && identity !== id) {
      identities = new FirstIndex(list.length);
      for (let j = 0; j < i; j++) identities.seen(out[j]!.id, j);
    }
    const same = identities === undefined ? -1 : identities.seen(identity, i);
    if (same >= 0) {
      throw flowpinError("DUPLICATE_BACKEND", `backends[${i}] (${show(id)}) hashes like backends[${same}]: both have the ${profile.name} key ${show(identity)}`);
    }
    out.push(nb);
  }
  if (!anyWeight) throw flowpinError("INVALID_WEIGHT", "every backend has weight 0: at least one needs a positive weight");
  // Staged ids serve as sort keys only while every identity is the id (no `key`).
  staged = identities === undefined ? ids.staged() : undefined;
  return out;
}
// validateBackends' staged ids, taken by validateInputs right after it returns.
let staged: StagedIds | undefined;

function validateSize(profile: MaglevProfile, raw: unknown, count: number): number {
  const size = raw === undefined ? profile.defaultSize : raw;
  if (typeof size !== "number") throw flowpinError("INVALID_TYPE", `size must be a prime number, got ${show(size)}`);
  if (!isPrime(size)) throw flowpinError("INVALID_TABLE_SIZE", `size must be a prime (Maglev permutations need one), got ${show(size)}`);
  if (size > MAX_TABLE_SIZE) throw flowpinError("INVALID_TABLE_SIZE", `size must be at most ${MAX_TABLE_SIZE}, got ${size}`);
  const problem = profile.sizeProblem(size);
  if (problem) throw flowpinError("INVALID_TABLE_SIZE", `size for the ${profile.name} profile ${problem}, got ${size}`);
  if (size < count) throw flowpinError("INVALID_TABLE_SIZE", `size ${size} is smaller than the backend count ${count}: every backend needs a slot`);
  return size;
}

export interface BuiltTable {
  table: Uint16Array | Uint32Array;
  share: Float64Array;
  /** The parameters of this table's backends (for the next withBackends()). */
  cache: ParamCache;
}

/**
 * Builds the table: the profile plans the order and schedule and computes the permutation
 * parameters not found in `previous` (the last table's), then Wasm populates it. Entries are
 * indices into `backends` (input order), u16 when there are at most 65535 backends.
 */
export function buildTable(inputs: MaglevInputs, shared: boolean, previous?: ParamCache): BuiltTable {
  const { profile, size, options, backends } = inputs;
  const e = active();
  // Keys the plan laid out in Wasm memory to sort them, kept for params(): laid out once.
  const laid: PlanKeys = {};
  if (inputs.ids !== undefined) {
    laid.ids = inputs.ids;
    // Used once: the Maglev keeping these inputs does not keep the bytes.
    inputs.ids = undefined;
  }
  try {
    const plan = profile.plan(backends, options, size, laid);
    const order = plan.order;
    const n = order.length;
    const offsets = new Uint32Array(n);
    const skips = new Uint32Array(n);
    // Build positions whose parameters the previous table does not have.
    let missing: Uint32Array | undefined;
    let count = n;
    if (previous) {
      missing = new Uint32Array(n);
      count = 0;
      for (let k = 0; k < n; k++) {
        const c = previous.get(profile.identity(backends[order[k]!]!));
        if (c !== undefined) {
          offsets[k] = Math.floor(c / PACK);
          skips[k] = c % PACK;
        } else missing[count++] = k;
      }
    }
    const keys = laid.keys;
    const slots = laid.slots;
    if (count === n) {
      profile.params(backends, order, size, options, offsets, skips, keys && slots ? { keys, idx: slots } : undefined);
    } else if (count > 0) {
      const at = missing!.subarray(0, count);
      const mo = new Uint32Array(count);
      const ms = new Uint32Array(count);
      profile.params(backends, at.map((k) => order[k]!), size, options, mo, ms, keys && slots ? { keys, idx: at.map((k) => slots[k]!) } : undefined);
      for (let j = 0; j < count; j++) {
        offsets[at[j]!] = mo[j]!;
        skips[at[j]!] = ms[j]!;
      }
    }

    const wide = backends.length > 0xffff;
    const entryBytes = wide ? 4 : 2;
    const stateBytes = (e.x.maglevStateBytes(n) + 15) & ~15;
    const tableBytes = (size * entryBytes + 15) & ~15;
    const region = e.alloc(stateBytes + tableBytes + e.x.maglevBitmapBytes(size));
    try {
      const w = new Uint32Array(e.x.memory.buffer, region, 7 * n);
      w.set(offsets, 0);
      w.set(skips, n);
      w.set(order, 2 * n);
      if (plan.a) w.set(plan.a, 3 * n);
      if (plan.b) w.set(plan.b, 4 * n);
      if (plan.fw) new Float64Array(e.x.memory.buffer, region + ((28 * n + 7) & ~7), n).set(plan.fw);
      const tablePtr = region + stateBytes;
      e.x.maglevFill(plan.kind, n, size, region, tablePtr, tablePtr + tableBytes, wide ? 1 : 0, plan.x);
      const bytes = size * entryBytes;
      const buffer = tableBuffer(bytes, shared);
      const table = wide ? new Uint32Array(buffer) : new Uint16Array(buffer);
      table.set(wide ? new Uint32Array(e.x.memory.buffer, tablePtr, size) : new Uint16Array(e.x.memory.buffer, tablePtr, size));
      return { table, share: plan.share, cache: new ParamCache({ profile, backends, order, offsets, skips }) };
    } finally {
      e.release(region);
    }
  } finally {
    laid.keys?.release();
  }
}

/** `{ shared?: boolean }` of withBackends / fromBytes, checked like every other argument. */
export function sharedOption(opts: unknown, fallback: boolean): boolean {
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) {
    throw flowpinError("INVALID_TYPE", `opts must be an object like { shared: true }, got ${show(opts)}`);
  }
  const shared = (opts as { shared?: unknown }).shared;
  if (shared === undefined) return fallback;
  if (typeof shared !== "boolean") throw flowpinError("INVALID_TYPE", `opts.shared must be a boolean, got ${show(shared)}`);
  return shared;
}

/**
 * Whether `buffer` is a SharedArrayBuffer. Browser pages that are not cross-origin isolated
 * (and some edge hosts) have no SharedArrayBuffer global at all, where a bare `instanceof`
 * throws a ReferenceError.
 */
export function isShared(buffer: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer === "function" && buffer instanceof SharedArrayBuffer;
}

/** A buffer for a table: shared when asked for, which needs a host with SharedArrayBuffer. */
export function tableBuffer(bytes: number, shared: boolean): ArrayBuffer | SharedArrayBuffer {
  if (!shared) return new ArrayBuffer(bytes);
  if (typeof SharedArrayBuffer !== "function") {
    throw flowpinError("ENGINE_UNAVAILABLE", "shared: true needs SharedArrayBuffer, which this host does not provide (browsers: cross-origin isolation)");
  }
  return new SharedArrayBuffer(bytes);
}

