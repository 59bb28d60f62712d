/**
 * The Linux IPVS `mh` (Maglev hashing) scheduler, end to end: the service a packet matches,
 * the client hash the kernel computes (hsiphash of the source address, plus the source port
 * with `mh-port`), the table built from the destinations' last_weight in the kernel's list
 * order, availability (weight 0 or overloaded), the `mh-fallback` re-hash walk, and "no
 * destination available" (net/netfilter/ipvs/ip_vs_mh.c, ip_vs_ctl.c).
 *
 * Route reasons: "table" (the first slot's dest is available), "fallback" (found by the
 * mh-fallback walk), and with `backend: null`: "unavailable" (the first slot's dest has weight 0
 * or is overloaded and the service has no mh-fallback), "empty-slot" (no dest has a
 * last_weight above 0, so every slot is NULL), "fallback-exhausted" (table-size re-hashes found
 * no available dest), "no-service" (the flow is not addressed to this service: IPVS passes it
 * to the local stack, the scheduler never sees it).
 *
 * Only packets that create a connection reach the scheduler; existing connections keep their
 * dest whatever the table says, and persistent services reuse a template per client: neither is
 * modelled (a route is the decision for a new connection).
 *
 * @example
 * import { systems } from "flowpin";
 * const svc = systems.ipvs({
 *   service: { family: "inet", address: "203.0.113.10", port: 80, protocol: "tcp", scheduler: "mh", flags: ["mh-port"] },
 *   table_size: 4093,
 *   operations: [{ op: "add", address: "10.0.0.1", port: 80, weight: 1, forward: "droute" }, { op: "add", address: "10.0.0.2", port: 80, weight: 2 }],
 * });
 * svc.route({ src: "198.51.100.7", dst: "203.0.113.10", sport: 51512, dport: 80, proto: "tcp" });
 * // { backend: "10.0.0.2:80", hash: "…", slot: …, reason: "table", hashInput: "…", probes: 1 }
 */
import { toHex } from "../../encoding.js";
import { flowpinError, show } from "../../errors.js";
import { addressWords, parsePort, parseProtocol, type Flow } from "../../flow.js";
import { bytes, knownFields, object } from "../../validate.js";
import { flowFromRecord } from "../flow-input.js";
import { diffRoutes, hashHex, maglevSlots, type Route, type RouteDiff, type RouteOptions, type System, type SystemDefinition, type SystemTables } from "../system.js";
import { CONFIG_FIELDS, parseOperation, parseService, tableSize, type IpvsConfig, type IpvsService } from "./config.js";
import { foldAddress, hashInput, hsiphash1 } from "./hash.js";
import { ipvsadmNative } from "./ipvsadm.js";
import { applyOperations, type Dest, type MhTable } from "./kernel.js";
import { ipvsPacket } from "./packet.js";

export type { IpvsConfig, IpvsForward, IpvsFamily, IpvsOperation, IpvsProtocol, IpvsSchedulerFlag, IpvsServiceConfig } from "./config.js";
export { parseIpvsadmSave, type IpvsadmParseOptions } from "./ipvsadm.js";

/** A flow as the scheduler sees it; `inverse: true` for the header quoted in an ICMP error (the server's reply). */
export interface IpvsFlow extends Flow {
  inverse?: boolean;
}

/** What `route` takes: a flow, or an IP packet (no link header) as IPVS parses it. */
export type IpvsInput = IpvsFlow | Uint8Array;

/** The mh decision for one flow. */
export interface IpvsRoute extends Route {
  /** v = offset 0 + port + folded client address (8 hex digits), or null where not scheduled. */
  hashInput: string | null;
  /** Slots read: 1 without a walk, more with mh-fallback; 0 where not scheduled. */
  probes: number;
  /** The slots read, in order (the first 32), when more than one. */
  slots?: number[];
}

/** A destination as the service holds it now. */
export interface IpvsDestination {
  name: string;
  weight: number;
  lastWeight: number;
  overloaded: boolean;
  forward: string;
}

// Kept slots in `slots` (the vectors record the same prefix).
const SLOT_LIST = 32;
// Explain lists this many walk steps, then a count.
const EXPLAIN_PROBES = 40;
// Address words of the flow being routed: src at 0, dst at 4.
const W = new Uint32Array(8);

