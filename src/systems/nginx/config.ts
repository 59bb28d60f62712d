/**
 * The nginx system's configuration in nginx's own terms (the vectors' `config`), checked and
 * turned into the peers nginx builds from it (ngx_http_upstream_init_round_robin, same in
 * stream): one peer per resolved address of each `server`, primaries and backups apart.
 * @module
 */
import { flowpinError, show } from "../../errors.js";
import { int, knownFields, object } from "../../validate.js";
import { normalizePeer } from "./address.js";
import { compileKey, type KeyTemplate } from "./key.js";
import { buildRing, type ChashRing } from "./ring.js";
import { parseNginxSeconds } from "./time.js";
import { readUpstream } from "./upstream.js";

/**
 * One `server` line of an upstream block.
 * @example { server: "127.0.0.1:9001", addresses: ["127.0.0.1:9001"], weight: 2 }
 */
export interface NginxServer {
  /** The `server` argument exactly as written ("127.0.0.1:9001", "backend-a:8080", "unix:/run/app.sock"): the ring hashes this text. */
  server: string;
  /** What it resolved to when nginx started: one peer each ("127.0.0.1:9001", "[::1]:9001", "unix:/path"). */
  addresses: string[];
  /** `weight=`; default 1 (160 ring points per unit). */
  weight?: number;
  /** `down`: keeps its ring points, never chosen. */
  down?: boolean;
  /** `backup`: no ring points; reached only through the round-robin fallback. */
  backup?: boolean;
  /** `max_fails=`; default 1; 0 never marks the server failed. */
  max_fails?: number;
  /** `fail_timeout=` in seconds or nginx's time syntax ("10s", "1m"); default 10. */
  fail_timeout?: number | string;
  /** False: nothing accepts connections there (refused), so nginx tries the next peer and counts a failure. Default true. */
  listening?: boolean;
  /** How a host name got its addresses: given by the caller, or from the system resolver (set by the nginx.conf reader). */
  resolved?: "caller" | "system resolver";
  /** `max_conns=`: only 0 (no limit) is accepted; a limit depends on concurrent connections flowpin does not see. */
  max_conns?: number;
}

/**
 * An upstream and how clients reach it: the vectors' `config`, or what readNginxConf returns.
 * @example
 * { module: "stream", hash_key: "$remote_addr", consistent: true, listen: "[::]:443 ipv6only=off",
 *   servers: [{ server: "10.0.0.1:443", addresses: ["10.0.0.1:443"] }, { server: "10.0.0.2:443", addresses: ["10.0.0.2:443"], weight: 2 }] }
 */
export interface NginxConfig {
  /** The section the upstream is in. Both run the same balancing code; stream servers need a port. */
  module: "http" | "stream";
  /** The `hash` directive's key ("$remote_addr", "$remote_addr$remote_port", ...); null or absent: no `hash`, plain round robin. */
  hash_key?: string | null;
  /** `hash KEY consistent` (the ketama-style ring); false: the Cache::Memcached modulo hash. */
  consistent?: boolean;
  /** The `listen` directive clients arrive on; "[::]:PORT ipv6only=off" makes IPv4 clients "::ffff:a.b.c.d". */
  listen?: string;
  /** The upstream block as written; when given it must agree with `servers` and `hash_key`. */
  upstream_text?: string;
  /** The server block that proxies to it (informative). */
  server_text?: string;
  servers: NginxServer[];
  /** The upstream's name (used in $upstream_addr when no peer is live). */
  name?: string;
  /** Informative (the vectors mark results that depend on flow order). */
  order_dependent?: boolean;
  /** Informative: the /etc/hosts nginx saw. */
  hosts?: string[];
}

const CONFIG_FIELDS = ["module", "hash_key", "consistent", "listen", "upstream_text", "server_text", "servers", "name", "order_dependent", "hosts"];
const SERVER_FIELDS = ["server", "addresses", "weight", "down", "backup", "max_fails", "fail_timeout", "listening", "resolved", "max_conns"];

/** One peer: an address of a server line, with the round-robin state nginx keeps for it. */
export interface Peer {
  readonly name: string;
  readonly server: string;
  /** Index of its server text in Upstream.texts (peers compare server texts byte for byte). */
  readonly text: number;
  readonly weight: number;
  readonly maxFails: number;
  readonly failTimeout: number;
  readonly down: boolean;
  readonly backup: boolean;
  readonly listening: boolean;
  readonly resolved: NginxServer["resolved"];
}

