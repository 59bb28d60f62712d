/**
 * FlowHasher: the 5-tuple flow hash of flowpin's default profile or of a production load
 * balancer, one flow per call, a FlowBatch per call, or raw packets.
 *
 * | profile | hash | input | result |
 * |---|---|---|---|
 * | `flowpin` (default) | HalfSipHash-1-3, 8-byte key (required) | canonical 5-tuple, 13/37 bytes | u32 |
 * | `toeplitz` | Toeplitz (RSS), default key: Microsoft's verification key | src, dst [, sport, dport] | u32 |
 * | `katran` | jhash_2words(src, ports, 512·65537) | src (IPv6: jhash(src, 16, 512)), ports | u32 |
 * | `cilium` | jhash_3words(src, ports, proto, seed) | src, both ports, proto | u32 |
 * | `envoy` | XXH64(address text, 0) | source address text | u64 (bigint) |
 * | `glb` | SipHash-2-4, 16-byte key (required) | configured fields, default src_addr | u64 (bigint) |
 *
 * The flowpin key is a fleet secret: with an unkeyed or known-key hash a client choosing its
 * source ports can pile its flows onto one backend. Generate it once per fleet
 * (`crypto.getRandomValues(new Uint8Array(8))`) and distribute it with the config.
 *
 * @example
 * import { FlowHasher } from "flowpin";
 * const hasher = new FlowHasher({ key: secret8Bytes, symmetric: true });
 * hasher.hash({ src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 443, proto: "tcp" }); // u32
 * hasher.hashV4(0xc6336407, 0xcb007101, 51512, 443, 6); // same flow, no parsing, no allocation
 */
import { Engine } from "./engine/engine.js";
import { active } from "./engine/state.js";
import { disposable, track, untrack } from "./engine/regions.js";
import { base64Bytes, hexBytes } from "./encoding.js";
import { flowpinError, show } from "./errors.js";
import { FLOW_WORDS, parseFlowInto, type Flow } from "./flow.js";
import { FlowBatch } from "./flow-batch.js";
import { brand } from "./lookup.js";
import { hashPacketsOn, type PacketHashes } from "./packet.js";
import * as v from "./validate.js";

export type FlowProfile = "flowpin" | "toeplitz" | "katran" | "cilium" | "envoy" | "glb";
export type GlbHashField = "src_addr" | "dst_addr" | "src_port" | "dst_port";

export interface FlowHasherOptions {
  /** Default "flowpin". */
  profile?: FlowProfile;
  /**
   * flowpin: 8 bytes (k0 = little-endian u32 of bytes 0-3, k1 = bytes 4-7), required.
   * glb: the table's 16-byte hash key, required. toeplitz: the RSS key (at least 12 bytes;
   * 40 covers IPv6 with ports), default Microsoft's verification key. Others take none.
   */
  key?: Uint8Array;
  /**
   * flowpin: order the endpoints so both directions hash alike. toeplitz: use the 16-bit
   * periodic key 6d5a6d5a... (symmetric RSS), or a given key that has that period.
   */
  symmetric?: boolean;
  /** flowpin: hash with both ports 0; toeplitz: the 2-tuple (addresses only) input. */
  noPorts?: boolean;
  /** Katran VIP flags (balancer_consts.h). By default the destination port is zeroed. */
  katran?: { srcDstPort?: boolean; noSrcPort?: boolean; dportOnly?: boolean };
  /**
   * Cilium's --bpf-lb-maglev-hash-seed (base64 of 12 bytes; default the public
   * "JLfvgnHc2kaSUFaI"), or the two jhash seeds directly. `cilium: { hashSeed }` is the one
   * name for the cluster seed everywhere: `new Maglev({ profile: "cilium", cilium: { hashSeed } })`
   * takes it too.
   */
  cilium?: { hashSeed?: string; seeds?: { v4: number; v6: number } };
  /**
   * glb-director's hash_fields (default ["src_addr"], as glb-director's own default).
   * `hashFields` is the name GlbTable uses too; `fields` is its older spelling here.
   */
  glb?: { hashFields?: readonly GlbHashField[]; /** @deprecated use hashFields */ fields?: readonly GlbHashField[] };
}

