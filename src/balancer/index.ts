// The embeddable balancer: Balancer, its connection table, health helpers (see balancer.ts).
export { Balancer, BALANCER_POLICIES, type BalancerOptions, type BalancerBackend, type BalancerPolicy, type TablePolicy, type BackendState, type BalancerPick, type PickReason, type BalancerChanges, type BalancerChange, type BackendCounters, type UsableBackend } from "./balancer.js";
export { ConnTable, MAX_CONNECTIONS, type ConnTableOptions, type ConnTableStats } from "./conntrack.js";
export { healthCheck, type HealthCheckOptions } from "./health.js";
// tcpCheck needs node:net: it is exported by the Node-only entry, src/node.ts (flowpin/node).
export { STATEFUL_POLICIES, type StatefulPolicy } from "./policies.js";