/** A peer list: the primaries, or the backups (ngx_http_upstream_rr_peers_t). */
export interface PeerSet {
  readonly peers: readonly Peer[];
  /** One address and no backups: round robin without hashing (peers->single). */
  readonly single: boolean;
  /** Σ weight, down peers included (peers->total_weight). */
  readonly totalWeight: number;
  /** Peers not down (peers->tries). */
  readonly tries: number;
}

/** The configuration as nginx holds it after start. */
export interface Upstream {
  readonly module: "http" | "stream";
  readonly name: string | undefined;
  readonly key: KeyTemplate | null;
  readonly consistent: boolean;
  /** IPv4 clients arrive on a dual-stack IPv6 socket. */
  readonly mapped: boolean;
  readonly texts: readonly string[];
  readonly primary: PeerSet;
  readonly backup: PeerSet | null;
  readonly ring: ChashRing | null;
  /** The configuration, normalized (peer names as nginx writes them). */
  readonly config: NginxConfig;
}

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw flowpinError("INVALID_TYPE", `${name} must be a boolean, got ${show(value)}`);
  return value;
}

/** `fail_timeout` as seconds: a non-negative integer or nginx's time text. */
export function failTimeout(name: string, value: unknown): number {
  if (value === undefined) return 10;
  if (typeof value === "number") return int(name, value, 0, Number.MAX_SAFE_INTEGER);
  if (typeof value === "string") {
    const s = parseNginxSeconds(value);
    if (s === null) throw flowpinError("INVALID_CONFIG", `${name} must be seconds or an nginx time like "10s" or "1m30s", got ${show(value)}`);
    return s;
  }
  throw flowpinError("INVALID_TYPE", `${name} must be seconds or an nginx time string, got ${show(value)}`);
}

/** Whether a `listen` directive's text is a dual-stack IPv6 socket ("[::]:80 ipv6only=off"). */
export function dualStack(listen: string): boolean {
  const words = listen.trim().split(/\s+/);
  return words[0]!.startsWith("[") && words.includes("ipv6only=off");
}

