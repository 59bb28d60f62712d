// Cilium's service configuration in its own terms (the `config` objects of
// test/vectors/systems/cilium.json), validated, and the control plane's choice of the backends
// that go into the Maglev table.
import { base64Bytes } from "../../encoding.js";
import { flowpinError, show } from "../../errors.js";
import { packetWords } from "../address.js";
import { formatIPv4, formatIPv6 } from "../../profiles/address.js";
import { CILIUM_DEFAULT_SEED } from "../../profiles/cilium.js";
import { listedSizeProblem } from "../../profiles/maglev-profile.js";
import { didYouMean, int, knownFields, object } from "../../validate.js";

/** "1.16" = Cilium v1.16.x; "1.17+" = v1.17.0 and later (the datapath hashes the ports swapped). */
export type CiliumVersion = "1.16" | "1.17+";

/** A backend's state (loadbalancer.BackendState). "terminating-not-serving" exists from 1.18 on. */
export type CiliumBackendState = "active" | "terminating" | "quarantined" | "maintenance" | "terminating-not-serving";

/** The L4 protocols Cilium names in an L3n4Addr (loadbalancer.L4Type). */
export type CiliumProtocol = "TCP" | "UDP" | "SCTP";

/** One backend of the service, as the agent holds it. */
export interface CiliumBackend {
  /** IPv4 or IPv6 address, any RFC 4291 spelling; printed and hashed in Go netip form. */
  address: string;
  port: number;
  /** Default: the frontend's protocol. */
  protocol?: CiliumProtocol;
  /** uint16, default 100 (DefaultBackendWeight); 0 puts the backend in maintenance. */
  weight?: number;
  /** Default "active". */
  state?: CiliumBackendState;
  /** 1.16 only: Backend.Preferred (service affinity); when any active backend is preferred, only those serve. */
  preferred?: boolean;
}

/** The service: its frontend and the flags that change the decision. */
export interface CiliumService {
  /** The frontend L3n4Addr: "203.0.113.10:443/TCP" or "[2001:db8::10]:443/TCP". */
  frontend: string;
  /** sessionAffinity: ClientIP (SVC_FLAG_AFFINITY). Default false. */
  session_affinity?: boolean;
  /** The frontend lookup scope; only "external" (the default) is modelled. */
  scope?: "external";
}

/**
 * A Cilium service with Maglev load balancing, in the terms of the agent's flags and the
 * service's backends.
 *
 * @example
 * const config: CiliumConfig = {
 *   version: "1.17+",
 *   service: { frontend: "203.0.113.10:443/TCP", session_affinity: false, scope: "external" },
 *   maglev: { table_size: 16381, hash_seed: "JLfvgnHc2kaSUFaI" },
 *   backends: [{ address: "10.0.0.1", port: 8443, protocol: "TCP", weight: 100, state: "active" }],
 * };
 */
export interface CiliumConfig {
  /** Default "1.17+". */
  version?: CiliumVersion;
  service: CiliumService;
  maglev?: {
    /** --bpf-lb-maglev-table-size: one of 251, 509, 1021, 2039, 4093, 8191, 16381 (default), 32749, 65521, 131071. */
    table_size?: number;
    /** --bpf-lb-maglev-hash-seed: base64 of 12 bytes, default "JLfvgnHc2kaSUFaI". */
    hash_seed?: string;
  };
  backends: CiliumBackend[];
}

/** The three seeds pkg/maglev derives from the cluster seed. */
export interface CiliumSeeds {
  /** Bytes 0-3, big-endian: the murmur3 seed of the Maglev permutation (SeedMurmur). */
  murmur: number;
  /** Bytes 4-7: HASH_INIT4_SEED, the IPv4 flow hash seed (SeedJhash0). */
  jhash0: number;
  /** Bytes 8-11: HASH_INIT6_SEED, the IPv6 flow hash seed (SeedJhash1). */
  jhash1: number;
}

export interface Frontend {
  family: 4 | 6;
  /** The address as big-endian words (IPv4: words[0]); IPv4-mapped IPv6 stays IPv6. */
  words: Uint32Array;
  port: number;
  protocol: CiliumProtocol;
  /** IANA number of `protocol`. */
  proto: number;
  /** Canonical "addr:port/PROTO". */
  text: string;
}

