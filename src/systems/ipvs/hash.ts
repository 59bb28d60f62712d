// The IPVS `mh` client hash (net/netfilter/ipvs/ip_vs_mh.c ip_vs_mh_hashkey), the same
// function the kernel uses for destination offsets: v = offset + ntohs(port) + ntohl(fold) as a
// u32, hashed with hsiphash over its 4 little-endian bytes. On 64-bit kernels hsiphash is
// SipHash-1-3 with 64-bit key words, truncated to 32 bits (include/linux/siphash.h,
// lib/siphash.c); the keys are constants (ip_vs_mh.c generate_hash_secret), so every director
// computes the same values. 32-bit and big-endian kernels hash differently: not modelled.
import { siphash13 } from "../../hashes.js";

/** hsiphash key words {2654435761, 2654435761} (ip_vs_mh.c generate_hash_secret, hash1). */
const HASH1 = (() => {
  const key = new Uint8Array(16);
  const dv = new DataView(key.buffer);
  dv.setBigUint64(0, 2654435761n, true);
  dv.setBigUint64(8, 2654435761n, true);
  return key;
})();

// One scratch buffer for v: route() allocates nothing for the hash input.
const input = new Uint8Array(4);
const inputView = new DataView(input.buffer);

/**
 * The address fold of ip_vs_mh_hashkey, by the SERVICE's family: an "inet" service takes the
 * first 32 bits (addr->ip), an "inet6" service XORs the four words. `words` are the address's
 * 32-bit words, most significant first (one word for IPv4: the other three are zero in the
 * kernel's union nf_inet_addr, so an IPv4 address folds to itself in either family).
 */
export function foldAddress(words: Uint32Array, at: number, count: 1 | 4, inet6: boolean): number {
  if (count === 1 || !inet6) return words[at]!;
  return (words[at]! ^ words[at + 1]! ^ words[at + 2]! ^ words[at + 3]!) >>> 0;
}

/** v = offset + port + fold, wrapping as the kernel's `unsigned int`. */
export function hashInput(fold: number, port: number, offset: number): number {
  return (offset + port + fold) >>> 0;
}

/** hsiphash(v, hash1): the u32 the kernel takes modulo the table size. One Wasm call. */
export function hsiphash1(v: number): number {
  inputView.setUint32(0, v, true);
  return Number(BigInt.asUintN(32, siphash13(input, HASH1)));
}
