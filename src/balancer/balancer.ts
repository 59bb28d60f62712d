/**
 * The Balancer: what production L4 balancers put around a consistent table, for a proxy or a
 * daemon to embed. Backends with a weight and a state; `pick(flow | key)`; `update(changes)`
 * that builds the next table off the pick path and swaps it in one assignment; change events;
 * per-backend counters; a connection table (Maglev §3.3, Katran's LRU) so established flows
 * keep their backend; second chance (the previous table's pick, and a system's secondary);
 * bounded load (Envoy's hash_balance_factor); and the stateful policies for comparison.
 *
 * States, as Katran and glb-director treat them:
 * - `active`: gets new flows (weight > 0) and keeps its existing ones;
 * - `draining`: no new flows; flows found in the connection table keep it;
 * - `down`: no flows at all; its entries in the connection table are misses, and those flows
 *   are picked again from the current table.
 *
 * Hashes: flows are hashed with flowpin's keyed HalfSipHash-1-3 (FlowHasher, `key` is the
 * fleet secret); string keys (user ids, headers) with XXH64, seed 0 (Envoy's header hash), of
 * their UTF-8 bytes. Tables: Maglev (default), rendezvous or ring, over the usable backends
 * in the order given; or any production system (`system`), built from the usable backends.
 *
 * @example
 * import { Balancer } from "flowpin";
 * const lb = new Balancer({ key: "000102030405060a", backends: [{ id: "10.0.0.1:80" }, { id: "10.0.0.2:80", weight: 2 }], connections: { capacity: 100_000, timeout: 60_000 } });
 * lb.pick({ src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 443, proto: "tcp" }).backend; // "10.0.0.2:80"
 * lb.update({ state: { "10.0.0.2:80": "draining" } }); // existing flows stay, new ones go to 10.0.0.1:80
 * lb.pickId("user-42");                                 // string keys: XXH64
 */
import { boundedLoadPick, boundedLoadSlots, overloadFactor } from "../bounded-load.js";
import { hexBytes } from "../encoding.js";
import { flowpinError, show } from "../errors.js";
import { FlowHasher } from "../flow-hasher.js";
import type { Flow } from "../flow.js";
import { xxh64 } from "../hashes.js";
import { Maglev } from "../maglev.js";
import { Rendezvous } from "../rendezvous.js";
import { Ring } from "../ring.js";
import type { Route, System } from "../systems/system.js";
import { int, knownFields, object } from "../validate.js";
import { ConnTable, MAX_BACKEND_INDEX, MAX_TIMEOUT } from "./conntrack.js";
import { policyState, STATEFUL_POLICIES, XorShift32, type PolicyState, type StatefulPolicy } from "./policies.js";

export type BackendState = "active" | "draining" | "down";

type SystemFactory = (backends: UsableBackend[]) => System<Flow, Route>;

/** A backend as given to the Balancer. */
export interface BalancerBackend {
  /** Unique name, returned by pick (e.g. "10.0.0.1:80"). */
  id: string;
  /** Positive integer, default 1; 0 keeps it configured without new flows. */
  weight?: number;
  /** Default "active". */
  state?: BackendState;
}

/** The consistent tables a Balancer builds itself. */
export type TablePolicy = "maglev" | "rendezvous" | "ring";
export type BalancerPolicy = TablePolicy | StatefulPolicy;
export const BALANCER_POLICIES: readonly BalancerPolicy[] = ["maglev", "rendezvous", "ring", ...STATEFUL_POLICIES];

/** What the Balancer hands a system factory: the usable backends (active, weight > 0). */
export interface UsableBackend {
  id: string;
  weight: number;
}