export interface Backend {
  /** "addr:port" / "[addr]:port", address in Go netip form: how Cilium prints the backend. */
  name: string;
  /** Canonical address text. */
  host: string;
  family: 4 | 6;
  port: number;
  protocol: CiliumProtocol;
  weight: number;
  state: CiliumBackendState;
  preferred: boolean;
}

export interface Normalized {
  version: CiliumVersion;
  frontend: Frontend;
  affinity: boolean;
  tableSize: number;
  hashSeed: string;
  seeds: CiliumSeeds;
  backends: Backend[];
  /** Indices into `backends` of the ones the control plane puts in the table (config order). */
  table: number[];
  /** Why the table holds those (for explain). */
  tableRule: string;
}

const CONFIG_FIELDS = ["version", "service", "maglev", "backends"];
const SERVICE_FIELDS = ["frontend", "session_affinity", "scope"];
const MAGLEV_FIELDS = ["table_size", "hash_seed"];
const BACKEND_FIELDS = ["address", "port", "protocol", "weight", "state", "preferred"];
const VERSIONS: readonly CiliumVersion[] = ["1.16", "1.17+"];
const STATES: readonly CiliumBackendState[] = ["active", "terminating", "quarantined", "maintenance", "terminating-not-serving"];
const PROTOCOLS: Record<CiliumProtocol, number> = { TCP: 6, UDP: 17, SCTP: 132 };
const PROTOCOL_NAMES = Object.keys(PROTOCOLS);
/** pkg/defaults: DefaultBackendWeight. */
const DEFAULT_WEIGHT = 100;
/** pkg/maglev DefaultTableSize. */
const DEFAULT_TABLE_SIZE = 16381;

const scratch = new Uint32Array(4);

/**
 * An address as Cilium's AddrCluster parses it (netip.ParseAddr): IPv4, or IPv6 where an
 * IPv4-mapped address stays IPv6 (netip keeps "::ffff:a.b.c.d" a 16-byte address, and an IPv6
 * packet carries all 16 bytes). Writes big-endian words to `out` and returns the family.
 */
export function ciliumAddress(value: unknown, out: Uint32Array, at: number, name: string): 4 | 6 {
  return packetWords(value, out, at, name);
}

/** Go netip's String() of an address in words (IPv4-mapped as "::ffff:a.b.c.d"). */
export function goAddressText(words: Uint32Array, at: number, family: 4 | 6): string {
  if (family === 4) return formatIPv4(words[at]!);
  const groups: number[] = [];
  for (let k = 0; k < 4; k++) groups.push(words[at + k]! >>> 16, words[at + k]! & 0xffff);
  return formatIPv6(groups);
}

/** L3n4Addr.String() without the protocol: "addr:port" or "[addr]:port". */
function hostPort(host: string, family: 4 | 6, port: number): string {
  return family === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

function protocol(name: string, value: unknown): CiliumProtocol {
  if (typeof value !== "string") throw flowpinError("INVALID_TYPE", `${name} must be one of ${PROTOCOL_NAMES.join(", ")}, got ${show(value)}`);
  if (!Object.prototype.hasOwnProperty.call(PROTOCOLS, value)) {
    throw flowpinError("INVALID_PROTOCOL", `${name} must be one of ${PROTOCOL_NAMES.join(", ")} (Cilium's L4Type names), got ${show(value)}${didYouMean(value, PROTOCOL_NAMES)}`);
  }
  return value as CiliumProtocol;
}

function bool(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw flowpinError("INVALID_TYPE", `${name} must be a boolean, got ${show(value)}`);
  return value;
}

/** The frontend L3n4Addr text "addr:port/PROTO" ("[v6]:port/PROTO"). */
function parseFrontend(value: unknown): Frontend {
  const name = "service.frontend";
  if (typeof value !== "string") throw flowpinError("INVALID_TYPE", `${name} must be "addr:port/PROTO" (e.g. "203.0.113.10:443/TCP"), got ${show(value)}`);
  const m = /^(\[([^\]]*)\]|([^:[\]/]*)):([0-9]+)\/([A-Za-z]+)$/.exec(value);
  if (!m) throw flowpinError("INVALID_CONFIG", `${name} must be "addr:port/PROTO" or "[v6addr]:port/PROTO" (e.g. "203.0.113.10:443/TCP"), got ${show(value)}`);
  const words = new Uint32Array(4);
  const bracketed = m[2] !== undefined;
  const family = ciliumAddress(bracketed ? m[2] : m[3], words, 0, `${name} address`);
  if (bracketed !== (family === 6)) {
    throw flowpinError("INVALID_ADDRESS", `${name}: an IPv6 address goes in brackets and an IPv4 one does not, got ${show(value)}`);
  }
  const port = int(`${name} port`, Number(m[4]), 0, 65535, "INVALID_PORT");
  const proto = protocol(`${name} protocol`, m[5]);
  const text = `${hostPort(goAddressText(words, 0, family), family, port)}/${proto}`;
  return { family, words, port, protocol: proto, proto: PROTOCOLS[proto], text };
}

