// One priority's hashing load balancer as ThreadAwareLoadBalancerBase::refresh() builds it
// (thread_aware_lb_impl.cc): normalized host weights, then the Maglev table, the ring or the
// rendezvous table over them (flowpin's Maglev, Ring and Rendezvous classes), wrapped in
// BoundedLoadHashingLoadBalancer when hash_balance_factor is set.
import { boundedLoadPick, boundedLoadSlots, overloadFactor } from "../../bounded-load.js";
import { Maglev } from "../../maglev.js";
import { Rendezvous } from "../../rendezvous.js";
import { Ring } from "../../ring.js";
import { maglevSlots, type SystemTable } from "../system.js";
import type { Cluster, Host } from "./config.js";

/** What a table pick found: the host index (into `hosts`), the slot or point index, the point. */
export interface Pick {
  index: number;
  slot: number | null;
  point: bigint | null;
}

/**
 * normalizeWeights: weight × locality share / sum of the used hosts' weights in that
 * locality, in Envoy's order (flat: configured order; locality-weighted: locality order).
 * Zero-weight localities are skipped; a locality's share counts every locality weight of the
 * priority, so the weights sum to less than 1 when a weighted locality has no used host.
 */
export function normalizeWeights(used: readonly Host[], localities: readonly { locality: string; weight: number }[] | undefined): { hosts: Host[]; weights: number[] } {
  const hosts: Host[] = [];
  const weights: number[] = [];
  const add = (list: readonly Host[], share: number): void => {
    let sum = 0;
    for (const h of list) sum += h.weight;
    for (const h of list) {
      hosts.push(h);
      weights.push((h.weight * share) / sum);
    }
  };
  if (!localities) {
    add(used, 1.0);
    return { hosts, weights };
  }
  let sum = 0;
  for (const l of localities) sum += l.weight;
  // All locality weights 0: Envoy bails out with no hosts.
  if (sum === 0) return { hosts, weights };
  for (const l of localities) {
    if (l.weight === 0) continue;
    add(
      used.filter((h) => h.locality === l.locality),
      l.weight / sum,
    );
  }
  return { hosts, weights };
}

/** A priority's load balancer; `hosts` empty means chooseHost returns no host. */
export class PriorityTable {
  readonly hosts: readonly Host[];
  readonly weights: readonly number[];
  readonly panic: boolean;
  readonly #maglev: Maglev | undefined;
  readonly #ring: Ring | undefined;
  readonly #rendezvous: Rendezvous | undefined;
  readonly #size: bigint;
  /** Bounded load: each host's overload factor (static gauges), or undefined. */
  readonly #overload: Float64Array | undefined;
  readonly #order: Uint32Array;
  readonly #overloadOf = (k: number): number => this.#overload![k]!;

  constructor(c: Cluster, priority: number, panic: boolean) {
    this.panic = panic;
    const all = c.priorities[priority]!;
    // In panic the table takes every host of the priority; else the healthy ones only
    // (degraded hosts never enter a hash table).
    const used = panic ? all : all.filter((h) => h.health === "HEALTHY");
    const { hosts, weights } = normalizeWeights(used, c.localityWeights[priority]);
    this.hosts = hosts;
    this.weights = weights;
    this.#size = BigInt(c.tableSize);
    this.#order = new Uint32Array(hosts.length);
    if (hosts.length === 0) return;
    if (c.policy === "MAGLEV") {
      // The envoy profile normalizes the integer weights exactly as above (same expression
      // and order) and sorts by key; it sees only relative weights.
      const lw = c.localityWeights[priority];
      this.#maglev = new Maglev({
        profile: "envoy",
        size: c.tableSize,
        allowUnslotted: true,
        backends: hosts.map((h) => ({ id: h.id, key: h.key, weight: h.weight, ...(lw ? { locality: h.locality } : {}) })),
        ...(lw ? { localityWeights: Object.fromEntries(lw.map((l) => [l.locality, l.weight])) } : {}),
      });
    } else if (c.policy === "RING_HASH") {
      // minimum_ring_size 0 makes the scale 0: an empty ring, no host (ring_hash_lb.cc).
      if (c.minRingSize > 0) {
        this.#ring = new Ring({
          backends: hosts.map((h, i) => ({ id: h.id, key: h.key, weight: weights[i]! })),
          minRingSize: c.minRingSize,
          maxRingSize: c.maxRingSize,
          normalized: true,
          allowPointless: true,
        });
      }
    } else {
      this.#rendezvous = new Rendezvous({ profile: "envoy", normalized: true, backends: hosts.map((h, i) => ({ id: h.id, key: h.key, weight: weights[i]! })) });
    }
    if (c.balanceFactor > 0) {
      // hostOverloadFactor per host, from upstream_rq_active and the normalized weights: one
      // implementation of Envoy's arithmetic for this system and the Balancer (bounded-load.ts).
      const totalSlots = boundedLoadSlots(c.upstreamRqActive, c.balanceFactor);
      this.#overload = Float64Array.from(hosts, (h, i) => overloadFactor(h.rqActive, weights[i]!, totalSlots));
    }
  }

  /**
   * The table as `flowpin table` prints it (MAGLEV slots, RING_HASH points), or null where
   * there is none (rendezvous has no table; an empty priority or ring).
   */
  table(name: string): SystemTable | null {
    if (this.#maglev) return maglevSlots(name, this.#maglev);
    const ring = this.#ring;
    if (!ring) return null;
    const points = ring.points();
    return {
      kind: "ring",
      name,
      profile: "envoy",
      // ring_hash_lb.cc chooseHost: the first point whose hash is ≥ the request's, wrapping.
      rule: "successor",
      bits: 64,
      backends: ring.backends.map((b) => b.id),
      points: BigUint64Array.from(points, (p) => p[0]),
      owners: Uint32Array.from(points, (p) => p[1]),
    };
  }

  get hasTable(): boolean {
    return this.#maglev !== undefined || this.#ring !== undefined || this.#rendezvous !== undefined;
  }

  get bounded(): boolean {
    return this.#overload !== undefined;
  }

  /** The table's own pick (chooseHost(hash, 0)), or null when the table is empty. */
  pick(hash: bigint): Pick | null {
    if (this.#maglev) {
      const slot = Number(hash % this.#size);
      return { index: this.#maglev.table[slot]!, slot, point: null };
    }
    if (this.#ring) {
      const slot = this.#ring.pointIndex(hash);
      return { index: this.#ring.pointOwner(slot), slot, point: this.#ring.pointHash(slot) };
    }
    if (this.#rendezvous) return { index: this.#rendezvous.pickIndex(hash), slot: null, point: null };
    return null;
  }

  /**
   * BoundedLoadHashingLoadBalancer::chooseHost: keep the table's pick if its overload factor
   * is at most 1, else the mt19937(hash mod 2^32) Fisher-Yates probe of bounded-load.ts.
   * Returns the host index.
   */
  bound(hash: bigint, picked: number): number {
    return boundedLoadPick(Number(hash & 0xffffffffn), picked, this.hosts.length, this.#overloadOf, this.#order);
  }
}