export interface BalancerOptions {
  backends: readonly BalancerBackend[];
  /** "maglev" (default), "rendezvous", "ring", or a stateful policy. Ignored with `system`. */
  policy?: BalancerPolicy;
  /**
   * A production system to pick with instead of a table: built from the usable backends on
   * every update, e.g. `(bs) => systems.flowpin({ key, backends: bs })`. Its route's
   * `backend` must be one of the ids given; its `secondary`, when it has one, is reported.
   */
  system?: (backends: UsableBackend[]) => System<Flow, Route>;
  /** The fleet's flow-hash key (8 bytes, or 16 hex digits); needed to pick flows with a table. */
  key?: string | Uint8Array;
  /** Both directions of a connection hash alike. */
  symmetric?: boolean;
  /** Maglev table size (prime), default 65537. */
  size?: number;
  /** A connection table (see ConnTable); absent or false: none. */
  connections?: false | { capacity: number; timeout?: number; seed?: number };
  /** Bounded load's c (Envoy's hash_balance_factor / 100): ≥ 1, two decimals; default none. */
  balanceFactor?: number;
  /** Seed of the random policies (default random). */
  seed?: number;
  /** Milliseconds for idle timeouts (default performance.now()). */
  clock?: () => number;
}

/** Why a backend was chosen, or why none. */
export type PickReason = "connection" | "table" | "bounded" | "policy" | "no-backend";

/** One decision. */
export interface BalancerPick {
  backend: string | null;
  reason: PickReason;
  /** The flow hash (null for stateful policies and systems). */
  hash: number | bigint | null;
  /** Second chance: the backend the table before the last update picks (null when none). */
  previous: string | null;
  /** The system's own second choice (glb-director's secondary), when it reports one. */
  secondary?: string | null;
}

/** Changes for update(); applied together, validated before anything changes. */
export interface BalancerChanges {
  add?: readonly BalancerBackend[];
  remove?: readonly string[];
  state?: Readonly<Record<string, BackendState>>;
  weight?: Readonly<Record<string, number>>;
}

/** The event update() emits. */
export interface BalancerChange {
  /** Fraction of the hash space whose table owner changed (null for stateful policies). */
  moved: number | null;
  backends: { id: string; state: BackendState; weight: number; before: number; after: number }[];
}

/** Per-backend counters. */
export interface BackendCounters {
  id: string;
  state: BackendState;
  weight: number;
  /** New flows assigned to it. */
  picks: number;
  /** Picks answered by the connection table. */
  hits: number;
  /** Its load: live connection-table entries, or (without one) picks minus done(). */
  active: number;
}

interface Backend {
  readonly id: string;
  readonly index: number;
  weight: number;
  state: BackendState;
  removed: boolean;
  picks: number;
  hits: number;
}

/** An immutable snapshot: the usable backends and the table over them. */
interface Generation {
  readonly usable: Uint32Array;
  readonly shares: Float64Array;
  readonly maglev?: Maglev;
  readonly rendezvous?: Rendezvous;
  readonly ring?: Ring;
  readonly system?: System<Flow, Route>;
  readonly policy?: PolicyState;
}

const OPTION_FIELDS = ["backends", "policy", "system", "key", "symmetric", "size", "connections", "balanceFactor", "seed", "clock"];
const BACKEND_FIELDS = ["id", "weight", "state"];
const CHANGE_FIELDS = ["add", "remove", "state", "weight"];
const STATES: readonly BackendState[] = ["active", "draining", "down"];
const enc = new TextEncoder();
const SPLIT = new DataView(new ArrayBuffer(8));
const GOLDEN = 0x9e3779b97f4a7c15n;

function checkState(name: string, s: unknown): BackendState {
  if (!STATES.includes(s as BackendState)) throw flowpinError("INVALID_CONFIG", `${name} must be one of ${STATES.join(", ")}, got ${show(s)}`);
  return s as BackendState;
}

function checkWeight(name: string, w: unknown): number {
  return int(name, w, 0, 0xffffffff, "INVALID_WEIGHT");
}

export class Balancer {
  readonly policy: BalancerPolicy | "system";
  /** The connection table, when configured. */
  readonly connections: ConnTable | undefined;
  readonly #backends: Backend[] = [];
  readonly #byId = new Map<string, Backend>();
  readonly #hasher: FlowHasher | undefined;
  readonly #size: number | undefined;
  readonly #factor: number;
  readonly #rng: XorShift32;
  readonly #system: SystemFactory | undefined;
  readonly #listeners = new Set<(c: BalancerChange) => void>();
  // Loads without a connection table: picks minus done().
  #active = new Float64Array(16);
  #activeTotal = 0;
  #gen: Generation;
  #previous: Generation | undefined;
  #order = new Uint32Array(16);

