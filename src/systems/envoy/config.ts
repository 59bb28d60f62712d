// The Envoy system's configuration: one cluster in Envoy's field names (the shape of
// test/vectors/systems/envoy.json `config`), validated into the model the load balancer is
// built from. Absent fields take Envoy's defaults; values Envoy's proto validation refuses are
// refused here with its rule; fields that change the decision but are not modelled are
// refused by name rather than ignored.
import { flowpinError, show } from "../../errors.js";
import { int, knownFields, object } from "../../validate.js";
import { endpointText } from "./address.js";
import { compileHashPolicy, type HashStep } from "./hash-policy.js";

/** `lb_policy`: RENDEZVOUS_HASH stands for the envoy.load_balancing_policies.rendezvous_hash extension. */
export type EnvoyLbPolicy = "MAGLEV" | "RING_HASH" | "RENDEZVOUS_HASH";
/** A host's health as EDS reports it (UNKNOWN counts as HEALTHY; DRAINING and TIMEOUT as UNHEALTHY). */
export type EnvoyHealth = "HEALTHY" | "UNHEALTHY" | "DEGRADED";

/** One endpoint (LbEndpoint) with what the load balancer reads of it. */
export interface EnvoyHost {
  /** IPv4 or IPv6 address text. */
  address: string;
  port: number;
  /** The endpoint's hostname (keys the host with use_hostname_for_hashing). */
  hostname?: string;
  /** load_balancing_weight, 1..4294967295; default 1. */
  weight?: number;
  /** Default HEALTHY. */
  health?: EnvoyHealth;
  /** LocalityLbEndpoints.priority; default 0. */
  priority?: number;
  /** The locality's name; default "" (the unnamed locality). */
  locality?: string;
  /** metadata.filter_metadata["envoy.lb"].hash_key: replaces the address as the host's key. */
  hash_key?: string;
  /** The host's rq_active gauge (bounded load); default 0. */
  rq_active?: number;
}

/** One RouteAction.HashPolicy: a header or the source IP, optionally terminal. */
export interface EnvoyHashPolicy {
  header?: { header_name: string };
  connection_properties?: { source_ip: boolean };
  terminal?: boolean;
}

/**
 * An Envoy cluster as the load balancer sees it, in Envoy's field names.
 *
 * @example
 * const config: EnvoyClusterConfig = {
 *   lb_policy: "MAGLEV", maglev: { table_size: 65537 },
 *   hash_policy: [{ connection_properties: { source_ip: true } }],
 *   hosts: [{ address: "10.0.1.10", port: 8080 }, { address: "10.0.1.11", port: 8080, weight: 2 }],
 * };
 */
export interface EnvoyClusterConfig {
  /** The cluster's name (informational). */
  name?: string;
  lb_policy: EnvoyLbPolicy;
  /** Endpoints grouped by priority and locality, in the order EDS delivers them. */
  hosts: EnvoyHost[];
  /** The route's hash policies; none: every request hashes randomly. */
  hash_policy?: EnvoyHashPolicy[];
  /** maglev_lb_config. */
  maglev?: { table_size?: number };
  /** ring_hash_lb_config. */
  ring_hash?: { minimum_ring_size?: number; maximum_ring_size?: number; hash_function?: "XX_HASH" };
  common_lb_config?: {
    /** Percent, 0..100; default 50. */
    healthy_panic_threshold?: number;
    /** Present (`{}`): locality-weighted load balancing. */
    locality_weighted_lb_config?: Record<string, never>;
    consistent_hashing_lb_config?: { use_hostname_for_hashing?: boolean; hash_balance_factor?: number };
  };
  /** ClusterLoadAssignment.policy. */
  policy?: { overprovisioning_factor?: number; weighted_priority_health?: boolean };
  /** Each priority's locality weights, in locality order (Envoy's LocalityWeights vector). */
  locality_weights?: { locality: string; weight: number; priority?: number }[];
  /** The cluster's upstream_rq_active gauge (bounded load); default the sum of hosts' rq_active. */
  upstream_rq_active?: number;
}

/** A validated host. */
export interface Host {
  /** address()->asString(): what route() returns. */
  readonly id: string;
  /** The string its table position is hashed from (hash_key, hostname or id). */
  readonly key: string;
  readonly weight: number;
  readonly health: EnvoyHealth;
  readonly priority: number;
  readonly locality: string;
  readonly rqActive: number;
}

