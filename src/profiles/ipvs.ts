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
import { flowpinError, show } from "../errors.js";
import { siphash13 } from "../hashes.js";
import { parseAddress } from "./address.js";
import { KIND, LISTED_SIZES, intField, le64, listedSizeProblem, stringField, type MaglevPlan, type MaglevProfile, type NormalizedBackend } from "./maglev-profile.js";

function key16(k: bigint): Uint8Array {
  const out = new Uint8Array(16);
  out.set(le64(k), 0);
  out.set(le64(k), 8);
  return out;
}
const KEY1 = key16(2654435761n);
const KEY2 = key16(2654446892n);

/**
 * The u32 the kernel hashes for a destination (ip_vs_mh_hashkey with offset 0). The address is
 * folded by the service's family when `serviceFamily` is given (the kernel passes svc->af): in
 * an "inet" service only the first 32 bits of an IPv6 address count; an IPv4 address in an
 * "inet6" service folds to itself (its other three words are zero). Without it, by the
 * address's own family.
 */
export function ipvsHashInput(address: string, port: number, serviceFamily?: "inet" | "inet6"): number {
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
  while (b) [a, b] = [b, a % b];
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
    const parsed = parseAddress(address);
    if (!parsed) throw flowpinError("INVALID_ADDRESS", `backends[${index}].address must be an IPv4 or IPv6 address, got ${show(address)}`);
    const port = intField(b, "port", index, 0, 65535, "INVALID_PORT");
    if (port === undefined) throw flowpinError("INVALID_PORT", `backends[${index}].port is required by the ipvs profile, got undefined`);
    const serviceFamily = b.serviceFamily;
    if (serviceFamily === undefined) return Object.freeze({ id: b.id as string, weight, address: parsed.text, port });
    if (serviceFamily !== "inet" && serviceFamily !== "inet6") throw flowpinError("INVALID_CONFIG", `backends[${index}].serviceFamily must be "inet" or "inet6", got ${show(serviceFamily)}`);
    return Object.freeze({ id: b.id as string, weight, address: parsed.text, port, serviceFamily });
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
    const order: number[] = [];
    for (let i = backends.length - 1; i >= 0; i--) if (backends[i]!.weight > 0) order.push(i);
    const a = Uint32Array.from(order, (i) => {
      const w = backends[i]!.weight;
      return (w / g) >> rshift || 1;
    });
    const share = Float64Array.from(backends, (b) => b.weight / sum);
    return { order, kind: KIND.CONSECUTIVE, x: 0, a, b: a, share };
  },

  params(backends, indices, size, _options, offsets, skips) {
    const data = new Uint8Array(4);
    const dv = new DataView(data.buffer);
    indices.forEach((i, k) => {
      const b = backends[i]!;
      dv.setUint32(0, ipvsHashInput(b.address!, b.port!, b.serviceFamily), true);
      offsets[k] = Number(siphash13(data, KEY1) & 0xffffffffn) % size;
      skips[k] = (Number(siphash13(data, KEY2) & 0xffffffffn) % (size - 1)) + 1;
    });
  },
};