  /**
   * Throws FlowpinError: INVALID_TYPE, INVALID_CONFIG (unknown field, bad state or policy),
   * NO_BACKENDS, DUPLICATE_BACKEND, INVALID_WEIGHT, INVALID_KEY, OUT_OF_RANGE.
   * @example new Balancer({ key: secret, backends: [{ id: "a" }, { id: "b" }], policy: "rendezvous" })
   */
  constructor(options: BalancerOptions) {
    const o = object("balancer options", options);
    knownFields("balancer options", o, OPTION_FIELDS);
    if (o.system !== undefined && typeof o.system !== "function") throw flowpinError("INVALID_TYPE", `system must be a function (usable backends) => System, got ${show(o.system)}`);
    this.#system = o.system as SystemFactory | undefined;
    const policy = o.policy ?? "maglev";
    if (!BALANCER_POLICIES.includes(policy as BalancerPolicy)) throw flowpinError("INVALID_CONFIG", `policy must be one of ${BALANCER_POLICIES.join(", ")}, got ${show(policy)}`);
    this.policy = this.#system ? "system" : (policy as BalancerPolicy);
    if (o.key !== undefined) {
      const key = typeof o.key === "string" ? hexBytes("key", o.key, "INVALID_KEY") : o.key;
      if (o.symmetric !== undefined && typeof o.symmetric !== "boolean") throw flowpinError("INVALID_TYPE", `symmetric must be a boolean, got ${show(o.symmetric)}`);
      this.#hasher = new FlowHasher({ key: key as Uint8Array, symmetric: o.symmetric === true });
    } else if (o.symmetric !== undefined) throw flowpinError("INVALID_CONFIG", "symmetric needs a key");
    if (o.size !== undefined && this.policy !== "maglev") throw flowpinError("INVALID_CONFIG", `size applies to the maglev policy only, not ${show(this.policy)}`);
    this.#size = o.size as number | undefined;
    if (o.balanceFactor !== undefined) {
      const c = o.balanceFactor;
      if (typeof c !== "number") throw flowpinError("INVALID_TYPE", `balanceFactor must be a number ≥ 1, got ${show(c)}`);
      // Envoy's hash_balance_factor is an integer percentage ≥ 100; c keeps two decimals of it.
      if (!Number.isFinite(c) || c < 1 || c > 1e6 || Math.abs(c * 100 - Math.round(c * 100)) > 1e-9) throw flowpinError("OUT_OF_RANGE", `balanceFactor must be a number ≥ 1 with at most two decimals (Envoy's hash_balance_factor / 100), got ${show(c)}`);
      if (!(["maglev", "rendezvous", "ring"] as unknown[]).includes(this.policy)) throw flowpinError("INVALID_CONFIG", `balanceFactor bounds a consistent table (maglev, rendezvous, ring), not ${show(this.policy)}`);
      this.#factor = Math.round(c * 100);
    } else this.#factor = 0;
    this.#rng = new XorShift32(o.seed === undefined ? (Math.random() * 2 ** 32) >>> 0 : int("seed", o.seed, 0, 0xffffffff));
    if (!Array.isArray(o.backends)) throw flowpinError("INVALID_TYPE", `backends must be an array, got ${show(o.backends)}`);
    if (o.backends.length === 0) throw flowpinError("NO_BACKENDS", "backends is empty");
    const list = this.#checkBackends("backends", o.backends, new Set());
    if (o.connections !== undefined && o.connections !== false) {
      const c = object("connections", o.connections);
      knownFields("connections", c, ["capacity", "timeout", "seed"]);
      this.connections = new ConnTable({
        capacity: c.capacity as number,
        maxBackends: MAX_BACKEND_INDEX + 1,
        ...(c.timeout === undefined ? {} : { timeout: c.timeout as number }),
        ...(c.seed === undefined ? {} : { seed: c.seed as number }),
        ...(o.clock === undefined ? {} : { clock: o.clock as () => number }),
      });
    } else if (o.clock !== undefined) throw flowpinError("INVALID_CONFIG", "clock applies to the connection table (connections) only");
    for (const b of list) this.#add(b);
    this.#gen = this.#build();
  }

