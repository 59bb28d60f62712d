/**
 * An nginx.conf `upstream` block read as nginx 1.22.1 reads it, into the nginx system's
 * configuration (config.ts). What nginx accepts is accepted and what it refuses is refused with
 * its reason; directives that would change the decision and that flowpin does not model are
 * refused by name, never ignored:
 *
 * - `hash KEY [consistent]` (ngx_http_upstream_hash): modelled; a third word other than
 *   "consistent" is nginx's "invalid parameter". A second balancing directive replaces the
 *   first (nginx warns "load balancing method redefined").
 * - no balancing directive: plain round robin, modelled.
 * - `ip_hash`, `least_conn`, `random`: refused (not modelled).
 * - `server ADDR [weight=N] [max_fails=N] [fail_timeout=T] [down] [backup] [max_conns=0]`
 *   (ngx_http_upstream_server): `backup` after `hash` is nginx's "balancing method does not
 *   support parameter" (the hash directive drops NGX_HTTP_UPSTREAM_BACKUP from the block's
 *   flags), while `backup` on a line BEFORE `hash` is accepted, as 1.22.1 accepts it; weight=0
 *   and malformed numbers are "invalid parameter"; max_conns above 0 is refused (it depends on
 *   concurrent connections); `resolve`, `service=`, `slow_start=`, `route=`, `drain` are not in
 *   open-source nginx 1.22.1 ("invalid parameter").
 * - `zone`: accepted (it shares the round-robin state between workers, which is what flowpin
 *   models: one state). `keepalive*` (http only): accepted; the keepalive module reuses a
 *   cached connection to the peer the balancer already chose.
 * - anything else: refused ("unknown directive", or not in open-source nginx).
 *
 * Host names take the addresses the caller gives (`addresses` option, by host name) or the
 * system resolver's (resolve.ts); each server records which in `resolved`.
 * @module
 */
import { flowpinError, show } from "../../errors.js";
import { didYouMean } from "../../validate.js";
import { serverTarget, peerName } from "./address.js";
import { findAll, findUpstreams, parseConf, type Directive, type UpstreamBlock } from "./conf.js";
import type { NginxConfig, NginxServer } from "./config.js";
import { systemResolve } from "./resolve.js";
import { parseNginxSeconds } from "./time.js";

/**
 * Options for reading an nginx.conf.
 * @example readNginxConf(text, { name: "app", addresses: { "backend-a": ["10.0.0.5"] } })
 */
export interface NginxConfOptions {
  /** Which upstream, when the file has several. */
  name?: string;
  /** Addresses (IPs, no port) for host names, by name; names not listed go to the system resolver. */
  addresses?: Readonly<Record<string, readonly string[]>>;
  /** The module of an upstream block not inside `http { }` or `stream { }`; default "http". */
  module?: "http" | "stream";
}

const REFUSED: Record<string, string> = {
  ip_hash: "ip_hash is not modelled (flowpin models hash, hash ... consistent and round robin)",
  least_conn: "least_conn is not modelled: it depends on the connections open at each moment",
  random: "random is not modelled: its choice is random per connection",
  least_time: "least_time is not in open-source nginx 1.22.1 and is not modelled",
  sticky: "sticky is not in open-source nginx 1.22.1 and is not modelled",
  ntlm: "ntlm is not in open-source nginx 1.22.1 and is not modelled",
  queue: "queue is not in open-source nginx 1.22.1 and is not modelled",
  resolver: "resolver in an upstream block is not in nginx 1.22.1 and is not modelled",
  resolver_timeout: "resolver_timeout in an upstream block is not in nginx 1.22.1 and is not modelled",
  state: "state is not in open-source nginx 1.22.1 and is not modelled",
};
const KEEPALIVE = ["keepalive", "keepalive_requests", "keepalive_time", "keepalive_timeout"];
const KNOWN = ["server", "hash", "zone", ...KEEPALIVE, ...Object.keys(REFUSED)];

function refuse(d: Directive, message: string): Error {
  return flowpinError("INVALID_CONFIG", `line ${d.line}: ${message}`);
}

/** ngx_atoi: decimal digits only, at least one. */
function atoi(text: string): number | null {
  return /^\d+$/.test(text) && Number(text) <= Number.MAX_SAFE_INTEGER ? Number(text) : null;
}

interface ReadOptions extends NginxConfOptions {
  /** False: check the block without resolving host names (addresses left empty). */
  resolve?: boolean;
}

