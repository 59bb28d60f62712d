// glb-director's configuration in its own terms, read and checked as glb-director reads it:
// the forwarding table JSON given to `glb-director-cli build-config` (cli/main.c) and the
// director's JSON config (glb_director_config.c). Each refusal names the field and gives
// glb-director's own reason where it has one.
//
// Accepted as glb-director accepts them: extra keys anywhere in the forwarding table (name,
// healthchecks and whatever glb-healthcheck writes), `healthy` of any JSON type (only JSON
// true is healthy: main.c reads it with json_boolean_value), duplicate backend addresses,
// tables with one or no usable backend, empty `backends` / `binds` arrays, upper-case hex.
// Refused although glb-director-cli would build a file, because the file would not do what it
// says: a port that is not an integer (json_integer_value reads it as 0), a bind without
// `port` nor `port_start` + `port_end` (read as 0), `port_start` above `port_end` (a range that
// matches nothing), a prefix length that is not digits (atoi reads "/x" as /0, every address),
// hex keys with non-hex digits (sscanf leaves the byte unset), and keys of the director config
// glb-director does not know (it ignores them: a misspelt "hash_fields" would silently hash
// the source address alone).
import { flowpinError, show } from "../../errors.js";
import { hexBytes } from "../../encoding.js";
import { glbAddress, type GlbState } from "../../glb.js";
import { closest, didYouMean, knownFields, object } from "../../validate.js";

/** A backend of a forwarding table, as written (glb-healthcheck adds `healthchecks`). */
export interface GlbBackendConfig {
  ip: string;
  state: GlbState;
  /** Only JSON `true` is healthy; absent, false, null, "true", 1 are all down (main.c:279). */
  healthy?: unknown;
  [extra: string]: unknown;
}

/** A bind: the VIP (optionally a prefix), protocol and port or port range a table serves. */
export interface GlbBindConfig {
  /** "192.0.2.10", "198.51.100.0/24", "2001:db8::/48". */
  ip: string;
  proto: "tcp" | "udp";
  port?: number;
  port_start?: number;
  port_end?: number;
  [extra: string]: unknown;
}

/** One table of forwarding_table.json. */
export interface GlbTableConfig {
  /** 32 hex digits: the key of the packet hash (a fleet secret). */
  hash_key: string;
  /** 32 hex digits: the key of the rendezvous rows. */
  seed: string;
  binds: GlbBindConfig[];
  backends: GlbBackendConfig[];
  [extra: string]: unknown;
}

/** glb-director's forwarding_table.json (or glb-healthcheck's forwarding_table.checked.json). */
export interface GlbForwardingTable {
  tables: GlbTableConfig[];
  [extra: string]: unknown;
}

/** director.conf's hash field set: a field counts only when JSON true (glb_director_config.c:371). */
export interface GlbHashFieldsConfig {
  src_addr?: unknown;
  dst_addr?: unknown;
  src_port?: unknown;
  dst_port?: unknown;
}

/** The director's JSON config; only these keys exist in glb-director (DPDK director). */
export interface GlbDirectorConfig {
  /** Default `{src_addr: true}`. */
  hash_fields?: GlbHashFieldsConfig;
  /** A second hash for migrations: its row's pair is appended as hops 3 and 4. */
  alt_hash_fields?: GlbHashFieldsConfig;
  /** Default true (only JSON false turns it off): ICMP echo requests to a bind's address are forwarded. */
  forward_icmp_ping_responses?: unknown;
  outbound_src_ip?: string;
  outbound_gateway_mac?: string;
  statsd_port?: number;
  kni_ip?: string;
  num_worker_queues?: number;
  rx_drop_en?: unknown;
  flow_paths?: unknown;
  lcores?: unknown;
}

/** What flowpin reads for the glb system: exactly a vector's `config`. */
export interface GlbSystemConfig {
  forwarding_table: GlbForwardingTable;
  /** The director's config; absent: glb-director's defaults (hash the source address alone). */
  director_conf?: GlbDirectorConfig;
  /** Which tables the flows go to (informational, from the vectors); checked, not used. */
  tables_used?: number[];
}

/** A hash field set as flags, in glb_compute_hash's fixed order. */
export interface HashFields {
  srcAddr: boolean;
  dstAddr: boolean;
  srcPort: boolean;
  dstPort: boolean;
}