  #checkBackends(name: string, items: readonly unknown[], seen: Set<string>): BalancerBackend[] {
    return items.map((item, i) => {
      const b = object(`${name}[${i}]`, item);
      knownFields(`${name}[${i}]`, b, BACKEND_FIELDS);
      if (typeof b.id !== "string" || b.id === "") throw flowpinError("INVALID_TYPE", `${name}[${i}].id must be a non-empty string, got ${show(b.id)}`);
      if (seen.has(b.id)) throw flowpinError("DUPLICATE_BACKEND", `${name}[${i}].id ${show(b.id)} appears twice`);
      seen.add(b.id);
      const weight = b.weight === undefined ? 1 : checkWeight(`${name}[${i}].weight`, b.weight);
      const state = b.state === undefined ? "active" : checkState(`${name}[${i}].state`, b.state);
      return { id: b.id, weight, state };
    });
  }

  #add(b: BalancerBackend): void {
    const known = this.#byId.get(b.id);
    if (known) {
      known.removed = false;
      known.weight = b.weight!;
      known.state = b.state!;
      return;
    }
    const index = this.#backends.length;
    if (index > MAX_BACKEND_INDEX) throw flowpinError("OUT_OF_RANGE", `a Balancer holds at most ${MAX_BACKEND_INDEX + 1} distinct backend ids`);
    const backend: Backend = { id: b.id, index, weight: b.weight!, state: b.state!, removed: false, picks: 0, hits: 0 };
    this.#backends.push(backend);
    this.#byId.set(b.id, backend);
    if (index >= this.#active.length) {
      const a = new Float64Array(this.#active.length * 2);
      a.set(this.#active);
      this.#active = a;
    }
  }

  // Builds a generation from the current backend states (off the pick path).
  #build(): Generation {
    const usable = this.#backends.filter((b) => !b.removed && b.state === "active" && b.weight > 0);
    const idx = Uint32Array.from(usable, (b) => b.index);
    let total = 0;
    for (const b of usable) total += b.weight;
    const shares = Float64Array.from(usable, (b) => b.weight / total);
    if (this.#order.length < usable.length) this.#order = new Uint32Array(usable.length);
    // The connection table's down bits: down and removed backends' flows are picked again.
    if (this.connections) for (const b of this.#backends) this.connections.setDown(b.index, b.removed || b.state === "down");
    if (usable.length === 0) return { usable: idx, shares };
    const list = usable.map((b) => ({ id: b.id, weight: b.weight }));
    if (this.#system) return { usable: idx, shares, system: this.#system(list) };
    switch (this.policy) {
      case "maglev": {
        const prev = this.#gen?.maglev;
        // withBackends reuses the permutations of backends that stay.
        const maglev = prev ? prev.withBackends(list) : new Maglev({ backends: list, ...(this.#size === undefined ? {} : { size: this.#size }) });
        return { usable: idx, shares, maglev };
      }
      case "rendezvous":
        return { usable: idx, shares, rendezvous: new Rendezvous({ backends: list }) };
      case "ring":
        return { usable: idx, shares, ring: new Ring({ backends: list }) };
      default:
        return { usable: idx, shares, policy: policyState(this.policy as StatefulPolicy, Float64Array.from(list, (b) => b.weight), this.#rng) };
    }
  }

  /** The backends in the order given (removed ones left out). */
  get backends(): readonly BalancerBackend[] {
    return this.#backends.filter((b) => !b.removed).map((b) => ({ id: b.id, weight: b.weight, state: b.state }));
  }

  // The flow hash: keyed HalfSipHash-1-3 for flows, XXH64 seed 0 for strings.
  #hash(input: Flow | string): number | bigint {
    if (typeof input === "string") return xxh64(enc.encode(input));
    if (!this.#hasher) throw flowpinError("INVALID_KEY", "picking flows with a table needs key: the fleet's 8-byte flow-hash key (a fleet secret)");
    return this.#hasher.hash(input);
  }

  // Table position (into gen.usable) of a hash, or -1 with no usable backend.
  static #tablePick(g: Generation, hash: number | bigint): number {
    if (g.maglev) return g.maglev.pickIndex(hash);
    if (g.rendezvous) return g.rendezvous.pickIndex(hash);
    if (g.ring) {
      // The ring's hash space is 64 bits: a 32-bit flow hash is spread over it by a
      // multiplication with the golden ratio (Fibonacci hashing).
      return g.ring.pickIndex(typeof hash === "bigint" ? hash : BigInt.asUintN(64, BigInt(hash) * GOLDEN));
    }
    return -1;
  }

  #load(index: number): number {
    return this.connections ? this.connections.counts[index]! : this.#active[index]!;
  }

  // A new flow's backend (global index) in generation g; sets #reason and #lastHash.
  #reason: PickReason = "no-backend";
  #lastHash: number | bigint | null = null;
  #secondary: string | null | undefined = undefined;

  #choose(g: Generation, input: Flow | string): number {
    this.#lastHash = null;
    this.#secondary = undefined;
    const n = g.usable.length;
    if (g.system) {
      if (typeof input === "string") throw flowpinError("INVALID_TYPE", "a system-backed Balancer picks flows, not string keys");
      const r = g.system.route(input);
      if ("secondary" in r) this.#secondary = (r as { secondary?: string | null }).secondary ?? null;
      const b = r.backend === null ? undefined : this.#byId.get(r.backend);
      this.#reason = b ? "table" : "no-backend";
      return b ? b.index : -1;
    }
    if (n === 0) {
      this.#reason = "no-backend";
      return -1;
    }
    if (g.policy) {
      this.#reason = "policy";
      if (typeof input !== "string" && typeof input !== "object") throw flowpinError("INVALID_TYPE", `pick takes a flow or a string key, got ${show(input)}`);
      return g.usable[g.policy.choose((k) => this.#load(g.usable[k]!))]!;
    }
    const hash = this.#hash(input);
    this.#lastHash = hash;
    let k = Balancer.#tablePick(g, hash);
    this.#reason = "table";
    if (this.#factor > 0) {
      const total = boundedLoadSlots(this.connections ? this.connections.size : this.#activeTotal, this.#factor);
      const picked = k;
      SPLIT.setBigUint64(0, BigInt.asUintN(64, BigInt(hash)), true);
      k = boundedLoadPick(SPLIT.getUint32(0, true), k, n, (j) => overloadFactor(this.#load(g.usable[j]!), g.shares[j]!, total), this.#order);
      if (k !== picked) this.#reason = "bounded";
    }
    return g.usable[k]!;
  }

  #pickIndex(input: Flow | string): number {
    const ct = this.connections;
    if (ct) {
      const hit = ct.lookup(input);
      if (hit >= 0) {
        this.#backends[hit]!.hits++;
        this.#reason = "connection";
        this.#lastHash = null;
        this.#secondary = undefined;
        return hit;
      }
    }
    const i = this.#choose(this.#gen, input);
    if (i >= 0) {
      this.#backends[i]!.picks++;
      if (ct) ct.insert(input, i);
      else {
        this.#active[i]!++;
        this.#activeTotal++;
      }
    }
    return i;
  }

  /**
   * The backend id for a flow or string key, or null when none is usable: the connection
   * table's entry when there is one, else the current table's (or policy's) choice, pinned.
   * @example lb.pickId(flow)
   */
  pickId(input: Flow | string): string | null {
    const i = this.#pickIndex(input);
    return i < 0 ? null : this.#backends[i]!.id;
  }

  /**
   * pickId() with the reason, the hash, and the second chance: the backend under the table
   * before the last update (and a system's secondary), for forwarders whose backends redirect
   * flows they do not own across a table change.
   * @example const { backend, previous } = lb.pick(flow)
   */
  pick(input: Flow | string): BalancerPick {
    const i = this.#pickIndex(input);
    const reason = this.#reason;
    const secondary = this.#secondary;
    let hash = this.#lastHash;
    let previous: string | null = null;
    const p = this.#previous;
    if (p && !p.policy && p.usable.length > 0) {
      if (p.system) {
        if (typeof input !== "string") {
          const r = p.system.route(input);
          previous = r.backend;
        }
      } else {
        hash ??= this.#hash(input);
        previous = this.#backends[p.usable[Balancer.#tablePick(p, hash)]!]!.id;
      }
    }
    if (hash === null && reason === "connection" && !this.#gen.policy && !this.#gen.system) hash = this.#hash(input);
    return { backend: i < 0 ? null : this.#backends[i]!.id, reason, hash, previous, ...(secondary === undefined ? {} : { secondary }) };
  }

  /**
   * The end of a flow: removes its connection-table entry (a TCP close). Without a table,
   * use done(backendId). Returns whether the flow had an entry.
   * @example socket.on("close", () => lb.close(flow))
   */
  close(input: Flow | string): boolean {
    if (!this.connections) throw flowpinError("INVALID_CONFIG", "close() needs a connection table (connections option); use done(backendId)");
    return this.connections.remove(input);
  }

  /**
   * Without a connection table: one connection to `id` ended (its load, for least-connections,
   * power-of-two and bounded load, drops by one).
   * @example lb.done("10.0.0.1:80")
   */
  done(id: string): void {
    if (this.connections) throw flowpinError("INVALID_CONFIG", "with a connection table, loads are its entries: use close(flow)");
    const b = this.#byId.get(id);
    if (!b) throw flowpinError("INVALID_CONFIG", `no backend ${show(id)}`);
    if (this.#active[b.index]! > 0) {
      this.#active[b.index]!--;
      this.#activeTotal--;
    }
  }

  /**
   * Applies changes: builds the next table (reusing what it can), then swaps it in with one
   * assignment, so a pick running meanwhile sees the old table or the new one, never a mix.
   * Emits a change event and returns it.
   * @example lb.update({ add: [{ id: "10.0.0.4:80" }], remove: ["10.0.0.1:80"], state: { "10.0.0.2:80": "draining" } })
   */
  update(changes: BalancerChanges): BalancerChange {
    const c = object("changes", changes);
    knownFields("changes", c, CHANGE_FIELDS);
    const present = new Set(this.#backends.filter((b) => !b.removed).map((b) => b.id));
    const must = (what: string, id: string): void => {
      if (!present.has(id)) throw flowpinError("INVALID_CONFIG", `${what}: no backend ${show(id)}`);
    };
    const remove = c.remove === undefined ? [] : (Array.isArray(c.remove) ? c.remove : (() => { throw flowpinError("INVALID_TYPE", `remove must be an array of ids, got ${show(c.remove)}`); })());
    for (const id of remove) must("remove", id as string);
    const add = c.add === undefined ? [] : Array.isArray(c.add) ? this.#checkBackends("add", c.add, new Set([...present].filter((id) => !remove.includes(id)))) : (() => { throw flowpinError("INVALID_TYPE", `add must be an array of backends, got ${show(c.add)}`); })();
    const states = c.state === undefined ? {} : object("state", c.state);
    for (const [id, s] of Object.entries(states)) {
      must("state", id);
      checkState(`state[${JSON.stringify(id)}]`, s);
    }
    const weights = c.weight === undefined ? {} : object("weight", c.weight);
    for (const [id, w] of Object.entries(weights)) {
      must("weight", id);
      checkWeight(`weight[${JSON.stringify(id)}]`, w);
    }
    const remaining = present.size - remove.length + add.length;
    if (remaining === 0) throw flowpinError("NO_BACKENDS", "the update leaves no backends");
    const before = this.#gen;
    const shareBefore = this.#shares(before);
    for (const id of remove) this.#byId.get(id as string)!.removed = true;
    for (const b of add) this.#add(b);
    for (const [id, s] of Object.entries(states)) this.#byId.get(id)!.state = s as BackendState;
    for (const [id, w] of Object.entries(weights)) this.#byId.get(id)!.weight = w as number;
    const next = this.#build();
    // The swap: one assignment each.
    this.#previous = before;
    this.#gen = next;
    const shareAfter = this.#shares(next);
    const event: BalancerChange = {
      moved: this.#moved(before, next),
      backends: this.#backends.filter((b) => !b.removed || shareBefore.has(b.index)).map((b) => ({ id: b.id, state: b.state, weight: b.weight, before: shareBefore.get(b.index) ?? 0, after: b.removed ? 0 : (shareAfter.get(b.index) ?? 0) })),
    };
    for (const f of this.#listeners) f(event);
    return event;
  }

  #shares(g: Generation): Map<number, number> {
    const m = new Map<number, number>();
    g.usable.forEach((i, k) => m.set(i, g.shares[k]!));
    return m;
  }

  // Fraction of the hash space whose owner changed: Maglev slot by slot, else 65536 sample
  // hashes spread evenly over the 32-bit space (flows for a system).
  #moved(a: Generation, b: Generation): number | null {
    if (a.policy || b.policy) return null;
    if (a.maglev && b.maglev) {
      let moved = 0;
      for (let s = 0; s < a.maglev.size; s++) if (a.usable[a.maglev.table[s]!] !== b.usable[b.maglev.table[s]!]) moved++;
      return moved / a.maglev.size;
    }
    const N = 65536;
    let moved = 0;
    for (let i = 0; i < N; i++) {
      const h = (Math.imul(i, 0x9e3779b1) + 0x7f4a7c15) >>> 0;
      let x: number;
      let y: number;
      if (a.system || b.system) {
        const flow: Flow = { src: h, dst: 0xc0000201, sport: i & 0xffff, dport: 443, proto: 6 };
        x = a.system ? (this.#byId.get(a.system.route(flow).backend ?? "")?.index ?? -1) : -1;
        y = b.system ? (this.#byId.get(b.system.route(flow).backend ?? "")?.index ?? -1) : -1;
      } else {
        x = a.usable.length ? a.usable[Balancer.#tablePick(a, h)]! : -1;
        y = b.usable.length ? b.usable[Balancer.#tablePick(b, h)]! : -1;
      }
      if (x !== y) moved++;
    }
    return moved / N;
  }

  /** Shorthands for update({ state }): drain (no new flows), down (no flows), up (active). */
  drain(id: string): BalancerChange {
    return this.update({ state: { [id]: "draining" } });
  }
  down(id: string): BalancerChange {
    return this.update({ state: { [id]: "down" } });
  }
  up(id: string): BalancerChange {
    return this.update({ state: { [id]: "active" } });
  }

  /**
   * Pluggable health: a checker (yours, or healthCheck with tcpCheck from "flowpin/node") reports a backend up or down. Changes
   * the state only when it differs (a draining backend reported up stays draining).
   * @example lb.report("10.0.0.1:80", false)
   */
  report(id: string, up: boolean): BalancerChange | null {
    const b = this.#byId.get(id);
    if (!b || b.removed) throw flowpinError("INVALID_CONFIG", `report: no backend ${show(id)}`);
    if (typeof up !== "boolean") throw flowpinError("INVALID_TYPE", `up must be a boolean, got ${show(up)}`);
    if (!up && b.state !== "down") return this.down(id);
    if (up && b.state === "down") return this.up(id);
    return null;
  }

  /**
   * Listens for change events; returns the function that stops listening.
   * @example const off = lb.onChange((e) => console.log(e.moved))
   */
  onChange(listener: (change: BalancerChange) => void): () => void {
    if (typeof listener !== "function") throw flowpinError("INVALID_TYPE", `listener must be a function, got ${show(listener)}`);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Per-backend counters (removed backends left out). */
  counters(): BackendCounters[] {
    return this.#backends.filter((b) => !b.removed).map((b) => ({ id: b.id, state: b.state, weight: b.weight, picks: b.picks, hits: b.hits, active: this.#load(b.index) }));
  }

  /** Returns the connection table's Wasm memory. */
  dispose(): void {
    this.connections?.dispose();
  }
}

/** Largest idle timeout (ms) a connection table takes. */
export { MAX_TIMEOUT };