/** One upstream block's directives as the nginx system's configuration (no listen yet). */
function interpret(block: UpstreamBlock, module: "http" | "stream", options: ReadOptions): Omit<NginxConfig, "listen" | "upstream_text" | "server_text"> {
  let hashKey: string | null = null;
  let consistent = false;
  const servers: NginxServer[] = [];
  for (const d of block.directive.block ?? []) {
    if (d.block) throw refuse(d, `"${d.name}" directive does not take a block here`);
    switch (d.name) {
      case "hash":
        if (d.args.length < 1 || d.args.length > 2) throw refuse(d, `invalid number of arguments in "hash" directive`);
        if (d.args.length === 2 && d.args[1] !== "consistent") throw refuse(d, `invalid parameter "${d.args[1]}" (nginx accepts only "consistent" after the key)`);
        hashKey = d.args[0]!;
        consistent = d.args.length === 2;
        break;
      case "server":
        servers.push(server(d, module, hashKey !== null, options));
        break;
      case "zone":
        if (d.args.length < 1 || d.args.length > 2) throw refuse(d, `invalid number of arguments in "zone" directive`);
        break;
      default:
        if (KEEPALIVE.includes(d.name)) {
          if (module === "stream") throw refuse(d, `unknown directive "${d.name}" (the stream module has no ${d.name})`);
          break;
        }
        if (Object.prototype.hasOwnProperty.call(REFUSED, d.name)) throw refuse(d, REFUSED[d.name]!);
        throw refuse(d, `unknown directive "${d.name}" in an upstream block${didYouMean(d.name, KNOWN)}`);
    }
  }
  if (servers.length === 0) throw flowpinError("NO_BACKENDS", `upstream "${block.name}" has no server lines (nginx: no servers in upstream)`);
  return { module, name: block.name, hash_key: hashKey, consistent, servers };
}

/** A `server ADDR params...` line. `afterHash`: a hash directive came before it. */
function server(d: Directive, module: "http" | "stream", afterHash: boolean, options: ReadOptions): NginxServer {
  if (d.args.length < 1) throw refuse(d, `invalid number of arguments in "server" directive`);
  const text = d.args[0]!;
  const s: NginxServer = { server: text, addresses: [] };
  for (const p of d.args.slice(1)) {
    const eq = p.indexOf("=");
    const name = eq < 0 ? p : p.slice(0, eq + 1);
    const value = eq < 0 ? "" : p.slice(eq + 1);
    switch (name) {
      case "weight=": {
        const w = atoi(value);
        if (w === null || w === 0) throw flowpinError("INVALID_WEIGHT", `line ${d.line}: invalid parameter "${p}" in server ${text} (nginx: weight must be a positive integer)`);
        s.weight = w;
        break;
      }
      case "max_fails=": {
        const m = atoi(value);
        if (m === null) throw refuse(d, `invalid parameter "${p}" in server ${text}`);
        s.max_fails = m;
        break;
      }
      case "max_conns=": {
        const m = atoi(value);
        if (m === null) throw refuse(d, `invalid parameter "${p}" in server ${text}`);
        if (m !== 0) throw refuse(d, `server ${text}: ${p} is not modelled: the limit depends on how many connections are open at once, which flowpin does not see`);
        s.max_conns = 0;
        break;
      }
      case "fail_timeout=": {
        if (parseNginxSeconds(value) === null) throw refuse(d, `invalid parameter "${p}" in server ${text}`);
        s.fail_timeout = value;
        break;
      }
      case "backup":
        if (afterHash) throw refuse(d, `balancing method does not support parameter "backup" (server ${text} comes after the hash directive; nginx -t refuses it)`);
        s.backup = true;
        break;
      case "down":
        s.down = true;
        break;
      default:
        throw refuse(d, `invalid parameter "${p}" in server ${text} (nginx 1.22.1 open source takes weight=, max_fails=, fail_timeout=, max_conns=, down, backup)`);
    }
  }
  const target = serverTarget(text, module);
  if (options.resolve === false) return s;
  if (target.kind === "unix") s.addresses = [`unix:${target.path}`];
  else if (target.kind === "ip") s.addresses = [`${target.address}:${target.port}`];
  else {
    const given = options.addresses && Object.prototype.hasOwnProperty.call(options.addresses, target.host) ? options.addresses[target.host] : undefined;
    if (given !== undefined) {
      if (!Array.isArray(given) || given.length === 0) throw flowpinError("INVALID_CONFIG", `addresses[${JSON.stringify(target.host)}] must list at least one IP address, got ${show(given)}`);
      s.addresses = given.map((ip: unknown, j: number) => peerName(String(ip), target.port, `addresses[${JSON.stringify(target.host)}][${j}]`));
      s.resolved = "caller";
    } else {
      s.addresses = systemResolve(target.host, text).map((ip) => peerName(ip, target.port, `the address the system resolver gave for ${target.host}`));
      s.resolved = "system resolver";
    }
  }
  return s;
}

