// The haproxy system's configuration in HAProxy's own terms (the shape of
// test/vectors/systems/haproxy.json `config`), validated at the boundary and turned into the
// backend HAProxy 2.6 builds from it: settings, servers with their numeric ids (puid) and
// weights, the runtime operations applied in order, and how the listener sees IPv4 clients.
import { flowpinError, show } from "../../errors.js";
import { int, knownFields, object } from "../../validate.js";
import { applyDirective, atol, defaultSettings, parseBalance, parseHashType, splitWords, type LbSettings } from "./directives.js";

/** HAProxy's `show servers state` for one server, as recorded (informational; `addr` names the backend). */
export interface HaproxyRuntimeState {
  puid?: number;
  /** The address HAProxy resolved, "ip:port": names the backend when `address` is a host name. */
  addr?: string;
  op_state?: number;
  admin_state?: number;
  uweight?: number;
}

/** One `server` line. */
export interface HaproxyServerConfig {
  name: string;
  /** As written: "10.0.0.1:80", "web1.example:80", "10.0.0.1" (the port the client connected to), "10.0.0.1:+1000". */
  address: string;
  /** 0..256, default 1 (`weight`). */
  weight?: number;
  /** An explicit `id` (> 0, unique in the backend); others get ids in declaration order around it. */
  id?: number;
  backup?: boolean;
  /** `disabled`: in maintenance from the start. */
  disabled?: boolean;
  /** The server is health-checked (the `check` words as written, or true). */
  check?: string | boolean;
  /** Default true; false = nothing accepts connections there (down if checked, else connections fail). */
  listening?: boolean;
  runtime?: HaproxyRuntimeState;
}

/** A runtime API command, applied in order before routing (`set weight be/srv 5`, `disable server be/srv`). */
export interface HaproxyOperation {
  op: "set weight" | "disable server" | "enable server";
  server: string;
  /** For "set weight": 0..256, or "N%" of the configured weight. */
  weight?: number | string;
  /** The command as sent and HAProxy's reply (informational). */
  command?: string;
  reply?: string;
}

/**
 * A HAProxy 2.6 backend in its own terms.
 *
 * @example
 * const config: HaproxyConfig = { mode: "tcp", balance: "source", hash_type: "consistent",
 *   servers: [{ name: "s1", address: "10.0.0.1:80" }, { name: "s2", address: "10.0.0.2:80", weight: 2 }] };
 */
export interface HaproxyConfig {
  /** The backend's name (informational). */
  name?: string;
  mode?: "tcp" | "http";
  /** "source" or "hash src". */
  balance: string;
  /** The `hash-type` line's arguments as written ("consistent", "consistent crc32 avalanche", "map-based"); without it HAProxy uses map-based. */
  hash_type?: string;
  /** What `hash_type` means (derived; when given they must agree with it). */
  hash_method?: "consistent" | "map-based";
  hash_function?: string;
  avalanche?: boolean;
  /** The frontend's `bind` line arguments ("127.0.0.1:8080", ":::8080 v4v6"): decides how IPv4 clients are seen. */
  bind?: string;
  /** `option` lines without the word option ("allbackups", "redispatch 1"). */
  options?: string[];
  /** Other backend lines ("retries 2", "hash-balance-factor 125", "timeout server 30s"). */
  extra?: string[];
  /** The sections as written (informational). */
  backend_text?: string;
  frontend_text?: string;
  servers: HaproxyServerConfig[];
  operations?: HaproxyOperation[];
  /** Every connection routed stays open (counts toward hash-balance-factor) until reset(). */
  connections_held_open?: boolean;
}

const CONFIG_FIELDS = [
  "name", "mode", "balance", "hash_type", "hash_method", "hash_function", "avalanche", "bind", "options", "extra",
  "backend_text", "frontend_text", "servers", "operations", "connections_held_open",
];
const SERVER_FIELDS = ["name", "address", "weight", "id", "backup", "disabled", "check", "listening", "runtime"];
const RUNTIME_FIELDS = ["puid", "addr", "op_state", "admin_state", "uweight"];
const OPERATION_FIELDS = ["op", "server", "weight", "command", "reply"];
const OPS = ["set weight", "disable server", "enable server"];

