// An IPVS `mh` service in the kernel's terms (what ipvsadm sends it): the virtual service, the
// table size the kernel was built with, and the destination operations in the order they were
// applied. Validation refuses what ipvsadm or the kernel refuses, with their reason.
import { flowpinError, show } from "../../errors.js";
import { addressWords, formatAddress } from "../../flow.js";
import { inetNtop6 } from "../address.js";
import { LISTED_SIZES } from "../../profiles/maglev-profile.js";
import { didYouMean, int, knownFields, object } from "../../validate.js";

export type IpvsFamily = "inet" | "inet6";
export type IpvsProtocol = "tcp" | "udp" | "sctp";
/** ipvsadm -g (direct routing, the default), -i (IP-in-IP tunnel), -m (masquerading/NAT). */
export type IpvsForward = "droute" | "tunnel" | "masq";
/**
 * ipvsadm -b flags for mh: flag-1 is mh-fallback (IP_VS_SVC_F_SCHED1), flag-2 is mh-port
 * (IP_VS_SVC_F_SCHED2); flag-3 is accepted by the kernel and ignored by mh.
 */
export type IpvsSchedulerFlag = "mh-fallback" | "mh-port" | "flag-1" | "flag-2" | "flag-3";

/** The virtual service (ipvsadm -A). */
export interface IpvsServiceConfig {
  /** Default: the address's family (as ipvsadm decides it). */
  family?: IpvsFamily;
  address: string;
  /** 1-65535: ipvsadm refuses port 0 for a non-persistent service (persistence is not modelled). */
  port: number;
  protocol: IpvsProtocol;
  /** Only "mh" is modelled. */
  scheduler: "mh";
  flags?: IpvsSchedulerFlag[];
}

/** One destination change, in the order the kernel received it. */
export type IpvsOperation =
  /** ipvsadm -a: weight default 1 (ipvsadm's default), forward default "droute". */
  | { op: "add"; address: string; port: number; weight?: number; forward?: IpvsForward }
  /** ipvsadm -e: weight default 1 (ipvsadm sends 1 when -w is not given); forward default: unchanged. */
  | { op: "edit"; address: string; port: number; weight?: number; forward?: IpvsForward }
  /** ipvsadm -d. */
  | { op: "delete"; address: string; port: number }
  /** Not commands: the dest's connections reached its u_threshold (IP_VS_DEST_F_OVERLOAD set) or fell below its l_threshold (cleared). */
  | { op: "overload" | "underload"; address: string; port: number };

/**
 * An IPVS service scheduled by `mh`, exactly as a vector's `config`.
 *
 * @example
 * const config: IpvsConfig = {
 *   service: { family: "inet", address: "203.0.113.10", port: 80, protocol: "tcp", scheduler: "mh", flags: ["mh-port"] },
 *   table_size: 4093,
 *   operations: [{ op: "add", address: "10.0.0.1", port: 80, weight: 1, forward: "droute" }],
 * };
 */
export interface IpvsConfig {
  service: IpvsServiceConfig;
  /** The kernel's IP_VS_MH_TAB_SIZE: 251, 509, ..., 131071; default 4093 (CONFIG_IP_VS_MH_TAB_INDEX=12). */
  table_size?: number;
  /** The kernel build option behind table_size (8..17); give either or both (they must agree). */
  CONFIG_IP_VS_MH_TAB_INDEX?: number;
  operations?: IpvsOperation[];
}

/** An address validated once: its words, its family and its two spellings. */
export interface IpvsAddress {
  family: 4 | 6;
  /** Four 32-bit words, most significant first (IPv4: the address, then zeros). */
  words: Uint32Array;
  /** ::ffff:a.b.c.d written as IPv6. */
  mapped: boolean;
  /** RFC 5952 text (what the Maglev ipvs profile parses). */
  text: string;
  /** The kernel's / ipvsadm -L -n spelling (inet_ntop). */
  ntop: string;
}

export interface IpvsService {
  family: IpvsFamily;
  address: IpvsAddress;
  port: number;
  protocol: number;
  protocolName: IpvsProtocol;
  fallback: boolean;
  usePort: boolean;
  flags: readonly IpvsSchedulerFlag[];
  /** "tcp 203.0.113.10:80", the name `--name` picks a service by. */
  name: string;
}