export interface ParsedBackend {
  /** The "ip" text as written: what route() returns. */
  ip: string;
  /** 4 bytes, or 16 when the text has a ':' (IPv4-mapped included), as main.c:291 decides. */
  bytes: Uint8Array;
  state: GlbState;
  healthy: boolean;
  /** The IPv4 hop the director writes for it: the first 4 address bytes (glb_encap.c:71). */
  hop: string;
}

export interface ParsedBind {
  family: 4 | 6;
  bytes: Uint8Array;
  bits: number;
  proto: 6 | 17;
  portStart: number;
  portEnd: number;
}

export interface ParsedTable {
  hashKey: Uint8Array;
  seed: Uint8Array;
  backends: ParsedBackend[];
  binds: ParsedBind[];
}

export interface ParsedConfig {
  tables: ParsedTable[];
  hashFields: HashFields;
  altHashFields: HashFields | null;
  forwardIcmpPing: boolean;
}

const SYSTEM_FIELDS = ["forwarding_table", "director_conf", "tables_used"];
const DIRECTOR_FIELDS = [
  "outbound_gateway_mac",
  "outbound_src_ip",
  "kni_ip",
  "statsd_port",
  "num_worker_queues",
  "forward_icmp_ping_responses",
  "rx_drop_en",
  "flow_paths",
  "lcores",
  "hash_fields",
  "alt_hash_fields",
];
const HASH_FIELDS = ["src_addr", "dst_addr", "src_port", "dst_port"];
const STATES: readonly GlbState[] = ["active", "filling", "draining", "inactive"];
// glb_fwd_config.h GLB_FMT_MAX_NUM_BACKENDS / GLB_FMT_MAX_NUM_BINDS: the director refuses more.
const MAX_BACKENDS = 256;
const MAX_BINDS = 256;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** A required key is missing: say so, and name a present key that looks like a typo of it. */
function missing(where: string, key: string, obj: Record<string, unknown>, reason: string): never {
  const near = closest(key, Object.keys(obj).filter((k) => k !== key));
  const hint = near === undefined ? "" : ` (${JSON.stringify(near)} is there: a typo?)`;
  throw flowpinError("INVALID_CONFIG", `${where}.${key} is missing${hint}: glb-director-cli refuses it ("${reason}")`);
}

/** 32 hex digits, as main.c checks (strlen 32) and decodes (sscanf %2x). */
function key16(where: string, value: unknown, what: "hash_key" | "seed", reason: string): Uint8Array {
  if (typeof value !== "string") throw flowpinError("INVALID_KEY", `${where}.${what} must be 32 hex digits, got ${show(value)}: glb-director-cli refuses it ("${reason}")`);
  if (value.length !== 32) throw flowpinError("INVALID_KEY", `${where}.${what} must be 32 hex digits, got ${value.length} characters (${show(value)}): glb-director-cli refuses it ("${what === "seed" ? "Seed key too short!" : "Hash key too short!"}")`);
  if (!/^[0-9a-fA-F]{32}$/.test(value)) throw flowpinError("INVALID_KEY", `${where}.${what} must be 32 hex digits, got ${show(value)}`);
  return hexBytes(`${where}.${what}`, value, "INVALID_KEY");
}

function port(where: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 65535 || Object.is(value, -0)) {
    throw flowpinError("INVALID_PORT", `${where} must be an integer in 0..65535, got ${show(value)}`);
  }
  return value;
}

function parseBackend(where: string, item: unknown): ParsedBackend {
  if (!isObject(item)) throw flowpinError("INVALID_CONFIG", `${where} must be an object {ip, state, healthy}, got ${show(item)}`);
  const ip = item.ip;
  if (ip === undefined) missing(where, "ip", item, "Bad backend IP!");
  if (typeof ip !== "string") throw flowpinError("INVALID_ADDRESS", `${where}.ip must be an address string, got ${show(ip)}: glb-director-cli refuses it ("Bad backend IP!")`);
  const bytes = glbAddress(ip, `${where}.ip`);
  const state = item.state;
  if (state === undefined) missing(where, "state", item, "Bad backend state!");
  if (typeof state !== "string" || !STATES.includes(state as GlbState)) {
    throw flowpinError("INVALID_CONFIG", `${where}.state must be one of ${STATES.join(", ")}, got ${show(state)}${typeof state === "string" ? didYouMean(state, STATES) : ""}: glb-director-cli refuses it ("Bad backend state!")`);
  }
  return { ip, bytes, state: state as GlbState, healthy: item.healthy === true, hop: `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}` };
}

