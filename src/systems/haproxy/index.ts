/**
 * The `haproxy` system: which server HAProxy 2.6 gives a TCP connection in a backend with
 * `balance source` or `balance hash src`, from the backend as operators write it. Checked
 * against test/vectors/systems/haproxy.json (the real HAProxy 2.6.12 on loopback) and, in
 * test/systems/haproxy.real.test.ts, against the binary itself.
 *
 * The decision, with the upstream place of each step (HAProxy 2.6, src/):
 * - Key (backend.c get_server_sh, get_server_expr): `balance source` XORs the client
 *   address's big-endian 32-bit words (IPv4: the address; an IPv4 client on a dual-stack
 *   `:::port` listener arrives as ::ffff:a.b.c.d, so 0xffff ^ address) and never calls the
 *   configured hash function: only `avalanche` (full_hash) applies. `balance hash src` hashes
 *   the 4 or 16 raw address bytes with the function (sdbm, djb2, wt6, crc32), then avalanche
 *   where configured. With one usable server the key is 0 (no hash).
 * - Consistent hashing (lb_chash.c): each usable server of the group in use (actives, or
 *   backups when no active is usable) has weight × 16 nodes keyed full_hash(id × 4096 + j);
 *   the closest node to the key wins (a tie goes to the lower node); a redispatch avoiding
 *   the failed server, and `hash-balance-factor` with the current connection counts, step
 *   clockwise. Without `option allbackups`, a backend with no usable active sends everything
 *   to the first usable backup. Map-based (lb_map.c): map[key % total weight].
 * - Servers: ids in declaration order around explicit `id`s; `disabled`, weight 0 and a
 *   checked server that does not answer are out; a server that does not answer without a
 *   check fails the connection, retried `retries` times, redispatched per `option redispatch`.
 *
 * Route reasons: "hash" (closest node / map slot), "single" (one usable server, key 0),
 * "first-backup", "balance-factor" (stepped past servers at their bound), "redispatch",
 * "no-server" (nothing usable: HAProxy answers 503 or closes), "connect-failed" (retries used up).
 *
 * Connection counts for `hash-balance-factor`: pass `{ served: { s1: 3, ... } }` to route(),
 * or let the system count: a connection routed with `held_open: true` (or every connection,
 * with `connections_held_open`) stays counted on its server until reset().
 *
 * @example
 * import { systems } from "flowpin";
 * const be = systems.haproxy({ balance: "source", hash_type: "consistent",
 *   servers: [{ name: "s1", address: "10.0.0.1:80" }, { name: "s2", address: "10.0.0.2:80", weight: 2 }] });
 * be.route({ src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 80, proto: "tcp" });
 * // { backend: "10.0.0.2:80", server: "s2", hash: "…", slot: …, reason: "hash" }
 */
import { flowpinError, show } from "../../errors.js";
import { FLOW_WORDS, parseFlowInto, type Flow } from "../../flow.js";
import { int, object } from "../../validate.js";
import { putBe32 } from "../bytes.js";
import { flowFromRecord } from "../flow-input.js";
import { hashHex, type Route, type RouteChange, type RouteDiff, type RouteOptions, type System, type SystemDefinition, type SystemTables } from "../system.js";
import { backendModel, type BackendModel, type HaproxyConfig, type ServerModel } from "./config.js";
import { fullHash, hashFunction, type ByteHash } from "./hash.js";
import { detectHaproxyCfg, parseHaproxyCfg } from "./native.js";
import { FIRST_BACKUP, LbTable, NO_SERVER, usable } from "./table.js";

export type { HaproxyConfig, HaproxyServerConfig, HaproxyOperation, HaproxyRuntimeState } from "./config.js";
export type { HaproxyHashFunction } from "./hash.js";

/** A TCP connection to the frontend; `held_open` keeps it counted on its server (hash-balance-factor). */
export interface HaproxyConnection extends Flow {
  held_open?: boolean;
}

/** HAProxy's decision: `backend` is the server's address:port (null when the connection gets none). */
export interface HaproxyRoute extends Route {
  /** The server's name, or null when none was chosen (with "connect-failed": the one that failed). */
  server: string | null;
}

export interface HaproxyRouteOptions extends RouteOptions {
  /** Current connections per server name (absent names: 0), for hash-balance-factor; replaces the system's own count for this call. */
  served?: Readonly<Record<string, number>>;
}