export const CONFIG_FIELDS = ["service", "table_size", "CONFIG_IP_VS_MH_TAB_INDEX", "operations"];
const SERVICE_FIELDS = ["family", "address", "port", "protocol", "scheduler", "flags"];
const OP_FIELDS: Record<string, readonly string[]> = {
  add: ["op", "address", "port", "weight", "forward"],
  edit: ["op", "address", "port", "weight", "forward"],
  delete: ["op", "address", "port"],
  overload: ["op", "address", "port"],
  underload: ["op", "address", "port"],
};
const PROTOCOLS: Record<IpvsProtocol, number> = { tcp: 6, udp: 17, sctp: 132 };
const FORWARDS: readonly IpvsForward[] = ["droute", "tunnel", "masq"];
const FLAGS: readonly IpvsSchedulerFlag[] = ["mh-fallback", "mh-port", "flag-1", "flag-2", "flag-3"];
/** The kernel's other schedulers (net/netfilter/ipvs/ip_vs_*.c): real, but not modelled here. */
const OTHER_SCHEDULERS = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "twos"];
/** CONFIG_IP_VS_MH_TAB_INDEX 12 (Kconfig default) → 4093 slots. */
export const DEFAULT_TAB_INDEX = 12;
/** The kernel's ceiling for a dest weight (an `int`; ip_vs_add_dest refuses < 0). */
export const MAX_WEIGHT = 0x7fffffff;

/** `words` as inet_ntop writes them (glibc; ../address.ts inetNtop6 for IPv6). */
function ntop(words: Uint32Array, family: 4 | 6): string {
  const w = words;
  const dotted = (x: number): string => `${x >>> 24}.${(x >>> 16) & 0xff}.${(x >>> 8) & 0xff}.${x & 0xff}`;
  if (family === 4) return dotted(w[0]!);
  return inetNtop6(wordBytes(w));
}

function wordBytes(w: Uint32Array): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  for (let k = 0; k < 4; k++) dv.setUint32(4 * k, w[k]!);
  return b;
}

/** Parses an address with flow.ts (the one parser), keeping ::ffff:a.b.c.d as IPv6. */
export function ipvsAddress(name: string, value: unknown): IpvsAddress {
  if (typeof value !== "string") throw flowpinError("INVALID_TYPE", `${name} must be an IPv4 or IPv6 address string, got ${show(value)}`);
  const words = new Uint32Array(4);
  const fam = addressWords(value, words, 0, name);
  const mapped = fam === 4 && value.includes(":");
  if (mapped) {
    words[3] = words[0]!;
    words[0] = 0;
    words[1] = 0;
    words[2] = 0xffff;
  } else if (fam === 4) words.fill(0, 1);
  const family = mapped ? 6 : fam;
  const text = family === 4 ? ntop(words, 4) : mapped ? `::ffff:${ntop(words.subarray(3), 4)}` : formatAddress(wordBytes(words));
  return { family, words, mapped, text, ntop: ntop(words, family) };
}

/** "a.b.c.d:port" or "[v6]:port", as ipvsadm -L -n and the vectors name a dest. */
export function endpointName(a: IpvsAddress, port: number): string {
  return a.family === 4 ? `${a.ntop}:${port}` : `[${a.ntop}]:${port}`;
}

/** The table size from table_size and/or CONFIG_IP_VS_MH_TAB_INDEX (ip_vs_mh.c primes[]). */
export function tableSize(c: Record<string, unknown>): number {
  const index = c.CONFIG_IP_VS_MH_TAB_INDEX === undefined ? undefined : int("CONFIG_IP_VS_MH_TAB_INDEX", c.CONFIG_IP_VS_MH_TAB_INDEX, 8, 17, "INVALID_TABLE_SIZE");
  let size: number | undefined;
  if (c.table_size !== undefined) {
    if (typeof c.table_size !== "number") throw flowpinError("INVALID_TYPE", `table_size must be one of ${LISTED_SIZES.join(", ")}, got ${show(c.table_size)}`);
    if (!LISTED_SIZES.includes(c.table_size)) {
      throw flowpinError("INVALID_TABLE_SIZE", `table_size must be one of ${LISTED_SIZES.join(", ")} (ip_vs_mh.c primes[], CONFIG_IP_VS_MH_TAB_INDEX 8..17), got ${show(c.table_size)}`);
    }
    size = c.table_size;
  }
  if (index !== undefined) {
    const fromIndex = LISTED_SIZES[index - 8]!;
    if (size !== undefined && size !== fromIndex) {
      throw flowpinError("INVALID_TABLE_SIZE", `table_size ${size} disagrees with CONFIG_IP_VS_MH_TAB_INDEX ${index}, which gives ${fromIndex}`);
    }
    return fromIndex;
  }
  return size ?? LISTED_SIZES[DEFAULT_TAB_INDEX - 8]!;
}