/**
 * The profile a FlowHasher built from options of type `O` hashes with: the `profile` given,
 * "flowpin" when it is absent, any profile when the type does not say.
 * @example type P = FlowHasherProfile<{ profile: "envoy" }>; // "envoy"
 */
// The inner conditional distributes over P (FlowProfile | undefined for an optional field);
// unknown (no `profile` field at all) and undefined are the default profile.
export type FlowHasherProfile<O extends FlowHasherOptions> = O extends { profile?: infer P } ? (P extends FlowProfile ? P : "flowpin") : "flowpin";

/**
 * What `hash()` returns for profile `P`: a bigint (u64) for envoy and glb, a number (u32) for
 * the others, `number | bigint` when P is any profile.
 * @example const h: FlowHash<"flowpin"> = new FlowHasher({ key }).hash(flow); // number
 */
export type FlowHash<P extends FlowProfile = FlowProfile> = P extends "envoy" | "glb" ? bigint : number;

/** The fields of FlowHasherOptions and of its nested profile options (unknown ones are INVALID_CONFIG). */
const OPTION_FIELDS = ["profile", "key", "symmetric", "noPorts", "katran", "cilium", "glb"] as const;
const KATRAN_FIELDS = ["srcDstPort", "noSrcPort", "dportOnly"] as const;
const CILIUM_FIELDS = ["hashSeed", "seeds"] as const;
const SEEDS_FIELDS = ["v4", "v6"] as const;
const GLB_FIELDS = ["hashFields", "fields"] as const;

const PROFILES: readonly FlowProfile[] = ["flowpin", "toeplitz", "katran", "cilium", "envoy", "glb"];
const PROFILE_ID: Record<FlowProfile, number> = { flowpin: 0, toeplitz: 1, katran: 2, cilium: 3, envoy: 4, glb: 5 };

// Flags (assembly/flow.ts mirrors these bits).
const F_SYMMETRIC = 1;
const F_NO_PORTS = 2;
const F_KATRAN_SRC_DST_PORT = 4;
const F_KATRAN_NO_SRC_PORT = 8;
const F_KATRAN_DPORT_ONLY = 16;
const GLB_FIELD_FLAG: Record<GlbHashField, number> = { src_addr: 32, dst_addr: 64, src_port: 128, dst_port: 256 };
const KEY_OFFSET = 32;

/** Microsoft's RSS verification key ("Verifying the RSS Hash Calculation"), also DPDK's test key. */
export const MS_RSS_KEY = hexBytes("MS_RSS_KEY", "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa");
/** The 16-bit periodic RSS key that makes Toeplitz symmetric (Woo & Park; Suricata's default). */
export const SYMMETRIC_RSS_KEY = hexBytes("SYMMETRIC_RSS_KEY", "6d5a".repeat(20));
/** Cilium's public default Maglev hash seed (pkg/maglev DefaultHashSeed). */
export const CILIUM_DEFAULT_SEED = "JLfvgnHc2kaSUFaI";

