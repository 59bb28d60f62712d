// Envoy's own configuration, read as operators write it: a v3 Cluster (envoy.config.cluster.v3)
// in its proto3 JSON form (YAML is turned into the same object by the CLI), alone, in a
// `clusters` list, or in a bootstrap's static_resources. Converted to the system's config:
// - lb_policy MAGLEV / RING_HASH with maglev_lb_config / ring_hash_lb_config, or
//   load_balancing_policy with the maglev, ring_hash or rendezvous_hash extension;
// - load_assignment: endpoints (LocalityLbEndpoints: locality, load_balancing_weight,
//   priority, lb_endpoints with endpoint.address.socket_address, hostname, health_status,
//   load_balancing_weight, metadata.filter_metadata["envoy.lb"].hash_key) and policy;
// - the route's hash_policy: a Cluster has none (it belongs to RouteAction), so it is taken
//   from a route of the bootstrap whose `cluster` is this cluster, or from a top-level
//   `hash_policy` next to the Cluster's fields (flowpin's convenience). None: Envoy hashes
//   every request randomly.
// Hosts keep the file's order (the order a static cluster registers them); locality weights
// are listed in Envoy's locality order (std::map by region, zone, sub_zone: upstream_impl.cc).
import { flowpinError, show } from "../../errors.js";
import { knownFields, object } from "../../validate.js";
import type { EnvoyClusterConfig, EnvoyHealth, EnvoyHost } from "./config.js";

