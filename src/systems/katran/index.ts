/**
 * The `katran` system: which real Katran (facebookincubator/katran) sends a connection's
 * first packet to, from the VIP and reals its operators configure. The whole decision of
 * balancer.bpf.c process_packet() and get_packet_dst() is modelled:
 *
 * 1. Parsing (packets): IPv4 with options and fragments are dropped; protocols other than
 *    TCP and UDP go to the kernel; ICMP echo is answered; ICMP errors route as the quoted
 *    packet (packet.ts).
 * 2. VIP lookup by (destination, dport, proto) with no address family (an IPv6 packet to
 *    a.b.c.d:: matches the IPv4 VIP a.b.c.d); failing that, the VIP's port-0 entry, and only
 *    then is the dport zeroed (not with F_HASH_DPORT_ONLY or F_HASH_SRC_DST_PORT). No VIP:
 *    the packet is passed, not balanced (`reason: "no-vip"`).
 * 3. F_HASH_NO_SRC_PORT zeroes the sport; F_HASH_DPORT_ONLY then sets sport = dport and zeroes
 *    the source.
 * 4. The flow hash `jhash_2words(src, ports, MAX_VIPS * RING_SIZE)`, the IPv6 source folded
 *    first with `jhash(src, 16, MAX_VIPS)` (balancer_consts.h INIT_JHASH_SEED,
 *    INIT_JHASH_SEED_V6): the seed depends on the ring size.
 * 5. `ch_rings[hash % RING_SIZE]`: the Maglev ring (V1 or V2) over the reals with a weight
 *    above 0, each hashed by folly::IPAddress::hash(). No such real: every packet is dropped.
 *
 * Reasons: "table" (balanced), "stale-ring" (balanced on the ring of reals no longer
 * configured, see `modifyReals`), "no-vip", "not-tcp-udp", "not-ip", "icmp-pass" (passed to
 * the kernel), "icmp-echo" (Katran answers), "no-backend" (the ring slot holds no real:
 * dropped), "truncated", "ip-options", "fragment", "too-big" (dropped before hashing).
 *
 * @example
 * import { systems } from "flowpin";
 * const lb = systems.katran({ vip: { address: "192.0.2.10", port: 443, proto: 6, flags: [] },
 *   hash_function: "maglev_v2", ring_size: 65537, reals: [{ address: "10.0.0.1", weight: 1 }, { address: "10.0.0.2", weight: 1 }] });
 * lb.route({ src: "198.51.100.7", dst: "192.0.2.10", sport: 51512, dport: 443, proto: 6 });
 * // { backend: "10.0.0.2", hash: "…", slot: …, reason: "table" }
 * lb.route(ipPacketBytes); // the same decision from the packet
 */
import { flowpinError, show } from "../../errors.js";
import { formatAddress, parsePort, parseProtocol, type Flow } from "../../flow.js";
import { hexBytes } from "../../encoding.js";
import { jhash, jhash2words } from "../../hashes.js";
import { routeKernel, routeSpec, type RouteArrays, type RouteSpec } from "../../engine/route-kernel.js";
import { encodeMaglev } from "../../maglev-bytes.js";
import { buildTable } from "../../maglev-build.js";
import { katran as katranProfile } from "../../profiles/katran.js";
import * as v from "../../validate.js";
import { flowFromRecord } from "../flow-input.js";
import { diffRoutes, hashHex, type Route, type RouteDiff, type RouteOptions, type System, type SystemDefinition, type SystemTables } from "../system.js";
import { isMappedWords, katranWords } from "./address.js";
import { MAX_VIPS, VIP_FLAGS, checkReal, realKey, validateKatranConfig, type KatranConfig, type KatranPlan, type KatranReal, type KatranRealEntry } from "./config.js";
import { PASS_NOT_TCP_UDP, W_DPORT, W_DST, W_FAMILY, W_LENGTH, W_PROTO, W_SPORT, W_SRC, parseKatranPacket } from "./packet.js";