/** Cilium's InitMaglevSeeds: bytes 4-7 and 8-11 of the decoded seed, big-endian. */
function ciliumSeeds(seed: unknown): { v4: number; v6: number } {
  if (typeof seed !== "string") throw flowpinError("INVALID_TYPE", `cilium.hashSeed must be base64 of 12 bytes (16 characters), got ${show(seed)}`);
  const d = seed.length === 16 ? base64Bytes("cilium.hashSeed", seed, "INVALID_KEY") : undefined;
  if (d === undefined || d.length !== 12) {
    throw flowpinError("INVALID_KEY", `cilium.hashSeed must be base64 of 12 bytes (16 characters), got ${show(seed)}`);
  }
  const be = (i: number): number => ((d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!) >>> 0;
  return { v4: be(4), v6: be(8) };
}

/** glb.hashFields (or its older name glb.fields) as the flag bits of assembly/flow.ts. */
function glbFieldFlags(o: Record<string, unknown>): number {
  if (o.hashFields !== undefined && o.fields !== undefined) throw flowpinError("INVALID_CONFIG", "give glb.hashFields or glb.fields (its older name), not both");
  const name = o.fields !== undefined ? "glb.fields" : "glb.hashFields";
  const fields = o.fields ?? o.hashFields ?? ["src_addr"];
  if (!Array.isArray(fields) || fields.length === 0) throw flowpinError("INVALID_CONFIG", `${name} must be a non-empty array of src_addr, dst_addr, src_port, dst_port, got ${show(fields)}`);
  let flags = 0;
  for (const f of fields) {
    const bit = GLB_FIELD_FLAG[f as GlbHashField];
    if (bit === undefined || !Object.prototype.hasOwnProperty.call(GLB_FIELD_FLAG, f)) {
      throw flowpinError("INVALID_CONFIG", `${name} entries must be src_addr, dst_addr, src_port or dst_port, got ${show(f)}`);
    }
    flags |= bit;
  }
  return flags;
}


// Scratch for one parsed flow: address words (src at 0..3, dst at 4..7), sport, dport, proto.
const W = new Uint32Array(FLOW_WORDS);

/**
 * `O` is the type of the options it was made with, so that `hash()` is typed by profile:
 * `new FlowHasher({ key })` hashes to a number, `new FlowHasher({ profile: "envoy" })` to a
 * bigint; a plain `FlowHasher` annotation accepts a hasher of any profile.
 */
export class FlowHasher<O extends FlowHasherOptions = FlowHasherOptions> {
  readonly profile: FlowProfile;
  /** 32: hash() returns a number (u32); 64: a bigint (envoy, glb). */
  readonly bits: 32 | 64;
  private readonly block: Uint8Array;
  private readonly keyLen: number;
  private readonly noPorts: boolean;
  private readonly cfgs = new Map<Engine, number>();
  // The last engine's block, without a Map lookup per hash (dispose() forgets it).
  private lastEngine: Engine | undefined;
  private lastCfg = 0;
  private readonly token = {};
  private disposed = false;

  /**
   * @example new FlowHasher({ key: crypto.getRandomValues(new Uint8Array(8)) })
   * @example new FlowHasher({ profile: "toeplitz", symmetric: true })
   * @example new FlowHasher({ profile: "glb", key: tableHashKey16, glb: { fields: ["src_addr", "src_port"] } })
   */
  constructor(options: O = {} as O) {
    v.options("FlowHasher options", options, OPTION_FIELDS);
    const profile = options.profile ?? "flowpin";
    if (!PROFILES.includes(profile)) throw flowpinError("UNKNOWN_PROFILE", `profile must be one of ${PROFILES.join(", ")}, got ${show(profile)}`);
    this.profile = profile;
    this.bits = profile === "envoy" || profile === "glb" ? 64 : 32;
    const symmetric = v.boolean("symmetric", options.symmetric);
    const noPorts = v.boolean("noPorts", options.noPorts);
    this.noPorts = noPorts;
    const key = options.key;
    if (key !== undefined && !(key instanceof Uint8Array)) throw flowpinError("INVALID_TYPE", `key must be a Uint8Array, got ${show(key)}`);
    const only = (what: string, allowed: FlowProfile[]): void => {
      if (!allowed.includes(profile)) throw flowpinError("INVALID_CONFIG", `${what} applies to the ${allowed.join(" and ")} profile${allowed.length > 1 ? "s" : ""}, not ${profile}`);
    };
    if (symmetric) only("symmetric", ["flowpin", "toeplitz"]);
    if (noPorts) only("noPorts", ["flowpin", "toeplitz"]);
    if (options.katran !== undefined) only("katran options", ["katran"]);
    if (options.cilium !== undefined) only("cilium options", ["cilium"]);
    if (options.glb !== undefined) only("glb options", ["glb"]);

    let flags = (symmetric ? F_SYMMETRIC : 0) | (noPorts ? F_NO_PORTS : 0);
    let seed4 = 0;
    let seed6 = 0;
    let k: Uint8Array = new Uint8Array(0);
    if (profile === "flowpin") {
      if (key === undefined) {
        throw flowpinError("INVALID_KEY", "the flowpin profile needs key: 8 secret bytes shared by the fleet (e.g. crypto.getRandomValues(new Uint8Array(8))); an unkeyed flow hash lets clients aim flows at one backend");
      }
      if (key.length !== 8) throw flowpinError("INVALID_KEY", `key must be 8 bytes for the flowpin profile, got ${key.length}`);
      k = key;
    } else if (profile === "glb") {
      if (key === undefined) throw flowpinError("INVALID_KEY", "the glb profile needs key: the forwarding table's 16-byte hash key");
      if (key.length !== 16) throw flowpinError("INVALID_KEY", `key must be 16 bytes for the glb profile, got ${key.length}`);
      k = key;
      flags |= glbFieldFlags(options.glb === undefined ? {} : v.options("glb", options.glb, GLB_FIELDS));
    } else if (profile === "toeplitz") {
      if (key === undefined) k = symmetric ? SYMMETRIC_RSS_KEY : MS_RSS_KEY;
      else {
        if (key.length < 12) throw flowpinError("INVALID_KEY", `a toeplitz key needs at least 12 bytes (40 for IPv6 with ports), got ${key.length}`);
        if (symmetric) {
          for (let i = 2; i < key.length; i++) {
            if (key[i] !== key[i % 2]) throw flowpinError("INVALID_KEY", `symmetric toeplitz needs a key with a 16-bit period (like 6d5a6d5a...); this key differs at byte ${i}`);
          }
        }
        k = key;
      }
    } else {
      if (key !== undefined) throw flowpinError("INVALID_KEY", `the ${profile} profile takes no key, got ${show(key)}`);
      if (profile === "katran") {
        const o = options.katran === undefined ? {} : v.options("katran", options.katran, KATRAN_FIELDS);
        if (v.boolean("katran.srcDstPort", o.srcDstPort)) flags |= F_KATRAN_SRC_DST_PORT;
        if (v.boolean("katran.noSrcPort", o.noSrcPort)) flags |= F_KATRAN_NO_SRC_PORT;
        if (v.boolean("katran.dportOnly", o.dportOnly)) flags |= F_KATRAN_DPORT_ONLY;
      } else if (profile === "cilium") {
        const o = options.cilium === undefined ? {} : v.options("cilium", options.cilium, CILIUM_FIELDS);
        if (o.seeds !== undefined && o.hashSeed !== undefined) throw flowpinError("INVALID_CONFIG", "give cilium.hashSeed or cilium.seeds, not both");
        let s: { v4: number; v6: number };
        if (o.seeds !== undefined) {
          const seeds = v.options("cilium.seeds", o.seeds, SEEDS_FIELDS);
          s = { v4: v.int("cilium.seeds.v4", seeds.v4, 0, v.U32_MAX, "INVALID_KEY"), v6: v.int("cilium.seeds.v6", seeds.v6, 0, v.U32_MAX, "INVALID_KEY") };
        } else s = ciliumSeeds(o.hashSeed ?? CILIUM_DEFAULT_SEED);
        seed4 = s.v4;
        seed6 = s.v6;
      }
    }
    this.keyLen = k.length;
    const block = new Uint8Array(KEY_OFFSET + ((k.length + 15) & ~15));
    const dv = new DataView(block.buffer);
    dv.setUint32(0, PROFILE_ID[profile], true);
    dv.setUint32(4, flags, true);
    dv.setUint32(8, seed4, true);
    dv.setUint32(12, seed6, true);
    dv.setUint32(16, k.length, true);
    block.set(k, KEY_OFFSET);
    this.block = block;
  }

  /**
   * The config block in `e`'s memory, written on first use there. Every hash goes through
   * here or finds its block in `cfgs`, which dispose() empties: a disposed hasher throws.
   */
  private cfg(e: Engine): number {
    if (e === this.lastEngine) return this.lastCfg;
    let p = this.cfgs.get(e);
    if (p === undefined) {
      if (this.disposed) throw flowpinError("DISPOSED", `this FlowHasher (${this.profile}) was disposed`);
      p = e.alloc(this.block.length);
      e.u8.set(this.block, p);
      this.cfgs.set(e, p);
      track(this, e, p, this.token);
    }
    this.lastEngine = e;
    this.lastCfg = p;
    return p;
  }

  private needKey(family: 4 | 6): void {
    if (this.profile !== "toeplitz") return;
    const need = (family === 4 ? 8 : 32) + (this.noPorts ? 0 : 4) + 4;
    if (this.keyLen < need) {
      throw flowpinError("INVALID_KEY", `toeplitz over IPv${family}${this.noPorts ? "" : " with ports"} needs a key of at least ${need} bytes, this one has ${this.keyLen}`);
    }
  }

  /**
   * Hashes one flow: a number (u32) for 32-bit profiles, a bigint (u64) for envoy and glb.
   * @example hasher.hash({ src: "2001:db8::1", dst: "2001:db8::2", sport: 40000, dport: 443, proto: "tcp" })
   */
  hash(flow: Flow): FlowHash<FlowHasherProfile<O>>;
  hash(flow: Flow): number | bigint {
    const e = active();
    const cfg = this.cfg(e);
    // The validated copies in W, never flow.* again: a getter may answer differently.
    const fam = parseFlowInto(flow, W);
    this.needKey(fam);
    let lo: number;
    if (fam === 4) lo = e.x.flowHashV4(cfg, W[0]!, W[4]!, W[8]!, W[9]!, W[10]!);
    else {
      const p = e.scratch(32);
      const dv = e.dv;
      for (let k = 0; k < 8; k++) dv.setUint32(p + 4 * k, W[k]!, true);
      lo = e.x.flowHashV6(cfg, p, p + 16, W[8]!, W[9]!, W[10]!);
    }
    return this.bits === 64 ? e.outU64(0) : lo >>> 0;
  }

  /**
   * One IPv4 flow from numbers (192.0.2.1 = 0xc0000201): no parsing, and no allocation for
   * 32-bit profiles. The fast single-flow path for proxies that hold addresses as integers.
   * @example hasher.hashV4(0xc0000201, 0xc0000202, 40000, 443, 6)
   */
  hashV4(src: number, dst: number, sport: number, dport: number, proto: number): FlowHash<FlowHasherProfile<O>>;
  hashV4(src: number, dst: number, sport: number, dport: number, proto: number): number | bigint {
    // typeof first: a bigint would make `>>>` / `&` throw a plain TypeError. The masks accept
    // -0 (-0 === 0), so it is refused separately, as every integer argument in flowpin.
    if (
      typeof src !== "number" || typeof dst !== "number" || typeof sport !== "number" || typeof dport !== "number" || typeof proto !== "number" ||
      (src >>> 0) !== src || (dst >>> 0) !== dst || (sport & 0xffff) !== sport || (dport & 0xffff) !== dport || (proto & 0xff) !== proto ||
      Object.is(src, -0) || Object.is(dst, -0) || Object.is(sport, -0) || Object.is(dport, -0) || Object.is(proto, -0)
    ) {
      this.badV4(src, dst, sport, dport, proto);
    }
    const e = active();
    let cfg = e === this.lastEngine ? this.lastCfg : this.cfgs.get(e);
    if (cfg === undefined) {
      this.needKey(4);
      cfg = this.cfg(e);
    }
    const lo = e.x.flowHashV4(cfg, src, dst, sport, dport, proto);
    return this.bits === 64 ? e.outU64(0) : lo >>> 0;
  }

  /** @internal hash()'s config block on `e` (throws DISPOSED), for Maglev's one-call pick. */
  static configOf(h: FlowHasher, e: Engine): number {
    return h.cfg(e);
  }

  /** @internal hash()'s key-length check for a parsed flow's family (toeplitz only). */
  static checkKey(h: FlowHasher, family: 4 | 6): void {
    h.needKey(family);
  }

  /**
   * @internal The config block hashV4() hashes with on `e` (prepared as hashV4 prepares it),
   * for Maglev.pickV4, which validates its numbers as hashV4 does before asking.
   */
  static v4Config(h: FlowHasher, e: Engine): number {
    let cfg = e === h.lastEngine ? h.lastCfg : h.cfgs.get(e);
    if (cfg === undefined) {
      h.needKey(4);
      cfg = h.cfg(e);
    }
    return cfg;
  }

  private badV4(src: unknown, dst: unknown, sport: unknown, dport: unknown, proto: unknown): never {
    const u32 = (x: unknown): boolean => typeof x === "number" && (x >>> 0) === x && !Object.is(x, -0);
    if (!u32(src)) throw flowpinError("INVALID_ADDRESS", `src must be an IPv4 u32 in 0..4294967295, got ${show(src)}`);
    if (!u32(dst)) throw flowpinError("INVALID_ADDRESS", `dst must be an IPv4 u32 in 0..4294967295, got ${show(dst)}`);
    const port = (n: string, x: unknown): void => {
      if (typeof x !== "number" || (x & 0xffff) !== x || Object.is(x, -0)) throw flowpinError("INVALID_PORT", `${n} must be an integer in 0..65535, got ${show(x)}`);
    };
    port("sport", sport);
    port("dport", dport);
    throw flowpinError("INVALID_PROTOCOL", `proto must be an integer in 0..255, got ${show(proto)}`);
  }

  /**
   * Hashes flows [0, batch.length) of a batch in one Wasm call into batch.hashes (and
   * batch.hashesHi for 64-bit profiles).
   * @example hasher.hashBatch(batch); batch.hashes[0]
   */
  hashBatch(batch: FlowBatch): void {
    // A brand, not duck typing: a look-alike object would hand arbitrary pointers to Wasm.
    if (!(batch instanceof FlowBatch)) throw flowpinError("INVALID_TYPE", `batch must be a FlowBatch, got ${show(batch)}`);
    const e: Engine = batch.engine;
    const current = active();
    const kind: unknown = (e as { kind?: unknown } | null | undefined)?.kind;
    if (FlowBatch.isOwn(batch)) {
      // Its memory must be the active engine's.
      if (e !== current) throw notActive(current);
    } else if (e instanceof Engine || kind !== current.kind) {
      // Not one of ours: either a prototype-made look-alike (our engine or none at all), or a
      // batch of the other copy of flowpin in this process (ESM beside CJS) on another kind.
      throw notActive(current);
    }
    // A batch of the other copy (same version, checked by the brand) is hashed in its own
    // engine's memory, which has the same ABI: no copy, the same result.
    this.needKey(batch.family);
    const cfg = this.cfg(e);
    const p = batch.pointers();
    e.x.flowHashBatch(cfg, batch.family === 6 ? 1 : 0, batch.length, p.src, p.dst, p.sport, p.dport, p.proto, p.hashes, p.hashesHi);
    batch.afterHash(this.bits);
  }

  /**
   * Hashes raw IP packets (each starting at its IPv4/IPv6 header) in one Wasm call. Packets
   * that cannot be parsed get hash 0 and an error status (PacketStatus); the rest are hashed.
   * @example const { hashes, status } = hasher.hashPackets(packets);
   */
  hashPackets(packets: readonly Uint8Array[]): PacketHashes {
    const e = active();
    const cfg = this.cfg(e);
    // Packets may be IPv6 with ports: a toeplitz key must cover 36 bytes of input.
    this.needKey(6);
    return hashPacketsOn(e, cfg, this.bits === 64, packets);
  }

  /**
   * Returns this hasher's Wasm memory now (otherwise done when it is garbage collected);
   * `using hasher = new FlowHasher(...)` calls it where the runtime has `Symbol.dispose`.
   * Hashing with a disposed hasher throws FlowpinError DISPOSED. Calling it again is a no-op.
   */
  dispose(): void {
    this.disposed = true;
    this.lastEngine = undefined;
    untrack(this.token);
    for (const [e, p] of this.cfgs) e.release(p);
    this.cfgs.clear();
  }
}

disposable(FlowHasher);

// Declares the method disposable() installs, so that `using x = new FlowHasher(...)` type-checks.
export interface FlowHasher<O extends FlowHasherOptions = FlowHasherOptions> {
  /** The same as dispose(): `using` calls it at the end of the block (where the runtime has Symbol.dispose). */
  [Symbol.dispose](): void;
}
brand(FlowHasher, "FlowHasher");

function notActive(current: Engine): Error {
  return flowpinError("INVALID_TYPE", `batch was not made on the active engine (${current.kind}): a FlowBatch lives in the memory of the engine active when it was made`);
}