/** An address given in an IPv6 spelling (text with ':' or 16 bytes) that flow.ts folded to IPv4. */
function v6Spelling(value: unknown): boolean {
  return typeof value === "string" ? value.includes(":") : value instanceof Uint8Array && value.length === 16;
}

/**
 * The family the kernel sees for an address: ::ffff:a.b.c.d is an IPv6 address on the wire,
 * but its text is also how dual-stack sockets name an IPv4 peer. An inet service only sees IPv4
 * packets, so there the text is the IPv4 address; an inet6 service only IPv6 packets, so there
 * it is the IPv6 address, words restored. 16 bytes are always the IPv6 address (a packet's).
 */
function effectiveFamily(fam: 4 | 6, value: unknown, at: number, inet6: boolean): 4 | 6 {
  // 16 bytes are what an IPv6 packet carries: IPv6 whatever the service.
  if (fam === 6 || !v6Spelling(value) || (!inet6 && !(value instanceof Uint8Array))) return fam;
  W[at + 3] = W[at]!;
  W[at] = 0;
  W[at + 1] = 0;
  W[at + 2] = 0xffff;
  return 6;
}

/** A built IPVS mh service: `route` plus what the kernel holds. */
export interface IpvsSystem extends System<IpvsInput, IpvsRoute> {
  table(): SystemTables;
  /** IP_VS_MH_TAB_SIZE. */
  readonly size: number;
  /** "tcp 203.0.113.10:80". */
  readonly service: string;
  /** The service's destinations now, in the order they were added (the kernel lists them last-added first). */
  destinations(): IpvsDestination[];
}

const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, "0");
const leHex = (v: number): string => toHex(Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24));

class IpvsMh implements IpvsSystem {
  readonly system = "ipvs" as const;
  /** IP_VS_MH_TAB_SIZE. */
  readonly size: number;
  /** "tcp 203.0.113.10:80". */
  readonly service: string;
  readonly #svc: IpvsService;
  readonly #inet6: boolean;
  readonly #table: MhTable;
  readonly #list: readonly Dest[];
  readonly #stale: boolean;

  constructor(config: IpvsConfig) {
    const c = object("ipvs config", config);
    knownFields("ipvs config", c, CONFIG_FIELDS);
    this.#svc = parseService(c.service);
    this.size = tableSize(c);
    const ops = c.operations === undefined ? [] : c.operations;
    if (!Array.isArray(ops)) throw flowpinError("INVALID_TYPE", `operations must be an array, got ${show(ops)}`);
    const parsed = [];
    for (let i = 0; i < ops.length; i++) parsed.push(parseOperation(ops[i], i));
    const { table, list, stale } = applyOperations(this.#svc, this.size, parsed);
    this.#table = table;
    this.#list = list;
    this.#stale = stale;
    this.#inet6 = this.#svc.family === "inet6";
    this.service = this.#svc.name;
  }

  /** The service's destinations now, in the order they were added. */
  destinations(): IpvsDestination[] {
    return this.#list.map((d) => ({ name: d.name, weight: d.weight, lastWeight: d.lastWeight, overloaded: d.overloaded, forward: d.forward }));
  }

  /** The dest a slot points at (null: empty). */
  #at(slot: number): Dest | null {
    const m = this.#table.maglev;
    return m === null ? null : this.#table.dests[m.table[slot]!]!;
  }

  route(input: IpvsInput, options: RouteOptions = {}): IpvsRoute {
    if (input instanceof Uint8Array) {
      const p = ipvsPacket(input);
      if (p.skip !== undefined) {
        return decision(null, null, null, "no-service", null, 0, undefined, options.explain ? [`packet: ${p.skip}; IPVS does not schedule it`] : undefined);
      }
      return this.#route(p.flow, options);
    }
    return this.#route(input, options);
  }