/** pkg/maglev ToConfig: the seed is base64 of exactly 12 bytes, read as three big-endian u32. */
function parseSeed(value: unknown): CiliumSeeds {
  const name = "maglev.hash_seed";
  const bytes = base64Bytes(name, value, "INVALID_KEY");
  if (bytes.length !== 12) {
    throw flowpinError("INVALID_KEY", `${name} must be base64 of 12 bytes (Cilium's --bpf-lb-maglev-hash-seed), got ${bytes.length} bytes from ${show(value)}`);
  }
  const be = (i: number): number => ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
  return { murmur: be(0), jhash0: be(4), jhash1: be(8) };
}

function parseBackend(item: unknown, i: number, version: CiliumVersion, frontend: Frontend): Backend {
  const where = `backends[${i}]`;
  const b = object(where, item);
  knownFields(where, b, BACKEND_FIELDS);
  if (typeof b.address !== "string") throw flowpinError("INVALID_TYPE", `${where}.address must be an IPv4 or IPv6 address string, got ${show(b.address)}`);
  const family = ciliumAddress(b.address, scratch, 0, `${where}.address`);
  if (family !== frontend.family) {
    // A service of one family with backends of the other is NAT46/64, a different datapath.
    throw flowpinError("MIXED_FAMILIES", `${where}.address ${show(b.address)} is IPv${family} but the frontend ${frontend.text} is IPv${frontend.family}; NAT46/64 services are not modelled`);
  }
  const host = goAddressText(scratch, 0, family);
  const port = int(`${where}.port`, b.port, 0, 65535, "INVALID_PORT");
  const proto = b.protocol === undefined ? frontend.protocol : protocol(`${where}.protocol`, b.protocol);
  // Backend.Weight is a uint16 (loadbalancer.go).
  const weight = b.weight === undefined ? DEFAULT_WEIGHT : int(`${where}.weight`, b.weight, 0, 0xffff, "INVALID_WEIGHT");
  const state = b.state === undefined ? "active" : b.state;
  if (typeof state !== "string" || !STATES.includes(state as CiliumBackendState)) {
    throw flowpinError("INVALID_CONFIG", `${where}.state must be one of ${STATES.join(", ")}, got ${show(state)}${typeof state === "string" ? didYouMean(state, STATES) : ""}`);
  }
  if (state === "terminating-not-serving" && version === "1.16") {
    throw flowpinError("INVALID_CONFIG", `${where}.state "terminating-not-serving" does not exist in Cilium 1.16 (it came with the 1.18 load-balancer rewrite)`);
  }
  const preferred = bool(`${where}.preferred`, b.preferred);
  if (preferred && version !== "1.16") {
    // 1.17 filters on Backend.Preferred in lbmap, 1.18+ has no such flag (service affinity is
    // applied before the reconciler): "1.17+" cannot give one answer.
    throw flowpinError("INVALID_CONFIG", `${where}.preferred is modelled for version "1.16" only: Cilium 1.17 keeps only preferred backends, 1.18+ has no preferred flag`);
  }
  return { name: hostPort(host, family, port), host, family, port, protocol: proto, weight, state: state as CiliumBackendState, preferred };
}

/**
 * Which backends go into the table (pkg/service segregateBackends, pkg/maps/lbmap
 * upsertServiceProto; 1.18+ bpf_reconciler): weight 0 is maintenance
 * (NewBackendFromBackendModel); the active ones serve, or when there are none the terminating
 * ones (EnableK8sTerminatingEndpoint, default true); when an active backend is preferred, only
 * the preferred ones. Quarantined, maintenance and terminating-not-serving never do.
 */
