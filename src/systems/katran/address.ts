// Addresses as Katran sees them. Two rules differ from flowpin's default canonical form:
// - An IPv6 address stays IPv6 even when it is IPv4-mapped (::ffff:a.b.c.d): Katran hashes an
//   IPv6 packet's 16 source bytes (balancer.bpf.c get_packet_hash, hash_16bytes = is_ipv6),
//   and its VIP key is the 16 bytes of the text the operator wrote (KatranLb.cpp
//   vipKeyToVipDefinition: folly's isV4() is false for ::ffff:a.b.c.d).
// - Config addresses are read as folly::IPAddress reads them (IPAddress::tryFromString): a
//   ':' makes it IPv6 (brackets allowed around it, a numeric %scope after it), else IPv4.
import { flowpinError, show } from "../../errors.js";
import { packetWords } from "../address.js";

/**
 * The address as Katran's packet carries it (../address.ts packetWords): four big-endian
 * words, IPv4 in the first and three zero words (also Katran's VIP key layout: a union of one
 * IPv4 word and four IPv6 words, balancer_structs.h vip_definition); IPv4-mapped text stays
 * IPv6. Returns the family by form. No allocation.
 */
export const katranWords = packetWords;

/** Whether four words at w[at..] are ::ffff:0:0/96. */
export function isMappedWords(w: Uint32Array, at: number): boolean {
  return w[at] === 0 && w[at + 1] === 0 && w[at + 2] === 0xffff;
}

/** A config address as folly reads it. */
export interface FollyAddress {
  family: 4 | 6;
  /** Big-endian words; IPv4 in words[0], the rest 0. */
  words: Uint32Array;
  /** The address bytes folly hashes: 4 or 16. */
  bytes: Uint8Array;
  /** The numeric %scope of an IPv6 address, or "" (folly compares it; Katran's BPF maps drop it). */
  scope: string;
}

/**
 * Parses a configured VIP or real address the way folly::IPAddress(string) does (Katran
 * validates with folly::IPAddress::validate, KatranLb.cpp validateAddress): `[v6]` and
 * `v6%N` are accepted; a named scope (`%eth0`) depends on the host's interfaces, so it is
 * refused.
 */
export function follyAddress(name: string, value: unknown): FollyAddress {
  if (typeof value !== "string") throw flowpinError("INVALID_TYPE", `${name} must be an IP address string, got ${show(value)}`);
  let text = value;
  let scope = "";
  if (text.indexOf(":") >= 0) {
    // folly/IPAddressV6.cpp tryFromString: brackets around the address are allowed.
    if (text.length >= 2 && text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
    const pct = text.indexOf("%");
    if (pct >= 0) {
      scope = text.slice(pct + 1);
      if (!/^[0-9]{1,5}$/.test(scope)) {
        throw flowpinError("INVALID_ADDRESS", `${name} has a scope flowpin cannot resolve (a numeric %scope only), got ${show(value)}`);
      }
      text = text.slice(0, pct);
    }
  }
  const words = new Uint32Array(4);
  const family = katranWords(text, words, 0, name);
  const bytes = new Uint8Array(family === 4 ? 4 : 16);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (words[i >> 2]! >>> (24 - 8 * (i & 3))) & 0xff;
  return { family, words, bytes, scope };
}