  #route(input: IpvsFlow, options: RouteOptions): IpvsRoute {
    if (typeof input !== "object" || input === null) throw flowpinError("INVALID_TYPE", `flow must be an object {src, dst, sport, dport, proto, inverse?} or an IP packet, got ${show(input)}`);
    // Each field read once (a getter may answer differently twice).
    const src = input.src;
    const dst = input.dst;
    const fs = effectiveFamily(addressWords(src, W, 0, "src"), src, 0, this.#inet6);
    const fd = effectiveFamily(addressWords(dst, W, 4, "dst"), dst, 4, this.#inet6);
    const sport = parsePort(input.sport, "sport");
    const dport = parsePort(input.dport, "dport");
    const proto = parseProtocol(input.proto, "proto");
    const inv = input.inverse;
    if (inv !== undefined && typeof inv !== "boolean") throw flowpinError("INVALID_TYPE", `inverse must be a boolean, got ${show(inv)}`);
    if (fs !== fd) throw flowpinError("MIXED_FAMILIES", `src and dst must be the same address family, got IPv${fs} src ${show(src)} and IPv${fd} dst ${show(dst)}`);
    const inverse = inv === true;
    const explain = options.explain ? ([] as string[]) : undefined;
    const svc = this.#svc;

    // The service lookup (ip_vs_core.c ip_vs_in -> ip_vs_service_find): family, protocol,
    // virtual address and port; for an inverse header the reply's source is the service.
    const vipAt = inverse ? 0 : 4;
    const vport = inverse ? sport : dport;
    const count = fs === 4 ? 1 : 4;
    let match = (fs === 4) === !this.#inet6 && proto === svc.protocol && vport === svc.port;
    for (let k = 0; match && k < count; k++) match = W[vipAt + k] === svc.address.words[k];
    if (!match) {
      explain?.push(`not addressed to ${svc.name}${inverse ? " (inverse header: its source must be the service)" : ""}: IPVS does not schedule it`);
      return decision(null, null, null, "no-service", null, 0, undefined, explain);
    }

    // ip_vs_mh_schedule: the client is saddr, or daddr of an inverse header; with mh-port the
    // client's port (ports[0], or ports[1] inverse), else 0 (ip_vs_mh_get_port).
    const at = inverse ? 4 : 0;
    const fold = foldAddress(W, at, count, this.#inet6);
    const port = svc.usePort ? (inverse ? dport : sport) : 0;
    const M = this.size;
    const v0 = hashInput(fold, port, 0);
    const h0 = hsiphash1(v0);
    const slot = h0 % M;
    const first = this.#at(slot);
    if (explain) {
      const client = inverse ? "destination of the inverse (ICMP-quoted) header" : "source";
      explain.push(
        `service ${svc.name}, scheduler mh${svc.flags.length ? ` -b ${svc.flags.join(",")}` : ""}, ${M} slots${this.#stale ? " (table from before the last operations: more dests than slots, the kernel kept it)" : ""}`,
        `client: ${client} address, fold by service family ${svc.family} = ${hex8(fold)}; port ${svc.usePort ? `${port} (mh-port)` : "0 (no mh-port)"}`,
        `hash input v = 0 + ${port} + ${hex8(fold)} = ${hex8(v0)}, hashed as its 4 little-endian bytes ${leHex(v0)}`,
        `hsiphash (SipHash-1-3, key {2654435761, 2654435761}) = ${hex8(h0)}; slot = ${hex8(h0)} mod ${M} = ${slot}`,
        `slot ${slot} → ${describe(first)}`,
      );
    }
    const hash = hashHex(h0);
    const inputHex = hex8(v0);
    if (first !== null && first.weight > 0 && !first.overloaded) return decision(first.name, hash, slot, "table", inputHex, 1, undefined, explain);
    if (first === null) {
      explain?.push("empty slot: no destination has a weight in the table → no destination available");
      return decision(null, hash, slot, "empty-slot", inputHex, 1, undefined, explain);
    }
    if (!svc.fallback) {
      explain?.push("unavailable and no mh-fallback → no destination available");
      return decision(null, hash, slot, "unavailable", inputHex, 1, undefined, explain);
    }

    // ip_vs_mh_get_fallback: re-hash with offset (i + first slot) mod M, i = 0 .. M-1; stop at an
    // empty slot or an available dest.
    const slots = [slot];
    let probes = 1;
    for (let i = 0; i < M; i++) {
      const roffset = (i + slot) % M;
      const v = hashInput(fold, port, roffset);
      const s = hsiphash1(v) % M;
      const dest = this.#at(s);
      probes++;
      if (slots.length < SLOT_LIST) slots.push(s);
      if (explain && probes <= EXPLAIN_PROBES) explain.push(`re-hash offset ${roffset}: v = ${hex8(v)}, slot ${s} → ${describe(dest)}`);
      if (dest === null) {
        explain?.push("empty slot ends the walk → no destination available");
        return decision(null, hash, slot, "empty-slot", inputHex, probes, slots, explain);
      }
      if (dest.weight > 0 && !dest.overloaded) {
        if (explain && probes > EXPLAIN_PROBES) explain.push(`… ${probes - EXPLAIN_PROBES} more re-hashes`);
        return decision(dest.name, hash, slot, "fallback", inputHex, probes, slots, explain);
      }
    }
    if (explain && probes > EXPLAIN_PROBES) explain.push(`… ${probes - EXPLAIN_PROBES} more re-hashes`);
    explain?.push(`${M} re-hashes found no available destination → no destination available`);
    return decision(null, hash, slot, "fallback-exhausted", inputHex, probes, slots, explain);
  }

  routeBatch(inputs: readonly IpvsInput[]): IpvsRoute[] {
    if (!Array.isArray(inputs)) throw flowpinError("INVALID_TYPE", `inputs must be an array of flows, got ${show(inputs)}`);
    const out: IpvsRoute[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) out[i] = this.route(inputs[i]!);
    return out;
  }

  diff(next: System<IpvsInput, IpvsRoute>, inputs: readonly IpvsInput[]): RouteDiff<IpvsInput> {
    return diffRoutes(this, next, inputs);
  }

  /**
   * The mh table as the kernel holds it: slots over the destinations of the last successful
   * reassign (weighted by last_weight, so a dest edited to weight 0 keeps its slots), or every
   * slot NULL (-1) when no destination had a weight.
   */
  table(): SystemTables {
    const t = this.#table;
    if (t.maglev) return { system: "ipvs", tables: [maglevSlots("table", t.maglev)] };
    return { system: "ipvs", tables: [{ kind: "maglev", name: "table", profile: "ipvs", size: this.size, backends: t.dests.map((d) => d.name), weights: t.dests.map(() => 0), table: new Int32Array(this.size).fill(-1) }] };
  }
}

/** One result object, built in one shape (no spreads: this is the per-flow path). */
function decision(backend: string | null, hash: string | null, slot: number | null, reason: string, hashInput: string | null, probes: number, slots: number[] | undefined, explain: string[] | undefined): IpvsRoute {
  const r: IpvsRoute = { backend, hash, slot, reason, hashInput, probes };
  if (slots !== undefined) r.slots = slots;
  if (explain !== undefined) r.explain = explain;
  return r;
}

function describe(d: Dest | null): string {
  if (d === null) return "empty";
  const state = d.weight <= 0 ? "unavailable: weight 0" : d.overloaded ? "unavailable: overloaded" : "available";
  return `${d.name} (weight ${d.weight}, ${state}${d.listed ? "" : ", deleted since the table was built"})`;
}

/** The ipvs system: `systems.ipvs(config)` and `flowpin route` with an ipvs config or an ipvsadm-save file. */
export const ipvsSystem: SystemDefinition<IpvsConfig, IpvsInput, IpvsRoute> = {
  name: "ipvs",
  summary: "Linux IPVS mh scheduler: hsiphash client hash, mh-port, mh-fallback, ipvsadm-save files",
  create: (config: IpvsConfig) => new IpvsMh(config),
  input: (record) => {
    const flow: IpvsFlow = flowFromRecord(record, ["inverse"]);
    if (record.inverse !== undefined) flow.inverse = record.inverse as boolean;
    return flow;
  },
  packet: (ip) => bytes("packet", ip),
  native: ipvsadmNative,
};

/**
 * Builds an IPVS mh service from its configuration (`systems.ipvs`).
 * @example systems.ipvs({ service: { address: "203.0.113.10", port: 80, protocol: "tcp", scheduler: "mh" }, operations: [{ op: "add", address: "10.0.0.1", port: 80 }] }).size // 4093
 */
export function ipvs(config: IpvsConfig): IpvsSystem {
  return new IpvsMh(config);
}
