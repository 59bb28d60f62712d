/**
 * The `nginx` system: which server nginx 1.22 (http or stream) proxies a connection to, from
 * its `upstream` block: `hash KEY consistent` (the ketama-style CRC-32 ring), `hash KEY` (the
 * modulo scheme) or plain round robin, with weights, `down`, `backup`, `max_fails` /
 * `fail_timeout` and servers that refuse connections. Checked against the real nginx binary
 * (test/vectors/systems/nginx.json and test/systems/nginx.real.test.ts).
 *
 * nginx keeps round-robin state between connections (smooth weighted round robin among the
 * addresses of one name and over backups, failure marks), so a system object is one nginx
 * worker from start: route connections in the order they arrive. `fresh()` starts over (a
 * reload); `diff` compares two configurations from fresh state.
 *
 * Reasons: "hash" (a ring point or modulo slot), "round-robin" (no hashing: one address and no
 * backup, an empty key, or no hash directive), "fallback" (round robin after more than 20 ring
 * points), "backup" (round robin over the backups), "no-backend" (no live server: nginx answers
 * 502), "refused" (every server tried refused the connection: 502).
 *
 * @example
 * import { systems } from "flowpin";
 * const nginx = systems.nginx({ module: "stream", hash_key: "$remote_addr", consistent: true,
 *   servers: [{ server: "10.0.0.1:443", addresses: ["10.0.0.1:443"] }, { server: "10.0.0.2:443", addresses: ["10.0.0.2:443"], weight: 2 }] });
 * nginx.route({ src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 443, proto: "tcp" });
 * // { backend: "10.0.0.2:443", hash: "…", slot: …, reason: "hash", key: "198.51.100.7", … }
 */
import { flowpinError, show } from "../../errors.js";
import { FLOW_WORDS, parseFlowInto, type Flow } from "../../flow.js";
import { knownFields, object } from "../../validate.js";
import { type Route, type RouteChange, type RouteDiff, type RouteOptions, type System, type SystemDefinition, type SystemTables } from "../system.js";
import { flowFromRecord } from "../flow-input.js";
import { Balancer } from "./balancer.js";
import { buildUpstream, type NginxConfig, type NginxServer, type Upstream } from "./config.js";
import { writeKey } from "./key.js";
import { readNginxConf, type NginxConfOptions } from "./upstream.js";

export type { NginxConfig, NginxServer } from "./config.js";
export type { NginxConfOptions } from "./upstream.js";
export { readNginxConf } from "./upstream.js";

/**
 * A connection as nginx sees it: the 5-tuple (src = client, dst/dport = where it arrived) and,
 * optionally, when it was made.
 * @example { src: "127.1.2.3", dst: "127.0.0.1", sport: 40000, dport: 8080, proto: "tcp", time: 12 }
 */
export interface NginxFlow extends Flow {
  /** Seconds on any clock (nginx counts whole seconds); fail_timeout is measured on it. Default 0: every connection at once. */
  time?: number;
}

/** nginx's decision for one connection. */
export interface NginxRoute extends Route {
  /** The evaluated hash key (bytes outside printable ASCII as \xHH), or null without a hash directive. */
  key: string | null;
  /** The `server` text of the chosen peer (what the ring hashed), or null. */
  server: string | null;
  /** As nginx logs $upstream_addr: every peer tried, ", "-separated (the upstream's name when none was live). */
  upstream_addr: string;
  /** The server text of every ring point (or modulo slot) looked at, when more than one. */
  walk?: string[];
  /** When the chosen server is a host name: where its addresses came from. */
  resolved?: "caller" | "system resolver";
}

/** A change to one server line, applied as nginx applies it: on reload, with fresh state. */
export interface NginxServerChange {
  weight?: number;
  down?: boolean;
  backup?: boolean;
  listening?: boolean;
}

const HEXDIGITS = "0123456789abcdef";
const HEXBYTE = Array.from({ length: 256 }, (_, b) => HEXDIGITS[b >> 4]! + HEXDIGITS[b & 15]!);

/** hashHex for a u32 from a byte table: toString(16).padStart was ~15 % of route() in a CPU profile. */
function hex32(h: number): string {
  return HEXBYTE[h >>> 24]! + HEXBYTE[(h >>> 16) & 255]! + HEXBYTE[(h >>> 8) & 255]! + HEXBYTE[h & 255]!;
}