export type { KatranConfig, KatranReal, KatranVip, KatranVipFlag, KatranRealEntry } from "./config.js";

/** What Katran routes: a 5-tuple, or an IP packet (bytes from its IP header on). */
export type KatranInput = Flow | Uint8Array;

/** balancer_consts.h MAX_PCKT_SIZE: a frame above it is dropped (or answered "too big"). */
const MAX_PCKT_SIZE = 1514;
const ETH_HLEN = 14;

const F_HASH_NO_SRC_PORT = VIP_FLAGS.F_HASH_NO_SRC_PORT;
const F_HASH_DPORT_ONLY = VIP_FLAGS.F_HASH_DPORT_ONLY;
const F_HASH_SRC_DST_PORT = VIP_FLAGS.F_HASH_SRC_DST_PORT;

// Per-call scratch (route() is synchronous and not re-entrant): no allocation per flow.
const W = new Uint32Array(W_LENGTH);
const SRC16 = new Uint8Array(16);

const bswap16 = (x: number): number => ((x & 0xff) << 8) | (x >>> 8);
const bswap32 = (x: number): number => ((x & 0xff) << 24 | (x & 0xff00) << 8 | (x >>> 8) & 0xff00 | x >>> 24) >>> 0;

/** Validates a 5-tuple into W as Katran would see its packet; returns "" or a pass reason. */
function flowInto(flow: Flow, w: Uint32Array): string {
  if (typeof flow !== "object" || flow === null) throw flowpinError("INVALID_TYPE", `flow must be an object {src, dst, sport, dport, proto} or an IP packet (Uint8Array), got ${show(flow)}`);
  const src = flow.src;
  const dst = flow.dst;
  let fs = katranWords(src, w, W_SRC, "src");
  const fd = katranWords(dst, w, W_DST, "dst");
  if (fs !== fd) {
    // One side written ::ffff:a.b.c.d, the other a.b.c.d: the only packets such a connection
    // has are IPv4 ones (a dual-stack socket's view of an IPv4 peer), so it is hashed as IPv4.
    const mapped = fs === 6 ? W_SRC : W_DST;
    if (!isMappedWords(w, mapped)) {
      throw flowpinError("MIXED_FAMILIES", `src and dst must be the same address family, got ${show(src)} and ${show(dst)}`);
    }
    w[mapped] = w[mapped + 3]!;
    w[mapped + 2] = 0;
    w[mapped + 3] = 0;
    fs = 4;
  }
  w[W_FAMILY] = fs;
  w[W_SPORT] = parsePort(flow.sport, "sport");
  w[W_DPORT] = parsePort(flow.dport, "dport");
  const proto = parseProtocol(flow.proto, "proto");
  w[W_PROTO] = proto;
  // process_packet: only TCP and UDP reach the VIP lookup.
  return proto === 6 || proto === 17 ? "" : PASS_NOT_TCP_UDP;
}

function describeAddress(w: Uint32Array, at: number, family: number): string {
  if (family === 4) return formatAddress(w[at]!);
  if (isMappedWords(w, at)) return `::ffff:${formatAddress(w[at + 3]!)}`;
  const b = new Uint8Array(16);
  for (let i = 0; i < 16; i++) b[i] = (w[at + (i >> 2)]! >>> (24 - 8 * (i & 3))) & 0xff;
  return formatAddress(b);
}

const hex32 = (x: number): string => `0x${hashHex(x)}`;

/** What ch_rings holds for the VIP: ring[slot] indexes ids (the reals' addresses). */
interface RingState {
  readonly ring: Uint16Array | Uint32Array;
  readonly ids: readonly string[];
  /** The katran profile's backends the ring was built from (for flowpin's table file). */
  readonly backends: readonly { id: string; weight: number; hash: bigint }[];
}

const INHERIT = Symbol("inherit");

/** The action of KatranLb::modifyRealsForVip. */
export type KatranModifyAction = "add" | "del";