/** A server as the running backend holds it (what `show servers state` reports). */
export interface HaproxyServerState {
  name: string;
  /** The numeric id (puid) its nodes are keyed by. */
  id: number;
  /** Current user weight (after runtime operations). */
  weight: number;
  backup: boolean;
  /** Takes new connections (weight, not in maintenance, not checked down). */
  usable: boolean;
}

/** A HAProxy backend built from its configuration. */
export interface HaproxySystem extends System<HaproxyConnection, HaproxyRoute> {
  route(input: HaproxyConnection, options?: HaproxyRouteOptions): HaproxyRoute;
  /** The servers in declaration order, with the ids HAProxy assigned and their current state. */
  servers(): HaproxyServerState[];
  /** Connections counted open per server name (held-open connections routed so far). */
  served(): Record<string, number>;
  /** Forgets the held-open connections (as if they all closed). */
  reset(): void;
  table(): SystemTables;
}

const TCP = 6;

class Haproxy implements HaproxySystem {
  readonly system = "haproxy" as const;
  readonly #model: BackendModel;
  readonly #table: LbTable;
  readonly #fn: ByteHash;
  readonly #words = new Uint32Array(FLOW_WORDS);
  readonly #key = new Uint8Array(16);
  #served: Int32Array;
  #total = 0;

  constructor(config: HaproxyConfig) {
    this.#model = backendModel(config);
    this.#table = new LbTable(this.#model.settings, this.#model.servers);
    this.#fn = hashFunction(this.#model.settings.fn);
    this.#served = new Int32Array(this.#model.servers.length);
  }

  servers(): HaproxyServerState[] {
    const s = this.#model.settings;
    return this.#model.servers.map((m) => ({ name: m.name, id: m.puid, weight: m.uweight, backup: m.backup, usable: usable(s, this.#model.servers, m) }));
  }

  served(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of this.#model.servers) if (this.#served[m.index]) out[m.name] = this.#served[m.index]!;
    return out;
  }

  reset(): void {
    this.#served.fill(0);
    this.#total = 0;
  }

  route(input: HaproxyConnection, options: HaproxyRouteOptions = {}): HaproxyRoute {
    if (options.served !== undefined) {
      const [served, total] = this.#counts(options.served);
      return this.#decide(input, options.explain === true, served, total, false);
    }
    return this.#decide(input, options.explain === true, this.#served, this.#total, true);
  }

  routeBatch(inputs: readonly HaproxyConnection[]): HaproxyRoute[] {
    const out: HaproxyRoute[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) out[i] = this.#decide(inputs[i]!, false, this.#served, this.#total, true);
    return out;
  }

