/**
 * The `flowpin` system: flowpin's own keyed decision, for fleets that have no production
 * balancer to match. The flow hash is keyed HalfSipHash-1-3 over the canonical 5-tuple (a
 * fleet secret: see FlowHasher), looked up in a Maglev table (`table[hash % size]`) or by
 * rendezvous over the usable backends.
 *
 * Usable backends are those with `state` "active" (the default) and a weight above 0;
 * "draining" and "down" backends keep their place in the config but get no new flows (a
 * connection table that keeps existing flows is the Balancer's job). With none usable the
 * route is `{ backend: null, reason: "no-backend" }`.
 *
 * @example
 * import { systems } from "flowpin";
 * const fleet = systems.flowpin({ key: "000102030405060a", backends: [{ id: "10.0.0.1:80" }, { id: "10.0.0.2:80", weight: 2 }] });
 * fleet.route({ src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 443, proto: "tcp" });
 * // { backend: "10.0.0.2:80", hash: "…", slot: …, reason: "table" }
 */
import { flowpinError, show } from "../../errors.js";
import { FlowHasher } from "../../flow-hasher.js";
import { FlowBatch } from "../../flow-batch.js";
import { canonicalFlowBytes, FLOW_WORDS, parseFlowInto, type Flow } from "../../flow.js";
import { routeKernel, routeSpec, type RouteArrays, type RouteSpec } from "../../engine/route-kernel.js";
import { hexBytes, toHex } from "../../encoding.js";
import { Maglev } from "../../maglev.js";
import { Rendezvous } from "../../rendezvous.js";
import { int, knownFields, object } from "../../validate.js";
import { diffRoutes, hashHex, maglevSlots, type Route, type RouteDiff, type RouteOptions, type System, type SystemDefinition, type SystemTables } from "../system.js";
import { flowFromRecord } from "../flow-input.js";

export type FlowpinBackendState = "active" | "draining" | "down";

export interface FlowpinSystemBackend {
  /** The backend's name, returned as `route().backend` (e.g. "10.0.0.1:80"). */
  id: string;
  /** Default 1; 0 keeps it configured but unused. */
  weight?: number;
  /** Default "active". */
  state?: FlowpinBackendState;
}

export interface FlowpinSystemConfig {
  /** The fleet's secret flow-hash key: 8 bytes as 16 hex digits, or a Uint8Array. */
  key: string | Uint8Array;
  /** Both directions of a connection hash alike. Default false. */
  symmetric?: boolean;
  /** "maglev" (default) or "rendezvous". */
  algorithm?: "maglev" | "rendezvous";
  /** Maglev table size (prime), default 65537. */
  size?: number;
  backends: FlowpinSystemBackend[];
}

/**
 * Flows for {@link FlowpinRouter.routeIndices}: a FlowBatch (routed where it lives, no copy),
 * or struct-of-arrays columns of one address family (numeric address words, as FlowBatch
 * holds them).
 * @example { family: 4, src: Uint32Array.of(0xc6336407), dst: Uint32Array.of(0xcb007101), sport: Uint16Array.of(51512), dport: Uint16Array.of(443), proto: Uint8Array.of(6) }
 */
export type FlowColumns = FlowBatch | RouteArrays;

/**
 * The flowpin system: `route()` per flow, `routeBatch()` for many flow objects, and
 * `routeIndices()` for columns of numbers, which hashes and looks up a whole batch in one Wasm
 * call and allocates nothing per flow.
 * @example fleet.routeIndices(batch, new Int32Array(batch.length)); // backend index per flow, -1 = none
 */
export interface FlowpinRouter extends System<Flow> {
  /**
   * Backend index (into the config's usable backends, in config order) per flow, -1 when no
   * backend is usable; `hashes`, when given, receives each flow hash. Returns `out`.
   * @example fleet.routeIndices(batch)
   */
  routeIndices(flows: FlowColumns, out?: Int32Array, hashes?: Uint32Array): Int32Array;
  /** The usable backends' ids, in the order routeIndices() indexes them. */
  readonly backendIds: readonly string[];
}

const CONFIG_FIELDS = ["key", "symmetric", "algorithm", "size", "backends"];
const BACKEND_FIELDS = ["id", "weight", "state"];
const STATES: readonly FlowpinBackendState[] = ["active", "draining", "down"];

// One flow at a time while a batch is parsed (routeBatch): the validated words.
const W = new Uint32Array(FLOW_WORDS);

class FlowpinSystem implements FlowpinRouter {
  readonly system = "flowpin" as const;
  readonly backendIds: readonly string[];
  readonly #hasher: FlowHasher;
  readonly #spec: RouteSpec;
  readonly #symmetric: boolean;
  readonly #maglev: Maglev | undefined;
  readonly #rendezvous: Rendezvous | undefined;

