/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup & Zadimoghaddam, SODA 2018), with
 * Envoy's exact semantics (source/extensions/load_balancing_policies/common/
 * thread_aware_lb_impl.cc, BoundedLoadHashingLoadBalancer): one implementation for the
 * Balancer (src/balancer/), the envoy system's `hash_balance_factor` (src/systems/envoy/
 * table.ts) and `flowpin simulate --balance-factor` (src/simulate/algorithms.ts).
 *
 * - With a balance factor c (as Envoy: an integer percentage, 125 for c = 1.25) and A active
 *   requests or connections in all, `totalSlots = ((A + 1) · c + 99) / 100` in uint32
 *   arithmetic, and a host of normalized weight w has `max(ceil(totalSlots · w), 1)` slots.
 * - Its overload factor is `active / slots`; the table's pick is kept while that is at most 1.
 * - Otherwise the hosts are visited in a Fisher–Yates shuffle driven by std::mt19937 seeded
 *   with the low 32 bits of the request hash (deterministic: every node skips in the same
 *   order), skipping the pick, and the first host at most 1 wins; if none, the least
 *   overloaded (strictly smaller, so ties keep the earlier one, the pick first).
 *
 * @example
 * import { boundedLoadSlots, boundedLoadPick } from "./bounded-load.js"; // internal: Balancer, envoy
 * const total = boundedLoadSlots(activeSum, 125);
 * const k = boundedLoadPick(hashLo32, tablePick, n, (i) => active[i] / Math.max(Math.ceil(total * share[i]) >>> 0, 1), order);
 * @module
 */

/** Envoy's total slots: ((active + 1) · factorPercent + 99) / 100, uint32 arithmetic. */
export function boundedLoadSlots(totalActive: number, factorPercent: number): number {
  const active = (totalActive % 2 ** 32) >>> 0;
  return Math.floor(((Math.imul((active + 1) >>> 0, factorPercent) >>> 0) + 99 >>> 0) / 100);
}

/** A host's overload factor: active / max(ceil(totalSlots · share), 1) (hostOverloadFactor). */
export function overloadFactor(active: number, share: number, totalSlots: number): number {
  return active / Math.max(Math.ceil(totalSlots * share) >>> 0, 1);
}

/**
 * The host bounded load chooses: `picked` while `overload(picked) ≤ 1`, else the probe
 * described in the module doc over hosts 0..n-1. `order` is scratch of at least n entries.
 * `overload(k)` is called at most once per host.
 */
export function boundedLoadPick(seed: number, picked: number, n: number, overload: (k: number) => number, order: Uint32Array): number {
  let least = picked;
  let leastFactor = overload(picked);
  if (leastFactor <= 1) return picked;
  for (let i = 0; i < n; i++) order[i] = i;
  mtSeed(seed);
  for (let i = 0; i < n; i++) {
    const j = uniform(n - i);
    const t = order[i]!;
    order[i] = order[i + j]!;
    order[i + j] = t;
    const k = order[i]!;
    if (k === picked) continue;
    const f = overload(k);
    if (f <= 1) return k;
    if (leastFactor > f) {
      least = k;
      leastFactor = f;
    }
  }
  return least;
}

// std::uniform_int_distribution as libstdc++ draws from a 32-bit engine for a range of k:
// bucket = 2^32 / k (integer), reject draws whose quotient reaches k.
function uniform(k: number): number {
  const bucket = Math.floor(2 ** 32 / k);
  let x = k;
  while (x >= k) x = Math.floor(mtNext() / bucket);
  return x;
}

// std::mt19937: the 32-bit Mersenne Twister (Matsumoto & Nishimura 1998) with the C++
// standard's parameters, written from the paper's recurrence. One state: a probe runs to
// completion before the next begins.
const N = 624;
const M = 397;
const mt = new Uint32Array(N);
let mtIndex = N;

/** Seeds like `std::mt19937 g(seed)` (the seed taken modulo 2^32). */
export function mtSeed(seed: number): void {
  mt[0] = seed >>> 0;
  for (let i = 1; i < N; i++) {
    const prev = mt[i - 1]!;
    mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
  }
  mtIndex = N;
}

/** The next u32 of the generator. */
export function mtNext(): number {
  if (mtIndex >= N) {
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % N]! & 0x7fffffff);
      mt[i] = mt[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    mtIndex = 0;
  }
  let y = mt[mtIndex++]!;
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  y ^= y >>> 18;
  return y >>> 0;
}