function parseBind(where: string, item: unknown): ParsedBind {
  if (!isObject(item)) throw flowpinError("INVALID_CONFIG", `${where} must be an object {ip, proto, port | port_start + port_end}, got ${show(item)}`);
  const ip = item.ip;
  if (ip === undefined) missing(where, "ip", item, "Bad bind IP!");
  if (typeof ip !== "string") throw flowpinError("INVALID_ADDRESS", `${where}.ip must be an address string, got ${show(ip)}: glb-director-cli refuses it ("Bad bind IP!")`);
  const proto = item.proto;
  if (proto === undefined) missing(where, "proto", item, "Bad bind protocol!");
  if (proto !== "tcp" && proto !== "udp") throw flowpinError("INVALID_PROTOCOL", `${where}.proto must be "tcp" or "udp", got ${show(proto)}: glb-director-cli refuses it ("Bad protocol!")`);
  let portStart: number;
  let portEnd: number;
  if (item.port !== undefined) {
    // main.c: a present "port" wins; port_start / port_end are then not read.
    portStart = portEnd = port(`${where}.port`, item.port);
  } else {
    if (item.port_start === undefined || item.port_end === undefined) {
      const absent = item.port_start === undefined ? "port_start" : "port_end";
      const near = closest(absent, Object.keys(item));
      throw flowpinError("INVALID_PORT", `${where} needs "port", or "port_start" and "port_end"; ${absent} is missing${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""} (glb-director-cli would read it as port 0)`);
    }
    portStart = port(`${where}.port_start`, item.port_start);
    portEnd = port(`${where}.port_end`, item.port_end);
    if (portStart > portEnd) throw flowpinError("INVALID_PORT", `${where}: port_start ${portStart} is above port_end ${portEnd} (the director's range would match no port)`);
  }
  // main.c: the family is chosen by a ':' in the text; a "/bits" suffix must not exceed it.
  const slash = ip.indexOf("/");
  const text = slash < 0 ? ip : ip.slice(0, slash);
  const bytes = glbAddress(text, `${where}.ip`);
  let bits = bytes.length * 8;
  if (slash >= 0) {
    const suffix = ip.slice(slash + 1);
    if (!/^\d{1,3}$/.test(suffix) || Number(suffix) > bits) {
      throw flowpinError("INVALID_ADDRESS", `${where}.ip prefix length must be 0..${bits}, got ${show(ip)}${/^\d+$/.test(suffix) ? `: glb-director-cli refuses it ("Mask bit size can't be ${Number(suffix)}, it's greater than ${bits}")` : ""}`);
    }
    bits = Number(suffix);
  }
  return { family: bytes.length === 4 ? 4 : 6, bytes, bits, proto: proto === "tcp" ? 6 : 17, portStart, portEnd };
}

function parseTable(where: string, item: unknown): ParsedTable {
  if (!isObject(item)) throw flowpinError("INVALID_CONFIG", `${where} must be an object {hash_key, seed, binds, backends}, got ${show(item)}`);
  const backends = item.backends;
  if (backends === undefined) missing(where, "backends", item, "No backends!");
  if (!Array.isArray(backends)) throw flowpinError("INVALID_CONFIG", `${where}.backends must be an array, got ${show(backends)}`);
  if (backends.length > MAX_BACKENDS) throw flowpinError("OUT_OF_RANGE", `${where}.backends holds ${backends.length} backends; glb-director loads at most ${MAX_BACKENDS} ("too many backends")`);
  const parsed = backends.map((b, i) => parseBackend(`${where}.backends[${i}]`, b));
  const binds = item.binds;
  if (binds === undefined) missing(where, "binds", item, "No binds!");
  if (!Array.isArray(binds)) throw flowpinError("INVALID_CONFIG", `${where}.binds must be an array, got ${show(binds)}`);
  if (binds.length > MAX_BINDS) throw flowpinError("OUT_OF_RANGE", `${where}.binds holds ${binds.length} binds; glb-director-cli writes at most ${MAX_BINDS}`);
  const parsedBinds = binds.map((b, i) => parseBind(`${where}.binds[${i}]`, b));
  if (item.hash_key === undefined) missing(where, "hash_key", item, "Bad hash key!");
  const hashKey = key16(where, item.hash_key, "hash_key", "Bad hash key!");
  if (item.seed === undefined) missing(where, "seed", item, "Bad seed!");
  const seed = key16(where, item.seed, "seed", "Bad seed!");
  return { hashKey, seed, backends: parsed, binds: parsedBinds };
}