function tableBackends(backends: readonly Backend[]): { table: number[]; rule: string } {
  const usable = (b: Backend, state: CiliumBackendState): boolean => b.state === state && b.weight > 0;
  const active = backends.flatMap((b, i) => (usable(b, "active") ? [i] : []));
  if (active.length > 0) {
    const preferred = active.filter((i) => backends[i]!.preferred);
    if (preferred.length > 0) return { table: preferred, rule: `the ${preferred.length} preferred active backend${preferred.length === 1 ? "" : "s"}` };
    return { table: active, rule: `the ${active.length} active backend${active.length === 1 ? "" : "s"} with a weight above 0` };
  }
  const terminating = backends.flatMap((b, i) => (usable(b, "terminating") ? [i] : []));
  if (terminating.length > 0) return { table: terminating, rule: `no active backend: the ${terminating.length} terminating one${terminating.length === 1 ? "" : "s"} serve` };
  return { table: [], rule: "no active or terminating backend with a weight above 0 (svc count 0)" };
}

/** " (did you mean ...)" for a release number such as "1.17.2" or "v1.18": the version label that covers it. */
function versionMeant(text: string): string {
  const m = /^v?1\.(\d+)(\.\d+)?(-\S*)?$/.exec(text);
  if (!m) return didYouMean(text, VERSIONS);
  const minor = Number(m[1]);
  // v1.17.0 release candidates hash neither as 1.16 nor as 1.17+: no suggestion.
  if (minor === 17 && (m[2] === undefined || m[2] === ".0") && m[3] !== undefined) return "";
  if (minor === 16) return ' (did you mean "1.16"?)';
  return minor >= 17 ? ' (did you mean "1.17+"?)' : "";
}

/** Validates a Cilium config; throws FlowpinError naming the field. */
export function normalize(config: unknown): Normalized {
  const c = object("cilium config", config);
  knownFields("cilium config", c, CONFIG_FIELDS);
  const version = c.version === undefined ? "1.17+" : c.version;
  if (typeof version !== "string" || !VERSIONS.includes(version as CiliumVersion)) {
    throw flowpinError(
      "INVALID_CONFIG",
      `version must be "1.16" or "1.17+" (v1.17.0-rc.0..rc.2 hash neither way and are not modelled), got ${show(version)}${typeof version === "string" ? versionMeant(version) : ""}`,
    );
  }
  const v = version as CiliumVersion;
  const s = object("service", c.service);
  knownFields("service", s, SERVICE_FIELDS);
  const frontend = parseFrontend(s.frontend);
  const affinity = bool("service.session_affinity", s.session_affinity);
  if (s.scope !== undefined && s.scope !== "external") {
    throw flowpinError("INVALID_CONFIG", `service.scope must be "external" (internal-scope entries of two-scope services are not modelled), got ${show(s.scope)}`);
  }
  const mg = c.maglev === undefined ? {} : object("maglev", c.maglev);
  knownFields("maglev", mg, MAGLEV_FIELDS);
  const tableSize = mg.table_size === undefined ? DEFAULT_TABLE_SIZE : int("maglev.table_size", mg.table_size, 1, Number.MAX_SAFE_INTEGER, "INVALID_TABLE_SIZE");
  const problem = listedSizeProblem(tableSize);
  // pkg/maglev refuses any other size (maglevSupportedTableSizes).
  if (problem) throw flowpinError("INVALID_TABLE_SIZE", `maglev.table_size ${problem} (Cilium's supported Maglev table sizes), got ${tableSize}`);
  const hashSeed = mg.hash_seed === undefined ? CILIUM_DEFAULT_SEED : mg.hash_seed;
  const seeds = parseSeed(hashSeed);
  if (!Array.isArray(c.backends)) throw flowpinError("INVALID_TYPE", `backends must be an array (it may be empty), got ${show(c.backends)}`);
  const backends: Backend[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < c.backends.length; i++) {
    const b = parseBackend(c.backends[i], i, v, frontend);
    // A service holds each backend L3n4Addr once; 1.16 keys them by addr:port alone.
    const key = v === "1.16" ? b.name : `${b.name}/${b.protocol}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw flowpinError("DUPLICATE_BACKEND", `backends[${i}] ${show(key)} repeats backends[${prev}]${v === "1.16" ? " (Cilium 1.16 keys backends by addr:port, protocol not included)" : ""}`);
    }
    seen.set(key, i);
    backends.push(b);
  }
  const { table, rule } = tableBackends(backends);
  return { version: v, frontend, affinity, tableSize, hashSeed: hashSeed as string, seeds, backends, table, tableRule: rule };
}