/** A Katran VIP with its reals, routing as Katran's XDP program does. */
export class KatranSystem implements System<KatranInput> {
  readonly system = "katran" as const;
  /**
   * The validated configuration (VIP key, flags, ring size, the distinct reals in real-number order).
   * @internal
   */
  readonly plan: KatranPlan;
  /** INIT_JHASH_SEED = MAX_VIPS * RING_SIZE. */
  readonly seed: number;
  // What ch_rings holds, or undefined while it is all 0 (a VIP that never had a real with a
  // weight above 0: get_packet_dst drops every packet).
  readonly #state: RingState | undefined;
  // The ring is one left from reals no longer configured (see modifyReals).
  readonly #stale: boolean;
  readonly #vip: Uint32Array;
  // The route kernel's parameters for routeBatch (made on its first call).
  #spec: RouteSpec | undefined;

  /**
   * Builds the VIP as KatranLb::addVip then one modifyRealsForVip(ADD, reals) do. Throws
   * FlowpinError: INVALID_CONFIG (unknown field, flag or hash function), INVALID_TYPE,
   * INVALID_ADDRESS, INVALID_PORT, INVALID_PROTOCOL, INVALID_WEIGHT, INVALID_TABLE_SIZE,
   * DUPLICATE_BACKEND (one address under two scopes).
   */
  constructor(config: KatranConfig);
  /** @internal */
  constructor(config: KatranConfig, inherit: typeof INHERIT, previous: RingState | undefined);
  constructor(config: KatranConfig, inherit?: typeof INHERIT, previous?: RingState) {
    this.plan = validateKatranConfig(config);
    const { ringSize, reals, version } = this.plan;
    this.seed = (MAX_VIPS * ringSize) >>> 0;
    this.#vip = this.plan.vipKey;
    if (reals.some((r) => r.weight > 0)) {
      // Built with the katran Maglev profile on the shared Wasm fill, not through `new
      // Maglev({ allowUnslotted: true })`, which would also build a ring with more reals than
      // slots: Maglev validates katran weights to 0..2^31-1, while Katran's uint32 weights go
      // to 2^32-1 (MaglevHashV2's counters wrap; katran.properties.test.ts).
      const backends = reals.map((r) => ({ id: r.id, weight: r.weight, hash: r.hash }));
      const ring = buildTable({ profile: katranProfile, size: ringSize, options: { version }, backends }, false).table;
      this.#state = { ring, ids: reals.map((r) => r.id), backends };
      this.#stale = false;
    } else {
      // Vip::calculateHashRing writes nothing for an empty endpoint list and
      // decreaseRefCountForReal never clears the BPF reals entry: after a change that leaves
      // no real with a weight above 0, ch_rings keeps the previous ring and its reals keep
      // receiving packets.
      this.#state = inherit === INHERIT ? previous : undefined;
      this.#stale = this.#state !== undefined;
    }
  }

  /** The reals in Katran's real-number order (1, 2, ... as first added), with their folly hash. */
  get reals(): readonly KatranRealEntry[] {
    return this.plan.reals;
  }

  /** The configuration in normal form (defaults filled in, each distinct real once). */
  get config(): KatranConfig {
    return this.plan.config;
  }

