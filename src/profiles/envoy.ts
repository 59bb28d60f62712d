// Envoy's Maglev (source/extensions/load_balancing_policies/maglev/maglev_lb.cc and
// thread_aware_lb_impl.cc):
// - key: the host's hash key (envoy.lb `hash_key` metadata, the hostname with
//   use_hostname_for_hashing, else `ip:port`); hosts sorted bytewise by key "because the
//   hash table will be filled in the order" (maglev_lb.cc);
// - offset = XXH64(key, 0) % M, skip = XXH64(key, 1) % (M - 1) + 1 (u64 arithmetic);
// - weights normalized to doubles summing to 1 (per locality: w * (lw / Σlw) / Σw_locality);
//   a host takes a turn in iteration k when k * w >= target, then target += max weight; the
//   build stops the moment the M-th slot fills, in the middle of an iteration;
// - size: prime, default 65537 (paper section 5.3), at most 5000011 (maglev.proto).
import { active } from "../engine/state.js";
import { flowpinError, show } from "../errors.js";
import { nonEmptyString } from "../validate.js";
import { Keys, PARAMS } from "./keys.js";
import { KIND, positiveOrder, sortByKey, sortLaidOut, type MaglevPlan, type MaglevProfile, type MaglevProfileOptions, type NormalizedBackend } from "./maglev-profile.js";

function keyOf(b: NormalizedBackend): string {
  return b.key ?? b.id;
}

function localityWeights(o: Readonly<Record<string, unknown>>): Readonly<Record<string, number>> | undefined {
  const lw = o.localityWeights;
  if (lw === undefined) return undefined;
  if (typeof lw !== "object" || lw === null || Array.isArray(lw)) {
    throw flowpinError("INVALID_CONFIG", `localityWeights must be an object mapping locality names to weights, got ${show(lw)}`);
  }
  const out: Record<string, number> = {};
  let sum = 0;
  for (const [name, w] of Object.entries(lw as Record<string, unknown>)) {
    if (typeof w !== "number" || !Number.isInteger(w) || w < 0 || w > 0xffffffff || Object.is(w, -0)) {
      throw flowpinError("INVALID_WEIGHT", `localityWeights[${JSON.stringify(name)}] must be an integer in 0..4294967295, got ${show(w)}`);
    }
    out[name] = w;
    sum += w;
  }
  // Envoy validates that the sum fits a uint32 and bails out when it is 0.
  if (sum === 0) throw flowpinError("INVALID_WEIGHT", "localityWeights are all zero");
  if (sum > 0xffffffff) throw flowpinError("INVALID_WEIGHT", `localityWeights sum to ${sum}, above 4294967295`);
  return Object.freeze(out);
}

export const envoy: MaglevProfile = {
  name: "envoy",
  defaultSize: 65537,
  defaultWeight: 1,
  maxWeight: 0xffffffff,

  sizeProblem: () => undefined,

  backend(b, weight, index) {
    const out: { -readonly [K in keyof NormalizedBackend]: NormalizedBackend[K] } = { id: b.id as string, weight };
    // Not a string: INVALID_TYPE; "": INVALID_KEY (as Rendezvous and Ring).
    if (b.key !== undefined) out.key = nonEmptyString(`backends[${index}].key`, b.key, "INVALID_KEY");
    if (b.locality !== undefined) {
      if (typeof b.locality !== "string") {
        throw flowpinError("INVALID_CONFIG", `backends[${index}].locality must be a string, got ${show(b.locality)}`);
      }
      out.locality = b.locality;
    }
    return out;
  },

  options(o) {
    const lw = localityWeights(o);
    return lw ? { localityWeights: lw } : {};
  },

  identity: keyOf,

  plan(backends, options: MaglevProfileOptions, _size, keys): MaglevPlan {
    const n = backends.length;
    const normalized = new Float64Array(n);
    const lw = options.localityWeights;
    if (!lw) {
      let sum = 0;
      for (const b of backends) sum += b.weight;
      if (sum > 0xffffffff) throw flowpinError("INVALID_WEIGHT", `weights sum to ${sum}; Envoy requires at most 4294967295`);
      // thread_aware_lb_impl.cc normalizeHostWeights: weight * normalized_locality_weight / sum.
      for (let i = 0; i < n; i++) normalized[i] = (backends[i]!.weight * 1.0) / sum;
    } else {
      let locSum = 0;
      for (const w of Object.values(lw)) locSum += w;
      const hostSum = new Map<string, number>();
      backends.forEach((b, i) => {
        if (b.locality === undefined || !(b.locality in lw)) {
          throw flowpinError("INVALID_CONFIG", `backends[${i}].locality must name one of localityWeights (${Object.keys(lw).join(", ")}), got ${show(b.locality)}`);
        }
        hostSum.set(b.locality, (hostSum.get(b.locality) ?? 0) + b.weight);
      });
      for (let i = 0; i < n; i++) {
        const b = backends[i]!;
        const l = lw[b.locality!]!;
        // Zero-weight localities are skipped entirely (normalizeLocalityWeights).
        if (l === 0 || b.weight === 0) continue;
        const nlw = l / locSum;
        normalized[i] = (b.weight * nlw) / hostSum.get(b.locality!)!;
      }
    }
    const positive = positiveOrder(n, (i) => normalized[i]! > 0);
    if (positive.length === 0) throw flowpinError("INVALID_WEIGHT", "every backend has weight zero (or sits in a zero-weight locality)");
    // Without `key`s the sort keys are the ids, which validation staged as bytes.
    const order = keys?.ids ? sortLaidOut(positive, Keys.staged(active(), keys.ids, positive), keys) : sortByKey(positive, (i) => keyOf(backends[i]!), keys);
    const fw = new Float64Array(order.length);
    let max = 0;
    for (let k = 0; k < order.length; k++) {
      const w = normalized[order[k]!]!;
      fw[k] = w;
      if (w > max) max = w;
    }
    let total = 0;
    for (let i = 0; i < n; i++) total += normalized[i]!;
    for (let i = 0; i < n; i++) normalized[i] = normalized[i]! / total;
    return { order, kind: KIND.ENVOY, x: max, fw, share: normalized };
  },

  params(backends, indices, size, _options, offsets, skips, at) {
    // In Wasm (maglevParams): XXH64 and the u64 modulo, two hashes per backend, over the keys
    // the plan laid out for sorting (UTF-8, no BigInt, no TextEncoder for ASCII keys).
    const keys = at?.keys ?? Keys.strings(active(), indices.length, (k) => keyOf(backends[indices[k]!]!));
    try {
      keys.params(PARAMS.ENVOY, size, 0, offsets, skips, at?.idx);
    } finally {
      if (!at) keys.release();
    }
  },
};