/** The service of a config, as the kernel and ipvsadm accept it. */
export function parseService(value: unknown): IpvsService {
  const s = object("service", value);
  knownFields("service", s, SERVICE_FIELDS);
  const address = ipvsAddress("service.address", s.address);
  const family: IpvsFamily = address.family === 4 ? "inet" : "inet6";
  if (s.family !== undefined) {
    if (s.family !== "inet" && s.family !== "inet6") throw flowpinError("INVALID_CONFIG", `service.family must be "inet" or "inet6", got ${show(s.family)}${typeof s.family === "string" ? didYouMean(s.family, ["inet", "inet6"]) : ""}`);
    if (s.family !== family) throw flowpinError("MIXED_FAMILIES", `service.family is ${show(s.family)} but service.address ${show(s.address)} is an ${family} address`);
  }
  if (typeof s.port !== "number") throw flowpinError("INVALID_TYPE", `service.port must be an integer in 1..65535, got ${show(s.port)}`);
  int("service.port", s.port, 0, 65535, "INVALID_PORT");
  // ipvsadm.c process_options: "Zero port specified for non-persistent service".
  if (s.port === 0) throw flowpinError("INVALID_PORT", "service.port 0: ipvsadm refuses a zero port for a non-persistent service (persistent services are not modelled)");
  const protocolName = s.protocol;
  if (typeof protocolName !== "string" || !Object.prototype.hasOwnProperty.call(PROTOCOLS, protocolName)) {
    // ip_vs_ctl.c: only TCP, UDP and SCTP services exist ("set_ctl: invalid protocol").
    throw flowpinError("INVALID_PROTOCOL", `service.protocol must be "tcp", "udp" or "sctp" (the only IPVS service protocols), got ${show(protocolName)}${typeof protocolName === "string" ? didYouMean(protocolName, Object.keys(PROTOCOLS)) : ""}`);
  }
  const scheduler = s.scheduler;
  if (scheduler !== "mh") {
    if (typeof scheduler === "string" && OTHER_SCHEDULERS.includes(scheduler)) {
      throw flowpinError("INVALID_CONFIG", `service.scheduler ${show(scheduler)} is an IPVS scheduler flowpin does not model; only "mh" (Maglev hashing) is`);
    }
    // ip_vs_ctl.c ip_vs_add_service: "Scheduler module ip_vs_%s not found" (-ENOENT).
    throw flowpinError("INVALID_CONFIG", `service.scheduler must be "mh", got ${show(scheduler)}${typeof scheduler === "string" ? `: the kernel has no scheduler module ip_vs_${scheduler}${didYouMean(scheduler, ["mh", ...OTHER_SCHEDULERS])}` : ""}`);
  }
  const flags = s.flags === undefined ? [] : s.flags;
  if (!Array.isArray(flags)) throw flowpinError("INVALID_TYPE", `service.flags must be an array of ${FLAGS.join(", ")}, got ${show(flags)}`);
  flags.forEach((f: unknown, i: number) => {
    if (typeof f === "string" && FLAGS.includes(f as IpvsSchedulerFlag)) return;
    // ipvsadm.c parse_sched_flags: sh-* flags belong to the sh scheduler.
    if (f === "sh-fallback" || f === "sh-port") throw flowpinError("INVALID_CONFIG", `service.flags[${i}]: incompatible scheduler flag ${show(f)} (sh only); mh has mh-fallback (flag-1) and mh-port (flag-2)`);
    throw flowpinError("INVALID_CONFIG", `service.flags[${i}]: invalid scheduler flag ${show(f)}${typeof f === "string" ? didYouMean(f, FLAGS) : ""}; known: ${FLAGS.join(", ")}`);
  });
  const has = (a: string, b: string): boolean => flags.includes(a) || flags.includes(b);
  const port = s.port;
  const name = `${protocolName} ${endpointName(address, port)}`;
  return {
    family,
    address,
    port,
    protocol: PROTOCOLS[protocolName as IpvsProtocol],
    protocolName: protocolName as IpvsProtocol,
    fallback: has("mh-fallback", "flag-1"),
    usePort: has("mh-port", "flag-2"),
    flags: Object.freeze(flags.slice() as IpvsSchedulerFlag[]),
    name,
  };
}

