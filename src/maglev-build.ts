// Validation of Maglev inputs and the table build: the TypeScript half of the Maglev hot path
// (assembly/maglev.ts is the other). Internal; the public surface is src/maglev.ts.
import { active } from "./engine/state.js";
import { flowpinError, show } from "./errors.js";
import { MAX_TABLE_SIZE, isPrime, type MaglevBackend, type MaglevProfile, type MaglevProfileOptions, type NormalizedBackend } from "./profiles/maglev-profile.js";
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
 * packed as offset * 2^23 + skip (both below 2^23): one number per backend, no tuple
 * allocations.
 */
export type ParamCache = Map<string, number>;
const PACK = 2 ** 23;

export interface MaglevInputs {
  profile: MaglevProfile;
  size: number;
  options: MaglevProfileOptions;
  backends: readonly NormalizedBackend[];
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
  if (o.allowUnslotted !== undefined && typeof o.allowUnslotted !== "boolean") throw flowpinError("INVALID_TYPE", `allowUnslotted must be a boolean, got ${show(o.allowUnslotted)}`);
  const size = validateSize(profile, o.size, o.allowUnslotted === true ? 0 : backends.length);
  return { profile, size, options, backends };
}

function validateBackends(profile: MaglevProfile, list: unknown): NormalizedBackend[] {
  if (!Array.isArray(list)) throw flowpinError("INVALID_TYPE", `backends must be an array, got ${show(list)}`);
  if (list.length === 0) throw flowpinError("NO_BACKENDS", "backends is empty: a Maglev table needs at least one backend");
  const ids = new Map<string, number>();
  const identities = new Map<string, number>();
  let anyWeight = false;
  const out: NormalizedBackend[] = [];
  // An index loop, not map(): map skips the holes of a sparse array, which must be reported
  // (and a hole at 0 stops a 2^32-1 long sparse array at once).
  for (let i = 0; i < list.length; i++) out.push(validateBackend(list[i], i));
  function validateBackend(b: unknown, i: number): NormalizedBackend {
    if (typeof b !== "object" || b === null || Array.isArray(b)) {
      throw flowpinError("INVALID_TYPE", `backends[${i}] must be an object with an id, got ${show(b)}`);
    }
    const r = b as Record<string, unknown>;
    // The fields of every profile are known (one backend list serves them all, as in
    // `flowpin simulate`); a misspelled one (`wieght`) is refused rather than ignored.
    v.knownFields(`backends[${i}]`, r, BACKEND_FIELDS);
    v.nonEmptyString(`backends[${i}].id`, r.id, "INVALID_TYPE");
    const id = r.id as string;
    const prev = ids.get(id);
    if (prev !== undefined) throw flowpinError("DUPLICATE_BACKEND", `backends[${i}].id ${show(id)} repeats backends[${prev}].id`);
    ids.set(id, i);
    const weight = r.weight === undefined ? profile.defaultWeight : v.number(`backends[${i}].weight`, r.weight);
    if (!Number.isInteger(weight) || weight < 0 || weight > profile.maxWeight || Object.is(weight, -0)) {
      throw flowpinError("INVALID_WEIGHT", `backends[${i}].weight must be an integer in 0..${profile.maxWeight} for the ${profile.name} profile, got ${show(weight)}`);
    }
    if (weight > 0) anyWeight = true;
    const nb = profile.backend(r, weight, i);
    const identity = profile.identity(nb);
    const same = identities.get(identity);
    if (same !== undefined) {
      throw flowpinError("DUPLICATE_BACKEND", `backends[${i}] (${show(id)}) hashes like backends[${same}]: both have the ${profile.name} key ${show(identity)}`);
    }
    identities.set(identity, i);
    return nb;
  }
  if (!anyWeight) throw flowpinError("INVALID_WEIGHT", "every backend has weight 0: at least one needs a positive weight");
  return out;
}

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
  const plan = profile.plan(backends, options, size);
  const n = plan.order.length;
  const offsets = new Uint32Array(n);
  const skips = new Uint32Array(n);
  const missing: number[] = [];
  const cache: ParamCache = new Map();
  const keys = plan.order.map((i) => profile.identity(backends[i]!));
  for (let k = 0; k < n; k++) {
    const c = previous?.get(keys[k]!);
    if (c !== undefined) {
      offsets[k] = Math.floor(c / PACK);
      skips[k] = c % PACK;
      cache.set(keys[k]!, c);
    } else missing.push(k);
  }
  if (missing.length > 0) {
    const mo = new Uint32Array(missing.length);
    const ms = new Uint32Array(missing.length);
    profile.params(backends, missing.map((k) => plan.order[k]!), size, options, mo, ms);
    missing.forEach((k, j) => {
      offsets[k] = mo[j]!;
      skips[k] = ms[j]!;
      cache.set(keys[k]!, mo[j]! * PACK + ms[j]!);
    });
  }

  const wide = backends.length > 0xffff;
  const entryBytes = wide ? 4 : 2;
  const e = active();
  const stateBytes = (e.x.maglevStateBytes(n) + 15) & ~15;
  const tableBytes = (size * entryBytes + 15) & ~15;
  const region = e.alloc(stateBytes + tableBytes + e.x.maglevBitmapBytes(size));
  try {
    const w = new Uint32Array(e.x.memory.buffer, region, 7 * n);
    w.set(offsets, 0);
    w.set(skips, n);
    w.set(plan.order, 2 * n);
    if (plan.a) w.set(plan.a, 3 * n);
    if (plan.b) w.set(plan.b, 4 * n);
    if (plan.fw) new Float64Array(e.x.memory.buffer, region + ((28 * n + 7) & ~7), n).set(plan.fw);
    const tablePtr = region + stateBytes;
    e.x.maglevFill(plan.kind, n, size, region, tablePtr, tablePtr + tableBytes, wide ? 1 : 0, plan.x);
    const bytes = size * entryBytes;
    const buffer = tableBuffer(bytes, shared);
    const table = wide ? new Uint32Array(buffer) : new Uint16Array(buffer);
    table.set(wide ? new Uint32Array(e.x.memory.buffer, tablePtr, size) : new Uint16Array(e.x.memory.buffer, tablePtr, size));
    return { table, share: plan.share, cache };
  } finally {
    e.release(region);
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

