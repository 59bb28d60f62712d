// The stateful policies a Balancer offers beside the consistent tables (for comparison in
// `flowpin simulate`, and for users who want them). Each chooses among the usable backends
// k = 0..n-1 (weights w[k] > 0) from per-backend loads; none looks at the flow, so none is
// consistent across nodes or table changes: a connection table is what keeps their flows.

/** The stateful policies. */
export type StatefulPolicy = "round-robin" | "random" | "least-connections" | "power-of-two";

export const STATEFUL_POLICIES: readonly StatefulPolicy[] = ["round-robin", "random", "least-connections", "power-of-two"];

/** xorshift32 (Marsaglia 2003): a small deterministic generator, so runs can be repeated. */
export class XorShift32 {
  #x: number;
  constructor(seed: number) {
    this.#x = seed >>> 0 || 0x9e3779b9;
  }
  /** The next u32. */
  next(): number {
    let x = this.#x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#x = x >>> 0;
    return this.#x;
  }
  /** Uniform in [0, 1). */
  unit(): number {
    return this.next() / 2 ** 32;
  }
}

/** One policy's state over one list of usable backends (rebuilt on every update). */
export interface PolicyState {
  /** The chosen position among the usable backends (0..n-1); n > 0. */
  choose(load: (k: number) => number): number;
}

/**
 * Smooth weighted round robin (nginx's ngx_http_upstream_get_peer): each turn every backend's
 * current weight grows by its weight, the largest wins and loses the total. Spreads a
 * backend's turns evenly instead of in runs.
 */
class RoundRobin implements PolicyState {
  readonly #w: Float64Array;
  readonly #cur: Float64Array;
  readonly #total: number;
  constructor(w: Float64Array) {
    this.#w = w;
    this.#cur = new Float64Array(w.length);
    let t = 0;
    for (const x of w) t += x;
    this.#total = t;
  }
  choose(): number {
    const w = this.#w;
    const cur = this.#cur;
    let best = 0;
    for (let k = 0; k < w.length; k++) {
      cur[k] = cur[k]! + w[k]!;
      if (cur[k]! > cur[best]!) best = k;
    }
    cur[best] = cur[best]! - this.#total;
    return best;
  }
}

/** Cumulative weights for weighted draws (binary search). */
function cumulative(w: Float64Array): Float64Array {
  const c = new Float64Array(w.length);
  let t = 0;
  for (let k = 0; k < w.length; k++) c[k] = t += w[k]!;
  return c;
}

function draw(cum: Float64Array, rng: XorShift32): number {
  const x = rng.unit() * cum[cum.length - 1]!;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

class WeightedRandom implements PolicyState {
  readonly #cum: Float64Array;
  readonly #rng: XorShift32;
  constructor(w: Float64Array, rng: XorShift32) {
    this.#cum = cumulative(w);
    this.#rng = rng;
  }
  choose(): number {
    return draw(this.#cum, this.#rng);
  }
}

/**
 * Least connections, weighted: the smallest load / weight; ties go to the first after a
 * rotating start, so equal backends take turns instead of the first taking every tie.
 */
class LeastConnections implements PolicyState {
  readonly #w: Float64Array;
  #start = 0;
  constructor(w: Float64Array) {
    this.#w = w;
  }
  choose(load: (k: number) => number): number {
    const w = this.#w;
    const n = w.length;
    let best = -1;
    let bestScore = Infinity;
    for (let i = 0; i < n; i++) {
      const k = (this.#start + i) % n;
      const s = load(k) / w[k]!;
      if (s < bestScore) {
        bestScore = s;
        best = k;
      }
    }
    this.#start = (this.#start + 1) % n;
    return best;
  }
}

/**
 * Power of two choices (Mitzenmacher 2001; Envoy's LEAST_REQUEST with choice_count 2): two
 * weighted random draws, the one with the smaller load / weight (the first on a tie).
 */
class PowerOfTwo implements PolicyState {
  readonly #w: Float64Array;
  readonly #cum: Float64Array;
  readonly #rng: XorShift32;
  constructor(w: Float64Array, rng: XorShift32) {
    this.#w = w;
    this.#cum = cumulative(w);
    this.#rng = rng;
  }
  choose(load: (k: number) => number): number {
    const a = draw(this.#cum, this.#rng);
    if (this.#w.length === 1) return a;
    let b = draw(this.#cum, this.#rng);
    // Two distinct candidates when there are two backends or more (a few redraws at most).
    for (let i = 0; b === a && i < 8; i++) b = draw(this.#cum, this.#rng);
    return load(b) / this.#w[b]! < load(a) / this.#w[a]! ? b : a;
  }
}

/** The state of `policy` over usable backends of weights `w`. */
export function policyState(policy: StatefulPolicy, w: Float64Array, rng: XorShift32): PolicyState {
  switch (policy) {
    case "round-robin":
      return new RoundRobin(w);
    case "random":
      return new WeightedRandom(w, rng);
    case "least-connections":
      return new LeastConnections(w);
    case "power-of-two":
      return new PowerOfTwo(w, rng);
  }
}
