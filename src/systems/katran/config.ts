// Katran's configuration in its own terms, validated as KatranLb validates it: one VIP
// (KatranLb::addVip(VipKey{address, port, proto}, flags)), the KatranConfig fields that shape
// the decision (hashFunction, chRingSize, which is also the BPF program's RING_SIZE) and one
// modifyRealsForVip(ADD, reals) batch.
import { flowpinError, show } from "../../errors.js";
import { parseProtocol, type ProtocolName } from "../../flow.js";
import { closest, int, knownFields, object } from "../../validate.js";
import { isPrime } from "../../profiles/maglev-profile.js";
import { follyAddress, type FollyAddress } from "./address.js";
import { follyIPAddressHash } from "./folly-hash.js";

/** vip_meta flag bits (katran/lib/bpf/balancer_consts.h). */
export const VIP_FLAGS = Object.freeze({
  F_HASH_NO_SRC_PORT: 1 << 0,
  F_LRU_BYPASS: 1 << 1,
  F_QUIC_VIP: 1 << 2,
  F_HASH_DPORT_ONLY: 1 << 3,
  F_SRC_ROUTING: 1 << 4,
  F_LOCAL_VIP: 1 << 5,
  F_GLOBAL_LRU: 1 << 6,
  F_HASH_SRC_DST_PORT: 1 << 7,
  F_UDP_STABLE_ROUTING_VIP: 1 << 8,
  F_UDP_FLOW_MIGRATION: 1 << 9,
} satisfies Record<KatranVipFlag, number>);

/**
 * A VIP flag. Only F_HASH_NO_SRC_PORT, F_HASH_DPORT_ONLY and F_HASH_SRC_DST_PORT change which
 * real a connection's first packet goes to; the others act on Katran's connection table,
 * server-id routing (QUIC, TCP, UDP stable routing) or source routing, none of which has
 * state here, so with them the first-packet decision is the ring's.
 */
export type KatranVipFlag =
  | "F_HASH_NO_SRC_PORT"
  | "F_LRU_BYPASS"
  | "F_QUIC_VIP"
  | "F_HASH_DPORT_ONLY"
  | "F_SRC_ROUTING"
  | "F_LOCAL_VIP"
  | "F_GLOBAL_LRU"
  | "F_HASH_SRC_DST_PORT"
  | "F_UDP_STABLE_ROUTING_VIP"
  | "F_UDP_FLOW_MIGRATION"; // written out for the API docs; VIP_FLAGS `satisfies` it, so the two agree

/** The VIP: KatranLb::addVip(VipKey{address, port, proto}, flags). */
export interface KatranVip {
  /** IPv4 or IPv6 text as folly reads it; "::ffff:a.b.c.d" is an IPv6 VIP. */
  address: string;
  /** 0 makes a port-0 VIP: every port of the address (the dport is then left out of the hash). */
  port: number;
  /** IP protocol number (6, 17) or name; Katran balances TCP and UDP only. */
  proto: number | ProtocolName;
  /** vip_meta flags by name; default none. */
  flags?: KatranVipFlag[];
}

/** One real: NewReal{address, weight} of modifyRealsForVip(ADD, ...). */
export interface KatranReal {
  address: string;
  /** 0 keeps the real configured but out of the ring. */
  weight: number;
}

/**
 * A Katran VIP with its reals, as the vectors write it.
 *
 * @example
 * const config: KatranConfig = { vip: { address: "192.0.2.10", port: 443, proto: 6, flags: ["F_HASH_NO_SRC_PORT"] },
 *   hash_function: "maglev_v2", ring_size: 65537, reals: [{ address: "10.0.0.1", weight: 1 }, { address: "2001:db8::2", weight: 2 }] };
 */
export interface KatranConfig {
  vip: KatranVip;
  /** KatranConfig.hashFunction: "maglev" (HashFunction::Maglev, the default) or "maglev_v2". */
  hash_function?: "maglev" | "maglev_v2";
  /** KatranConfig.chRingSize and the BPF program's RING_SIZE: a prime, default 65537. */
  ring_size?: number;
  /** One modifyRealsForVip(ADD, reals) batch, in order. */
  reals: KatranReal[];
}

/** A distinct real (folly::IPAddress equality: a.b.c.d and ::ffff:a.b.c.d are one). */
export interface KatranRealEntry {
  /** The address as first written; what route() returns. */
  readonly id: string;
  /** The last weight given (Vip::getEndpoints overwrites it). */
  readonly weight: number;
  /** folly::IPAddress(address).hash(). */
  readonly hash: bigint;
}

