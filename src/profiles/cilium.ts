// Cilium's Maglev (pkg/maglev/maglev.go, the BackendInfo/setHashString version):
// - each backend is hashed and sorted by its hash string "[addr:port/PROTO,State:active]"
//   ("[[v6]:port/..." for IPv6, "/i" before ",State" for internal scope); the format is frozen
//   upstream because changing it would change tables across an upgrade;
// - h1, h2 = MurmurHash3_x64_128(hash string, seed) with seed the first 4 bytes (big-endian)
//   of the 12-byte base64 cluster seed (default "JLfvgnHc2kaSUFaI"); offset = h1 % M,
//   skip = h2 % (M - 1) + 1;
// - weights (uint16, default 100) are used only when weightSum / N > 1 in integer division;
//   then slot n starts at backend n % N and passes the turn on while (n+1)*w < uint64(counter),
//   the counter starting at w / N (float64) and growing by weightSum per turn taken;
// - size: one of 251 ... 131071 (maglevSupportedTableSizes), default 16381.
import { active } from "../engine/state.js";
import { base64Bytes } from "../encoding.js";
import { flowpinError, show } from "../errors.js";
import * as v from "../validate.js";
import { addressText } from "./address.js";
import { Keys, PARAMS } from "./keys.js";
import { KIND, intField, positiveOrder, sortByKey, listedSizeProblem, stringField, type MaglevPlan, type MaglevProfile, type MaglevProfileOptions, type NormalizedBackend } from "./maglev-profile.js";

export const CILIUM_DEFAULT_SEED = "JLfvgnHc2kaSUFaI";

/** An L4 protocol name as Cilium prints it: an upper-case letter, then upper-case letters or digits. */
function protocolName(p: unknown): p is string {
  if (typeof p !== "string" || p.length === 0) return false;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (i > 0 && c >= 48 && c <= 57))) return false;
  }
  return true;
}

/** The 4-byte big-endian murmur seed of a base64 cluster seed (maglev.go ToConfig). */
export function ciliumMurmurSeed(seed: string): number {
  let bytes: Uint8Array | undefined;
  try {
    bytes = base64Bytes("seed", seed, "INVALID_KEY");
  } catch {
    bytes = undefined;
  }
  if (!bytes || bytes.length !== 12) {
    throw flowpinError("INVALID_KEY", `seed must be base64 of 12 bytes (Cilium's bpf-lb-maglev-hash-seed), got ${show(seed)}`);
  }
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

/** The hash string Cilium sorts and hashes (maglev.go setHashString). */
export function ciliumHashString(address: string, port: number, protocol: string, internal: boolean): string {
  return hashString(addressText(address)!, port, protocol, internal);
}

function hashString(text: string, port: number, protocol: string, internal: boolean): string {
  // IPv6 text (it has a colon) goes in brackets, as netip.AddrPort prints it.
  const host = text.indexOf(":") >= 0 ? `[${text}]` : text;
  return `[${host}:${port}/${protocol}${internal ? "/i" : ""},State:active]`;
}

function keyOf(b: NormalizedBackend): string {
  return b.key!;
}

export const cilium: MaglevProfile = {
  name: "cilium",
  defaultSize: 16381,
  defaultWeight: 100, // loadbalancer.DefaultBackendWeight
  maxWeight: 0xffff, // BackendInfo.Weight is a uint16

  sizeProblem: listedSizeProblem,

  backend(b, weight, index) {
    const out: { -readonly [K in keyof NormalizedBackend]: NormalizedBackend[K] } = { id: b.id as string, weight };
    if (b.address === undefined && b.key !== undefined) {
      out.key = stringField(b, "key", index, "INVALID_KEY");
    } else {
      const address = stringField(b, "address", index);
      const text = addressText(address);
      if (text === undefined) {
        throw flowpinError("INVALID_ADDRESS", `backends[${index}].address must be an IPv4 or IPv6 address, got ${show(address)}`);
      }
      const port = intField(b, "port", index, 0, 65535, "INVALID_PORT");
      if (port === undefined) throw flowpinError("INVALID_PORT", `backends[${index}].port is required by the cilium profile, got undefined`);
      const protocol = b.protocol ?? "TCP";
      if (!protocolName(protocol)) {
        throw flowpinError("INVALID_PROTOCOL", `backends[${index}].protocol must be an L4 name as Cilium prints it ("TCP", "UDP", "SCTP"), got ${show(protocol)}`);
      }
      if (b.internal !== undefined && typeof b.internal !== "boolean") {
        throw flowpinError("INVALID_CONFIG", `backends[${index}].internal must be a boolean, got ${show(b.internal)}`);
      }
      Object.assign(out, { address, port, protocol, internal: b.internal === true });
      out.key = hashString(text, port, protocol, b.internal === true);
      if (b.key !== undefined && b.key !== out.key) {
        throw flowpinError("INVALID_KEY", `backends[${index}].key ${show(b.key)} does not match its address (Cilium hashes ${show(out.key)}); give one or the other`);
      }
    }
    return out;
  },

  options(o) {
    // `cilium: { hashSeed }` is the name FlowHasher uses for the same cluster seed; `seed`
    // stays (documented). The table keeps it as `seed` (its serialized form).
    const nested = o.cilium === undefined ? undefined : v.options("cilium", o.cilium, ["hashSeed"]);
    const hashSeed = nested?.hashSeed;
    if (hashSeed !== undefined && o.seed !== undefined) throw flowpinError("INVALID_CONFIG", "give seed or cilium.hashSeed (one setting, two names), not both");
    const name = hashSeed !== undefined ? "cilium.hashSeed" : "seed";
    const seed = hashSeed ?? o.seed ?? CILIUM_DEFAULT_SEED;
    if (typeof seed !== "string") throw flowpinError("INVALID_TYPE", `${name} must be a base64 string, got ${show(seed)}`);
    ciliumMurmurSeed(seed);
    return { seed };
  },

  identity: keyOf,

  plan(backends, _options, _size, keys): MaglevPlan {
    let sum = 0;
    for (const b of backends) sum += b.weight;
    const positive = positiveOrder(backends.length, (i) => backends[i]!.weight > 0);
    if (positive.length === 0) throw flowpinError("INVALID_WEIGHT", "every backend has weight zero");
    const order = sortByKey(positive, (i) => keyOf(backends[i]!), keys);
    const weighted = Math.floor(sum / order.length) > 1;
    const a = new Uint32Array(order.length);
    for (let k = 0; k < order.length; k++) a[k] = backends[order[k]!]!.weight;
    // Unweighted, Cilium deals the slots round robin: equal shares.
    const share = new Float64Array(backends.length);
    for (let i = 0; i < backends.length; i++) {
      const w = backends[i]!.weight;
      share[i] = w === 0 ? 0 : weighted ? w / sum : 1 / order.length;
    }
    return { order, kind: KIND.CILIUM, x: weighted ? sum : 0, a, share };
  },

  params(backends, indices, size, options: MaglevProfileOptions, offsets, skips, at) {
    // MurmurHash3_x64_128 of every hash string and the u64 modulo in one Wasm call
    // (maglevParams), over the bytes the plan laid out for sorting.
    const seed = ciliumMurmurSeed(options.seed ?? CILIUM_DEFAULT_SEED);
    const keys = at?.keys ?? Keys.strings(active(), indices.length, (k) => keyOf(backends[indices[k]!]!));
    try {
      keys.params(PARAMS.CILIUM, size, seed, offsets, skips, at?.idx);
    } finally {
      if (!at) keys.release();
    }
  },
};
