// The simulation behind `flowpin simulate`: for each algorithm (and size), the balance of a
// fleet of N backends and the disruption when k backends are removed or added, averaged over
// trials, as in the Maglev paper (Eisenbud et al., NSDI'16, section 5.3, figures 11 and 12);
// the same for the Balancer's stateful policies and for bounded load over each table.
//
// Churn, for everything: the fraction of the flows whose backend differs when the same flows
// arrive, in the same order, at the changed fleet (a node without a connection table). For a
// consistent table that is its stateless mapping; a stateful policy (or bounded load, which
// depends on the loads so far) replays the flows from the same seed over the changed fleet.
import type { MaglevProfileName, MaglevProfileOptions } from "../../profiles/maglev-profile.js";
import { boundedInstances, instances, isConsistent, unsupported, type Algorithm, type AlgorithmKind, type AlgorithmName, type MeasureKind, type SimBackend } from "./algorithms.js";
import { Random, flowSample } from "./random.js";
import { loads, mean, moves, quantiles, samplingNoise, type LoadQuantiles } from "./stats.js";

/** Where the fleet comes from: N generated backends, or a fleet config's list. */
export type FleetSource =
  | { readonly kind: "generated"; readonly backends: number }
  | {
      readonly kind: "config";
      readonly path: string;
      readonly backends: readonly SimBackend[];
      readonly profile?: MaglevProfileName;
      readonly profileOptions?: MaglevProfileOptions;
      readonly glbSeed?: Uint8Array;
      readonly glbHashKey?: Uint8Array;
    };

export interface SimulateOptions {
  readonly algorithms: readonly AlgorithmName[];
  /** Maglev table sizes and ring sizes (minimum ring points). */
  readonly sizes: readonly number[];
  readonly fleet: FleetSource;
  /** Numbers of backends removed (and, separately, added) at once. */
  readonly churn: readonly number[];
  readonly trials: number;
  readonly seed: number;
  /** Random flow hashes for the algorithms measured by sampling (and flows for the policies). */
  readonly samples: number;
  /** Bounded load's c values (Envoy's hash_balance_factor / 100), each over every consistent algorithm; may be empty. */
  readonly balanceFactors: readonly number[];
  /** Called after each table build. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
}

export interface BalanceResult {
  /**
   * slots / rows: exact over the table; arcs: exact shares of the ring; sample: over the flow
   * sample; assigned: the sample's flows as a policy or bounded load assigned them in order.
   */
  readonly method: "slots" | "rows" | "arcs" | "sample" | "assigned";
  /** Largest load over the fair share (max/mean for equal weights), mean over trials. */
  readonly maxOverMean: number;
  /** The same, worst trial. */
  readonly maxOverMeanWorst: number;
  /** Quantiles of the per-backend load, each the mean over trials. */
  readonly load: LoadQuantiles;
  /** For method "sample": the max/mean a perfectly fair placement shows on the same sample. */
  readonly samplingNoise: number | null;
  /** Bounded load: fraction of the flows not on their table pick (moved by the bound), mean over trials. */
  readonly displaced: number | null;
}

export interface DisruptionResult {
  readonly change: "remove" | "add";
  readonly k: number;
  /** remove: "random" (k backends drawn at random) or "last" (the last k: jump hash); add: "new" (k new backends appended). */
  readonly selection: "random" | "last" | "new";
  /** Fractions of all flows, mean over trials. */
  readonly moved: number;
  readonly hadToMove: number;
  readonly needless: number;
  /** needless in the worst trial. */
  readonly needlessWorst: number;
  /** Bounded load: moved minus what the plain table moves on the same flows (mean over trials). */
  readonly extraMoved: number | null;
}

export interface AlgorithmResult {
  readonly algorithm: AlgorithmName;
  readonly kind: AlgorithmKind;
  readonly balanceFactor: number | null;
  readonly profile: string | null;
  readonly size: number | null;
  readonly backends: number;
  readonly measure: { readonly kind: MeasureKind; readonly points: number };
  readonly balance: BalanceResult;
  readonly disruption: readonly DisruptionResult[];
  /** Per-backend loads of trial 0, ascending (for the charts; not in the JSON). */
  readonly loadCurve: Float64Array;
}

export interface SimulateResult {
  readonly options: SimulateOptions;
  readonly backends: number;
  readonly results: readonly AlgorithmResult[];
  readonly skipped: readonly { readonly algorithm: AlgorithmName; readonly reason: string }[];
}

const IPV4_10 = 0x0a000000;

/** The fleet of one trial: the backends, and the pool that additions draw from. */
interface TrialFleet {
  base: SimBackend[];
  extra: SimBackend[];
}

function ipText(x: number): string {
  return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
}