/** The validated cluster. */
export interface Cluster {
  readonly policy: EnvoyLbPolicy;
  readonly hashSteps: readonly HashStep[];
  /** Hosts of each priority 0..max, in configured order (empty priorities included). */
  readonly priorities: readonly (readonly Host[])[];
  /** Per priority: locality weights in order, or undefined (flat normalization). */
  readonly localityWeights: readonly ({ locality: string; weight: number }[] | undefined)[];
  readonly tableSize: number;
  readonly minRingSize: number;
  readonly maxRingSize: number;
  readonly panicThreshold: number;
  readonly balanceFactor: number;
  readonly overprovisioningFactor: number;
  readonly weightedPriorityHealth: boolean;
  readonly upstreamRqActive: number;
}

const FIELDS = ["name", "lb_policy", "hosts", "hash_policy", "maglev", "ring_hash", "common_lb_config", "policy", "locality_weights", "upstream_rq_active"];
const HOST_FIELDS = ["address", "port", "hostname", "weight", "health", "priority", "locality", "hash_key", "rq_active"];
const POLICIES: readonly EnvoyLbPolicy[] = ["MAGLEV", "RING_HASH", "RENDEZVOUS_HASH"];
const HEALTH: readonly EnvoyHealth[] = ["HEALTHY", "UNHEALTHY", "DEGRADED"];
const U32 = 0xffffffff;
/** maglev.proto: table_size lte 5000011; default 65537 (maglev_lb.h, the paper's section 5.3). */
const MAX_TABLE = 5000011;
/** ring_hash_lb.h DefaultMinRingSize / DefaultMaxRingSize; cluster.proto bounds both by 8M. */
const RING_MIN = 1024;
const RING_MAX = 8388608;

function optionalObject(name: string, v: unknown, fields: readonly string[]): Record<string, unknown> {
  if (v === undefined) return {};
  const o = object(name, v);
  knownFields(name, o, fields);
  return o;
}

function bool(name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== "boolean") throw flowpinError("INVALID_TYPE", `${name} must be a boolean, got ${show(v)}`);
  return v;
}

function str(name: string, v: unknown): string {
  if (typeof v !== "string") throw flowpinError("INVALID_TYPE", `${name} must be a string, got ${show(v)}`);
  return v;
}

/** Envoy's Primes::isPrime (common/common/utility.cc): 1, 2 and 3 count as prime. */
function envoyIsPrime(x: number): boolean {
  if (x > 0 && x < 4) return true;
  if (x % 2 === 0) return false;
  for (let d = 3; d * d <= x; d += 2) if (x % d === 0) return false;
  return true;
}

