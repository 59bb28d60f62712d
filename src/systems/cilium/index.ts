/**
 * The `cilium` system: which backend Cilium's per-packet load balancer (kube-proxy
 * replacement with `--bpf-lb-algorithm=maglev`: the tc/XDP NodePort path, and ClusterIP with
 * bpf-lb-external-clusterip) picks for the first packet of a connection, for Cilium 1.16 and
 * 1.17+ (whose datapath hashes the two ports swapped).
 *
 * The decision, in the datapath's order (bpf/lib/lb.h, nodeport.h):
 * 1. lbX_extract_tuple: only TCP and UDP are load-balanced (ICMP, SCTP without --enable-sctp
 *    and anything else are passed on): reason "unsupported-protocol".
 * 2. the service lookup by destination address and port, and from 1.17 on by protocol (1.16
 *    writes its service keys with protocol 0, so a UDP packet to a TCP frontend is balanced):
 *    reason "no-service" when the frontend does not match (Cilium does not balance it).
 * 3. svc->count 0, no backend in the table: reason "no-backend" (dropped, DROP_NO_SERVICE).
 * 4. the flow hash (see hash.ts) modulo the table size, and the Maglev table slot: "table".
 * Packets add "fragment" and "invalid-packet" (see packet.ts).
 *
 * The table: pkg/maglev through flowpin's Maglev "cilium" profile, over the backends the
 * control plane keeps (config.ts), hashed as "addr:port" (1.16) or
 * "[addr:port/PROTO,State:active]" (1.17+). Backends are named as Cilium prints them.
 *
 * @example
 * import { systems } from "flowpin";
 * const svc = systems.cilium({ version: "1.17+",
 *   service: { frontend: "203.0.113.10:443/TCP", session_affinity: false, scope: "external" },
 *   maglev: { table_size: 16381, hash_seed: "JLfvgnHc2kaSUFaI" },
 *   backends: [{ address: "10.0.0.1", port: 8443, protocol: "TCP", weight: 100, state: "active" },
 *              { address: "10.0.0.2", port: 8443, protocol: "TCP", weight: 100, state: "active" }] });
 * svc.route({ src: "198.51.100.7", dst: "203.0.113.10", sport: 51512, dport: 443, proto: 6 });
 * // { backend: "10.0.0.2:8443", hash: "…", slot: …, reason: "table" }
 */
import { hexBytes } from "../../encoding.js";
import { flowpinError, show } from "../../errors.js";
import { parsePort, parseProtocol, type Flow } from "../../flow.js";
import { Maglev } from "../../maglev.js";
import { FlowBatch } from "../../flow-batch.js";
import { routeKernel, routeSpec, type RouteArrays, type RouteSpec } from "../../engine/route-kernel.js";
import { knownFields, object } from "../../validate.js";
import { flowFromRecord } from "../flow-input.js";
import { diffRoutes, hashHex, maglevSlots, type Route, type RouteDiff, type RouteOptions, type System, type SystemDefinition, type SystemTables } from "../system.js";
import { ciliumAddress, normalize, type CiliumConfig, type CiliumSeeds, type CiliumVersion, type Normalized } from "./config.js";
import { hashInputText, hashV4, hashV6, portsWord } from "./hash.js";
import { extractTuple, TupleStatus, type Tuple } from "./packet.js";

export type { CiliumBackend, CiliumBackendState, CiliumConfig, CiliumProtocol, CiliumSeeds, CiliumService, CiliumVersion } from "./config.js";

/**
 * A flow (5-tuple) or one IP packet (from its IPv4/IPv6 header on). `::ffff:a.b.c.d` is an
 * IPv6 address here, as in the packet.
 * @example svc.route({ src: "::ffff:198.51.100.7", dst: "2001:db8::10", sport: 40000, dport: 443, proto: "tcp" })
 * @example svc.route(ipPacket) // Uint8Array from the IP header on, e.g. readPcap(file).packets[0].ip
 */
export type CiliumInput = Flow | Uint8Array;

/**
 * reason: "table" (the Maglev slot's backend), "no-service" (no frontend matches: not
 * load-balanced), "unsupported-protocol" (not TCP/UDP: not load-balanced), "no-backend" (the
 * service has no backend in its table: dropped), "fragment", "invalid-packet" (packets only).
 */