/** The validated configuration. */
export interface KatranPlan {
  /** VIP key: four big-endian words, IPv4 in the first (balancer_structs.h vip_definition). */
  readonly vipKey: Uint32Array;
  readonly vipFamily: 4 | 6;
  readonly vipPort: number;
  readonly vipProto: number;
  readonly flags: number;
  readonly version: "v1" | "v2";
  readonly ringSize: number;
  readonly reals: readonly KatranRealEntry[];
  /** The configuration in normal form: defaults filled in, each distinct real once (first spelling, last weight). */
  readonly config: KatranConfig;
}

/** kDefaultChRingSize / balancer_consts.h RING_SIZE. */
export const DEFAULT_RING_SIZE = 65537;
/** balancer_consts.h MAX_VIPS (the default the BPF program is built with). */
export const MAX_VIPS = 512;
/**
 * Largest ring the BPF program can hold: ch_rings has MAX_VIPS * RING_SIZE entries and a map's
 * max_entries is a u32 (and INIT_JHASH_SEED = MAX_VIPS * RING_SIZE is a u32).
 */
export const MAX_RING_SIZE = Math.floor(0xffffffff / MAX_VIPS);
/**
 * NewReal and Endpoint weights are uint32. MaglevHashV2 keeps the maximum in an `int`, but
 * every comparison and subtraction converts it back to uint32, and its uint32 cum_weight
 * wraps past 2^32 exactly as the shared Wasm fill's u32 counter does: the whole range is
 * reproduced.
 */
export const MAX_WEIGHT = 0xffffffff;

/** KatranConfig.maxReals default (KatranLbStructs.h kDefaultMaxReals) and the BPF reals array size. */
export const MAX_REALS = 4096;

const CONFIG_FIELDS = ["vip", "hash_function", "ring_size", "reals"];
const VIP_FIELDS = ["address", "port", "proto", "flags"];
const REAL_FIELDS = ["address", "weight"];
const FLAG_NAMES = Object.keys(VIP_FLAGS);

export function validateKatranConfig(config: unknown): KatranPlan {
  const c = object("katran config", config);
  knownFields("katran config", c, CONFIG_FIELDS);
  const v = object("vip", c.vip);
  knownFields("vip", v, VIP_FIELDS);
  // KatranLb::addVip refuses an address folly cannot parse ("Invalid Vip address").
  // Each field is read once: what is validated is what is kept.
  const vipAddress = v.address;
  const vipProtoRaw = v.proto;
  const vip = follyAddress("vip.address", vipAddress);
  const vipPort = int("vip.port", v.port, 0, 65535, "INVALID_PORT");
  const vipProto = parseProtocol(vipProtoRaw, "vip.proto");
  let flags = 0;
  const flagList = v.flags;
  if (flagList !== undefined) {
    if (!Array.isArray(flagList)) throw flowpinError("INVALID_TYPE", `vip.flags must be an array of flag names, got ${show(flagList)}`);
    flagList.forEach((f: unknown, i: number) => {
      if (typeof f !== "string" || !Object.prototype.hasOwnProperty.call(VIP_FLAGS, f)) {
        const near = typeof f === "string" ? closest(f, FLAG_NAMES) : undefined;
        throw flowpinError("INVALID_CONFIG", `vip.flags[${i}] must be one of ${FLAG_NAMES.join(", ")}, got ${show(f)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}`);
      }
      flags |= VIP_FLAGS[f as KatranVipFlag];
    });
  }
  const fn = c.hash_function ?? "maglev";
  if (fn !== "maglev" && fn !== "maglev_v2") {
    const near = typeof fn === "string" ? closest(fn, ["maglev", "maglev_v2"]) : undefined;
    throw flowpinError("INVALID_CONFIG", `hash_function must be "maglev" or "maglev_v2", got ${show(fn)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}`);
  }
  const ringSize = validateRingSize(c.ring_size);
  const reals = validateReals(c.reals);
  const flagNames = FLAG_NAMES.filter((f) => flags & VIP_FLAGS[f as KatranVipFlag]) as KatranVipFlag[];
  const normal: KatranConfig = {
    vip: { address: vipAddress as string, port: vipPort, proto: vipProtoRaw as number | ProtocolName, flags: flagNames },
    hash_function: fn,
    ring_size: ringSize,
    reals: reals.map((r) => ({ address: r.id, weight: r.weight })),
  };
  return {
    vipKey: vip.words,
    vipFamily: vip.family,
    vipPort,
    vipProto,
    flags,
    version: fn === "maglev_v2" ? "v2" : "v1",
    ringSize,
    reals,
    config: normal,
  };
}

