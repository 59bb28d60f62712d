// Cilium's datapath flow hash (bpf/lib/hash.h), as lbX_select_backend_id[_maglev] calls it
// for the first packet of a connection, on x86-64 (little-endian).
//
// lbX_extract_tuple loads the packet's four port bytes at &tuple->dport, so tuple->dport holds
// the packet's source port and tuple->sport its destination port ("CT tuple has ports in
// reverse order", lb.h). The hash takes `(X << 16) | Y` where X and Y are those network-order
// u16s read as host integers (byte-swapped):
// - 1.16 (hash_from_tuple_v4/v6): X = tuple->dport = source port, Y = destination port;
//   session affinity does not change the hash.
// - 1.17+ (lbX_select_backend_id_maglev, cilium commits 98d9320865 / 5efc97b264 "CT tuple is
//   swapped, hence the port swap"): X = destination port, Y = source port, and Y = 0 under
//   session affinity (ff87dd0877 / 2adb5bc562).
// IPv4: jhash_3words(saddr, ports, nexthdr, HASH_INIT4_SEED). IPv6: __jhash_mix over saddr
// words 1-3, then += word 4, ports, nexthdr, __jhash_mix, a += HASH_INIT6_SEED, __jhash_final:
// exactly lookup3 hashlittle over the 36 bytes saddr ‖ ports ‖ nexthdr ‖ seed ‖ 0⁸ with an
// initval that makes its starting state 0. The destination address is not hashed.
import { jhash, jhash3words } from "../../hashes.js";
import type { CiliumVersion } from "./config.js";

const bswap16 = (p: number): number => ((p & 0xff) << 8) | (p >>> 8);
const bswap32 = (w: number): number => (((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24)) >>> 0;

/** hashlittle's initval for 36 bytes whose start state (0xdeadbeef + 36 + initval) is 0. */
const V6_INITVAL = (-(0xdeadbeef + 36)) >>> 0;
const V6_INPUT = new Uint8Array(36);
const V6_VIEW = new DataView(V6_INPUT.buffer);

/** The 32-bit port word the datapath hashes, for the packet's source and destination port. */
export function portsWord(version: CiliumVersion, affinity: boolean, sport: number, dport: number): number {
  if (version === "1.16") return ((bswap16(sport) << 16) | bswap16(dport)) >>> 0;
  return ((bswap16(dport) << 16) | (affinity ? 0 : bswap16(sport))) >>> 0;
}

/** IPv4: `saddr` as a big-endian word (192.0.2.1 = 0xc0000201), read by the datapath as a host u32. */
export function hashV4(saddr: number, ports: number, proto: number, seed: number): number {
  return jhash3words(bswap32(saddr), ports, proto, seed);
}

/** IPv6: `words[at..at+3]` the source address as big-endian words. */
export function hashV6(words: Uint32Array, at: number, ports: number, proto: number, seed: number): number {
  const v = V6_VIEW;
  for (let k = 0; k < 4; k++) v.setUint32(4 * k, words[at + k]!, false);
  v.setUint32(16, ports, true);
  v.setUint32(20, proto, true);
  v.setUint32(24, seed, true);
  return jhash(V6_INPUT, V6_INITVAL);
}

/** The words the hash mixes, as the datapath holds them (for --explain). */
export function hashInputText(family: 4 | 6, words: Uint32Array, at: number, ports: number, proto: number, seed: number): string {
  const hex = (x: number): string => `0x${(x >>> 0).toString(16).padStart(8, "0")}`;
  if (family === 4) return `jhash_3words(saddr ${hex(bswap32(words[at]!))}, ports ${hex(ports)}, nexthdr ${proto}, seed ${hex(seed)})`;
  const p = [0, 1, 2, 3].map((k) => hex(bswap32(words[at + k]!))).join(" ");
  return `__hash_from_tuple_v6(saddr ${p}, ports ${hex(ports)}, nexthdr ${proto}, seed ${hex(seed)})`;
}
