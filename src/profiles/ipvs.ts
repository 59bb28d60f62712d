// Linux IPVS `mh` scheduler (net/netfilter/ipvs/ip_vs_mh.c), 64-bit kernels:
// - offset = hsiphash(v, key1) % M, skip = hsiphash(v, key2) % (M - 1) + 1 with
//   v = u32 (ntohs(port) + ntohl(addr)) (IPv6: the XOR of the four address words), hashed as
//   4 little-endian bytes; key1 = {2654435761, 2654435761}, key2 = {2654446892, 2654446892};
//   hsiphash on 64-bit kernels is SipHash-1-3 truncated to 32 bits (lib/siphash.c);
// - turns = (weight / gcd) >> rshift, at least 1 for a non-zero weight, where rshift drops
//   the bits of max(weight)/gcd above IP_VS_MH_TAB_BITS = CONFIG_IP_VS_MH_TAB_INDEX / 2;
//   each destination places `turns` consecutive entries per round;
// - no sorting: the kernel walks svc->destinations, where every new destination is added at
//   the head (ip_vs_ctl.c __ip_vs_update_dest: list_add_rcu), i.e. last added first. flowpin
//   takes `backends` in the order they were added (ipvsadm -a) and walks them reversed;
// - size: CONFIG_IP_VS_MH_TAB_INDEX 8..17 selects 251 ... 131071; default 12 → 4093.
import { active } from "../engine/state.js";
import { flowpinError, show } from "../errors.js";
import { addressText, parseAddress, parseIPv4 } from "./address.js";
import { Keys, PARAMS } from "./keys.js";
import { KIND, LISTED_SIZES, intField, listedSizeProblem, positiveOrder, stringField, type MaglevPlan, type MaglevProfile, type NormalizedBackend } from "./maglev-profile.js";

/**
 * The u32 the kernel hashes for a destination (ip_vs_mh_hashkey with offset 0). The address is
 * folded by the service's family when `serviceFamily` is given (the kernel passes svc->af): in
 * an "inet" service only the first 32 bits of an IPv6 address count; an IPv4 address in an
 * "inet6" service folds to itself (its other three words are zero). Without it, by the
 * address's own family.
 */
export function ipvsHashInput(address: string, port: number, serviceFamily?: "inet" | "inet6"): number {
  const v4 = parseIPv4(address);
  if (v4 !== undefined) return (port + v4) >>> 0;
  const a = parseAddress(address)!;
  let fold: number;
  if (a.family === 4) fold = a.v4;
  else {
    const w = (k: number): number => ((a.groups[2 * k]! << 16) | a.groups[2 * k + 1]!) >>> 0;
    fold = serviceFamily === "inet" ? w(0) : (w(0) ^ w(1) ^ w(2) ^ w(3)) >>> 0;
  }
  return (port + fold) >>> 0;
}

function gcd(a: number, b: number): number {
  while (b) {
    const r = a % b;
    a = b;
    b = r;
  }
  return a;
}

/** Index of the highest set bit, 1-based (Linux fls); 0 for 0. */
function fls(x: number): number {
  return x === 0 ? 0 : 32 - Math.clz32(x);
}

export const ipvs: MaglevProfile = {
  name: "ipvs",
  defaultSize: 4093,
  defaultWeight: 1,
  maxWeight: 0x7fffffff, // dest->weight is an int

  sizeProblem: listedSizeProblem,

  backend(b, weight, index) {
    const address = stringField(b, "address", index);
    const text = addressText(address);
    if (text === undefined) throw flowpinError("INVALID_ADDRESS", `backends[${index}].address must be an IPv4 or IPv6 address, got ${show(address)}`);
    const port = intField(b, "port", index, 0, 65535, "INVALID_PORT");
    if (port === undefined) throw flowpinError("INVALID_PORT", `backends[${index}].port is required by the ipvs profile, got undefined`);
    const serviceFamily = b.serviceFamily;
    if (serviceFamily === undefined) return { id: b.id as string, weight, address: text, port };
    if (serviceFamily !== "inet" && serviceFamily !== "inet6") throw flowpinError("INVALID_CONFIG", `backends[${index}].serviceFamily must be "inet" or "inet6", got ${show(serviceFamily)}`);
    return { id: b.id as string, weight, address: text, port, serviceFamily };
  },

  options: () => ({}),

  // The kernel identifies a destination by address and port (ip_vs_lookup_dest).
  // The service family changes the permutation, so it is part of the key params are cached by.
  identity: (b: NormalizedBackend) => (b.serviceFamily === undefined ? `${b.address}|${b.port}` : `${b.address}|${b.port}|${b.serviceFamily}`),

  plan(backends, _options, size): MaglevPlan {
    let g = 0;
    let max = 0;
    let sum = 0;
    for (const b of backends) {
      if (b.weight > 0) g = g > 0 ? gcd(b.weight, g) : b.weight;
      max = Math.max(max, b.weight);
      sum += b.weight;
    }
    if (g < 1) throw flowpinError("INVALID_WEIGHT", "every backend has weight zero");
    const tabBits = (8 + LISTED_SIZES.indexOf(size)) >> 1;
    const rshift = Math.max(0, fls(max / g) - tabBits);
    const n = backends.length;
    // Reversed: the kernel's list has the last added destination first.
    const order = positiveOrder(n, (i) => backends[n - 1 - i]!.weight > 0).map((r) => n - 1 - r);
    const a = new Uint32Array(order.length);
    for (let k = 0; k < order.length; k++) a[k] = (backends[order[k]!]!.weight / g) >> rshift || 1;
    const share = new Float64Array(n);
    for (let i = 0; i < n; i++) share[i] = backends[i]!.weight / sum;
    return { order, kind: KIND.CONSECUTIVE, x: 0, a, b: a, share };
  },

  params(backends, indices, size, _options, offsets, skips) {
    // hsiphash of the u32 input under both keys and the modulo, in one Wasm call (maglevParams).
    const input = new Uint32Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      const b = backends[indices[k]!]!;
      input[k] = ipvsHashInput(b.address!, b.port!, b.serviceFamily);
    }
    const keys = Keys.u32(active(), input);
    try {
      keys.params(PARAMS.IPVS, size, 0, offsets, skips);
    } finally {
      keys.release();
    }
  },
};