function validateRingSize(raw: unknown): number {
  if (raw === undefined) return DEFAULT_RING_SIZE;
  if (typeof raw !== "number") throw flowpinError("INVALID_TYPE", `ring_size must be a prime number, got ${show(raw)}`);
  if (!Number.isInteger(raw) || raw < 2 || raw > MAX_RING_SIZE) {
    throw flowpinError("INVALID_TABLE_SIZE", `ring_size must be a prime in 2..${MAX_RING_SIZE} (ch_rings holds MAX_VIPS ${MAX_VIPS} * RING_SIZE u32-indexed entries), got ${show(raw)}`);
  }
  // katran/lib/MaglevHash.h: "ring_size must be prime number". With a composite size a
  // backend's skip can share a factor with it, its walk then never reaches a free slot and
  // generateHashRing loops forever: Katran hangs where flowpin refuses.
  if (!isPrime(raw)) throw flowpinError("INVALID_TABLE_SIZE", `ring_size must be a prime (katran MaglevHash: a composite ring can make the Maglev walk loop forever), got ${raw}`);
  return raw;
}

/**
 * The identity folly::IPAddress's operator== gives a real: its address with IPv4-mapped IPv6
 * folded to IPv4, and its scope.
 */
export function realKey(a: FollyAddress): string {
  const w = a.words;
  if (a.family === 4 || (w[0] === 0 && w[1] === 0 && w[2] === 0xffff)) return `${a.family === 4 ? w[0] : w[3]}`;
  return `${w[0]}:${w[1]}:${w[2]}:${w[3]}%${a.scope}`;
}

/**
 * One NewReal: its address as folly parses it and its weight (`weighted` false for a
 * removal, where Katran ignores the weight).
 */
export function checkReal(name: string, raw: unknown, weighted: boolean): { address: FollyAddress; text: string; weight: number } {
  const r = object(name, raw);
  knownFields(name, r, REAL_FIELDS);
  // KatranLb::modifyRealsForVip skips an address folly cannot parse, with only a log line
  // ("Invalid real's address"); flowpin refuses it instead of silently losing a real.
  const text = r.address;
  const rawWeight = r.weight;
  const address = follyAddress(`${name}.address`, text);
  const weight = weighted || rawWeight !== undefined ? int(`${name}.weight`, rawWeight, 0, MAX_WEIGHT, "INVALID_WEIGHT") : 0;
  return { address, text: text as string, weight };
}

export function validateReals(raw: unknown): KatranRealEntry[] {
  if (!Array.isArray(raw)) throw flowpinError("INVALID_TYPE", `reals must be an array, got ${show(raw)}`);
  // KatranLb's reals_ map is keyed by folly::IPAddress: equal addresses (a.b.c.d and
  // ::ffff:a.b.c.d; the scope counts) are one real, with the first number (and spelling) and
  // the last weight (Vip::getEndpoints).
  const byKey = new Map<string, number>();
  const ids: string[] = [];
  const weights: number[] = [];
  const hashes: bigint[] = [];
  const byHash = new Map<bigint, number>();
  for (let i = 0; i < raw.length; i++) {
    const { address: a, text, weight } = checkReal(`reals[${i}]`, raw[i], true);
    const key = realKey(a);
    const at = byKey.get(key);
    if (at !== undefined) {
      weights[at] = weight;
      continue;
    }
    const hash = follyIPAddressHash(a.bytes);
    const same = byHash.get(hash);
    if (same !== undefined) {
      // Only one address with two scopes gets here: two reals folly tells apart but hashes
      // alike, whose order Katran's std::sort leaves unspecified.
      throw flowpinError("DUPLICATE_BACKEND", `reals[${i}].address ${show(text)} hashes like ${show(ids[same])} (one address, two scopes): Katran's ring order between them is unspecified`);
    }
    if (ids.length === MAX_REALS - 1) {
      // Real numbers run 1..maxReals-1 (KatranLb.cpp fills realNums_ from 1; 0 marks an empty
      // ring slot); the next real gets "exhausted real's space" and is skipped with a log
      // line, which flowpin refuses rather than lose the real silently.
      throw flowpinError("INVALID_CONFIG", `reals[${i}] (${show(text)}) is real number ${MAX_REALS}: Katran's default maxReals ${MAX_REALS} numbers at most ${MAX_REALS - 1} distinct reals and would skip it`);
    }
    byKey.set(key, ids.length);
    byHash.set(hash, ids.length);
    ids.push(text);
    weights.push(weight);
    hashes.push(hash);
  }
  return ids.map((id, k) => Object.freeze({ id, weight: weights[k]!, hash: hashes[k]! }));
}