  constructor(config: FlowpinSystemConfig) {
    const c = object("flowpin system config", config);
    knownFields("flowpin system config", c, CONFIG_FIELDS);
    const key = typeof c.key === "string" ? hexBytes("key", c.key, "INVALID_KEY") : c.key;
    if (c.symmetric !== undefined && typeof c.symmetric !== "boolean") throw flowpinError("INVALID_TYPE", `symmetric must be a boolean, got ${show(c.symmetric)}`);
    this.#symmetric = c.symmetric === true;
    this.#hasher = new FlowHasher({ key: key as Uint8Array, symmetric: this.#symmetric });
    // FlowHasher has validated the key (8 bytes).
    const algorithm = c.algorithm ?? "maglev";
    if (algorithm !== "maglev" && algorithm !== "rendezvous") throw flowpinError("INVALID_CONFIG", `algorithm must be "maglev" or "rendezvous", got ${show(algorithm)}`);
    if (!Array.isArray(c.backends)) throw flowpinError("INVALID_TYPE", `backends must be an array, got ${show(c.backends)}`);
    if (c.backends.length === 0) throw flowpinError("NO_BACKENDS", "backends is empty");
    const usable: { id: string; weight: number }[] = [];
    const seen = new Set<string>();
    c.backends.forEach((item: unknown, i: number) => {
      const b = object(`backends[${i}]`, item);
      knownFields(`backends[${i}]`, b, BACKEND_FIELDS);
      if (typeof b.id !== "string" || b.id === "") throw flowpinError("INVALID_TYPE", `backends[${i}].id must be a non-empty string, got ${show(b.id)}`);
      if (seen.has(b.id)) throw flowpinError("DUPLICATE_BACKEND", `backends[${i}].id ${show(b.id)} appears twice`);
      seen.add(b.id);
      const weight = b.weight === undefined ? 1 : int(`backends[${i}].weight`, b.weight, 0, 0xffffffff, "INVALID_WEIGHT");
      const state = b.state ?? "active";
      if (!STATES.includes(state as FlowpinBackendState)) throw flowpinError("INVALID_CONFIG", `backends[${i}].state must be one of ${STATES.join(", ")}, got ${show(state)}`);
      if (state === "active" && weight > 0) usable.push({ id: b.id, weight });
    });
    if (c.size !== undefined && algorithm !== "maglev") throw flowpinError("INVALID_CONFIG", "size applies to the maglev algorithm only");
    this.backendIds = Object.freeze(usable.map((b) => b.id));
    if (usable.length === 0) {
      this.#spec = routeSpec({ profile: "flowpin", key: key as Uint8Array, symmetric: this.#symmetric }, { size: 1 });
      return;
    }
    if (algorithm === "maglev") this.#maglev = new Maglev({ backends: usable, ...(c.size === undefined ? {} : { size: c.size as number }) });
    else this.#rendezvous = new Rendezvous({ backends: usable });
    this.#spec = routeSpec({ profile: "flowpin", key: key as Uint8Array, symmetric: this.#symmetric }, { size: this.#maglev?.size ?? 1 });
  }

  route(flow: Flow, options: RouteOptions = {}): Route {
    const hash = this.#hasher.hash(flow) as number;
    const explain = options.explain ? [] as string[] : undefined;
    if (explain) {
      explain.push(`hash input (canonical 5-tuple${this.#symmetric ? ", endpoints ordered" : ""}): ${toHex(canonicalFlowBytes(flow))}`, `HalfSipHash-1-3 with the fleet key = ${hashHex(hash)}`);
    }
    if (this.#maglev) {
      const slot = hash % this.#maglev.size;
      const backend = this.#maglev.lookup(hash).id;
      explain?.push(`slot = ${hashHex(hash)} mod ${this.#maglev.size} = ${slot} → ${backend}`);
      return { backend, hash: hashHex(hash), slot, reason: "table", ...(explain ? { explain } : {}) };
    }
    if (this.#rendezvous) {
      const backend = this.#rendezvous.pick(hash).id;
      explain?.push(`highest rendezvous score → ${backend}`);
      return { backend, hash: hashHex(hash), slot: null, reason: "rendezvous", ...(explain ? { explain } : {}) };
    }
    explain?.push("no backend is active with a weight above 0");
    return { backend: null, hash: hashHex(hash), slot: null, reason: "no-backend", ...(explain ? { explain } : {}) };
  }