  /**
   * The VIP after KatranLb::modifyRealsForVip(action, reals), as a new system (this one is
   * unchanged). "add" adds reals or sets their weight (a real already present keeps its
   * number and first spelling; the last weight given wins); "del" removes them, and a real
   * the VIP does not have is skipped, as Katran skips it. The ring is rebuilt over the
   * remaining reals, except that when none has a weight above 0 Katran leaves the previous
   * ring in place: those routes carry reason "stale-ring".
   *
   * @example
   * const next = lb.modifyReals("del", [{ address: "10.0.0.2" }]);
   * lb.diff(next, liveFlows).moved; // connections that change real
   */
  modifyReals(action: KatranModifyAction, reals: readonly KatranReal[] | readonly Pick<KatranReal, "address">[]): KatranSystem {
    if (action !== "add" && action !== "del") throw flowpinError("INVALID_CONFIG", `action must be "add" or "del", got ${show(action)}`);
    if (!Array.isArray(reals)) throw flowpinError("INVALID_TYPE", `reals must be an array, got ${show(reals)}`);
    const current = this.plan.config.reals;
    let next: KatranReal[];
    if (action === "add") {
      next = current.slice();
      reals.forEach((r: unknown, i: number) => {
        const { text, weight } = checkReal(`reals[${i}]`, r, true);
        next.push({ address: text, weight });
      });
    } else {
      const gone = new Set<string>();
      reals.forEach((r: unknown, i: number) => gone.add(realKey(checkReal(`reals[${i}]`, r, false).address)));
      next = current.filter((r) => !gone.has(realKey(checkReal("real", r, true).address)));
    }
    return new KatranSystem({ ...this.plan.config, reals: next }, INHERIT, this.#state);
  }

  route(input: KatranInput, options?: RouteOptions): Route {
    const w = W;
    const explain = options?.explain ? ([] as string[]) : undefined;
    const isPacket = input instanceof Uint8Array;
    const stop = isPacket ? parseKatranPacket(input, w) : flowInto(input, w);
    if (stop !== "") return this.#none(stop, explain);
    const family = w[W_FAMILY]!;
    const proto = w[W_PROTO]!;
    let sport = w[W_SPORT]!;
    let dport = w[W_DPORT]!;
    explain?.push(`${isPacket ? "packet" : "flow"}: IPv${family} proto ${proto} ${describeAddress(w, W_SRC, family)} port ${sport} → ${describeAddress(w, W_DST, family)} port ${dport}`);
    const plan = this.plan;
    const vip = this.#vip;
    // vip_map lookup: the 16 destination bytes (IPv4: 4 and 12 zero bytes), dport, proto.
    if (w[W_DST] !== vip[0] || w[W_DST + 1] !== vip[1] || w[W_DST + 2] !== vip[2] || w[W_DST + 3] !== vip[3] || proto !== plan.vipProto) {
      return this.#none("no-vip", explain, "no VIP has this destination address and protocol: XDP_PASS");
    }
    if (dport !== plan.vipPort) {
      if (plan.vipPort !== 0) return this.#none("no-vip", explain, `the VIP serves port ${plan.vipPort} only: XDP_PASS`);
      if ((plan.flags & (F_HASH_DPORT_ONLY | F_HASH_SRC_DST_PORT)) === 0) {
        explain?.push(`matched the port-0 VIP: dport ${dport} → 0 in the hash`);
        dport = 0;
      } else explain?.push("matched the port-0 VIP; the dport stays (F_HASH_DPORT_ONLY / F_HASH_SRC_DST_PORT)");
    } else explain?.push(`matched the VIP on port ${dport}`);
    if (isPacket && input.length + ETH_HLEN > MAX_PCKT_SIZE) {
      return this.#none("too-big", explain, `frame of ${input.length + ETH_HLEN} bytes above MAX_PCKT_SIZE ${MAX_PCKT_SIZE}: dropped`);
    }
    if (plan.flags & F_HASH_NO_SRC_PORT) {
      sport = 0;
      explain?.push("F_HASH_NO_SRC_PORT: sport → 0");
    }
    const dportOnly = (plan.flags & F_HASH_DPORT_ONLY) !== 0;
    if (dportOnly) {
      sport = dport;
      explain?.push("F_HASH_DPORT_ONLY: sport = dport, source address zeroed");
    }
    // flow.ports is the two big-endian u16s read as one little-endian u32.
    const ports = (bswap16(sport) | (bswap16(dport) << 16)) >>> 0;
    let a: number;
    if (family === 6) {
      for (let k = 0; k < 4; k++) {
        const x = dportOnly ? 0 : w[W_SRC + k]!;
        SRC16[4 * k] = x >>> 24;
        SRC16[4 * k + 1] = (x >>> 16) & 0xff;
        SRC16[4 * k + 2] = (x >>> 8) & 0xff;
        SRC16[4 * k + 3] = x & 0xff;
      }
      a = jhash(SRC16, MAX_VIPS);
      explain?.push(`IPv6 source folded: jhash(source, 16, ${MAX_VIPS}) = ${hex32(a)}`);
    } else {
      a = dportOnly ? 0 : bswap32(w[W_SRC]!);
    }
    const hash = jhash2words(a, ports, this.seed);
    const slot = hash % plan.ringSize;
    explain?.push(`jhash_2words(${hex32(a)}, ports ${hex32(ports)}, seed ${this.seed} = MAX_VIPS ${MAX_VIPS} * RING_SIZE ${plan.ringSize}) = ${hex32(hash)}`);
    const state = this.#state;
    if (state === undefined) {
      explain?.push(`slot ${slot}: no real has a weight above 0, the ring is empty: XDP_DROP`);
      return explain ? { backend: null, hash: hashHex(hash), slot, reason: "no-backend", explain } : { backend: null, hash: hashHex(hash), slot, reason: "no-backend" };
    }
    const backend = state.ids[state.ring[slot]!]!;
    const reason = this.#stale ? "stale-ring" : "table";
    explain?.push(`slot = ${hex32(hash)} mod ${plan.ringSize} = ${slot} → ${backend}${this.#stale ? " (a ring left from reals no longer configured: Katran writes no ring without a weighted real)" : ""}`);
    return explain ? { backend, hash: hashHex(hash), slot, reason, explain } : { backend, hash: hashHex(hash), slot, reason };
  }

  #none(reason: string, explain: string[] | undefined, why?: string): Route {
    if (!explain) return { backend: null, hash: null, slot: null, reason };
    explain.push(why ?? `${reason}: Katran does not balance it`);
    return { backend: null, hash: null, slot: null, reason, explain };
  }