/** Checks a config and builds what nginx builds from it. */
export function buildUpstream(input: NginxConfig): Upstream {
  const c = object("nginx config", input);
  knownFields("nginx config", c, CONFIG_FIELDS);
  const module = c.module;
  if (module !== "http" && module !== "stream") throw flowpinError("INVALID_CONFIG", `module must be "http" or "stream", got ${show(module)}`);
  const hashKey = c.hash_key ?? null;
  if (hashKey !== null && typeof hashKey !== "string") throw flowpinError("INVALID_TYPE", `hash_key must be the hash directive's key text or null, got ${show(hashKey)}`);
  const consistent = bool("consistent", c.consistent, false);
  if (hashKey === null && consistent) throw flowpinError("INVALID_CONFIG", "consistent is true but there is no hash_key (no hash directive)");
  const key = hashKey === null ? null : compileKey(hashKey);
  let mapped = false;
  if (c.listen !== undefined) {
    if (typeof c.listen !== "string" || c.listen.trim() === "") throw flowpinError("INVALID_TYPE", `listen must be the listen directive's text, got ${show(c.listen)}`);
    mapped = dualStack(c.listen);
  }
  for (const f of ["upstream_text", "server_text", "name"] as const) {
    if (c[f] !== undefined && typeof c[f] !== "string") throw flowpinError("INVALID_TYPE", `${f} must be a string, got ${show(c[f])}`);
  }
  bool("order_dependent", c.order_dependent, false);
  if (c.hosts !== undefined && (!Array.isArray(c.hosts) || c.hosts.some((h) => typeof h !== "string"))) throw flowpinError("INVALID_TYPE", `hosts must be an array of /etc/hosts lines, got ${show(c.hosts)}`);
  if (!Array.isArray(c.servers)) throw flowpinError("INVALID_TYPE", `servers must be an array, got ${show(c.servers)}`);

  const texts: string[] = [];
  const primary: Peer[] = [];
  const backup: Peer[] = [];
  const servers: NginxServer[] = [];
  c.servers.forEach((item: unknown, i: number) => {
    const at = `servers[${i}]`;
    const s = object(at, item);
    knownFields(at, s, SERVER_FIELDS);
    if (typeof s.server !== "string" || s.server.trim() === "") throw flowpinError("INVALID_TYPE", `${at}.server must be the server line's address text, got ${show(s.server)}`);
    const server = s.server;
    const weight = s.weight === undefined ? 1 : int(`${at}.weight`, s.weight, 1, Number.MAX_SAFE_INTEGER, "INVALID_WEIGHT");
    const maxFails = s.max_fails === undefined ? 1 : int(`${at}.max_fails`, s.max_fails, 0, Number.MAX_SAFE_INTEGER);
    const timeout = failTimeout(`${at}.fail_timeout`, s.fail_timeout);
    if (s.max_conns !== undefined && int(`${at}.max_conns`, s.max_conns, 0, Number.MAX_SAFE_INTEGER) !== 0) {
      throw flowpinError("INVALID_CONFIG", `${at}.max_conns=${s.max_conns as number} is not modelled: the limit depends on how many connections are open at once, which flowpin does not see`);
    }
    const down = bool(`${at}.down`, s.down, false);
    const isBackup = bool(`${at}.backup`, s.backup, false);
    const listening = bool(`${at}.listening`, s.listening, true);
    if (s.resolved !== undefined && s.resolved !== "caller" && s.resolved !== "system resolver") {
      throw flowpinError("INVALID_CONFIG", `${at}.resolved must be "caller" or "system resolver", got ${show(s.resolved)}`);
    }
    if (!Array.isArray(s.addresses) || s.addresses.length === 0) throw flowpinError("INVALID_CONFIG", `${at}.addresses must list what ${JSON.stringify(server)} resolved to (one peer each), got ${show(s.addresses)}`);
    const addresses = s.addresses.map((a: unknown, j: number) => normalizePeer(`${at}.addresses[${j}]`, a));
    let text = texts.indexOf(server);
    if (text < 0) text = texts.push(server) - 1;
    for (const name of addresses) {
      (isBackup ? backup : primary).push({ name, server, text, weight, maxFails, failTimeout: timeout, down, backup: isBackup, listening, resolved: s.resolved as NginxServer["resolved"] });
    }
    servers.push({ ...(s as unknown as NginxServer), addresses });
  });
  // ngx_http_upstream_init_round_robin: "no servers in upstream" without a primary address.
  if (primary.length === 0) throw flowpinError("NO_BACKENDS", c.servers.length === 0 ? "servers is empty (nginx: no servers in upstream)" : "every server is a backup (nginx: no servers in upstream)");

  const config: NginxConfig = { ...(c as unknown as NginxConfig), servers };
  if (typeof c.upstream_text === "string") agree(config, c.upstream_text);

  const set = (peers: Peer[], single: boolean): PeerSet => ({
    peers,
    single,
    totalWeight: peers.reduce((t, p) => t + p.weight, 0),
    tries: peers.filter((p) => !p.down).length,
  });
  const utf8 = new TextEncoder();
  const ring = key !== null && consistent ? buildRing(texts.map((t) => utf8.encode(t)), primary.map((p) => p.text), primary.map((p) => p.weight)) : null;
  return {
    module,
    name: typeof c.name === "string" ? c.name : undefined,
    key,
    consistent,
    mapped,
    texts,
    // peers->single: exactly one primary address (down included) and no backups.
    primary: set(primary, primary.length === 1 && backup.length === 0),
    backup: backup.length ? set(backup, false) : null,
    ring,
    config,
  };
}

/** The upstream block as written must say what `servers` and `hash_key` say. */
function agree(config: NginxConfig, text: string): void {
  const read = readUpstream(text, { module: config.module, resolve: false });
  const where = "upstream_text disagrees with the config:";
  if ((read.hash_key ?? null) !== (config.hash_key ?? null) || (read.consistent ?? false) !== (config.consistent ?? false)) {
    throw flowpinError("INVALID_CONFIG", `${where} it has ${read.hash_key === null ? "no hash directive" : `hash ${read.hash_key}${read.consistent ? " consistent" : ""}`}, the config hash_key ${show(config.hash_key ?? null)} consistent ${show(config.consistent ?? false)}`);
  }
  if (read.servers.length !== config.servers.length) throw flowpinError("INVALID_CONFIG", `${where} it has ${read.servers.length} server lines, servers has ${config.servers.length}`);
  read.servers.forEach((r, i) => {
    const s = config.servers[i]!;
    const pairs: [string, unknown, unknown][] = [
      ["server", r.server, s.server],
      ["weight", r.weight ?? 1, s.weight ?? 1],
      ["down", r.down ?? false, s.down ?? false],
      ["backup", r.backup ?? false, s.backup ?? false],
      ["max_fails", r.max_fails ?? 1, s.max_fails ?? 1],
      ["fail_timeout", failTimeout("fail_timeout", r.fail_timeout), failTimeout(`servers[${i}].fail_timeout`, s.fail_timeout)],
    ];
    for (const [field, a, b] of pairs) {
      if (a !== b) throw flowpinError("INVALID_CONFIG", `${where} server line ${i + 1} has ${field} ${show(a)}, servers[${i}].${field} is ${show(b)}`);
    }
  });
}
