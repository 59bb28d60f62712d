/**
 * The `envoy` system: which upstream host Envoy's hash-based load balancers (MAGLEV,
 * RING_HASH, and the rendezvous_hash extension) send a request to, from the cluster as
 * operators configure it. The whole decision of ThreadAwareLoadBalancerBase::chooseHost:
 *
 * 1. the route's hash policies (header, source IP; rotl-1 XOR chains, terminal) hash the
 *    request; if none produces a hash, Envoy uses Random::random() (the request's `random`);
 * 2. the same 64-bit value picks the priority (hash % 100 + 1 against the priority loads from
 *    health, degraded hosts, the overprovisioning factor and panic);
 * 3. that priority's table (built from its healthy hosts, or all of them in panic, with host
 *    and locality weights normalized as Envoy does) picks the host; with
 *    `hash_balance_factor`, an overloaded pick moves on as BoundedLoadHashingLoadBalancer does.
 *
 * No host (an empty table: every host degraded, panic threshold 0, all weights in zero
 * localities) is `{ backend: null, reason: "no-healthy-upstream" }`: Envoy answers 503.
 * Reasons: "maglev", "ring", "rendezvous" (the table's pick), "bounded-load" (moved off an
 * overloaded pick), "no-healthy-upstream". `hash` is null where no policy hashed (the pick
 * then follows `random`).
 *
 * @example
 * import { systems } from "flowpin";
 * const cluster = systems.envoy({ lb_policy: "MAGLEV", maglev: { table_size: 65537 },
 *   hash_policy: [{ header: { header_name: "x-user" } }, { connection_properties: { source_ip: true } }],
 *   hosts: [{ address: "10.0.1.10", port: 8080 }, { address: "10.0.1.11", port: 8080, weight: 2 }] });
 * cluster.route({ src: "198.51.100.7", headers: [["x-user", "42"]] });
 * // { backend: "10.0.1.11:8080", hash: "…", slot: …, reason: "maglev", priority: 0, ... }
 */
import { diffRoutes, hashHex, type Route, type RouteDiff, type RouteOptions, type System, type SystemDefinition, type SystemTable, type SystemTables } from "../system.js";
import { peerText } from "./address.js";
import { validateCluster, type Cluster, type EnvoyClusterConfig } from "./config.js";
import { combine, headerHash, xxh64Text } from "./hash-policy.js";
import { clusterFromNative, looksLikeEnvoyCluster } from "./native.js";
import { choosePriority, priorityState, type PriorityState } from "./priority.js";
import { checkRequest, type EnvoyRequest } from "./request.js";
import { PriorityTable } from "./table.js";

export type { EnvoyClusterConfig, EnvoyHashPolicy, EnvoyHealth, EnvoyHost, EnvoyLbPolicy } from "./config.js";
export type { EnvoyRequest } from "./request.js";

/** Envoy's decision for one request. */
export interface EnvoyRoute extends Route {
  /** The priority level chosen. */
  priority: number;
  /** Whether that priority is in panic (its table holds all its hosts, healthy or not). */
  panic: boolean;
  /** The peer's address text a source_ip policy hashes (null without one). */
  address: string | null;
  /** The Random::random() value used as the hash (16 hex digits) when no policy hashed, else null. */
  random: string | null;
  /** RING_HASH: the ring point picked (16 hex digits); else null. */
  point: string | null;
  /** With hash_balance_factor: the table's own pick before bounded load; else absent. */
  unboundedBackend?: string | null;
}

const POLICY_REASON = { MAGLEV: "maglev", RING_HASH: "ring", RENDEZVOUS_HASH: "rendezvous" } as const;

function freshRandom(): bigint {
  const b = new Uint32Array(2);
  globalThis.crypto.getRandomValues(b);
  return (BigInt(b[0]!) << 32n) | BigInt(b[1]!);
}

class EnvoySystem implements System<EnvoyRequest, EnvoyRoute> {
  readonly system = "envoy" as const;
  readonly #cluster: Cluster;
  readonly #state: PriorityState;
  readonly #tables: PriorityTable[];
  readonly #hashesSource: boolean;

  constructor(config: EnvoyClusterConfig) {
    this.#cluster = validateCluster(config);
    this.#state = priorityState(this.#cluster);
    this.#hashesSource = this.#cluster.hashSteps.some((s) => s.header === null);
    this.#tables = this.#cluster.priorities.map((_, p) => new PriorityTable(this.#cluster, p, this.#state.panic[p]!));
  }

