// The algorithms and policies `flowpin simulate` compares, behind one small interface: build a
// table (or picker) over a list of backends and say which backend owns each measure point.
// Table algorithms are measured exactly over their slots (Maglev) or rows (glb); the others
// over a fixed sample of random u64 flow hashes. The Balancer's stateful policies and bounded
// load over a consistent table assign that sample's flows one after another, in order, since
// their choice depends on the loads so far. Adding an algorithm is one adapter here.
// Through the default entry, which installs the Wasm engine provider.
import { policyState, STATEFUL_POLICIES, XorShift32, type StatefulPolicy } from "../../balancer/policies.js";
import { boundedLoadPick, boundedLoadSlots, overloadFactor } from "../../bounded-load.js";
import { GlbTable } from "../../glb.js";
import { jump } from "../../jump.js";
import { Maglev } from "../../maglev.js";
import type { MaglevBackend, MaglevProfileName, MaglevProfileOptions } from "../../profiles/maglev-profile.js";
import { Rendezvous } from "../../rendezvous.js";
import { Ring } from "../../ring.js";

/** The consistent algorithms: stateless, every node computes the same owner for a flow. */
export const CONSISTENT = ["maglev", "rendezvous", "ring", "jump", "glb"] as const;
export type ConsistentName = (typeof CONSISTENT)[number];
/** Everything simulate compares: the consistent algorithms, then the Balancer's stateful policies. */
export const ALGORITHMS = [...CONSISTENT, ...STATEFUL_POLICIES] as const;
export type AlgorithmName = ConsistentName | StatefulPolicy;

/** consistent: a table; stateful: a Balancer policy; bounded: a table with bounded load. */
export type AlgorithmKind = "consistent" | "stateful" | "bounded";

export function isConsistent(name: AlgorithmName): name is ConsistentName {
  return (CONSISTENT as readonly string[]).includes(name);
}

/** A backend of the simulated fleet. `spec` is what a Maglev profile reads (id, weight, address...). */
export interface SimBackend {
  readonly id: string;
  readonly weight: number;
  /** The IP address (glb-director tables hash addresses). */
  readonly address: string | undefined;
  readonly spec: MaglevBackend;
}

/** Who owns each measure point, as an index into the backend list given to build(). */
export interface Placement {
  readonly owners: ArrayLike<number>;
  /** Exact share of the hash space per backend where the algorithm can tell (the ring's arcs). */
  readonly shares?: Float64Array;
  /** Bounded load: each flow's owner under the plain table (the pick before the probe). */
  readonly plain?: ArrayLike<number>;
}

export type MeasureKind = "slots" | "rows" | "flows";

export interface Algorithm {
  readonly name: AlgorithmName;
  readonly kind: AlgorithmKind;
  /** Bounded load's c (Envoy's hash_balance_factor / 100); null otherwise. */
  readonly balanceFactor: number | null;
  /** Maglev table size or ring size (points); null where the algorithm has no size. */
  readonly size: number | null;
  readonly profile: string | null;
  readonly measure: MeasureKind;
  /** Measure points: slots, rows, or sampled flows. */
  readonly points: number;
  /** "last": only the last buckets can go (jump hash numbers its buckets). */
  readonly removal: "random" | "last";
  /**
   * Builds over `backends` (rebuilds may reuse what earlier builds computed) and places the
   * points. `trial` seeds the random policies: the same in a trial's before and after, so
   * what changes between them is the fleet, not the draws.
   */
  place(backends: readonly SimBackend[], trial: number): Placement;
}

export interface AlgorithmContext {
  readonly profile: MaglevProfileName;
  readonly profileOptions: MaglevProfileOptions;
  readonly flows: { lo: Uint32Array; hi: Uint32Array };
  readonly glbSeed: Uint8Array;
  readonly glbHashKey: Uint8Array;
  /** Seed of the random policies (random, power of two); mixed with the trial number. */
  readonly policySeed: number;
}

/** Maglev: a rebuild reuses the permutation parameters of backends that stay (withBackends). */
function maglev(size: number, ctx: AlgorithmContext): Algorithm {
  let first: Maglev | undefined;
  return {
    name: "maglev",
    kind: "consistent",
    balanceFactor: null,
    size,
    profile: ctx.profile,
    measure: "slots",
    points: size,
    removal: "random",
    place(backends) {
      const specs = backends.map((b) => b.spec);
      const t = first ? first.withBackends(specs) : new Maglev({ ...ctx.profileOptions, backends: specs, profile: ctx.profile, size });
      first ??= t;
      return { owners: t.table };
    },
  };
}