/** Random distinct addresses in 10.0.0.0/8 (.0 and .255 avoided), none in `taken`. */
function addresses(r: Random, count: number, taken: Set<string>): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const host = r.int(1 << 24);
    if ((host & 255) === 0 || (host & 255) === 255) continue;
    const ip = ipText(IPV4_10 + host);
    if (taken.has(ip)) continue;
    taken.add(ip);
    out.push(ip);
  }
  return out;
}

/** The address part of "a.b.c.d", "a.b.c.d:port", "[v6]:port" or a bare IPv6 address. */
export function addressOf(id: string): string | undefined {
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?$/.exec(id);
  if (v4) return v4[1];
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::\d+)?$/.exec(id);
  if (v6) return v6[1];
  return /^[0-9a-fA-F:.]+$/.test(id) && id.includes(":") ? id : undefined;
}

function trialFleet(o: SimulateOptions, trial: number, maxAdded: number): TrialFleet {
  const r = new Random(o.seed, 1, trial);
  if (o.fleet.kind === "generated") {
    const ips = addresses(r, o.fleet.backends + maxAdded, new Set());
    const all = ips.map((ip): SimBackend => ({ id: `${ip}:80`, weight: 1, address: ip, spec: { id: `${ip}:80` } }));
    return { base: all.slice(0, o.fleet.backends), extra: all.slice(o.fleet.backends) };
  }
  // Added backends copy the shape of the config's first backend (weight, port, profile fields).
  const base = o.fleet.backends.slice();
  const t = base[0]!.spec as unknown as Record<string, unknown>;
  const taken = new Set(base.flatMap((b) => [b.id, b.address ?? ""]));
  const extra = addresses(r, maxAdded, taken).map((ip): SimBackend => {
    const port = typeof t.port === "number" ? t.port : 80;
    const id = `${ip}:${port}`;
    const spec: Record<string, unknown> = { id };
    if (t.weight !== undefined) spec.weight = t.weight;
    if (t.address !== undefined) spec.address = ip;
    if (t.port !== undefined) spec.port = t.port;
    if (t.protocol !== undefined) spec.protocol = t.protocol;
    if (t.key !== undefined) spec.key = id;
    if (t.hash !== undefined) spec.hash = r.u32() * 2 ** 21 + (r.u32() >>> 11);
    return { id, weight: base[0]!.weight, address: ip, spec: spec as never };
  });
  return { base, extra };
}

/** Owners as fleet-wide backend numbers: base backends 0..N-1, added ones N, N+1, ... */
function globalOwners(owners: ArrayLike<number>, members: Int32Array): Int32Array {
  const g = new Int32Array(owners.length);
  for (let i = 0; i < g.length; i++) g[i] = members[owners[i]!]!;
  return g;
}

/** Fraction of positions where two owner lists differ. */
function differ(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d / a.length;
}

