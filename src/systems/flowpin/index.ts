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
import { canonicalFlowBytes, type Flow } from "../../flow.js";
import { hexBytes, toHex } from "../../encoding.js";
import { Maglev } from "../../maglev.js";
import { Rendezvous } from "../../rendezvous.js";
import { int, knownFields, object } from "../../validate.js";
import { diffRoutes, hashHex, type Route, type RouteDiff, type RouteOptions, type System, type SystemDefinition } from "../system.js";
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

const CONFIG_FIELDS = ["key", "symmetric", "algorithm", "size", "backends"];
const BACKEND_FIELDS = ["id", "weight", "state"];
const STATES: readonly FlowpinBackendState[] = ["active", "draining", "down"];

class FlowpinSystem implements System<Flow> {
  readonly system = "flowpin" as const;
  readonly #hasher: FlowHasher;
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
    if (usable.length === 0) return;
    if (algorithm === "maglev") this.#maglev = new Maglev({ backends: usable, ...(c.size === undefined ? {} : { size: c.size as number }) });
    else this.#rendezvous = new Rendezvous({ backends: usable });
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

  routeBatch(flows: readonly Flow[]): Route[] {
    return flows.map((f) => this.route(f));
  }

  diff(next: System<Flow>, flows: readonly Flow[]): RouteDiff<Flow> {
    return diffRoutes(this, next, flows);
  }
}

export const flowpinSystem: SystemDefinition<FlowpinSystemConfig, Flow> = {
  name: "flowpin",
  summary: "flowpin's keyed HalfSipHash-1-3 flow hash and a Maglev or rendezvous table",
  create: (config: FlowpinSystemConfig) => new FlowpinSystem(config),
  input: (record) => flowFromRecord(record),
};