function rendezvous(ctx: AlgorithmContext): Algorithm {
  const { lo, hi } = ctx.flows;
  return {
    name: "rendezvous",
    kind: "consistent",
    balanceFactor: null,
    size: null,
    profile: "flowpin",
    measure: "flows",
    points: lo.length,
    removal: "random",
    place(backends) {
      const r = new Rendezvous({ backends: backends.map((b) => ({ id: b.id, weight: b.weight })) });
      return { owners: r.pickBatch(lo, new Uint32Array(lo.length), hi) };
    },
  };
}

/** Envoy's ring_hash with minimum_ring_size = size (and the default 8M maximum). */
function ring(size: number, ctx: AlgorithmContext): Algorithm {
  const { lo, hi } = ctx.flows;
  let first: Ring | undefined;
  return {
    name: "ring",
    kind: "consistent",
    balanceFactor: null,
    size,
    profile: "envoy",
    measure: "flows",
    points: lo.length,
    removal: "random",
    place(backends) {
      const list = backends.map((b) => ({ id: b.id, weight: b.weight }));
      const r = first ? first.withBackends(list) : new Ring({ backends: list, minRingSize: size });
      first ??= r;
      return { owners: r.pickBatch(lo, new Uint32Array(lo.length), hi), shares: r.shares() };
    },
  };
}

/** Jump hash: bucket = jump(flow hash, number of backends); backends are buckets in order. */
function jumpHash(ctx: AlgorithmContext): Algorithm {
  const { lo, hi } = ctx.flows;
  const key: [number, number] = [0, 0];
  return {
    name: "jump",
    kind: "consistent",
    balanceFactor: null,
    size: null,
    profile: null,
    measure: "flows",
    points: lo.length,
    removal: "last",
    place(backends) {
      const owners = new Uint32Array(lo.length);
      for (let i = 0; i < lo.length; i++) {
        key[0] = lo[i]!;
        key[1] = hi[i]!;
        owners[i] = jump(key, backends.length);
      }
      return { owners };
    },
  };
}

/** glb-director: the primary column of its 65536 rows. */
function glb(ctx: AlgorithmContext): Algorithm {
  return {
    name: "glb",
    kind: "consistent",
    balanceFactor: null,
    size: GlbTable.ROWS,
    profile: "glb",
    measure: "rows",
    points: GlbTable.ROWS,
    removal: "random",
    place(backends) {
      const t = new GlbTable({ seed: ctx.glbSeed, hashKey: ctx.glbHashKey, backends: backends.map((b) => b.address!) });
      const rows = t.rows();
      const owners = new Uint32Array(GlbTable.ROWS);
      for (let r = 0; r < owners.length; r++) owners[r] = rows[2 * r]!;
      return { owners };
    },
  };
}

/**
 * A stateful policy of the Balancer (src/balancer/policies.ts): the sample's flows arrive one
 * after another and each goes where the policy sends it, given the loads so far (flows never
 * leave). Replayed over a changed fleet from the same seed, this is what a node without a
 * connection table would do with the same flows: the policy's churn.
 */
function stateful(policy: StatefulPolicy, ctx: AlgorithmContext): Algorithm {
  const flows = ctx.flows.lo.length;
  return {
    name: policy,
    kind: "stateful",
    balanceFactor: null,
    size: null,
    profile: null,
    measure: "flows",
    points: flows,
    removal: "random",
    place(backends, trial) {
      const n = backends.length;
      const state = policyState(policy, Float64Array.from(backends, (b) => b.weight), new XorShift32(Math.imul(ctx.policySeed ^ trial, 0x9e3779b1) + trial));
      const load = new Float64Array(n);
      const loadOf = (k: number): number => load[k]!;
      const owners = new Uint32Array(flows);
      for (let i = 0; i < flows; i++) {
        const k = state.choose(loadOf);
        owners[i] = k;
        load[k]!++;
      }
      return { owners };
    },
  };
}

