// Envoy's priority levels (load_balancer_impl.cc, LoadBalancerBase): each priority's
// availability from its healthy and degraded hosts and the overprovisioning factor, the
// per-priority healthy and degraded loads (percent, summing to 100), panic per priority
// and total panic, and choosePriority(hash). All integer arithmetic as Envoy's.
import type { Cluster } from "./config.js";

export interface PriorityState {
  /** Percent of hashes each priority takes as healthy, then as degraded. */
  readonly healthyLoad: readonly number[];
  readonly degradedLoad: readonly number[];
  /** Whether each priority is in panic (its table is built from all its hosts). */
  readonly panic: readonly boolean[];
}

/** distributeLoad: as much load as each level's availability allows, in priority order. */
function distribute(load: number[], availability: readonly number[], total: number, normalizedTotal: number): [number, number] {
  let first = -1;
  for (let i = 0; i < availability.length; i++) {
    if (first < 0 && availability[i]! > 0) first = i;
    load[i] = Math.min(total, Math.floor((availability[i]! * 100) / normalizedTotal));
    total -= load[i]!;
  }
  return [first, total];
}

/** LoadBalancerBase's constructor: recalculatePerPriorityState then recalculatePerPriorityPanic. */
export function priorityState(c: Cluster): PriorityState {
  const n = c.priorities.length;
  const health = new Array<number>(n).fill(0);
  const degraded = new Array<number>(n).fill(0);
  const opf = BigInt(c.overprovisioningFactor);
  c.priorities.forEach((hosts, p) => {
    if (hosts.length === 0) return;
    let h = 0;
    let d = 0;
    let t = 0;
    for (const x of hosts) {
      const w = c.weightedPriorityHealth ? x.weight : 1;
      t += w;
      if (x.health === "HEALTHY") h += w;
      else if (x.health === "DEGRADED") d += w;
    }
    // min(100, overprovisioning_factor * healthy / total) in uint64 (BigInt: the product can pass 2^53).
    health[p] = Math.min(100, Number((opf * BigInt(h)) / BigInt(t)));
    degraded[p] = Math.min(100, Number((opf * BigInt(d)) / BigInt(t)));
  });
  const healthyLoad = new Array<number>(n).fill(0);
  const degradedLoad = new Array<number>(n).fill(0);
  const normalizedTotal = Math.min(100, health.reduce((a, b) => a + b, 0) + degraded.reduce((a, b) => a + b, 0));
  if (normalizedTotal > 0) {
    const [firstHealthy, rest] = distribute(healthyLoad, health, 100, normalizedTotal);
    const [firstDegraded, remaining] = distribute(degradedLoad, degraded, rest, normalizedTotal);
    // Rounding leftovers go to the first available priority, healthy before degraded.
    if (remaining !== 0) {
      if (firstHealthy !== -1) healthyLoad[firstHealthy]! += remaining;
      else degradedLoad[firstDegraded]! += remaining;
    }
  }

  const panic = new Array<boolean>(n).fill(false);
  // Panic disabled and nothing available: all load to P0, which has no host (no panic).
  if (c.panicThreshold === 0 && normalizedTotal === 0) {
    healthyLoad[0] = 100;
    return { healthyLoad, degradedLoad, panic };
  }
  let total = true;
  c.priorities.forEach((hosts, p) => {
    // isHostSetInPanic, never while the total availability is 100.
    if (normalizedTotal === 100) panic[p] = false;
    else {
      const count = hosts.length;
      const healthy = hosts.filter((x) => x.health === "HEALTHY").length;
      const deg = hosts.filter((x) => x.health === "DEGRADED").length;
      const hp = count === 0 ? 0 : (100 * healthy) / count;
      const dp = count === 0 ? 0 : (100 * deg) / count;
      panic[p] = hp + dp < c.panicThreshold;
    }
    total &&= panic[p]!;
  });
  if (total) {
    // recalculateLoadInTotalPanic: loads by host counts, healthy or not.
    const all = c.priorities.reduce((a, h) => a + h.length, 0);
    let left = 100;
    let firstNonEmpty = -1;
    c.priorities.forEach((hosts, p) => {
      if (firstNonEmpty < 0 && hosts.length > 0) firstNonEmpty = p;
      healthyLoad[p] = Math.floor((100 * hosts.length) / all);
      degradedLoad[p] = 0;
      left -= healthyLoad[p]!;
    });
    healthyLoad[firstNonEmpty]! += left;
  }
  return { healthyLoad, degradedLoad, panic };
}

/** choosePriority: hash % 100 + 1 against the cumulative healthy, then degraded, loads. */
export function choosePriority(state: PriorityState, selector: number): number {
  const x = selector + 1;
  let sum = 0;
  const h = state.healthyLoad;
  for (let p = 0; p < h.length; p++) {
    sum += h[p]!;
    if (x <= sum) return p;
  }
  const d = state.degradedLoad;
  for (let p = 0; p < d.length; p++) {
    sum += d[p]!;
    if (x <= sum) return p;
  }
  // Unreachable: the loads sum to 100 (Envoy falls back to P0 with IS_ENVOY_BUG).
  return 0;
}