export type CiliumReason = "table" | "no-service" | "unsupported-protocol" | "no-backend" | "fragment" | "invalid-packet";

/**
 * One decision; `hash` and `slot` are null where the datapath did not hash.
 * @example { backend: "10.58.129.100:8443", hash: "367ad604", slot: 81, reason: "table" }
 * @example { backend: null, hash: null, slot: null, reason: "no-service" }
 */
export interface CiliumRoute extends Route {
  reason: CiliumReason;
}

/**
 * What the agent computed for the service (the vectors' `cilium_state`).
 * @example systems.cilium(config).state().hashStrings // ["[10.0.0.1:8443/TCP,State:active]", ...]
 */
export interface CiliumState {
  version: CiliumVersion;
  /** The frontend as Cilium prints it. */
  frontend: string;
  seeds: CiliumSeeds;
  /** The table backends' hash strings, sorted as pkg/maglev sorts and hashes them. */
  hashStrings: string[];
  /** Slots per table backend, by backend name ("addr:port"). */
  slotsPerBackend: Record<string, number>;
  /** The protocol in the service map key: 0 in 1.16 (u8proto.ANY), the frontend's from 1.17. */
  serviceKeyProto: number;
  /** svc->count: backends in the table. */
  count: number;
  /** SVC_FLAG_AFFINITY (16) under session affinity. */
  flags: number;
  /** Which backends the table holds, in words. */
  tableRule: string;
}

const PROTO_NAME: Record<number, string> = { 1: "ICMP", 6: "TCP", 17: "UDP", 58: "ICMPv6", 132: "SCTP" };
const protoName = (p: number): string => PROTO_NAME[p] ?? `protocol ${p}`;
/** lb.h SVC_FLAG_AFFINITY. */
const SVC_FLAG_AFFINITY = 1 << 4;

// Scratch for the flow being routed: one route at a time, no allocation per flow.
const TUPLE: Tuple = { words: new Uint32Array(8), family: 4, sport: 0, dport: 0, proto: 0, why: "" };

export class CiliumSystem implements System<CiliumInput, CiliumRoute> {
  readonly system = "cilium" as const;
  readonly #c: Normalized;
  readonly #maglev: Maglev | undefined;
  readonly #table: Uint16Array | Uint32Array | undefined;
  /** Backend name per Maglev backend index. */
  readonly #names: string[];
  readonly #seed4: number;
  readonly #seed6: number;
  readonly #fe: Uint32Array;
  readonly #fePort: number;
  /** The protocol a packet must carry to match, or -1 for any (1.16's key proto 0). */
  readonly #feProto: number;
  /** The route kernel's parameters for IPv4 and IPv6 flows (hash, frontend match). */
  readonly #spec4: RouteSpec;
  readonly #spec6: RouteSpec;

  constructor(config: CiliumConfig) {
    const c = normalize(config);
    this.#c = c;
    this.#seed4 = c.seeds.jhash0;
    this.#seed6 = c.seeds.jhash1;
    this.#fe = c.frontend.words;
    this.#fePort = c.frontend.port;
    this.#feProto = c.version === "1.16" ? -1 : c.frontend.proto;
    // The datapath's whole IPv4/IPv6 flow decision as the kernel's match: TCP/UDP only, the
    // frontend's address and port, and from 1.17 its protocol; anything else is -1.
    const match = { tcpUdpOnly: true, dst: this.#fe, dport: this.#fePort, ...(this.#feProto >= 0 ? { proto: this.#feProto } : {}) };
    const hash = { swapped: c.version !== "1.16", affinity: c.affinity };
    this.#spec4 = routeSpec({ profile: "cilium", seed: this.#seed4, ...hash }, { size: c.tableSize, match });
    this.#spec6 = routeSpec({ profile: "cilium", seed: this.#seed6, ...hash }, { size: c.tableSize, match });
    const table = c.table.map((i) => c.backends[i]!);
    this.#names = table.map((b) => b.name);
    if (table.length === 0) return;
    // Maglev ids are the backend names (what `flowpin table` prints and FPMG files keep); from
    // 1.17 one addr:port may serve two protocols, and then the id adds the protocol.
    const twice = new Set(this.#names.filter((n, k) => this.#names.indexOf(n) !== k));
    this.#maglev = new Maglev({
      profile: "cilium",
      size: c.tableSize,
      seed: c.hashSeed,
      // pkg/maglev fills the M slots whatever the backend count: with more backends than slots
      // some get none, and Cilium builds it (M >= 100·N is only advice).
      allowUnslotted: true,
      backends: table.map((b) => {
        const id = twice.has(b.name) ? `${b.name}/${b.protocol}` : b.name;
        // 1.16 hashes Backend.String() = "addr:port" (given as the key); 1.17+ the hash string
        // the profile builds from the address, port and protocol.
        return c.version === "1.16" ? { id, key: b.name, weight: b.weight } : { id, address: b.host, port: b.port, protocol: b.protocol, weight: b.weight };
      }),
    });
    this.#table = this.#maglev.table;
  }

