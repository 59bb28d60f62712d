// Katran's Maglev (katran/lib/MaglevBase.cpp, MaglevHash.cpp, MaglevHashV2.cpp, Vip.cpp):
// - endpoints with weight 0 are dropped, the rest sorted by their u64 `hash` (Vip.cpp
//   compareEndpoints; Katran sets it to folly::IPAddress(real).hash());
// - offset = MurmurHash3_x64_64(hash, 42, seed 0) % M,
//   skip = MurmurHash3_x64_64(hash, 2718281828, seed 2307) % (M - 1) + 1, where
//   MurmurHash3_x64_64(A, B, seed) is the first word of MurmurHash3_x64_128 over LE64(A) ‖ LE64(B);
// - the walk is `(offset + next * skip) % M` in **uint32** arithmetic, which wraps for large
//   rings (maglev.json katran.derived_tables: a 64-bit port differs in 710340 of 1000003 slots);
// - V1: an endpoint places `weight` consecutive entries in the first round, one per round
//   after; V2: cumulative weight against the maximum weight.
import { active } from "../engine/state.js";
import { flowpinError, show } from "../errors.js";
import { Keys, PARAMS, u64Halves } from "./keys.js";
import { KIND, positiveOrder, sortLaidOut, type MaglevPlan, type MaglevProfile, type MaglevProfileOptions, type NormalizedBackend } from "./maglev-profile.js";

const U64_MAX = 0xffffffffffffffffn;

/**
 * The endpoints' u64 hashes laid out as keys (8 big-endian bytes: bytewise order is numeric
 * order), split into u32 halves without BigInt arithmetic: the sort (Vip.cpp
 * compareEndpoints) and MurmurHash3_x64_64 then run in Wasm (maglevSort, maglevParams).
 * Measured at 65537 x 1000: the BigInt comparator sort and a DataView per hash made the
 * katran build 2-2.6x slower than Katran's own C++.
 */
function hashKeys(backends: readonly NormalizedBackend[], indices: ArrayLike<number>): Keys {
  const halves = new Uint32Array(2 * indices.length);
  for (let k = 0; k < indices.length; k++) u64Halves(backends[indices[k]!]!.hash!, halves, 2 * k);
  return Keys.u64(active(), halves);
}

export const katran: MaglevProfile = {
  name: "katran",
  defaultSize: 65537,
  defaultWeight: 1,
  // Weights are uint32 but V2 compares against an `int` max weight and adds into a uint32
  // counter: keeping them below 2^31 keeps both exact.
  maxWeight: 0x7fffffff,

  sizeProblem: () => undefined,

  backend(b, weight, index) {
    const h = b.hash;
    if (h === undefined) {
      throw flowpinError("INVALID_KEY", `backends[${index}].hash is required by the katran profile (the endpoint's u64 hash), got undefined`);
    }
    const ok = typeof h === "bigint" ? h >= 0n && h <= U64_MAX : typeof h === "number" && Number.isSafeInteger(h) && h >= 0 && !Object.is(h, -0);
    if (!ok) {
      throw flowpinError("INVALID_KEY", `backends[${index}].hash must be a u64 (bigint, or a safe non-negative integer), got ${show(h)}`);
    }
    return { id: b.id as string, weight, hash: BigInt(h as bigint | number) };
  },

  options(o) {
    const v = o.version ?? "v1";
    if (v !== "v1" && v !== "v2") throw flowpinError("INVALID_CONFIG", `version must be "v1" or "v2", got ${show(v)}`);
    return { version: v };
  },

  // The decimal text of the u64 (bigint and number hashes of one value give the same string).
  identity: (b) => String(b.hash),
  identityU64: (b, out, at) => u64Halves(b.hash!, out, at),

  plan(backends, options: MaglevProfileOptions, _size, keys): MaglevPlan {
    let sum = 0;
    let max = 0;
    for (const b of backends) {
      sum += b.weight;
      if (b.weight > max) max = b.weight;
    }
    const positive = positiveOrder(backends.length, (i) => backends[i]!.weight > 0);
    if (positive.length === 0) throw flowpinError("INVALID_WEIGHT", "every backend has weight zero");
    const order = sortLaidOut(positive, hashKeys(backends, positive), keys);
    const a = new Uint32Array(order.length);
    for (let k = 0; k < order.length; k++) a[k] = backends[order[k]!]!.weight;
    const share = new Float64Array(backends.length);
    for (let i = 0; i < backends.length; i++) share[i] = backends[i]!.weight / sum;
    if (options.version === "v2") return { order, kind: KIND.CUMULATIVE | KIND.WRAP32, x: max, a, share };
    return { order, kind: KIND.CONSECUTIVE | KIND.WRAP32, x: 0, a, b: new Uint32Array(order.length).fill(1), share };
  },

  params(backends, indices, size, _options, offsets, skips, at) {
    const keys = at?.keys ?? hashKeys(backends, indices);
    try {
      keys.params(PARAMS.KATRAN, size, 0, offsets, skips, at?.idx);
    } finally {
      if (!at) keys.release();
    }
  },
};