/** SRV_UWGHT_MAX (include/haproxy/server-t.h). */
export const MAX_WEIGHT = 256;
/** BE_WEIGHT_SCALE (include/haproxy/backend-t.h): eweight = uweight × 16 under consistent hashing. */
export const WEIGHT_SCALE = 16;

/** One server as the backend holds it. */
export interface ServerModel {
  readonly index: number;
  readonly name: string;
  readonly address: string;
  /** The backend name when fixed ("ip:port"), else null: the port follows the client's (plus `portOffset`). */
  readonly label: string | null;
  readonly host: string;
  readonly portOffset: number;
  readonly puid: number;
  /** Weight from the configuration (iweight). */
  readonly iweight: number;
  /** Current user weight (uweight), after runtime operations. */
  uweight: number;
  readonly backup: boolean;
  /** In maintenance (config `disabled` or `disable server`). */
  maint: boolean;
  readonly checked: boolean;
  readonly listening: boolean;
  /**
   * cumulative_weight for hash-balance-factor: the eweight of usable servers of the same
   * group before this one, as recount_servers() set it when the backend started. HAProxy
   * 2.6's consistent-hash updates (lb_chash.c) never recount, so runtime changes leave it
   * as it was; servers unusable at start keep 0.
   */
  cumulative: number;
}

/** How the frontend's listener stores an IPv4 client's address. */
export type ClientFamily = "as-is" | "v4" | "v4-mapped";

export interface BackendModel {
  readonly settings: LbSettings;
  readonly servers: ServerModel[];
  /** How IPv4 clients reach the backend: 4 bytes, or ::ffff:a.b.c.d on a dual-stack listener. */
  readonly clients: ClientFamily;
  readonly bind: string | null;
  readonly heldOpen: boolean;
}

function bool(name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") throw flowpinError("INVALID_TYPE", `${name} must be a boolean, got ${show(v)}`);
  return v;
}

function str(name: string, v: unknown): string {
  if (typeof v !== "string") throw flowpinError("INVALID_TYPE", `${name} must be a string, got ${show(v)}`);
  return v;
}

function strings(name: string, v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw flowpinError("INVALID_TYPE", `${name} must be an array of strings, got ${show(v)}`);
  return v.map((x, i) => str(`${name}[${i}]`, x));
}

/**
 * Where a server address sends connections (str2sa_range): "host:port", "host" or "host:"
 * (the client's destination port), "host:+N"/"host:-N" (that port plus or minus N);
 * "[v6]:port" and an `ipv4@`/`ipv6@` prefix are accepted.
 */
export function serverTarget(address: string, where: string): { host: string; port: number | null; offset: number } {
  let a = address.replace(/^ipv[46]@/, "");
  if (/^(unix@|abns@|sockpair@|fd@|\/)/.test(a)) throw flowpinError("INVALID_ADDRESS", `${where} ${show(address)}: a server on a UNIX socket has no address:port to name; not modelled`);
  let host: string;
  let rest: string;
  if (a.startsWith("[")) {
    const close = a.indexOf("]");
    if (close < 0) throw flowpinError("INVALID_ADDRESS", `${where} ${show(address)}: missing ']'`);
    host = a.slice(1, close);
    rest = a.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) throw flowpinError("INVALID_ADDRESS", `${where} ${show(address)}: expected ':port' after ']'`);
    rest = rest.slice(1);
  } else {
    const colon = a.lastIndexOf(":");
    host = colon < 0 ? a : a.slice(0, colon);
    rest = colon < 0 ? "" : a.slice(colon + 1);
  }
  a = host;
  if (a === "") throw flowpinError("INVALID_ADDRESS", `${where} ${show(address)}: no host`);
  if (rest === "") return { host, port: null, offset: 0 };
  if (/^[+-]\d+$/.test(rest)) return { host, port: null, offset: Number(rest) };
  if (!/^\d+$/.test(rest) || Number(rest) > 65535) throw flowpinError("INVALID_PORT", `${where} ${show(address)}: port must be 0..65535, +N or -N, got ${show(rest)}`);
  return { host, port: Number(rest), offset: 0 };
}