  /** The agent's view of the service: seeds, hash strings, slots, svc count and flags. */
  state(): CiliumState {
    const c = this.#c;
    const m = this.#maglev;
    const slotsPerBackend: Record<string, number> = {};
    if (m) m.stats().entries.forEach((n, i) => (slotsPerBackend[this.#names[i]!] = (slotsPerBackend[this.#names[i]!] ?? 0) + n));
    return {
      version: c.version,
      frontend: c.frontend.text,
      seeds: { ...c.seeds },
      hashStrings: m ? m.backends.map((b) => b.key!).sort(compareBytes) : [],
      slotsPerBackend,
      serviceKeyProto: c.version === "1.16" ? 0 : c.frontend.proto,
      count: c.table.length,
      flags: c.affinity ? SVC_FLAG_AFFINITY : 0,
      tableRule: c.tableRule,
    };
  }

  route(input: CiliumInput, options: RouteOptions = {}): CiliumRoute {
    const t = TUPLE;
    const explain = options.explain === true ? ([] as string[]) : undefined;
    if (input instanceof Uint8Array) {
      const status = extractTuple(input, t);
      if (status === TupleStatus.INVALID) return done("invalid-packet", explain, `not routed: ${t.why}`);
      if (status === TupleStatus.FRAGMENT) return done("fragment", explain, `not routed: ${t.why}`);
      explain?.push(`packet: IPv${t.family} ${protoName(t.proto)}${status === TupleStatus.OK ? ` ${t.sport} → ${t.dport}` : ""}`);
    } else readFlow(input, t);
    return this.#decide(t, explain);
  }

  #decide(t: Tuple, explain: string[] | undefined): CiliumRoute {
    const c = this.#c;
    const w = t.words;
    if (t.proto !== 6 && t.proto !== 17) {
      return done("unsupported-protocol", explain, `${protoName(t.proto)} is not load-balanced: lbX_extract_tuple takes TCP and UDP only${t.proto === 132 ? " (SCTP needs --enable-sctp)" : ""}`);
    }
    const fe = this.#fe;
    const sameAddress = t.family === c.frontend.family && (t.family === 4 ? w[4] === fe[0] : w[4] === fe[0] && w[5] === fe[1] && w[6] === fe[2] && w[7] === fe[3]);
    if (!sameAddress || t.dport !== this.#fePort || (this.#feProto >= 0 && t.proto !== this.#feProto)) {
      if (!explain) return { backend: null, hash: null, slot: null, reason: "no-service" };
      const why = !sameAddress ? "the destination address is not the frontend's" : t.dport !== this.#fePort ? `destination port ${t.dport} is not the frontend's` : `${protoName(t.proto)} does not match: from 1.17 the service key holds the protocol`;
      return done("no-service", explain, `no service: ${why} (${c.frontend.text}); the packet is not load-balanced`);
    }
    if (explain) explain.push(`service ${c.frontend.text}${c.version === "1.16" ? " (1.16 keys services with protocol 0: any TCP/UDP matches)" : ""}, ${c.table.length} backend${c.table.length === 1 ? "" : "s"} in the table: ${c.tableRule}`);
    const table = this.#table;
    if (!table) return done("no-backend", explain, "svc->count is 0: the packet is dropped (DROP_NO_SERVICE)");
    const ports = portsWord(c.version, c.affinity, t.sport, t.dport);
    const hash = t.family === 4 ? hashV4(w[0]!, ports, t.proto, this.#seed4) : hashV6(w, 0, ports, t.proto, this.#seed6);
    const M = c.tableSize;
    const slot = hash % M;
    const backend = this.#names[table[slot]!]!;
    if (explain) {
      explain.push(
        `${c.version === "1.16" ? `hash_from_tuple (1.16): ports = sport << 16 | dport${c.affinity ? " (session affinity does not change the 1.16 hash)" : ""}` : `1.17+ swaps the ports: ports = dport << 16 | ${c.affinity ? "0 (session affinity zeroes the client port)" : "sport"}`}, each a network-order u16 read on x86-64`,
        `hash input: ${hashInputText(t.family, w, 0, ports, t.proto, t.family === 4 ? this.#seed4 : this.#seed6)} = ${hashHex(hash)}`,
        `slot = ${hashHex(hash)} mod ${M} = ${slot} → ${backend}`,
      );
      return { backend, hash: hashHex(hash), slot, reason: "table", explain };
    }
    return { backend, hash: hashHex(hash), slot, reason: "table" };
  }

  /**
   * Many inputs at once. Flows of the frontend's family are validated one by one (the first
   * bad one throws, as route() would), then hashed and looked up in one Wasm call; packets,
   * flows of the other family and flows the datapath does not balance (no service, not
   * TCP/UDP, no backend) go through route() for their reason.
   */
  routeBatch(inputs: readonly CiliumInput[]): CiliumRoute[] {
    if (!Array.isArray(inputs)) throw flowpinError("INVALID_TYPE", `inputs must be an array of flows or packets, got ${show(inputs)}`);
    const n = inputs.length;
    const out: CiliumRoute[] = new Array(n);
    const table = this.#table;
    const fam = this.#c.frontend.family;
    const w = fam === 4 ? 1 : 4;
    const cols: RouteArrays = { family: fam, src: new Uint32Array(w * n), dst: new Uint32Array(w * n), sport: new Uint16Array(n), dport: new Uint16Array(n), proto: new Uint8Array(n) };
    const which = new Int32Array(n).fill(-1);
    let m = 0;
    const t = TUPLE;
    for (let i = 0; i < n; i++) {
      const input = inputs[i]!;
      if (input instanceof Uint8Array || !table) {
        out[i] = this.route(input);
        continue;
      }
      readFlow(input, t);
      if (t.family !== fam) {
        out[i] = this.#decide(t, undefined);
        continue;
      }
      for (let k = 0; k < w; k++) {
        cols.src[w * m + k] = t.words[k]!;
        cols.dst[w * m + k] = t.words[4 + k]!;
      }
      cols.sport[m] = t.sport;
      cols.dport[m] = t.dport;
      cols.proto[m] = t.proto;
      which[i] = m++;
    }
    if (m === 0) return out;
    const hashes = new Uint32Array(m);
    const idx = routeKernel(fam === 4 ? this.#spec4 : this.#spec6, table!, { ...cols, n: m }, new Int32Array(m), hashes);
    const M = this.#c.tableSize;
    const names = this.#names;
    for (let i = 0; i < n; i++) {
      const j = which[i]!;
      if (j < 0) continue;
      const b = idx[j]!;
      if (b < 0) out[i] = this.route(inputs[i]!);
      else {
        const h = hashes[j]!;
        out[i] = { backend: names[b]!, hash: hashHex(h), slot: h % M, reason: "table" };
      }
    }
    return out;
  }

  /**
   * Table index (into `state().hashStrings`' backends in table order, i.e. `backendNames`)
   * per flow, -1 where the datapath does not balance it (not TCP/UDP, not the frontend, no
   * backend), from a FlowBatch or typed columns in one Wasm call; `hashes` receives the flow
   * hashes. Columns hold the packets as Cilium sees them: family 4 = IPv4 packets. Returns `out`.
   * @example svc.routeIndices(batch, new Int32Array(batch.length))
   */
  routeIndices(flows: FlowBatch | RouteArrays, out?: Int32Array, hashes?: Uint32Array): Int32Array {
    const batch = flows instanceof FlowBatch;
    if (!batch && !(typeof flows === "object" && flows !== null && flows.src instanceof Uint32Array && flows.sport instanceof Uint16Array && (flows.family === 4 || flows.family === 6))) {
      throw flowpinError("INVALID_TYPE", `flows must be a FlowBatch or {family, src, dst, sport, dport, proto} typed arrays, got ${show(flows)}`);
    }
    const n = batch ? flows.length : (flows.n ?? flows.sport.length);
    const o = out ?? new Int32Array(n);
    if (!(o instanceof Int32Array)) throw flowpinError("INVALID_TYPE", `out must be an Int32Array, got ${show(out)}`);
    if (flows.family !== this.#c.frontend.family) {
      // No frontend of the other family: nothing is balanced (the hash is still given).
      routeKernel(flows.family === 4 ? this.#spec4 : this.#spec6, null, flows, o, hashes);
      return o;
    }
    return routeKernel(flows.family === 4 ? this.#spec4 : this.#spec6, this.#table ?? null, flows, o, hashes);
  }

  /** Backend names ("addr:port") in table index order, for routeIndices(). */
  get backendNames(): readonly string[] {
    return this.#names;
  }

  diff(next: System<CiliumInput, CiliumRoute>, inputs: readonly CiliumInput[]): RouteDiff<CiliumInput> {
    return diffRoutes<CiliumInput>(this, next, inputs);
  }

  /** The service's Maglev table (backends named "addr:port", "addr:port/PROTO" where two protocols share one); none while svc->count is 0. */
  table(): SystemTables {
    if (!this.#maglev) return { system: "cilium", tables: [], none: "the service has no backend in its table (svc->count 0): every packet is dropped" };
    return { system: "cilium", tables: [maglevSlots("table", this.#maglev)] };
  }
}

function done(reason: CiliumReason, explain: string[] | undefined, why: string): CiliumRoute {
  if (explain) {
    explain.push(why);
    return { backend: null, hash: null, slot: null, reason, explain };
  }
  return { backend: null, hash: null, slot: null, reason };
}

/** A flow into the scratch tuple; each field read once. */
function readFlow(flow: Flow, t: Tuple): void {
  if (typeof flow !== "object" || flow === null) throw flowpinError("INVALID_TYPE", `flow must be an object {src, dst, sport, dport, proto} or a Uint8Array IP packet, got ${show(flow)}`);
  const src = flow.src;
  const dst = flow.dst;
  const fs = ciliumAddress(src, t.words, 0, "src");
  const fd = ciliumAddress(dst, t.words, 4, "dst");
  if (fs !== fd) throw flowpinError("MIXED_FAMILIES", `src and dst must be the same address family (::ffff:a.b.c.d is IPv6 for Cilium, as in the packet), got IPv${fs} src ${show(src)} and IPv${fd} dst ${show(dst)}`);
  t.family = fs;
  t.sport = parsePort(flow.sport, "sport");
  t.dport = parsePort(flow.dport, "dport");
  t.proto = parseProtocol(flow.proto, "proto");
}

/** Bytewise order of ASCII strings (Go's sort.Strings / cmp.Compare). */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A JSON line / CSV row / --flow spec: a 5-tuple, or `{"packet": "<hex of the IP packet>"}` as the vectors carry it. */
function inputFromRecord(record: Record<string, unknown>): CiliumInput {
  const r = object("flow", record);
  if (Object.prototype.hasOwnProperty.call(r, "packet")) {
    knownFields("packet input", r, ["packet"]);
    return hexBytes("packet", r.packet);
  }
  return flowFromRecord(r, ["packet"]);
}

/** The registry's entry for `cilium`. */
export const ciliumSystem: SystemDefinition<CiliumConfig, CiliumInput, CiliumRoute> = {
  name: "cilium",
  summary: "Cilium 1.16 / 1.17+ Maglev service load balancing (per-packet datapath, first packet of a connection)",
  create: (config: CiliumConfig) => new CiliumSystem(config),
  input: inputFromRecord,
  packet: (ip: Uint8Array) => ip,
};

/** `systems.cilium(config)` with its own result type. */
export function cilium(config: CiliumConfig): System<CiliumInput, CiliumRoute> & Pick<CiliumSystem, "state" | "routeIndices" | "backendNames" | "table"> {
  return new CiliumSystem(config);
}