  route(input: EnvoyRequest, options: RouteOptions = {}): EnvoyRoute {
    const req = checkRequest(input);
    const explain = options.explain ? ([] as string[]) : undefined;
    let hash: bigint | undefined;
    // The peer's addressAsString(), reported whenever a source_ip policy is configured (a
    // terminal policy before it may leave it unhashed).
    const address = this.#hashesSource ? peerText(req.src, req.family, req.v6only) : null;
    for (const step of this.#cluster.hashSteps) {
      let h: bigint | undefined;
      if (step.header === null) {
        h = xxh64Text(address!);
        explain?.push(`source_ip: XXH64(${JSON.stringify(address)}) = ${hashHex(h)}`);
      } else {
        h = headerHash(req.headers, step.header);
        explain?.push(h === undefined ? `header ${step.header}: absent, no hash` : `header ${step.header}: XXH64(sorted values) = ${hashHex(h)}`);
      }
      if (h !== undefined) hash = combine(hash, h);
      if (step.terminal && hash !== undefined) {
        explain?.push("terminal policy with a hash: the rest of the list is skipped");
        break;
      }
    }
    let random: bigint | undefined;
    if (hash === undefined) {
      random = req.random ?? freshRandom();
      explain?.push(`no policy hashed the request: Random::random() = ${hashHex(random)} is the hash`);
    } else if (explain && this.#cluster.hashSteps.length > 1) explain.push(`combined hash (rotl64(h, 1) XOR next) = ${hashHex(hash)}`);
    const h = hash ?? random!;
    const priority = choosePriority(this.#state, Number(h % 100n));
    const table = this.#tables[priority]!;
    explain?.push(`priority: ${hashHex(h)} % 100 + 1 = ${Number(h % 100n) + 1} against loads healthy [${this.#state.healthyLoad.join(", ")}] degraded [${this.#state.degradedLoad.join(", ")}] → P${priority}${table.panic ? " (in panic: table of all its hosts)" : ""}`);
    const base = {
      hash: hash === undefined ? null : hashHex(hash),
      priority,
      panic: table.panic,
      address,
      random: random === undefined ? null : hashHex(random),
    };
    const pick = table.pick(h);
    if (pick === null) {
      explain?.push(`P${priority} has no host in its table (${table.hosts.length === 0 ? "no healthy host" : "empty ring"}): Envoy answers 503 "no healthy upstream"`);
      return { backend: null, slot: null, reason: "no-healthy-upstream", point: null, ...base, ...(table.bounded ? { unboundedBackend: null } : {}), ...(explain ? { explain } : {}) };
    }
    const pointHex = pick.point === null ? null : hashHex(pick.point);
    const picked = table.hosts[pick.index]!.id;
    explain?.push(
      this.#cluster.policy === "MAGLEV"
        ? `slot = ${hashHex(h)} % ${this.#cluster.tableSize} = ${pick.slot} → ${picked}`
        : this.#cluster.policy === "RING_HASH"
          ? `first ring point ≥ hash: point ${pick.slot} (${pointHex}) → ${picked}`
          : `highest rendezvous score → ${picked}`,
    );
    let reason: string = POLICY_REASON[this.#cluster.policy];
    let backend = picked;
    if (table.bounded) {
      const chosen = table.bound(h, pick.index);
      backend = table.hosts[chosen]!.id;
      if (chosen !== pick.index) reason = "bounded-load";
      explain?.push(chosen === pick.index ? `bounded load: ${picked} is within its slots` : `bounded load: ${picked} is overloaded; the mt19937(hash) probe picks ${backend}`);
    }
    return { backend, slot: pick.slot, reason, point: pointHex, ...base, ...(table.bounded ? { unboundedBackend: picked } : {}), ...(explain ? { explain } : {}) };
  }

  routeBatch(inputs: readonly EnvoyRequest[]): EnvoyRoute[] {
    return inputs.map((r) => this.route(r));
  }

  diff(next: System<EnvoyRequest, EnvoyRoute>, inputs: readonly EnvoyRequest[]): RouteDiff<EnvoyRequest> {
    return diffRoutes(this as System<EnvoyRequest>, next as System<EnvoyRequest>, inputs);
  }

  /**
   * One table per priority ("priority 0", ...) that has one: MAGLEV slots or RING_HASH points
   * over the hosts the priority's load balancer holds (healthy ones, or all in panic).
   * Rendezvous has no table; a priority with no host in its table is left out.
   */
  table(): SystemTables {
    if (this.#cluster.policy === "RENDEZVOUS_HASH") return { system: "envoy", tables: [], none: "rendezvous_hash has no table: each request scores every host" };
    const tables = this.#tables.map((t, p) => t.table(`priority ${p}`)).filter((t): t is SystemTable => t !== null);
    return tables.length ? { system: "envoy", tables } : { system: "envoy", tables, none: "no priority has a host in its table: Envoy answers 503" };
  }
}

export const envoySystem: SystemDefinition<EnvoyClusterConfig, EnvoyRequest, EnvoyRoute> = {
  name: "envoy",
  summary: "Envoy's MAGLEV, RING_HASH and rendezvous_hash load balancers with route hash policies, priorities, panic and bounded load",
  create: (config: EnvoyClusterConfig) => new EnvoySystem(config),
  // Checked here so the CLI names the bad line; route() checks again (it is public).
  input: (record) => {
    checkRequest(record);
    return record as unknown as EnvoyRequest;
  },
  native: {
    description: "an Envoy v3 Cluster (JSON; YAML through the CLI)",
    detect: looksLikeEnvoyCluster,
    parse: (text, options) => clusterFromNative(text, options),
  },
};
