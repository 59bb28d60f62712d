// Statistics of one placement: load per backend against its fair share, and what moved
// between two placements. Kept apart from formatting (text, CSV, JSON, SVG).

/** Quantiles of the per-backend load (share / fair share; 1 is perfect balance). */
export interface LoadQuantiles {
  readonly min: number;
  readonly p1: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Load of each backend: its share of the measure points (or its exact share when given)
 * divided by its fair share `ideal[i]` (weight / total weight).
 */
export function loads(owners: ArrayLike<number>, ideal: readonly number[], exact?: Float64Array): Float64Array {
  const n = ideal.length;
  const share = new Float64Array(n);
  if (exact) share.set(exact);
  else {
    for (let i = 0; i < owners.length; i++) share[owners[i]!]!++;
    for (let i = 0; i < n; i++) share[i]! /= owners.length;
  }
  for (let i = 0; i < n; i++) share[i] = share[i]! / ideal[i]!;
  return share;
}

/** Nearest-rank quantiles of `values` (not modified). */
export function quantiles(values: Float64Array): LoadQuantiles {
  const s = Float64Array.from(values).sort();
  const q = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { min: s[0]!, p1: q(0.01), p50: q(0.5), p99: q(0.99), max: s[s.length - 1]! };
}

/** Flows (points) that moved between two placements, split by whether they had to. */
export interface Moves {
  readonly moved: number;
  /** Points whose backend was removed, or that went to an added backend. */
  readonly hadToMove: number;
  /** moved − hadToMove: points that changed between two backends present before and after. */
  readonly needless: number;
}

/**
 * Compares owners before and after a change, as fleet-wide backend numbers (`before[i]`,
 * `after[i]`); `changed[g]` marks the removed or added backends.
 */
export function moves(before: Int32Array, after: Int32Array, changed: Uint8Array, change: "remove" | "add"): Moves {
  let moved = 0;
  let had = 0;
  const n = before.length;
  for (let i = 0; i < n; i++) {
    const a = before[i]!;
    const b = after[i]!;
    if (a !== b) {
      moved++;
      if (changed[change === "remove" ? a : b]) had++;
    }
  }
  return { moved: moved / n, hadToMove: had / n, needless: (moved - had) / n };
}

/** Mean of the numbers. */
export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * The max/mean that sampling alone shows: `samples` points thrown independently at backends
 * with probabilities `ideal`, the largest count over its expectation. A sampled algorithm
 * whose max/mean is close to this is as even as the sample can tell.
 */
export function samplingNoise(samples: number, ideal: readonly number[], next: () => number): number {
  const n = ideal.length;
  const cum = new Float64Array(n);
  let acc = 0;
  ideal.forEach((w, i) => (cum[i] = acc += w));
  const counts = new Float64Array(n);
  for (let s = 0; s < samples; s++) {
    const u = (next() / 2 ** 32) * acc;
    let a = 0;
    let b = n - 1;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (cum[m]! > u) b = m;
      else a = m + 1;
    }
    counts[a]!++;
  }
  let worst = 0;
  for (let i = 0; i < n; i++) if (ideal[i]! > 0) worst = Math.max(worst, counts[i]! / (samples * (ideal[i]! / acc)));
  return worst;
}
