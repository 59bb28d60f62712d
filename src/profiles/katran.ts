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
import { flowpinError, show } from "../errors.js";
import { murmur3_128 } from "../hashes.js";
import { KIND, le64, type MaglevPlan, type MaglevProfile, type MaglevProfileOptions, type NormalizedBackend } from "./maglev-profile.js";

const U64_MAX = 0xffffffffffffffffn;
const OFFSET_B = le64(42n);
const SKIP_B = le64(2718281828n);

function hashOf(b: NormalizedBackend): bigint {
  return BigInt(b.hash!);
}

/** MurmurHash3_x64_64 of Katran's MurmurHash3.cpp: h1 of x64_128 over the two u64s. */
function murmur64(a: bigint, b: Uint8Array, seed: number): bigint {
  const data = new Uint8Array(16);
  data.set(le64(a), 0);
  data.set(b, 8);
  return murmur3_128(data, seed)[0];
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
    return Object.freeze({ id: b.id as string, weight, hash: BigInt(h as bigint | number) });
  },

  options(o) {
    const v = o.version ?? "v1";
    if (v !== "v1" && v !== "v2") throw flowpinError("INVALID_CONFIG", `version must be "v1" or "v2", got ${show(v)}`);
    return { version: v };
  },

  identity: (b) => hashOf(b).toString(),

  plan(backends, options: MaglevProfileOptions, _size): MaglevPlan {
    const order: number[] = [];
    let sum = 0;
    let max = 0;
    backends.forEach((b, i) => {
      if (b.weight > 0) order.push(i);
      sum += b.weight;
      max = Math.max(max, b.weight);
    });
    if (order.length === 0) throw flowpinError("INVALID_WEIGHT", "every backend has weight zero");
    order.sort((x, y) => {
      const a = hashOf(backends[x]!);
      const b = hashOf(backends[y]!);
      return a < b ? -1 : a > b ? 1 : 0;
    });
    const a = Uint32Array.from(order, (i) => backends[i]!.weight);
    const share = Float64Array.from(backends, (b) => b.weight / sum);
    if (options.version === "v2") return { order, kind: KIND.CUMULATIVE | KIND.WRAP32, x: max, a, share };
    return { order, kind: KIND.CONSECUTIVE | KIND.WRAP32, x: 0, a, b: new Uint32Array(order.length).fill(1), share };
  },

  params(backends, indices, size, _options, offsets, skips) {
    const m = BigInt(size);
    indices.forEach((i, k) => {
      const h = hashOf(backends[i]!);
      offsets[k] = Number(murmur64(h, OFFSET_B, 0) % m);
      skips[k] = Number(murmur64(h, SKIP_B, 2307) % (m - 1n)) + 1;
    });
  },
};