  /**
   * Many inputs at once. Flows of the VIP's family are validated one by one (the first bad one
   * throws, as route() would), then hashed, matched against the VIP and looked up in one Wasm
   * call (the route kernel's katran profile); packets, flows of the other family and flows
   * the kernel does not balance (not the VIP, not TCP/UDP, empty ring) go through route() for
   * their reason.
   */
  routeBatch(inputs: readonly KatranInput[]): Route[] {
    if (!Array.isArray(inputs)) throw flowpinError("INVALID_TYPE", `inputs must be an array of flows or packets, got ${show(inputs)}`);
    const n = inputs.length;
    const out: Route[] = new Array(n);
    const state = this.#state;
    if (state === undefined) {
      for (let i = 0; i < n; i++) out[i] = this.route(inputs[i]!);
      return out;
    }
    const plan = this.plan;
    const fam = plan.vipFamily;
    const wd = fam === 4 ? 1 : 4;
    const cols: RouteArrays = { family: fam, src: new Uint32Array(wd * n), dst: new Uint32Array(wd * n), sport: new Uint16Array(n), dport: new Uint16Array(n), proto: new Uint8Array(n) };
    const which = new Int32Array(n).fill(-1);
    const w = W;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const input = inputs[i]!;
      if (input instanceof Uint8Array || flowInto(input, w) !== "" || w[W_FAMILY] !== fam) {
        out[i] = this.route(input);
        continue;
      }
      for (let k = 0; k < wd; k++) {
        cols.src[wd * m + k] = w[W_SRC + k]!;
        cols.dst[wd * m + k] = w[W_DST + k]!;
      }
      cols.sport[m] = w[W_SPORT]!;
      cols.dport[m] = w[W_DPORT]!;
      cols.proto[m] = w[W_PROTO]!;
      which[i] = m++;
    }
    if (m === 0) return out;
    const spec = (this.#spec ??= katranSpec(plan, this.seed));
    const hashes = new Uint32Array(m);
    const idx = routeKernel(spec, state.ring, { ...cols, n: m }, new Int32Array(m), hashes);
    const M = plan.ringSize;
    const ids = state.ids;
    const reason = this.#stale ? "stale-ring" : "table";
    for (let i = 0; i < n; i++) {
      const j = which[i]!;
      if (j < 0) continue;
      const b = idx[j]!;
      if (b < 0) out[i] = this.route(inputs[i]!);
      else {
        const h = hashes[j]!;
        out[i] = { backend: ids[b]!, hash: hashHex(h), slot: h % M, reason };
      }
    }
    return out;
  }