/** Runs the simulation. Deterministic for given options (the seed fixes every random draw). */
export function simulate(o: SimulateOptions): SimulateResult {
  const N = o.fleet.kind === "generated" ? o.fleet.backends : o.fleet.backends.length;
  const maxAdded = Math.max(0, ...o.churn);
  const listed = o.fleet.kind === "config" ? o.fleet.backends : [];
  const weighted = listed.some((b) => b.weight !== listed[0]!.weight);
  const hasAddresses = listed.every((b) => b.address !== undefined);
  const keys = new Random(o.seed, 4);
  const randomKey = () => Uint8Array.from({ length: 16 }, () => keys.u32() & 255);
  const ctx = {
    policySeed: new Random(o.seed, 5).u32(),
    profile: (o.fleet.kind === "config" ? o.fleet.profile : undefined) ?? "envoy",
    profileOptions: (o.fleet.kind === "config" ? o.fleet.profileOptions : undefined) ?? {},
    flows: flowSample(o.seed, o.samples),
    glbSeed: (o.fleet.kind === "config" ? o.fleet.glbSeed : undefined) ?? randomKey(),
    glbHashKey: (o.fleet.kind === "config" ? o.fleet.glbHashKey : undefined) ?? randomKey(),
  };
  const skipped: SimulateResult["skipped"][number][] = [];
  const algos: Algorithm[] = [];
  const bounded: Algorithm[] = [];
  for (const name of o.algorithms) {
    const why = unsupported(name, { backends: N, maxAdded, weighted, addresses: hasAddresses });
    if (why) skipped.push({ algorithm: name, reason: why });
    else {
      algos.push(...instances(name, o.sizes, ctx));
      if (isConsistent(name)) bounded.push(...boundedInstances(name, o.sizes, o.balanceFactors, ctx));
    }
  }
  algos.push(...bounded);
  const perTrial = 1 + 2 * o.churn.length;
  const total = algos.length * o.trials * perTrial;
  let done = 0;
  const step = (a: Algorithm, what: string) => o.onProgress?.(++done, total, `${a.name}${a.size ? ` ${a.size}` : ""}${a.balanceFactor === null ? "" : ` c=${a.balanceFactor}`} ${what}`);

  const fleets = Array.from({ length: o.trials }, (_, t) => trialFleet(o, t, maxAdded));
  const results = algos.map((a): AlgorithmResult => {
    const maxes: number[] = [];
    const qs: LoadQuantiles[] = [];
    let curve = new Float64Array(0);
    const acc = new Map<string, { moved: number[]; had: number[]; needless: number[]; extra: number[] }>();
    const displaced: number[] = [];
    for (let t = 0; t < o.trials; t++) {
      const { base, extra } = fleets[t]!;
      const weightSum = base.reduce((s, b) => s + b.weight, 0);
      const ideal = base.map((b) => b.weight / weightSum);
      const baseMembers = Int32Array.from(base, (_, i) => i);
      const first = a.place(base, t);
      step(a, `trial ${t + 1}`);
      if (first.plain) displaced.push(differ(first.owners, first.plain));
      const l = loads(first.owners, ideal, first.shares);
      const stat = quantiles(l);
      maxes.push(stat.max);
      qs.push(stat);
      if (t === 0) curve = Float64Array.from(l).sort();
      const before = globalOwners(first.owners, baseMembers);
      const plainBefore = first.plain ? globalOwners(first.plain, baseMembers) : null;
      for (const k of o.churn) {
        // Removal: the same k backends for every algorithm of a trial (jump: the last k).
        const gone = a.removal === "last" ? Array.from({ length: k }, (_, i) => N - 1 - i) : new Random(o.seed, 0x100000 + k, t).choose(N, k);
        const changed = new Uint8Array(N + maxAdded);
        for (const g of gone) changed[g] = 1;
        const kept = Int32Array.from(baseMembers.filter((g) => !changed[g]));
        const removed = a.place(Array.from(kept, (g) => base[g]!), t);
        const rem = moves(before, globalOwners(removed.owners, kept), changed, "remove");
        const remExtra = plainBefore ? rem.moved - moves(plainBefore, globalOwners(removed.plain!, kept), changed, "remove").moved : 0;
        step(a, `remove ${k}`);
        // Addition: the first k of the trial's extra backends, appended.
        const added = new Uint8Array(N + maxAdded);
        for (let j = 0; j < k; j++) added[N + j] = 1;
        const grown = Int32Array.from({ length: N + k }, (_, i) => i);
        const grownPlace = a.place([...base, ...extra.slice(0, k)], t);
        const add = moves(before, globalOwners(grownPlace.owners, grown), added, "add");
        const addExtra = plainBefore ? add.moved - moves(plainBefore, globalOwners(grownPlace.plain!, grown), added, "add").moved : 0;
        step(a, `add ${k}`);
        for (const [change, m, extraMoved] of [["remove", rem, remExtra], ["add", add, addExtra]] as const) {
          const key = `${change} ${k}`;
          const e = acc.get(key) ?? { moved: [], had: [], needless: [], extra: [] };
          e.moved.push(m.moved);
          e.had.push(m.hadToMove);
          e.needless.push(m.needless);
          e.extra.push(extraMoved);
          acc.set(key, e);
        }
      }
    }
    const method = a.kind !== "consistent" ? "assigned" : a.measure === "slots" ? "slots" : a.measure === "rows" ? "rows" : a.name === "ring" ? "arcs" : "sample";
    const fair = fleets[0]!.base.map((b) => b.weight);
    const noise = method === "sample" ? samplingNoise(a.points, fair, ((r) => () => r.u32())(new Random(o.seed, 3))) : null;
    const disruption: DisruptionResult[] = [];
    for (const change of ["remove", "add"] as const) {
      for (const k of o.churn) {
        const e = acc.get(`${change} ${k}`)!;
        disruption.push({
          change,
          k,
          selection: change === "remove" ? a.removal : "new",
          moved: mean(e.moved),
          hadToMove: mean(e.had),
          needless: mean(e.needless),
          needlessWorst: Math.max(...e.needless),
          extraMoved: a.kind === "bounded" ? mean(e.extra) : null,
        });
      }
    }
    const q = (f: keyof LoadQuantiles) => mean(qs.map((x) => x[f]));
    return {
      algorithm: a.name,
      kind: a.kind,
      balanceFactor: a.balanceFactor,
      profile: a.profile,
      size: a.size,
      backends: N,
      measure: { kind: a.measure, points: a.points },
      balance: {
        method,
        maxOverMean: mean(maxes),
        maxOverMeanWorst: Math.max(...maxes),
        load: { min: q("min"), p1: q("p1"), p50: q("p50"), p99: q("p99"), max: q("max") },
        samplingNoise: noise,
        displaced: a.kind === "bounded" ? mean(displaced) : null,
      },
      disruption,
      loadCurve: curve,
    };
  });
  return { options: o, backends: N, results, skipped };
}