/** Whether a proxy_pass (or fastcgi_pass, grpc_pass, ...) target names this upstream. */
function passesTo(target: string, name: string): boolean {
  const rest = target.replace(/^[a-z]+:\/\//i, "");
  const slash = rest.indexOf("/");
  return (slash < 0 ? rest : rest.slice(0, slash)) === name;
}

const PASSES = ["proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass"];

/** The server blocks beside the upstream that pass to it, and their listen directives. */
function listeners(block: UpstreamBlock, text: string): { listen?: string; server_text?: string } {
  for (const d of block.siblings) {
    if (d.name !== "server" || !d.block) continue;
    const passes = PASSES.some((p) => findAll(d.block!, p).some((x) => x.args[0] !== undefined && passesTo(x.args[0], block.name)));
    if (!passes) continue;
    const listens = d.block.filter((x) => x.name === "listen").map((x) => x.args.join(" "));
    // A dual-stack socket changes the key text of IPv4 clients, so it is the one to report.
    const listen = listens.find((l) => l.startsWith("[") && l.split(/\s+/).includes("ipv6only=off")) ?? listens[0];
    return { ...(listen === undefined ? {} : { listen }), server_text: text.slice(d.start, d.end) };
  }
  return {};
}

/**
 * The upstream of an nginx.conf (a whole file, an `http { }` / `stream { }` section, or just
 * `upstream NAME { ... }`) as the nginx system's configuration. Servers get `listening: true`;
 * say which ones refuse connections by editing the result.
 * @example readNginxConf(fs.readFileSync("/etc/nginx/nginx.conf", "utf8"), { name: "app" })
 */
export function readNginxConf(text: string, options: NginxConfOptions = {}): NginxConfig {
  return read(text, options);
}

function read(text: string, options: ReadOptions): NginxConfig {
  if (typeof text !== "string") throw flowpinError("INVALID_TYPE", `nginx.conf text must be a string, got ${show(text)}`);
  if (options.module !== undefined && options.module !== "http" && options.module !== "stream") throw flowpinError("INVALID_CONFIG", `module must be "http" or "stream", got ${show(options.module)}`);
  const upstreams = findUpstreams(parseConf(text));
  if (upstreams.length === 0) throw flowpinError("INVALID_CONFIG", "no upstream block in the file");
  let block: UpstreamBlock;
  if (options.name !== undefined) {
    const found = upstreams.filter((u) => u.name === options.name);
    if (found.length === 0) {
      const names = upstreams.map((u) => u.name);
      throw flowpinError("INVALID_CONFIG", `no upstream named ${JSON.stringify(options.name)}${didYouMean(options.name, names)}; the file has ${names.join(", ")}`);
    }
    if (found.length > 1 && new Set(found.map((u) => u.module)).size > 1) throw flowpinError("INVALID_CONFIG", `upstream ${JSON.stringify(options.name)} is in both the http and stream sections`);
    if (found.length > 1) throw flowpinError("INVALID_CONFIG", `upstream ${JSON.stringify(options.name)} is defined twice (nginx: duplicate upstream)`);
    block = found[0]!;
  } else {
    if (upstreams.length > 1) throw flowpinError("INVALID_CONFIG", `the file has ${upstreams.length} upstream blocks (${upstreams.map((u) => u.name).join(", ")}); pick one by name`);
    block = upstreams[0]!;
  }
  const module = block.module ?? options.module ?? "http";
  const base = interpret(block, module, options);
  return { ...base, ...listeners(block, text), upstream_text: text.slice(block.directive.start, block.directive.end) };
}

/** One upstream block's text, checked as nginx checks it (addresses resolved unless resolve is false). */
export function readUpstream(text: string, options: ReadOptions): NginxConfig {
  return read(text, options);
}