/** u64 (hi · 2^32 + lo) mod m for m < 2^26, in doubles: each partial product stays below 2^53. */
function mod64(hi: number, lo: number, m: number): number {
  return ((hi % m) * (2 ** 32 % m) + (lo % m)) % m;
}

/**
 * Bounded load over a consistent table (Mirrokni, Thorup & Zadimoghaddam; Envoy's
 * hash_balance_factor, through src/bounded-load.ts, the implementation the Balancer and the
 * envoy system use): flows arrive in sample order; flow i, with i flows active, keeps its
 * table pick while that backend's overload factor is at most 1, else the mt19937 probe seeded
 * with the low 32 bits of its hash chooses. Flows are the sampled u64 hashes; on Maglev a
 * flow's slot is hash mod M, on glb its row the hash's low 16 bits (glb-director's row).
 */
function bounded(inner: Algorithm, c: number, ctx: AlgorithmContext): Algorithm {
  const { lo, hi } = ctx.flows;
  const flows = lo.length;
  // Envoy's factor is an integer percentage; the CLI allows two decimals of c.
  const percent = Math.round(c * 100);
  return {
    name: inner.name,
    kind: "bounded",
    balanceFactor: c,
    size: inner.size,
    profile: inner.profile,
    measure: "flows",
    points: flows,
    removal: inner.removal,
    place(backends, trial) {
      const table = inner.place(backends, trial).owners;
      let plain: ArrayLike<number> = table;
      if (inner.measure === "slots") {
        const m = inner.points;
        plain = Uint32Array.from({ length: flows }, (_, i) => table[mod64(hi[i]!, lo[i]!, m)]!);
      } else if (inner.measure === "rows") {
        plain = Uint32Array.from({ length: flows }, (_, i) => table[lo[i]! & 0xffff]!);
      }
      const n = backends.length;
      let weightSum = 0;
      for (const b of backends) weightSum += b.weight;
      const share = Float64Array.from(backends, (b) => b.weight / weightSum);
      const load = new Float64Array(n);
      const order = new Uint32Array(n);
      let totalSlots = 0;
      const overload = (k: number): number => overloadFactor(load[k]!, share[k]!, totalSlots);
      const owners = new Uint32Array(flows);
      for (let i = 0; i < flows; i++) {
        totalSlots = boundedLoadSlots(i, percent);
        const k = boundedLoadPick(lo[i]!, plain[i]!, n, overload, order);
        owners[i] = k;
        load[k]!++;
      }
      return { owners, plain };
    },
  };
}

/** Why `name` cannot run on this fleet, or undefined. */
export function unsupported(name: AlgorithmName, fleet: { backends: number; maxAdded: number; weighted: boolean; addresses: boolean }): string | undefined {
  if ((name === "jump" || name === "glb") && fleet.weighted) return `${name} has no weights and the fleet's weights differ`;
  if (name === "glb") {
    if (fleet.backends + fleet.maxAdded > GlbTable.MAX_BACKENDS) {
      return `glb-director tables hold at most ${GlbTable.MAX_BACKENDS} backends; ${fleet.backends} + ${fleet.maxAdded} added is more (try --backends 200)`;
    }
    if (!fleet.addresses) return "glb-director tables need backend ids that are IP addresses (optionally ip:port)";
  }
  return undefined;
}

/** The algorithm instances for `name`: one per size where it has a size. */
export function instances(name: AlgorithmName, sizes: readonly number[], ctx: AlgorithmContext): Algorithm[] {
  switch (name) {
    case "maglev":
      return sizes.map((s) => maglev(s, ctx));
    case "ring":
      return sizes.map((s) => ring(s, ctx));
    case "rendezvous":
      return [rendezvous(ctx)];
    case "jump":
      return [jumpHash(ctx)];
    case "glb":
      return [glb(ctx)];
    default:
      return [stateful(name, ctx)];
  }
}

/** Bounded-load instances of a consistent algorithm: one per size and balance factor. */
export function boundedInstances(name: ConsistentName, sizes: readonly number[], factors: readonly number[], ctx: AlgorithmContext): Algorithm[] {
  // A fresh table per c: Maglev and the ring reuse their first build's state across rebuilds.
  return instances(name, sizes, ctx).flatMap((first, i) => factors.map((c, j) => bounded(j === 0 ? first : instances(name, sizes, ctx)[i]!, c, ctx)));
}