/** Cluster fields that do not change which host a hash picks (accepted, not read). */
const IGNORED = [
  "alt_stat_name", "type", "cluster_type", "connect_timeout", "per_connection_buffer_limit_bytes", "dns_lookup_family",
  "dns_refresh_rate", "dns_failure_refresh_rate", "respect_dns_ttl", "dns_resolvers", "dns_resolution_config",
  "typed_dns_resolver_config", "use_tcp_for_dns_lookups", "wait_for_warm_on_init", "health_checks",
  "max_requests_per_connection", "circuit_breakers", "typed_extension_protocol_options", "http2_protocol_options",
  "http_protocol_options", "common_http_protocol_options", "upstream_http_protocol_options", "upstream_connection_options",
  "transport_socket", "transport_socket_matches", "outlier_detection", "cleanup_interval", "upstream_bind_config",
  "metadata", "protocol_selection", "close_connections_on_host_health_failure", "ignore_health_on_host_removal",
  "filters", "track_cluster_stats", "track_timeout_budgets", "preconnect_policy", "connection_pool_per_downstream_connection",
  "lrs_server", "upstream_config", "round_robin_lb_config", "least_request_lb_config", "original_dst_lb_config",
];
const MODELLED = ["name", "lb_policy", "load_assignment", "maglev_lb_config", "ring_hash_lb_config", "common_lb_config", "load_balancing_policy", "hash_policy"];
const TYPES = {
  maglev: "envoy.extensions.load_balancing_policies.maglev.v3.Maglev",
  ring: "envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash",
  rendezvous: "envoy.extensions.load_balancing_policies.rendezvous_hash.v3.RendezvousHash",
} as const;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether `text` looks like an Envoy Cluster (JSON or YAML) or a bootstrap holding clusters. */
export function looksLikeEnvoyCluster(text: string): boolean {
  return /(^|["\s{,])(lb_policy|load_assignment|static_resources|lb_endpoints)"?\s*:/m.test(text);
}

/** proto3 JSON writes 64-bit integers as strings; wrapper types as the bare value. */
function num(name: string, v: unknown): number {
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  if (typeof v === "number") return v;
  throw flowpinError("INVALID_TYPE", `${name} must be a number, got ${show(v)}`);
}

/** The clusters of a document: itself, `clusters`, or `static_resources.clusters`. */
function clustersOf(doc: Obj): Obj[] {
  const sr = doc.static_resources;
  const list = isObj(sr) ? sr.clusters : doc.clusters;
  if (list === undefined) return [doc];
  if (!Array.isArray(list)) throw flowpinError("INVALID_TYPE", `clusters must be an array, got ${show(list)}`);
  return list.map((c, i) => object(`clusters[${i}]`, c));
}

/** The hash_policy of a route (anywhere in the document) that sends to `cluster`. */
function routeHashPolicy(doc: unknown, cluster: string): unknown {
  const stack: unknown[] = [doc];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (isObj(v)) {
      if (v.cluster === cluster && Array.isArray(v.hash_policy)) return v.hash_policy;
      for (const x of Object.values(v)) if (typeof x === "object") stack.push(x);
    }
  }
  return undefined;
}

const HEALTH: Record<string, EnvoyHealth> = {
  UNKNOWN: "HEALTHY",
  HEALTHY: "HEALTHY",
  // EDS marks these FAILED_EDS_HEALTH (upstream_impl.cc).
  UNHEALTHY: "UNHEALTHY",
  DRAINING: "UNHEALTHY",
  TIMEOUT: "UNHEALTHY",
  DEGRADED: "DEGRADED",
};

function localityName(l: unknown, where: string): { name: string; tuple: [string, string, string] } {
  if (l === undefined) return { name: "", tuple: ["", "", ""] };
  const o = object(where, l);
  knownFields(where, o, ["region", "zone", "sub_zone"]);
  const part = (k: string): string => {
    const v = o[k] ?? "";
    if (typeof v !== "string") throw flowpinError("INVALID_TYPE", `${where}.${k} must be a string, got ${show(v)}`);
    return v;
  };
  const tuple: [string, string, string] = [part("region"), part("zone"), part("sub_zone")];
  const name = tuple[0] === "" && tuple[2] === "" ? tuple[1] : tuple.join("/");
  return { name, tuple };
}

/** One Cluster object to the system's config. */
export function clusterConfig(c: Obj, doc: Obj): EnvoyClusterConfig {
  if (c.lb_subset_config !== undefined) throw flowpinError("INVALID_CONFIG", "Cluster.lb_subset_config: subset load balancing is not modelled");
  knownFields("Cluster", c, [...MODELLED, ...IGNORED]);
  const out: Obj = {};
  if (c.name !== undefined) out.name = c.name;
  const common = c.common_lb_config === undefined ? {} : object("common_lb_config", c.common_lb_config);
  knownFields("common_lb_config", common, ["healthy_panic_threshold", "locality_weighted_lb_config", "consistent_hashing_lb_config", "zone_aware_lb_config", "update_merge_window", "ignore_new_hosts_until_first_hc", "close_connections_on_host_set_change", "override_host_status"]);
  const outCommon: Obj = {};
  if (common.healthy_panic_threshold !== undefined) {
    const p = object("common_lb_config.healthy_panic_threshold", common.healthy_panic_threshold);
    knownFields("common_lb_config.healthy_panic_threshold", p, ["value"]);
    outCommon.healthy_panic_threshold = p.value ?? 0;
  }
  let localityWeighted = common.locality_weighted_lb_config !== undefined;
  let consistent = common.consistent_hashing_lb_config;

  if (c.load_balancing_policy !== undefined) {
    // The first policy of the list this build knows, as Envoy takes the first supported one.
    const lbp = object("load_balancing_policy", c.load_balancing_policy);
    const policies = Array.isArray(lbp.policies) ? lbp.policies : [];
    let found = false;
    for (const p of policies) {
      const tc = isObj(p) && isObj(p.typed_extension_config) ? p.typed_extension_config.typed_config : undefined;
      if (!isObj(tc) || typeof tc["@type"] !== "string") continue;
      const type = tc["@type"].replace(/^.*\//, "");
      const { "@type": _t, ...cfg } = tc;
      if (type === TYPES.maglev) {
        out.lb_policy = "MAGLEV";
        knownFields(type, cfg, ["table_size", "consistent_hashing_lb_config", "locality_weighted_lb_config"]);
        if (cfg.table_size !== undefined) out.maglev = { table_size: num("table_size", cfg.table_size) };
      } else if (type === TYPES.ring) {
        out.lb_policy = "RING_HASH";
        knownFields(type, cfg, ["minimum_ring_size", "maximum_ring_size", "hash_function", "consistent_hashing_lb_config", "locality_weighted_lb_config"]);
        out.ring_hash = ringConfig(cfg);
      } else if (type === TYPES.rendezvous) {
        out.lb_policy = "RENDEZVOUS_HASH";
        knownFields(type, cfg, ["consistent_hashing_lb_config", "locality_weighted_lb_config"]);
      } else continue;
      if (cfg.consistent_hashing_lb_config !== undefined) consistent = cfg.consistent_hashing_lb_config;
      if (cfg.locality_weighted_lb_config !== undefined) localityWeighted = true;
      found = true;
      break;
    }
    if (!found) throw flowpinError("INVALID_CONFIG", `load_balancing_policy has none of ${Object.values(TYPES).join(", ")}`);
  } else {
    out.lb_policy = c.lb_policy;
    if (c.lb_policy !== "MAGLEV" && c.lb_policy !== "RING_HASH") {
      throw flowpinError("INVALID_CONFIG", `lb_policy must be MAGLEV or RING_HASH (or load_balancing_policy with the maglev, ring_hash or rendezvous_hash extension), got ${show(c.lb_policy)}`);
    }
    if (c.maglev_lb_config !== undefined) {
      const m = object("maglev_lb_config", c.maglev_lb_config);
      knownFields("maglev_lb_config", m, ["table_size"]);
      if (m.table_size !== undefined) out.maglev = { table_size: num("maglev_lb_config.table_size", m.table_size) };
    }
    if (c.ring_hash_lb_config !== undefined) {
      const r = object("ring_hash_lb_config", c.ring_hash_lb_config);
      knownFields("ring_hash_lb_config", r, ["minimum_ring_size", "maximum_ring_size", "hash_function"]);
      out.ring_hash = ringConfig(r);
    }
  }
  if (consistent !== undefined) {
    const ch = object("consistent_hashing_lb_config", consistent);
    knownFields("consistent_hashing_lb_config", ch, ["use_hostname_for_hashing", "hash_balance_factor"]);
    outCommon.consistent_hashing_lb_config = {
      ...(ch.use_hostname_for_hashing === undefined ? {} : { use_hostname_for_hashing: ch.use_hostname_for_hashing }),
      ...(ch.hash_balance_factor === undefined ? {} : { hash_balance_factor: num("hash_balance_factor", ch.hash_balance_factor) }),
    };
  }
  if (localityWeighted) outCommon.locality_weighted_lb_config = {};
  if (Object.keys(outCommon).length) out.common_lb_config = outCommon;

  const hashPolicy = c.hash_policy ?? (typeof c.name === "string" ? routeHashPolicy(doc, c.name) : undefined);
  if (hashPolicy !== undefined) out.hash_policy = hashPolicy;

  if (c.load_assignment === undefined) throw flowpinError("NO_BACKENDS", "Cluster has no load_assignment: its endpoints are not in the file (EDS, DNS); give them in load_assignment");
  const la = object("load_assignment", c.load_assignment);
  knownFields("load_assignment", la, ["cluster_name", "endpoints", "named_endpoints", "policy"]);
  if (la.policy !== undefined) {
    const p = object("load_assignment.policy", la.policy);
    knownFields("load_assignment.policy", p, ["overprovisioning_factor", "weighted_priority_health", "drop_overloads", "endpoint_stale_after"]);
    if (p.drop_overloads !== undefined) throw flowpinError("INVALID_CONFIG", "load_assignment.policy.drop_overloads is not modelled");
    out.policy = {
      ...(p.overprovisioning_factor === undefined ? {} : { overprovisioning_factor: num("overprovisioning_factor", p.overprovisioning_factor) }),
      ...(p.weighted_priority_health === undefined ? {} : { weighted_priority_health: p.weighted_priority_health }),
    };
  }
  const endpoints = la.endpoints ?? [];
  if (!Array.isArray(endpoints)) throw flowpinError("INVALID_TYPE", `load_assignment.endpoints must be an array, got ${show(endpoints)}`);
  const hosts: EnvoyHost[] = [];
  // Per priority: locality name → { tuple, weight }.
  const localities = new Map<number, Map<string, { tuple: [string, string, string]; weight: number }>>();
  endpoints.forEach((item: unknown, i: number) => {
    const where = `load_assignment.endpoints[${i}]`;
    const e = object(where, item);
    knownFields(where, e, ["locality", "lb_endpoints", "load_balancing_weight", "priority", "proximity", "leds_cluster_locality_config", "metadata"]);
    const { name: locality, tuple } = localityName(e.locality, `${where}.locality`);
    const priority = e.priority === undefined ? 0 : num(`${where}.priority`, e.priority);
    // endpoint_components.proto: a locality's load_balancing_weight is at least 1 when set; unset counts 0.
    const lw = e.load_balancing_weight === undefined ? 0 : num(`${where}.load_balancing_weight`, e.load_balancing_weight);
    if (e.load_balancing_weight !== undefined && lw < 1) throw flowpinError("INVALID_WEIGHT", `${where}.load_balancing_weight must be at least 1 (Envoy's proto rule), got ${lw}`);
    const lbs = e.lb_endpoints ?? [];
    if (!Array.isArray(lbs)) throw flowpinError("INVALID_TYPE", `${where}.lb_endpoints must be an array, got ${show(lbs)}`);
    if (lbs.length > 0) {
      const per = localities.get(priority) ?? new Map();
      localities.set(priority, per);
      const prev = per.get(locality);
      if (prev && prev.tuple.join("\u0000") !== tuple.join("\u0000")) throw flowpinError("INVALID_CONFIG", `${where}.locality: two localities read as ${show(locality)}`);
      per.set(locality, { tuple, weight: lw });
    }
    lbs.forEach((lbItem: unknown, j: number) => hosts.push(host(lbItem, `${where}.lb_endpoints[${j}]`, priority, locality)));
  });
  out.hosts = hosts;
  if (localityWeighted) {
    const lws: { locality: string; weight: number; priority: number }[] = [];
    for (const [priority, per] of [...localities].sort((a, b) => a[0] - b[0])) {
      const sorted = [...per].sort((a, b) => cmpTuple(a[1].tuple, b[1].tuple));
      for (const [locality, { weight }] of sorted) lws.push({ locality, weight, priority });
    }
    out.locality_weights = lws;
  }
  return out as unknown as EnvoyClusterConfig;
}

function cmpTuple(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

function ringConfig(r: Obj): Obj {
  return {
    ...(r.minimum_ring_size === undefined ? {} : { minimum_ring_size: num("minimum_ring_size", r.minimum_ring_size) }),
    ...(r.maximum_ring_size === undefined ? {} : { maximum_ring_size: num("maximum_ring_size", r.maximum_ring_size) }),
    ...(r.hash_function === undefined ? {} : { hash_function: r.hash_function }),
  };
}

function host(item: unknown, where: string, priority: number, locality: string): EnvoyHost {
  const lb = object(where, item);
  knownFields(where, lb, ["endpoint", "health_status", "load_balancing_weight", "metadata", "endpoint_name"]);
  if (lb.endpoint_name !== undefined) throw flowpinError("INVALID_CONFIG", `${where}.endpoint_name: named endpoints are not modelled; give the endpoint`);
  const ep = object(`${where}.endpoint`, lb.endpoint);
  knownFields(`${where}.endpoint`, ep, ["address", "health_check_config", "hostname", "additional_addresses"]);
  const addr = object(`${where}.endpoint.address`, ep.address);
  if (addr.socket_address === undefined) throw flowpinError("INVALID_CONFIG", `${where}.endpoint.address: only socket_address endpoints are modelled`);
  const sa = object(`${where}.endpoint.address.socket_address`, addr.socket_address);
  knownFields(`${where}.endpoint.address.socket_address`, sa, ["address", "port_value", "protocol", "ipv4_compat", "resolver_name", "named_port"]);
  if (sa.named_port !== undefined || sa.resolver_name !== undefined) throw flowpinError("INVALID_CONFIG", `${where}: named ports and resolvers are not modelled`);
  const h: EnvoyHost = {
    address: sa.address as string,
    port: sa.port_value === undefined ? 0 : num(`${where}.endpoint.address.socket_address.port_value`, sa.port_value),
  };
  if (ep.hostname !== undefined) h.hostname = ep.hostname as string;
  if (lb.load_balancing_weight !== undefined) h.weight = num(`${where}.load_balancing_weight`, lb.load_balancing_weight);
  if (lb.health_status !== undefined) {
    const s = lb.health_status;
    if (typeof s !== "string" || !(s in HEALTH)) throw flowpinError("INVALID_CONFIG", `${where}.health_status must be one of ${Object.keys(HEALTH).join(", ")}, got ${show(s)}`);
    h.health = HEALTH[s]!;
  }
  if (priority !== 0) h.priority = priority;
  if (locality !== "") h.locality = locality;
  if (lb.metadata !== undefined) {
    const fm = object(`${where}.metadata`, lb.metadata).filter_metadata;
    const envoyLb = isObj(fm) ? fm["envoy.lb"] : undefined;
    // thread_aware_lb_impl.h hashKey(): only a string hash_key counts.
    if (isObj(envoyLb) && typeof envoyLb.hash_key === "string" && envoyLb.hash_key !== "") h.hash_key = envoyLb.hash_key;
  }
  return h;
}

/**
 * The system's config from a Cluster document (JSON text, or the object the CLI read from
 * YAML). `name` picks one cluster where the document holds several.
 */
export function clusterFromNative(text: string | object, options: { name?: string } = {}): EnvoyClusterConfig {
  let doc: unknown = text;
  if (typeof text === "string") {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw flowpinError("INVALID_CONFIG", `an Envoy Cluster must be JSON here (YAML is read by the flowpin CLI): ${(e as Error).message}`);
    }
  }
  const root = object("Envoy config", doc);
  const all = clustersOf(root);
  let chosen: Obj | undefined;
  if (options.name !== undefined) {
    chosen = all.find((c) => c.name === options.name);
    if (!chosen) throw flowpinError("INVALID_CONFIG", `no cluster named ${show(options.name)}; clusters: ${all.map((c) => String(c.name)).join(", ")}`);
  } else {
    if (all.length !== 1) throw flowpinError("INVALID_CONFIG", `the file holds ${all.length} clusters (${all.map((c) => String(c.name)).join(", ")}); pick one with --name`);
    chosen = all[0]!;
  }
  return clusterConfig(chosen, root);
}