/** Validates a cluster config; throws FlowpinError naming the field, or Envoy's reason where Envoy refuses it. */
export function validateCluster(raw: unknown): Cluster {
  const c = object("envoy cluster", raw);
  knownFields("envoy cluster", c, FIELDS);
  if (c.name !== undefined) str("name", c.name);
  const policy = c.lb_policy;
  if (typeof policy !== "string" || !POLICIES.includes(policy as EnvoyLbPolicy)) {
    throw flowpinError("INVALID_CONFIG", `lb_policy must be one of ${POLICIES.join(", ")} (the hash-based policies), got ${show(policy)}`);
  }
  // The other policy's block is ignored, as Envoy ignores a config block of another policy.
  const maglev = optionalObject("maglev", c.maglev, ["table_size"]);
  const ring = optionalObject("ring_hash", c.ring_hash, ["minimum_ring_size", "maximum_ring_size", "hash_function"]);
  const common = optionalObject("common_lb_config", c.common_lb_config, ["healthy_panic_threshold", "locality_weighted_lb_config", "consistent_hashing_lb_config"]);
  const consistent = optionalObject("common_lb_config.consistent_hashing_lb_config", common.consistent_hashing_lb_config, ["use_hostname_for_hashing", "hash_balance_factor"]);
  const lbPolicy = optionalObject("policy", c.policy, ["overprovisioning_factor", "weighted_priority_health"]);
  if (common.locality_weighted_lb_config !== undefined) optionalObject("common_lb_config.locality_weighted_lb_config", common.locality_weighted_lb_config, []);
  const localityWeighted = common.locality_weighted_lb_config !== undefined;

  const tableSize = maglev.table_size === undefined ? 65537 : int("maglev.table_size", maglev.table_size, 0, MAX_TABLE, "INVALID_TABLE_SIZE");
  if (policy === "MAGLEV") {
    // maglev_lb.cc MaglevLoadBalancer constructor.
    if (!envoyIsPrime(tableSize)) throw flowpinError("INVALID_TABLE_SIZE", `maglev.table_size ${tableSize}: Envoy refuses it: "The table size of maglev must be prime number"`);
    if (tableSize === 1) throw flowpinError("INVALID_TABLE_SIZE", "maglev.table_size 1: Envoy's Primes::isPrime accepts 1, then divides by table_size - 1 = 0 building the table (maglev_lb.cc); refused");
  }
  const minRingSize = ring.minimum_ring_size === undefined ? RING_MIN : int("ring_hash.minimum_ring_size", ring.minimum_ring_size, 0, RING_MAX);
  const maxRingSize = ring.maximum_ring_size === undefined ? RING_MAX : int("ring_hash.maximum_ring_size", ring.maximum_ring_size, 0, RING_MAX);
  if (ring.hash_function !== undefined && ring.hash_function !== "XX_HASH") {
    throw flowpinError("INVALID_CONFIG", `ring_hash.hash_function must be "XX_HASH" (MURMUR_HASH_2 rings are not modelled), got ${show(ring.hash_function)}`);
  }
  if (policy === "RING_HASH" && minRingSize > maxRingSize) {
    // ring_hash_lb.cc RingHashLoadBalancer constructor.
    throw flowpinError("OUT_OF_RANGE", `Envoy refuses the cluster: "ring hash: minimum_ring_size (${minRingSize}) > maximum_ring_size (${maxRingSize})"`);
  }

  let panicThreshold = 50;
  if (common.healthy_panic_threshold !== undefined) {
    const p = common.healthy_panic_threshold;
    if (typeof p !== "number" || !Number.isFinite(p) || p < 0 || p > 100) {
      throw flowpinError("OUT_OF_RANGE", `common_lb_config.healthy_panic_threshold must be a percent in 0..100, got ${show(p)}`);
    }
    // PROTOBUF_PERCENT_TO_ROUNDED_INTEGER_OR_DEFAULT(..., 100, 50): convertPercent returns
    // max_value * (percent / 100.0) as a uint64, i.e. truncated (29 becomes 28).
    panicThreshold = Math.min(100, Math.trunc(100 * (p / 100)));
  }
  const balanceFactor = consistent.hash_balance_factor === undefined ? 0 : int("consistent_hashing_lb_config.hash_balance_factor", consistent.hash_balance_factor, 0, U32);
  // cluster.proto: hash_balance_factor gte 100 (0 is the unset default: no bounded load).
  if (balanceFactor !== 0 && balanceFactor < 100) throw flowpinError("OUT_OF_RANGE", `consistent_hashing_lb_config.hash_balance_factor must be at least 100 (Envoy's proto rule), got ${balanceFactor}`);
  const useHostname = bool("consistent_hashing_lb_config.use_hostname_for_hashing", consistent.use_hostname_for_hashing, false);
  // endpoint.proto: overprovisioning_factor gt 0; default 140 (kDefaultOverProvisioningFactor).
  const overprovisioningFactor = lbPolicy.overprovisioning_factor === undefined ? 140 : int("policy.overprovisioning_factor", lbPolicy.overprovisioning_factor, 1, U32);
  const weightedPriorityHealth = bool("policy.weighted_priority_health", lbPolicy.weighted_priority_health, false);

  if (!Array.isArray(c.hosts)) throw flowpinError("INVALID_TYPE", `hosts must be an array, got ${show(c.hosts)}`);
  const hosts: Host[] = [];
  const ids = new Map<string, number>();
  const keys = new Map<string, number>();
  let rqSum = 0;
  for (let i = 0; i < c.hosts.length; i++) {
    const name = `hosts[${i}]`;
    const h = object(name, c.hosts[i]);
    knownFields(name, h, HOST_FIELDS);
    const port = int(`${name}.port`, h.port, 0, 65535, "INVALID_PORT");
    const id = endpointText(h.address, port, `${name}.address`);
    // endpoint_components.proto: load_balancing_weight gte 1.
    const weight = h.weight === undefined ? 1 : int(`${name}.weight`, h.weight, 1, U32, "INVALID_WEIGHT");
    const health = (h.health ?? "HEALTHY") as EnvoyHealth;
    if (!HEALTH.includes(health)) throw flowpinError("INVALID_CONFIG", `${name}.health must be one of ${HEALTH.join(", ")}, got ${show(h.health)}`);
    const priority = h.priority === undefined ? 0 : int(`${name}.priority`, h.priority, 0, 127);
    const locality = h.locality === undefined ? "" : str(`${name}.locality`, h.locality);
    const rqActive = h.rq_active === undefined ? 0 : int(`${name}.rq_active`, h.rq_active, 0, U32);
    const hostname = h.hostname === undefined ? "" : str(`${name}.hostname`, h.hostname);
    const hashKey = h.hash_key === undefined ? "" : str(`${name}.hash_key`, h.hash_key);
    // thread_aware_lb_impl.h hashKey(): a non-empty hash_key, else the hostname with
    // use_hostname_for_hashing, else the address text.
    const key = hashKey !== "" ? hashKey : useHostname ? hostname : id;
    if (key === "") throw flowpinError("INVALID_CONFIG", `${name} has no hostname but use_hostname_for_hashing is on: Envoy would hash an empty key (an assertion in its debug builds)`);
    const prev = ids.get(id);
    if (prev !== undefined) throw flowpinError("DUPLICATE_BACKEND", `${name} repeats the endpoint ${id} of hosts[${prev}]`);
    ids.set(id, i);
    // Equal keys are ordered by host pointer in Envoy's tables: no stable answer to reproduce.
    const same = keys.get(key);
    if (same !== undefined) throw flowpinError("DUPLICATE_BACKEND", `${name} has the hash key ${show(key)} of hosts[${same}]: Envoy orders equal keys by memory address, so its table is not reproducible`);
    keys.set(key, i);
    rqSum += rqActive;
    hosts.push({ id, key, weight, health, priority, locality, rqActive });
  }
  if (hosts.length === 0) throw flowpinError("NO_BACKENDS", "hosts is empty: the cluster has no endpoint");

  const maxPriority = hosts.reduce((m, h) => Math.max(m, h.priority), 0);
  const priorities: Host[][] = Array.from({ length: maxPriority + 1 }, () => []);
  for (const h of hosts) priorities[h.priority]!.push(h);

  const localityWeights: ({ locality: string; weight: number }[] | undefined)[] = priorities.map(() => undefined);
  if (c.locality_weights !== undefined) {
    if (!Array.isArray(c.locality_weights)) throw flowpinError("INVALID_TYPE", `locality_weights must be an array, got ${show(c.locality_weights)}`);
    c.locality_weights.forEach((item: unknown, i: number) => {
      const name = `locality_weights[${i}]`;
      const l = object(name, item);
      knownFields(name, l, ["locality", "weight", "priority"]);
      const locality = str(`${name}.locality`, l.locality);
      const weight = int(`${name}.weight`, l.weight, 0, U32, "INVALID_WEIGHT");
      const priority = l.priority === undefined ? 0 : int(`${name}.priority`, l.priority, 0, 127);
      if (priority > maxPriority) throw flowpinError("INVALID_CONFIG", `${name}.priority ${priority} has no hosts (highest host priority is ${maxPriority})`);
      const list = (localityWeights[priority] ??= []);
      if (list.some((x) => x.locality === locality)) throw flowpinError("INVALID_CONFIG", `${name} repeats locality ${show(locality)} at priority ${priority}`);
      list.push({ locality, weight });
    });
  }

  priorities.forEach((ps, p) => {
    // TypedHashLbConfigBase::validateEndpoints (thread_aware_lb_impl.cc): both sums must fit a uint32.
    let sum = 0;
    for (const h of ps) sum += h.weight;
    if (sum > U32) throw flowpinError("INVALID_WEIGHT", `priority ${p}: host weights sum to ${sum}; Envoy refuses the cluster: "The sum of weights of all upstream hosts in a locality exceeds 4294967295"`);
    let lsum = 0;
    for (const l of localityWeights[p] ?? []) lsum += l.weight;
    if (lsum > U32) throw flowpinError("INVALID_WEIGHT", `priority ${p}: locality weights sum to ${lsum}; Envoy refuses the cluster: "The sum of weights of all localities at the same priority exceeds 4294967295"`);
  });

  return {
    policy: policy as EnvoyLbPolicy,
    hashSteps: compileHashPolicy(c.hash_policy),
    priorities,
    // Locality weights count only with locality_weighted_lb_config (thread_aware_lb_impl.cc
    // normalizeWeights); an empty list means flat normalization, as an empty LocalityWeights.
    localityWeights: localityWeighted ? localityWeights.map((l) => (l && l.length > 0 ? l : undefined)) : priorities.map(() => undefined),
    tableSize,
    minRingSize,
    maxRingSize,
    panicThreshold,
    balanceFactor,
    overprovisioningFactor,
    weightedPriorityHealth,
    upstreamRqActive: c.upstream_rq_active === undefined ? rqSum : int("upstream_rq_active", c.upstream_rq_active, 0, U32),
  };
}