/** Which listener family IPv4 clients arrive on, from a `bind` line's arguments. */
export function clientFamily(bind: string | undefined, where: string): ClientFamily {
  if (bind === undefined) return "as-is";
  const words = splitWords(bind);
  if (words.length === 0) throw flowpinError("INVALID_CONFIG", `${where}: empty bind`);
  const addr = words[0]!;
  if (/^(unix@|abns@|fd@|sockpair@|\/)/.test(addr)) throw flowpinError("INVALID_CONFIG", `${where} ${show(bind)}: clients on a UNIX socket have no IP address to hash (HAProxy fails the request); not modelled`);
  if (words.includes("accept-proxy")) throw flowpinError("INVALID_CONFIG", `${where} ${show(bind)}: accept-proxy takes the client address from the PROXY header; not modelled`);
  if (/^quic[46]@/.test(addr)) throw flowpinError("INVALID_CONFIG", `${where} ${show(bind)}: QUIC listeners are not modelled`);
  const v6 = addr.startsWith("ipv6@") || addr.startsWith("[") || (addr.replace(/^ipv4@/, "").match(/:/g) ?? []).length > 1;
  if (!v6) return "v4";
  // An IPv6 listener takes IPv4 clients as ::ffff:a.b.c.d unless v6only (Linux's default
  // bindv6only=0; "v4v6" forces dual-stack).
  return words.includes("v6only") ? "as-is" : "v4-mapped";
}

/** Server ids as HAProxy assigns them (src/cfgparse.c, check_config_validity). */
export function assignIds(explicit: readonly (number | undefined)[]): number[] {
  // Explicit ids are reserved first; then, in declaration order, a server without one takes
  // the first free id >= next_id, and next_id advances by one after every server.
  const used = new Set<number>();
  for (const id of explicit) if (id !== undefined) used.add(id);
  const out: number[] = [];
  let next = 1;
  for (const id of explicit) {
    if (id !== undefined) out.push(id);
    else {
      while (used.has(next)) next++;
      used.add(next);
      out.push(next);
    }
    next++;
  }
  return out;
}

/** Checks `config` and builds the backend HAProxy would run, operations applied. */
export function backendModel(config: HaproxyConfig): BackendModel {
  const c = object("haproxy config", config);
  knownFields("haproxy config", c, CONFIG_FIELDS);
  const s = defaultSettings();
  if (c.mode !== undefined) applyDirective(s, ["mode", str("mode", c.mode)], "mode: ");
  if (c.balance === undefined) throw flowpinError("INVALID_CONFIG", `haproxy config: balance is required ("source" or "hash src"; HAProxy's default roundrobin is not modelled)`);
  parseBalance(s, splitWords(str("balance", c.balance)), "balance: ");
  if (c.hash_type !== undefined) parseHashType(s, splitWords(str("hash_type", c.hash_type)), "hash_type: ");
  options(s, c);
  derivedAgree(s, c);
  const servers = serverModels(s, c.servers);
  if (c.operations !== undefined) {
    if (!Array.isArray(c.operations)) throw flowpinError("INVALID_TYPE", `operations must be an array, got ${show(c.operations)}`);
    c.operations.forEach((op, i) => applyOperation(s, servers, op, `operations[${i}]`));
  }
  return {
    settings: s,
    servers,
    clients: clientFamily(c.bind === undefined ? undefined : str("bind", c.bind), "bind"),
    bind: c.bind === undefined ? null : (c.bind as string),
    heldOpen: bool("connections_held_open", c.connections_held_open, false),
  };
}

function options(s: LbSettings, c: Record<string, unknown>): void {
  strings("options", c.options).forEach((o, i) => {
    const words = splitWords(o);
    if (words[0] === "no") applyDirective(s, ["no", "option", ...words.slice(1)], `options[${i}]: `);
    else applyDirective(s, ["option", ...words], `options[${i}]: `);
  });
  strings("extra", c.extra).forEach((line, i) => {
    const words = splitWords(line);
    const where = `extra[${i}]: `;
    if (["balance", "hash-type", "mode"].includes(words[0] ?? "")) throw flowpinError("INVALID_CONFIG", `${where}${words[0]} belongs in the config's own field, not in extra`);
    if (!applyDirective(s, words, where)) throw flowpinError("INVALID_CONFIG", `${where}${words[0]} lines belong in servers (server) or bind, not in extra`);
  });
  for (const t of ["backend_text", "frontend_text", "name"]) if (c[t] !== undefined) str(t, c[t]);
}

