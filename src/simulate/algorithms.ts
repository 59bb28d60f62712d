// The algorithms `flowpin simulate` compares, behind one small interface: build a table (or
// picker) over a list of backends and say which backend owns each measure point. Table
// algorithms are measured exactly over their slots (Maglev) or rows (glb); the others over a
// fixed sample of random u64 flow hashes. Adding an algorithm is one adapter here.
// Through the default entry, which installs the Wasm engine provider.
import { GlbTable, Maglev, Rendezvous, Ring, jump, type MaglevBackend, type MaglevProfileName, type MaglevProfileOptions } from "../index.js";

export const ALGORITHMS = ["maglev", "rendezvous", "ring", "jump", "glb"] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

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
}

export type MeasureKind = "slots" | "rows" | "flows";

export interface Algorithm {
  readonly name: AlgorithmName;
  /** Maglev table size or ring size (points); null where the algorithm has no size. */
  readonly size: number | null;
  readonly profile: string | null;
  readonly measure: MeasureKind;
  /** Measure points: slots, rows, or sampled flows. */
  readonly points: number;
  /** "last": only the last buckets can go (jump hash numbers its buckets). */
  readonly removal: "random" | "last";
  /** Builds over `backends` (rebuilds may reuse what earlier builds computed) and places the points. */
  place(backends: readonly SimBackend[]): Placement;
}

export interface AlgorithmContext {
  readonly profile: MaglevProfileName;
  readonly profileOptions: MaglevProfileOptions;
  readonly flows: { lo: Uint32Array; hi: Uint32Array };
  readonly glbSeed: Uint8Array;
  readonly glbHashKey: Uint8Array;
}

/** Maglev: a rebuild reuses the permutation parameters of backends that stay (withBackends). */
function maglev(size: number, ctx: AlgorithmContext): Algorithm {
  let first: Maglev | undefined;
  return {
    name: "maglev",
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
  }
}