function keyText(bytes: Uint8Array, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) {
    const b = bytes[i]!;
    s += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${HEXDIGITS[b >> 4]}${HEXDIGITS[b & 15]}`;
  }
  return s;
}

/** One nginx worker (or zone) running an upstream, from start. */
export class NginxSystem implements System<NginxFlow, NginxRoute> {
  readonly system = "nginx" as const;
  readonly #up: Upstream;
  readonly #balancer: Balancer;
  readonly #w = new Uint32Array(FLOW_WORDS);
  readonly #key: Uint8Array;

  constructor(config: NginxConfig | Upstream, built = false) {
    this.#up = built ? (config as Upstream) : buildUpstream(config as NginxConfig);
    this.#balancer = new Balancer(this.#up);
    this.#key = new Uint8Array(Math.max(1, this.#up.key?.maxLength ?? 0));
  }

  /** The configuration, normalized (peer addresses as nginx writes them). */
  get config(): NginxConfig {
    return structuredClone(this.#up.config);
  }

  route(flow: NginxFlow, options: RouteOptions = {}): NginxRoute {
    const w = this.#w;
    const family = parseFlowInto(flow, w);
    const t = flow.time;
    let now = 0;
    if (t !== undefined) {
      if (typeof t !== "number" || !Number.isFinite(t) || t < 0) throw flowpinError(typeof t === "number" ? "OUT_OF_RANGE" : "INVALID_TYPE", `time must be seconds (a finite number ≥ 0), got ${show(t)}`);
      now = Math.floor(t);
    }
    const up = this.#up;
    const keyLength = up.key ? writeKey(up.key, w, family, up.mapped, this.#key) : 0;
    const a = this.#balancer.connect(this.#key, keyLength, now);
    const peers = this.#balancer.peers;
    const last = a.triedCount ? peers[a.tried[a.triedCount - 1]!]! : null;
    const chosen = a.failed === null ? last : null;
    let upstreamAddr = last ? last.name : "";
    for (let i = a.triedCount - 2; i >= 0; i--) upstreamAddr = `${peers[a.tried[i]!]!.name}, ${upstreamAddr}`;
    if (a.failed === "none") upstreamAddr = upstreamAddr ? `${upstreamAddr}, ${up.name ?? "(no live upstreams)"}` : up.name ?? "(no live upstreams)";
    const route: NginxRoute = {
      backend: chosen ? chosen.name : null,
      hash: a.hash < 0 ? null : hex32(a.hash),
      slot: a.slot < 0 ? null : a.slot,
      reason: a.failed === "none" ? "no-backend" : a.failed === "refused" ? "refused" : a.via,
      key: up.key ? keyText(this.#key, keyLength) : null,
      server: chosen ? chosen.server : null,
      upstream_addr: upstreamAddr,
    };
    if (a.walkCount > 1) route.walk = Array.from(a.walk.subarray(0, a.walkCount), (i) => up.texts[i]!);
    if (chosen?.resolved) route.resolved = chosen.resolved;
    if (options.explain) route.explain = this.#explain(route, Array.from(a.tried.subarray(0, a.triedCount)));
    return route;
  }

  #explain(r: NginxRoute, tried: readonly number[]): string[] {
    const up = this.#up;
    const out: string[] = [];
    if (up.key === null) out.push("no hash directive: round robin");
    else out.push(`key ${JSON.stringify(up.key.text)}${up.mapped ? " (dual-stack listener: IPv4 clients as ::ffff:a.b.c.d)" : ""} = ${JSON.stringify(r.key)}`);
    if (r.hash !== null) {
      out.push(`CRC-32(key) = ${r.hash}`);
      if (up.ring) out.push(`first of ${up.ring.hashes.length} ring points ≥ ${r.hash}: point ${r.slot}${r.slot === up.ring.hashes.length ? " (past the last: wraps to point 0)" : ""}`);
      else out.push(`modulo hash: (CRC-32 >> 16 & 0x7fff) mod total weight ${up.primary.totalWeight} = ${r.slot}`);
    } else if (up.key !== null) {
      out.push(up.primary.single ? "one address and no backup: round robin without hashing" : "empty key: round robin without hashing");
    }
    if (r.walk) out.push(`points walked (server text): ${r.walk.join(" → ")}`);
    for (const i of tried) {
      const p = this.#balancer.peers[i]!;
      out.push(`${p.name} (server ${p.server}${p.backup ? ", backup" : ""})${p.listening ? "" : " refused the connection: marked failed, next"}`);
    }
    out.push(r.backend === null ? (r.reason === "refused" ? "every try refused: 502" : "no live server: 502") : `${r.reason} → ${r.backend}`);
    return out;
  }

  routeBatch(flows: readonly NginxFlow[]): NginxRoute[] {
    const out = new Array<NginxRoute>(flows.length);
    for (let i = 0; i < flows.length; i++) out[i] = this.route(flows[i]!);
    return out;
  }

  /** The same upstream with the state nginx has right after start or reload. */
  fresh(): NginxSystem {
    return new NginxSystem(this.#up, true);
  }

  /**
   * The connections that go elsewhere under `next`, both replayed in order from fresh state
   * (what a reload to `next` would do to the same clients).
   */
  diff(next: System<NginxFlow, NginxRoute>, flows: readonly NginxFlow[]): RouteDiff<NginxFlow> {
    const before = this.fresh().routeBatch(flows);
    const after = (next instanceof NginxSystem ? next.fresh() : next).routeBatch(flows);
    const changes: RouteChange<NginxFlow>[] = [];
    for (let i = 0; i < flows.length; i++) {
      if (before[i]!.backend !== after[i]!.backend) changes.push({ input: flows[i]!, from: before[i]!.backend, to: after[i]!.backend });
    }
    return { total: flows.length, moved: changes.length, changes };
  }

  /**
   * The consistent-hash ring (`hash KEY consistent`): points owned by `server` texts as
   * written (nginx then picks among that server's addresses by round robin). `hash KEY`
   * without consistent and round robin have no table.
   */
  table(): SystemTables {
    const up = this.#up;
    const ring = up.ring;
    if (!ring) return { system: "nginx", tables: [], none: up.key === null ? "round robin has no table" : up.consistent ? "no primary server: the ring is empty" : "hash without consistent has no ring: the key modulo the total weight picks a server" };
    // ngx_http_upstream_find_chash_point: the first point ≥ the key's hash, wrapping.
    return { system: "nginx", tables: [{ kind: "ring", name: "table", profile: "nginx", rule: "successor", bits: 32, backends: up.texts, points: ring.hashes, owners: ring.owner }] };
  }

  /** Every line for `server` (its text as written) changed, as after a reload. */
  withServer(server: string, change: NginxServerChange): NginxSystem {
    const c = object("change", change);
    knownFields("change", c, ["weight", "down", "backup", "listening"]);
    const config = this.config;
    const lines = config.servers.filter((s) => s.server === server);
    if (lines.length === 0) throw flowpinError("INVALID_CONFIG", `no server ${JSON.stringify(server)} in the upstream; it has ${config.servers.map((s) => s.server).join(", ")}`);
    for (const s of lines) Object.assign(s, c);
    // The block as written no longer matches the edited lines.
    delete config.upstream_text;
    return new NginxSystem(config);
  }

  /** A server line added at the end, as after a reload. */
  addServer(server: NginxServer): NginxSystem {
    const config = this.config;
    config.servers.push(server);
    delete config.upstream_text;
    return new NginxSystem(config);
  }

  /** Every line for `server` removed, as after a reload. */
  removeServer(server: string): NginxSystem {
    const config = this.config;
    const kept = config.servers.filter((s) => s.server !== server);
    if (kept.length === config.servers.length) throw flowpinError("INVALID_CONFIG", `no server ${JSON.stringify(server)} in the upstream`);
    config.servers = kept;
    delete config.upstream_text;
    return new NginxSystem(config);
  }
}

/** A flow record (CLI --flow / CSV / JSON line) with an optional `time`. */
function input(record: Record<string, unknown>): NginxFlow {
  const r = object("flow", record);
  const flow: NginxFlow = flowFromRecord(r, ["time"]);
  if (r.time !== undefined) {
    // CSV cells and --flow values arrive as text.
    flow.time = typeof r.time === "string" && /^\d+(\.\d+)?$/.test(r.time) ? Number(r.time) : (r.time as number);
  }
  return flow;
}

export const nginxSystem: SystemDefinition<NginxConfig, NginxFlow, NginxRoute> = {
  name: "nginx",
  summary: "nginx 1.22 upstream (http or stream): hash KEY consistent (CRC-32 ring), hash KEY, round robin; down, backup, max_fails",
  create: (config: NginxConfig) => new NginxSystem(config),
  input,
  native: {
    description: "an nginx.conf upstream block (http or stream)",
    detect: (text: string) => /(^|[\s;{}])upstream\s+[^\s{;]+\s*\{/.test(text),
    parse: (text: string, options: NginxConfOptions) => readNginxConf(text, options),
  },
};