/** glb_director_config.c parse_hash_fields: at least one of the four keys JSON true. */
function parseHashFields(name: string, value: unknown): HashFields {
  if (!isObject(value)) throw flowpinError("INVALID_CONFIG", `director_conf.${name} must be an object such as {"src_addr": true}, got ${show(value)}`);
  knownFields(`director_conf.${name}`, value, HASH_FIELDS);
  const f: HashFields = { srcAddr: value.src_addr === true, dstAddr: value.dst_addr === true, srcPort: value.src_port === true, dstPort: value.dst_port === true };
  if (!f.srcAddr && !f.dstAddr && !f.srcPort && !f.dstPort) {
    throw flowpinError("INVALID_CONFIG", `director_conf.${name} has no field set to true, got ${show(JSON.stringify(value))}: glb-director refuses it ("${name} must contain at least 1 field if specified")`);
  }
  return f;
}

/** Validates a glb system config; see the module comment for what is accepted and refused. */
export function parseConfig(config: unknown): ParsedConfig {
  const c = object("glb system config", config);
  knownFields("glb system config", c, SYSTEM_FIELDS);
  const ft = c.forwarding_table;
  if (ft === undefined) throw flowpinError("INVALID_CONFIG", `glb system config: "forwarding_table" is required (glb-director's forwarding_table.json, {"tables": [...]})`);
  if (!isObject(ft)) throw flowpinError("INVALID_CONFIG", `forwarding_table must be an object {"tables": [...]}, got ${show(ft)}`);
  if (ft.tables === undefined) missing("forwarding_table", "tables", ft, "JSON config file must contain a 'tables' entry listing each forwarding table.");
  if (!Array.isArray(ft.tables)) throw flowpinError("INVALID_CONFIG", `forwarding_table.tables must be an array, got ${show(ft.tables)}`);
  const tables = ft.tables.map((t, i) => parseTable(`forwarding_table.tables[${i}]`, t));

  let hashFields: HashFields = { srcAddr: true, dstAddr: false, srcPort: false, dstPort: false };
  let altHashFields: HashFields | null = null;
  let forwardIcmpPing = true;
  if (c.director_conf !== undefined) {
    const d = object("director_conf", c.director_conf);
    knownFields("director_conf", d, DIRECTOR_FIELDS);
    if (d.hash_fields !== undefined) hashFields = parseHashFields("hash_fields", d.hash_fields);
    if (d.alt_hash_fields !== undefined) altHashFields = parseHashFields("alt_hash_fields", d.alt_hash_fields);
    // glb_director_config.c:179: only JSON false turns it off.
    forwardIcmpPing = d.forward_icmp_ping_responses !== false;
    if (d.outbound_src_ip !== undefined) {
      const ip = d.outbound_src_ip;
      if (typeof ip !== "string" || ip.includes(":")) throw flowpinError("INVALID_ADDRESS", `director_conf.outbound_src_ip must be an IPv4 address, got ${show(ip)}: glb-director refuses it ("Could not parse local IP address")`);
      glbAddress(ip, "director_conf.outbound_src_ip");
    }
  }
  if (c.tables_used !== undefined) {
    if (!Array.isArray(c.tables_used)) throw flowpinError("INVALID_CONFIG", `tables_used must be an array of table indices, got ${show(c.tables_used)}`);
    c.tables_used.forEach((t, i) => {
      if (typeof t !== "number" || !Number.isInteger(t) || t < 0 || t >= tables.length) throw flowpinError("INVALID_CONFIG", `tables_used[${i}] must be a table index in 0..${tables.length - 1}, got ${show(t)}`);
    });
  }
  return { tables, hashFields, altHashFields, forwardIcmpPing };
}