/** hash_method / hash_function / avalanche, where given, must be what hash_type means. */
function derivedAgree(s: LbSettings, c: Record<string, unknown>): void {
  const check = (field: string, got: unknown, want: unknown) => {
    if (got !== undefined && got !== want) {
      throw flowpinError("INVALID_CONFIG", `${field} ${show(got)} disagrees with hash_type ${show(s.hashType ?? "(none: map-based)")}, which means ${show(want)}`);
    }
  };
  check("hash_method", c.hash_method, s.lookup);
  check("hash_function", c.hash_function, s.fn);
  check("avalanche", c.avalanche, s.avalanche);
}

function serverModels(s: LbSettings, list: unknown): ServerModel[] {
  if (!Array.isArray(list)) throw flowpinError("INVALID_TYPE", `servers must be an array, got ${show(list)}`);
  const names = new Map<string, number[]>();
  const explicit: (number | undefined)[] = [];
  const rows = list.map((item, i) => {
    const where = `servers[${i}]`;
    const b = object(where, item);
    knownFields(where, b, SERVER_FIELDS);
    const name = str(`${where}.name`, b.name);
    if (name === "") throw flowpinError("INVALID_CONFIG", `${where}.name must not be empty`);
    const address = str(`${where}.address`, b.address);
    const target = serverTarget(address, `${where}.address`);
    const weight = b.weight === undefined ? 1 : int(`${where}.weight`, b.weight, 0, MAX_WEIGHT, "INVALID_WEIGHT");
    const id = b.id === undefined ? undefined : int(`${where}.id`, b.id, 1, 0x7fffffff);
    if (id !== undefined) {
      // srv_parse_id: "custom id N already used at ... ('server NAME')".
      const other = explicit.indexOf(id);
      if (other >= 0) throw flowpinError("DUPLICATE_BACKEND", `${where}.id ${id}: HAProxy refuses it, custom id ${id} is already used by server ${show(list[other]?.name)}`);
    }
    explicit.push(id);
    // check_config_validity refuses two servers of one name when neither has an explicit id
    // (a name shared with a server that has one is accepted: HAProxy 2.6.12, checked).
    const prev = id === undefined ? (names.get(name) ?? []).find((j) => explicit[j] === undefined) : undefined;
    if (prev !== undefined) {
      throw flowpinError("DUPLICATE_BACKEND", `${where}.name ${show(name)}: HAProxy refuses it, another server named ${show(name)} was already defined (servers[${prev}]), please use distinct names`);
    }
    names.set(name, [...(names.get(name) ?? []), i]);
    const checked = b.check === undefined ? false : typeof b.check === "boolean" ? b.check : (str(`${where}.check`, b.check), true);
    let runtimeAddr: string | undefined;
    if (b.runtime !== undefined) {
      const r = object(`${where}.runtime`, b.runtime);
      knownFields(`${where}.runtime`, r, RUNTIME_FIELDS);
      if (r.addr !== undefined) runtimeAddr = str(`${where}.runtime.addr`, r.addr);
      for (const k of ["puid", "op_state", "admin_state", "uweight"]) if (r[k] !== undefined) int(`${where}.runtime.${k}`, r[k], 0, 0x7fffffff);
    }
    return {
      name, address, target, weight, backup: bool(`${where}.backup`, b.backup, false), maint: bool(`${where}.disabled`, b.disabled, false),
      checked, listening: bool(`${where}.listening`, b.listening, true), runtimeAddr,
    };
  });
  const puids = assignIds(explicit);
  const models: ServerModel[] = rows.map((r, i) => ({
    index: i,
    name: r.name,
    address: r.address,
    label: r.runtimeAddr ?? (r.target.port === null ? null : r.address.replace(/^ipv[46]@/, "")),
    host: r.target.host,
    portOffset: r.target.offset,
    puid: puids[i]!,
    iweight: r.weight,
    uweight: r.weight,
    backup: r.backup,
    maint: r.maint,
    checked: r.checked,
    listening: r.listening,
    cumulative: 0,
  }));
  // recount_servers() at start: servers count as usable by weight and maintenance only (a
  // checked server starts up and goes down on its first failed checks).
  let act = 0;
  let bck = 0;
  for (const m of models) {
    if (m.uweight === 0 || m.maint) continue;
    const ew = eweight(s, models, m);
    if (m.backup) {
      m.cumulative = bck;
      bck += ew;
    } else {
      m.cumulative = act;
      act += ew;
    }
  }
  return models;
}