  /**
   * Many flows at once: parsed and validated one by one (the first bad flow throws, as
   * route() would), then hashed and looked up per address family in one Wasm call.
   */
  routeBatch(flows: readonly Flow[]): Route[] {
    if (!Array.isArray(flows)) throw flowpinError("INVALID_TYPE", `flows must be an array of flows, got ${show(flows)}`);
    const maglev = this.#maglev;
    if (!maglev) return flows.map((f) => this.route(f));
    const n = flows.length;
    const family = new Uint8Array(n);
    let n6 = 0;
    const cols = { 4: columns(4, n), 6: columns(6, 0) };
    const at = new Uint32Array(n);
    let n4 = 0;
    for (let i = 0; i < n; i++) {
      const fam = parseFlowInto(flows[i]!, W);
      family[i] = fam;
      if (fam === 6 && cols[6].sport.length === 0) cols[6] = columns(6, n);
      const c = cols[fam];
      const j = fam === 4 ? n4++ : n6++;
      at[i] = j;
      if (fam === 4) {
        c.src[j] = W[0]!;
        c.dst[j] = W[4]!;
      } else {
        for (let k = 0; k < 4; k++) {
          c.src[4 * j + k] = W[k]!;
          c.dst[4 * j + k] = W[4 + k]!;
        }
      }
      c.sport[j] = W[8]!;
      c.dport[j] = W[9]!;
      c.proto[j] = W[10]!;
    }
    const run = (c: RouteArrays, count: number) => {
      const hashes = new Uint32Array(count);
      const idx = count === 0 ? new Int32Array(0) : routeKernel(this.#spec, maglev.table, { ...c, n: count }, new Int32Array(count), hashes);
      return { hashes, idx };
    };
    const r4 = run(cols[4], n4);
    const r6 = run(cols[6], n6);
    const M = maglev.size;
    const ids = this.backendIds;
    const out: Route[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const r = family[i] === 4 ? r4 : r6;
      const h = r.hashes[at[i]!]!;
      out[i] = { backend: ids[r.idx[at[i]!]!]!, hash: hashHex(h), slot: h % M, reason: "table" };
    }
    return out;
  }

  routeIndices(flows: FlowColumns, out?: Int32Array, hashes?: Uint32Array): Int32Array {
    if (!(flows instanceof FlowBatch) && !isColumns(flows)) throw flowpinError("INVALID_TYPE", `flows must be a FlowBatch or {family, src, dst, sport, dport, proto} typed arrays, got ${show(flows)}`);
    const n = flows instanceof FlowBatch ? flows.length : (flows.n ?? flows.sport.length);
    const o = out ?? new Int32Array(n);
    if (!(o instanceof Int32Array)) throw flowpinError("INVALID_TYPE", `out must be an Int32Array, got ${show(out)}`);
    if (hashes !== undefined && !(hashes instanceof Uint32Array)) throw flowpinError("INVALID_TYPE", `hashes must be a Uint32Array, got ${show(hashes)}`);
    if (this.#maglev) return routeKernel(this.#spec, this.#maglev.table, flows, o, hashes);
    // Rendezvous or no usable backend: the kernel hashes, the rendezvous picks in one call.
    const h = hashes ?? new Uint32Array(n);
    routeKernel(this.#spec, null, flows, o, h);
    if (this.#rendezvous) o.set(this.#rendezvous.pickBatch(h.subarray(0, n), new Uint32Array(n)));
    return o;
  }

  diff(next: System<Flow>, flows: readonly Flow[]): RouteDiff<Flow> {
    return diffRoutes(this, next, flows);
  }

  /** The Maglev table over the usable backends; none with rendezvous or no usable backend. */
  table(): SystemTables {
    if (this.#maglev) return { system: "flowpin", tables: [maglevSlots("table", this.#maglev)] };
    return { system: "flowpin", tables: [], none: this.#rendezvous ? "the rendezvous algorithm has no table: each flow scores every backend" : "no backend is active with a weight above 0" };
  }
}

function columns(family: 4 | 6, n: number): RouteArrays {
  const w = family === 4 ? 1 : 4;
  return { family, src: new Uint32Array(w * n), dst: new Uint32Array(w * n), sport: new Uint16Array(n), dport: new Uint16Array(n), proto: new Uint8Array(n) };
}

function isColumns(x: unknown): x is RouteArrays {
  const c = x as RouteArrays;
  return typeof x === "object" && x !== null && (c.family === 4 || c.family === 6) && c.src instanceof Uint32Array && c.dst instanceof Uint32Array &&
    c.sport instanceof Uint16Array && c.dport instanceof Uint16Array && c.proto instanceof Uint8Array && (c.n === undefined || (Number.isInteger(c.n) && c.n >= 0 && c.n <= c.sport.length));
}

export const flowpinSystem: { create(config: FlowpinSystemConfig): FlowpinRouter } & SystemDefinition<FlowpinSystemConfig, Flow> = {
  name: "flowpin",
  summary: "flowpin's keyed HalfSipHash-1-3 flow hash and a Maglev or rendezvous table",
  create: (config: FlowpinSystemConfig) => new FlowpinSystem(config),
  input: (record) => flowFromRecord(record),
};