/** A validated operation; `at` names it in messages ("operations[3]"). */
export interface IpvsOp {
  at: string;
  op: "add" | "edit" | "delete" | "overload" | "underload";
  address: IpvsAddress;
  port: number;
  weight: number;
  forward: IpvsForward | undefined;
}

const OP_NAMES = Object.keys(OP_FIELDS);

export function parseOperation(value: unknown, index: number): IpvsOp {
  const at = `operations[${index}]`;
  const o = object(at, value);
  const op = o.op;
  if (typeof op !== "string" || !OP_NAMES.includes(op)) {
    throw flowpinError("INVALID_CONFIG", `${at}.op must be one of ${OP_NAMES.join(", ")}, got ${show(op)}${typeof op === "string" ? didYouMean(op, OP_NAMES) : ""}`);
  }
  knownFields(at, o, OP_FIELDS[op]!);
  const address = ipvsAddress(`${at}.address`, o.address);
  if (typeof o.port !== "number") throw flowpinError("INVALID_TYPE", `${at}.port must be an integer in 0..65535, got ${show(o.port)}`);
  const port = int(`${at}.port`, o.port, 0, 65535, "INVALID_PORT");
  let weight = 1;
  if (o.weight !== undefined) {
    if (typeof o.weight !== "number") throw flowpinError("INVALID_TYPE", `${at}.weight must be an integer in 0..${MAX_WEIGHT}, got ${show(o.weight)}`);
    // ip_vs_ctl.c ip_vs_add_dest / ip_vs_edit_dest: "server weight less than zero" (-ERANGE); an int above.
    weight = int(`${at}.weight`, o.weight, 0, MAX_WEIGHT, "INVALID_WEIGHT");
  }
  let forward: IpvsForward | undefined;
  if (o.forward !== undefined) {
    if (typeof o.forward !== "string" || !FORWARDS.includes(o.forward as IpvsForward)) {
      throw flowpinError("INVALID_CONFIG", `${at}.forward must be one of ${FORWARDS.join(", ")}, got ${show(o.forward)}${typeof o.forward === "string" ? didYouMean(o.forward, FORWARDS) : ""}`);
    }
    forward = o.forward as IpvsForward;
  } else if (op === "add") forward = "droute";
  return { at, op: op as IpvsOp["op"], address, port, weight, forward };
}

/**
 * Why ip_vs_ctl.c ip_vs_new_dest refuses an address (-EINVAL), as far as it does not depend on
 * the director's own addresses: IPv4 must be unicast (not 0.0.0.0/8, 255.255.255.255 or
 * multicast: inet_addr_type), IPv6 unicast and not link-local (ipv6_addr_type; a link-local
 * address of the director itself is allowed, which flowpin cannot know).
 */
export function destAddressProblem(a: IpvsAddress): string | undefined {
  const w = a.words;
  if (a.family === 4) {
    const x = w[0]!;
    if (x >>> 24 === 0) return "0.0.0.0/8 is not a unicast address";
    if (x === 0xffffffff) return "the limited broadcast address is not a unicast address";
    if (x >>> 28 === 0xe) return "a multicast address is not a unicast address";
    return undefined;
  }
  if (a.mapped) return "an IPv4-mapped IPv6 address is not an IPv6 unicast address";
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0) return "the unspecified address :: is not a unicast address";
  if (w[0]! >>> 24 === 0xff) return "a multicast address is not a unicast address";
  if (w[0]! >>> 22 === 0x3fa) return "a link-local address is refused unless it is the director's own";
  return undefined;
}