/** The greatest common divisor of the configured non-zero weights (lb_map.c init_server_map's `pgcd`). */
export function mapWeightDivisor(servers: readonly ServerModel[]): number {
  let i = 0;
  while (i < servers.length && servers[i]!.iweight === 0) i++;
  if (i === servers.length) return 1;
  let g = servers[i]!.iweight;
  for (i++; g > 1 && i < servers.length; i++) {
    let w = servers[i]!.iweight;
    while (w) {
      const t = g % w;
      g = w;
      w = t;
    }
  }
  return g;
}

/**
 * Effective weight: uweight × 16 under consistent hashing; under map-based, uweight divided
 * by the weights' gcd, rounded up (wdiv 1, wmult = gcd; server_recalc_eweight).
 */
export function eweight(s: LbSettings, servers: readonly ServerModel[], m: ServerModel): number {
  if (s.lookup === "consistent") return m.uweight * WEIGHT_SCALE;
  const g = mapWeightDivisor(servers);
  return Math.floor((m.uweight + g - 1) / g);
}

/** A runtime command as HAProxy's CLI applies it (src/server.c, cli_parse_set_weight and friends). */
function applyOperation(s: LbSettings, servers: ServerModel[], item: unknown, where: string): void {
  const o = object(where, item);
  knownFields(where, o, OPERATION_FIELDS);
  const op = str(`${where}.op`, o.op);
  if (!OPS.includes(op)) throw flowpinError("INVALID_CONFIG", `${where}.op must be one of ${OPS.join(", ")}, got ${show(op)}`);
  const name = str(`${where}.server`, o.server);
  const srv = servers.find((x) => x.name === name);
  if (!srv) throw flowpinError("INVALID_CONFIG", `${where}.server ${show(name)}: HAProxy answers "No such server." (servers: ${servers.map((x) => x.name).join(", ")})`);
  if (o.command !== undefined) str(`${where}.command`, o.command);
  if (o.reply !== undefined) str(`${where}.reply`, o.reply);
  if (op === "disable server") {
    srv.maint = true;
    return;
  }
  if (op === "enable server") {
    // Clears the forced maintenance; config `disabled` sets it too (SRV_ADMF_CMAINT is not
    // part of the SRV_ADMF_MAINT mask), so this re-enables a server disabled in the file.
    srv.maint = false;
    return;
  }
  srv.uweight = weightChange(s, srv, o.weight, `${where}.weight`);
}

/** server_parse_weight_change_request: absolute 0..256 or "N%" of the configured weight. */
function weightChange(s: LbSettings, srv: ServerModel, value: unknown, where: string): number {
  let w: number;
  if (typeof value === "number") w = int(where, value, 0, MAX_WEIGHT, "INVALID_WEIGHT");
  else if (typeof value === "string") {
    const m = /^(-?\d+)(%?)$/.exec(value);
    if (!m) throw flowpinError("INVALID_WEIGHT", `${where} must be 0..256 or N%, got ${show(value)}`);
    w = Number(m[1]);
    if (m[2] === "%") {
      if (w < 0) throw flowpinError("INVALID_WEIGHT", `${where} ${show(value)}: HAProxy answers "Relative weight must be positive."`);
      w = Math.min(Math.floor((srv.iweight * Math.min(w, 25600)) / 100), MAX_WEIGHT);
    } else if (w < 0 || w > MAX_WEIGHT) throw flowpinError("INVALID_WEIGHT", `${where} ${show(value)}: HAProxy answers "Absolute weight can only be between 0 and 256 inclusive."`);
  } else throw flowpinError("INVALID_TYPE", `${where} must be a number or "N%", got ${show(value)}`);
  // Map-based hashing is a static algorithm: only 0% and 100% are accepted at runtime.
  if (s.lookup === "map-based" && w !== 0 && w !== srv.iweight) {
    throw flowpinError("INVALID_WEIGHT", `${where} ${show(value)}: HAProxy answers "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'." (hash-type map-based)`);
  }
  return w;
}

/** C atol, re-exported for the native reader. */
export { atol };