  diff(next: System<HaproxyConnection, HaproxyRoute>, inputs: readonly HaproxyConnection[]): RouteDiff<HaproxyConnection> {
    // Both sides from fresh connection counts, so earlier routing does not colour the answer.
    const fresh = (s: System<HaproxyConnection, HaproxyRoute>): HaproxyRoute[] => {
      if (s instanceof Haproxy) {
        const saved = [s.#served, s.#total] as const;
        s.#served = new Int32Array(s.#model.servers.length);
        s.#total = 0;
        try {
          return s.routeBatch(inputs);
        } finally {
          [s.#served, s.#total] = saved;
        }
      }
      return s.routeBatch(inputs);
    };
    const before = fresh(this);
    const after = fresh(next);
    const changes: RouteChange<HaproxyConnection>[] = [];
    for (let i = 0; i < inputs.length; i++) {
      if (before[i]!.backend !== after[i]!.backend) changes.push({ input: inputs[i]!, from: before[i]!.backend, to: after[i]!.backend });
    }
    return { total: inputs.length, moved: changes.length, changes };
  }

  /**
   * The lookup structure of the group in use, servers by name: the consistent-hash nodes
   * (closest node wins, lb_chash.c) or the map (key % total weight, lb_map.c). None where
   * no server is usable, or only the first backup (no hashing).
   */
  table(): SystemTables {
    const t = this.#table;
    const names = this.#model.servers.map((m) => m.name);
    if (t.totWeight === 0) return { system: "haproxy", tables: [], none: "no usable server" };
    if (this.#model.settings.lookup === "map-based") {
      return { system: "haproxy", tables: [{ kind: "map", name: "table", profile: "haproxy", size: t.totWeight, backends: names, weights: Array.from(t.eweights), table: Int32Array.from(t.owners) }] };
    }
    if (t.srvAct === 0 && t.fbck) return { system: "haproxy", tables: [], none: `no usable active server: every connection goes to the first usable backup, ${t.fbck.name}, without hashing` };
    return { system: "haproxy", tables: [{ kind: "ring", name: "table", profile: "haproxy", rule: "closest", bits: 32, backends: names, points: t.keys, owners: Uint32Array.from(t.owners) }] };
  }

  #counts(served: unknown): [Int32Array, number] {
    const o = object("served", served);
    const counts = new Int32Array(this.#model.servers.length);
    let total = 0;
    for (const [name, n] of Object.entries(o)) {
      const m = this.#model.servers.find((s) => s.name === name);
      if (!m) throw flowpinError("INVALID_CONFIG", `served: no server named ${show(name)} (servers: ${this.#model.servers.map((s) => s.name).join(", ")})`);
      counts[m.index] = int(`served.${name}`, n, 0, 0x7fffffff);
      total += counts[m.index]!;
    }
    return [counts, total];
  }

  /** The client address as the listener stored it, into #key; returns its length (4 or 16). */
  #clientKey(input: HaproxyConnection, w: Uint32Array): number {
    const src = input.src;
    const dst = input.dst;
    const fam = parseFlowInto({ src, dst, sport: input.sport, dport: input.dport, proto: input.proto }, w);
    if (w[10] !== TCP) throw flowpinError("INVALID_PROTOCOL", `proto must be tcp (6): HAProxy balances TCP connections, got ${show(input.proto)}`);
    const clients = this.#model.clients;
    // An address written as IPv6 (or 16 bytes) that is ::ffff:a.b.c.d is what a dual-stack
    // listener stores; flow parsing folds it to IPv4, so look at how it was given.
    const written6 = (typeof src === "string" && src.includes(":")) || (src instanceof Uint8Array && src.length === 16);
    if (fam === 6) {
      if (clients === "v4") throw flowpinError("INVALID_ADDRESS", `src ${show(src)}: an IPv6 client cannot reach the IPv4 listener ${show(this.#model.bind)}`);
      for (let k = 0; k < 4; k++) putBe32(this.#key, 4 * k, w[k]!);
      return 16;
    }
    if (clients === "v4-mapped" || (clients === "as-is" && written6)) {
      putBe32(this.#key, 0, 0);
      putBe32(this.#key, 4, 0);
      putBe32(this.#key, 8, 0xffff);
      putBe32(this.#key, 12, w[0]!);
      return 16;
    }
    putBe32(this.#key, 0, w[0]!);
    return 4;
  }

  #decide(input: HaproxyConnection, explaining: boolean, served: Int32Array, total: number, count: boolean): HaproxyRoute {
    const w = this.#words;
    const len = this.#clientKey(input, w);
    const held = this.#model.heldOpen || heldOpen(input);
    const dport = w[9]!;
    const s = this.#model.settings;
    const table = this.#table;
    const explain = explaining ? ([] as string[]) : undefined;
    if (table.totWeight === 0) {
      explain?.push("no usable server (tot_weight 0): HAProxy answers 503 (http) or closes (tcp)");
      return result(null, null, null, null, "no-server", explain);
    }
    const key = this.#key;
    let h = 0;
    let reason = "hash";
    if (table.totUsed === 1) {
      reason = "single";
      explain?.push("one usable server (tot_used 1): no hash, key 0");
    } else if (s.balance === "source") {
      for (let k = 0; k < len; k += 4) h = (h ^ ((key[k]! << 24) | (key[k + 1]! << 16) | (key[k + 2]! << 8) | key[k + 3]!)) >>> 0;
      if (s.avalanche) h = fullHash(h);
      explain?.push(`balance source: XOR of the client address words ${hexOf(key, len)}${s.avalanche ? ", full_hash" : ""} = ${hashHex(h)} (the hash function is not used)`);
    } else {
      h = this.#fn(key, len);
      if (s.avalanche) h = fullHash(h);
      explain?.push(`balance hash src: ${s.fn}(${hexOf(key, len)})${s.avalanche ? ", full_hash" : ""} = ${hashHex(h)}`);
    }
    let slot = table.pick(h, -1, served, total);
    if (slot === NO_SERVER) return result(null, null, hashHex(h), null, "no-server", explain);
    let srv = table.server(slot)!;
    if (slot === FIRST_BACKUP) reason = "first-backup";
    else if (table.stepped) reason = "balance-factor";
    explain?.push(this.#told(slot, srv, table.stepped));
    // A server that accepts nothing (and is not health-checked out) fails the connection.
    // back_handle_st_cer gives up once the retries done reach `retries`, else counts this
    // retry (2.6 backport of "Don't increment conn_retries counter too early", bc6b23813:
    // `retries N` means N retries; the real 2.6.12 binary agrees) and
    // stream_choose_redispatch may pick again while avoiding the failed server.
    const retries = s.retries;
    const after = s.redispatch;
    for (let c = 1; !srv.listening; c++) {
      if (c - 1 >= retries) {
        explain?.push(`${srv.name} refused the connection; ${retries} retries used up`);
        return result(null, srv.name, hashHex(h), slot === FIRST_BACKUP ? null : slot, "connect-failed", explain);
      }
      if (after !== null && ((after > 0 && c % after === 0) || (after < 0 && c % (retries + 1 + after) === 0))) {
        slot = table.pick(h, srv.index, served, total);
        explain?.push(`${srv.name} refused the connection; retry ${c} redispatches avoiding it: ${this.#told(slot, table.server(slot)!, table.stepped)}`);
        srv = table.server(slot)!;
        reason = "redispatch";
      } else explain?.push(`${srv.name} refused the connection; retry ${c} on the same server`);
    }
    if (count && held) {
      served[srv.index]!++;
      this.#total++;
    }
    return result(this.#label(srv, dport), srv.name, hashHex(h), slot === FIRST_BACKUP ? null : slot, reason, explain);
  }

  #told(slot: number, srv: ServerModel, stepped: number): string {
    if (slot === FIRST_BACKUP) return `no usable active server: the first usable backup ${srv.name}, without hashing`;
    if (this.#model.settings.lookup === "map-based") return `map slot ${slot} (key mod ${this.#table.totWeight}) → ${srv.name}`;
    const node = `node ${slot} of ${this.#table.keys.length} (key ${hashHex(this.#table.keys[slot]!)}, ${srv.name} id ${srv.puid})`;
    return stepped ? `stepped ${stepped} node(s) clockwise to ${node}` : `closest ${node}`;
  }

  #label(srv: ServerModel, dport: number): string {
    if (srv.label !== null) return srv.label;
    const host = srv.host.includes(":") ? `[${srv.host}]` : srv.host;
    return `${host}:${(dport + srv.portOffset) & 0xffff}`;
  }
}

function heldOpen(input: HaproxyConnection): boolean {
  const v = input.held_open;
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw flowpinError("INVALID_TYPE", `held_open must be a boolean, got ${show(v)}`);
  return v;
}

function hexOf(b: Uint8Array, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += b[i]!.toString(16).padStart(2, "0");
  return s;
}

function result(backend: string | null, server: string | null, hash: string | null, slot: number | null, reason: string, explain: string[] | undefined): HaproxyRoute {
  return explain ? { backend, server, hash, slot, reason, explain } : { backend, server, hash, slot, reason };
}

/** The registry's entry, whose create() gives the HAProxy-specific system (servers(), served(), reset()). */
export interface HaproxyDefinition extends SystemDefinition<HaproxyConfig, HaproxyConnection, HaproxyRoute> {
  create(config: HaproxyConfig): HaproxySystem;
}

export const haproxySystem: HaproxyDefinition = {
  name: "haproxy",
  summary: "HAProxy 2.6 balance source / hash src: consistent-hash tree or map, backups, redispatch, hash-balance-factor",
  create: (config: HaproxyConfig): HaproxySystem => new Haproxy(config),
  input: (record) => {
    const flow = flowFromRecord(record, ["held_open"]) as HaproxyConnection;
    if (record.held_open !== undefined) {
      if (typeof record.held_open !== "boolean") throw flowpinError("INVALID_TYPE", `held_open must be a boolean, got ${show(record.held_open)}`);
      flow.held_open = record.held_open;
    }
    return flow;
  },
  native: {
    description: "a haproxy.cfg backend (or listen) section; --name picks one of several",
    detect: detectHaproxyCfg,
    parse: (text, options) => parseHaproxyCfg(text, options),
  },
};
