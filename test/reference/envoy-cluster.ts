// Writes a vector's cluster config (test/vectors/systems/envoy.json `config`) the way an
// Envoy operator would: a v3 Cluster (envoy.config.cluster.v3.Cluster, proto3 JSON field
// names) inside a bootstrap whose route carries the hash_policy (RouteAction.hash_policy; a
// Cluster has none). Written from Envoy's API reference, independently of
// src/systems/envoy/native.ts, so the CLI's reading of these files is tested, not assumed.
// Gauges (rq_active, upstream_rq_active) have no place in a Cluster: cases that use them
// cannot be written (`clusterWritable`).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const RENDEZVOUS_TYPE = "type.googleapis.com/envoy.extensions.load_balancing_policies.rendezvous_hash.v3.RendezvousHash";

export function clusterWritable(config: Any): boolean {
  return config.upstream_rq_active === undefined && config.hosts.every((h: Any) => h.rq_active === undefined);
}

/** The v3 Cluster for a vector config. */
export function envoyCluster(name: string, config: Any): Any {
  const cluster: Any = { name, type: "STATIC", connect_timeout: "0.25s" };
  const common: Any = {};
  const chc = config.common_lb_config?.consistent_hashing_lb_config;
  const localityWeighted = config.common_lb_config?.locality_weighted_lb_config !== undefined;
  if (config.common_lb_config?.healthy_panic_threshold !== undefined) common.healthy_panic_threshold = { value: config.common_lb_config.healthy_panic_threshold };
  if (config.lb_policy === "RENDEZVOUS_HASH") {
    // No lb_policy enum value: the extension through load_balancing_policy.
    const typed: Any = { "@type": RENDEZVOUS_TYPE };
    if (chc) typed.consistent_hashing_lb_config = chc;
    if (localityWeighted) typed.locality_weighted_lb_config = {};
    cluster.load_balancing_policy = { policies: [{ typed_extension_config: { name: "envoy.load_balancing_policies.rendezvous_hash", typed_config: typed } }] };
  } else {
    cluster.lb_policy = config.lb_policy;
    if (chc) common.consistent_hashing_lb_config = chc;
    if (localityWeighted) common.locality_weighted_lb_config = {};
    // proto3 JSON writes uint64 wrappers as strings.
    if (config.maglev?.table_size !== undefined) cluster.maglev_lb_config = { table_size: String(config.maglev.table_size) };
    if (config.ring_hash) {
      const r: Any = {};
      if (config.ring_hash.minimum_ring_size !== undefined) r.minimum_ring_size = String(config.ring_hash.minimum_ring_size);
      if (config.ring_hash.maximum_ring_size !== undefined) r.maximum_ring_size = String(config.ring_hash.maximum_ring_size);
      if (config.ring_hash.hash_function !== undefined) r.hash_function = config.ring_hash.hash_function;
      cluster.ring_hash_lb_config = r;
    }
  }
  if (Object.keys(common).length) cluster.common_lb_config = common;

  // One LocalityLbEndpoints per run of hosts with the same priority and locality (hosts are
  // listed grouped that way), in order.
  const endpoints: Any[] = [];
  let last: Any;
  for (const h of config.hosts) {
    const priority = h.priority ?? 0;
    const locality = h.locality ?? "";
    if (!last || last.priority !== priority || last.locality !== locality) {
      last = { priority, locality, lb_endpoints: [] };
      endpoints.push(last);
    }
    const lb: Any = { endpoint: { address: { socket_address: { address: h.address, port_value: h.port } } } };
    if (h.hostname !== undefined) lb.endpoint.hostname = h.hostname;
    if (h.health !== undefined) lb.health_status = h.health;
    if (h.weight !== undefined) lb.load_balancing_weight = h.weight;
    if (h.hash_key !== undefined) lb.metadata = { filter_metadata: { "envoy.lb": { hash_key: h.hash_key } } };
    last.lb_endpoints.push(lb);
  }
  cluster.load_assignment = {
    cluster_name: name,
    endpoints: endpoints.map((e) => {
      const out: Any = {};
      if (e.locality !== "") out.locality = { zone: e.locality };
      if (e.priority !== 0) out.priority = e.priority;
      const lw = (config.locality_weights ?? []).find((l: Any) => l.locality === e.locality && (l.priority ?? 0) === e.priority);
      // An unset locality weight counts 0; the proto refuses an explicit 0.
      if (lw && lw.weight > 0) out.load_balancing_weight = lw.weight;
      out.lb_endpoints = e.lb_endpoints;
      return out;
    }),
  };
  if (config.policy) cluster.load_assignment.policy = config.policy;
  return cluster;
}

/** A bootstrap: one listener whose route sends everything to the cluster with the vector's hash_policy. */
export function envoyBootstrap(name: string, config: Any): Any {
  const route: Any = { cluster: name };
  if (config.hash_policy) route.hash_policy = config.hash_policy;
  return {
    static_resources: {
      listeners: [
        {
          name: "ingress",
          address: { socket_address: { address: "::", port_value: 8080, ipv4_compat: true } },
          filter_chains: [
            {
              filters: [
                {
                  name: "envoy.filters.network.http_connection_manager",
                  typed_config: {
                    "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                    stat_prefix: "ingress",
                    route_config: { virtual_hosts: [{ name: "all", domains: ["*"], routes: [{ match: { prefix: "/" }, route }] }] },
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [envoyCluster(name, config)],
    },
  };
}