  diff(next: System<KatranInput>, inputs: readonly KatranInput[]): RouteDiff<KatranInput> {
    return diffRoutes(this, next, inputs);
  }

  /**
   * ch_rings for the VIP: the Maglev ring over the reals (by address), or every slot empty
   * (real 0: dropped) before any real had a weight above 0. A stale ring (see modifyReals) is
   * the one Katran still holds.
   */
  table(): SystemTables {
    const state = this.#state;
    const size = this.plan.ringSize;
    if (state) {
      const { ring, ids, backends } = state;
      const version = this.plan.version;
      return {
        system: "katran",
        tables: [{
          kind: "maglev", name: "table", profile: "katran", size, backends: ids, weights: backends.map((b) => b.weight), table: Int32Array.from(ring),
          toBytes: () => encodeMaglev({ profile: "katran", size, options: { version }, backends, table: ring }),
        }],
      };
    }
    const reals = this.plan.reals;
    return {
      system: "katran",
      tables: [{ kind: "maglev", name: "table", profile: "katran", size, backends: reals.map((r) => r.id), weights: reals.map((r) => r.weight), table: new Int32Array(size).fill(-1) }],
    };
  }
}

/**
 * The route kernel's katran parameters for the VIP: balancer.bpf.c's vip_map match (the
 * destination words, the protocol, the port unless the VIP is port 0), and get_packet_hash's
 * inputs: dport zeroed for a port-0 VIP (unless F_HASH_DPORT_ONLY / F_HASH_SRC_DST_PORT keep
 * it), F_HASH_NO_SRC_PORT, F_HASH_DPORT_ONLY. A flow whose dport is the VIP's own port hashes
 * it as is, which a port-0 VIP's zeroing leaves unchanged (0 stays 0).
 */
function katranSpec(plan: KatranPlan, seed: number): RouteSpec {
  const f = plan.flags;
  const words = plan.vipFamily === 4 ? [plan.vipKey[0]!] : Array.from(plan.vipKey);
  return routeSpec(
    {
      profile: "katran",
      seed,
      noSrcPort: (f & F_HASH_NO_SRC_PORT) !== 0,
      dportOnly: (f & F_HASH_DPORT_ONLY) !== 0,
      zeroDport: plan.vipPort === 0 && (f & (F_HASH_DPORT_ONLY | F_HASH_SRC_DST_PORT)) === 0,
    },
    { size: plan.ringSize, match: plan.vipPort === 0 ? { dst: words, proto: plan.vipProto } : { dst: words, proto: plan.vipProto, dport: plan.vipPort } },
  );
}

const PACKET_FIELDS = ["packet"];

export const katranSystem: { create(config: KatranConfig): KatranSystem } & SystemDefinition<KatranConfig, KatranInput> = {
  name: "katran",
  summary: "Katran's XDP decision: VIP match, jhash flow hash seeded by the ring size, Maglev V1/V2 over folly-hashed reals",
  create: (config: KatranConfig) => new KatranSystem(config),
  // A 5-tuple, or {"packet": "<hex of the IP packet>"} as the vectors carry it.
  input: (record) => {
    const r = v.object("flow", record);
    if (Object.prototype.hasOwnProperty.call(r, "packet")) {
      v.knownFields("flow with a packet", r, PACKET_FIELDS);
      return hexBytes("packet", r.packet);
    }
    return flowFromRecord(r);
  },
  packet: (ip) => v.bytes("packet", ip),
};
