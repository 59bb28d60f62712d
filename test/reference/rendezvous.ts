// Slow oracle for weighted rendezvous hashing, from the description in src/rendezvous.ts and
// Envoy's rendezvous_hash_lb.cc: BigInt for the 64-bit mix, JS numbers for the floating
// point. ln is the host's Math.log (on V8, fdlibm's log: test/rendezvous.log.test.ts checks
// flowpin's compiled-in log against it); Envoy's fastLog2 is transcribed with typed-array
// bit access. Scores for every backend, then a linear scan: first maximum wins.
import { refXxh64 } from "./xxhash.js";

const M64 = (1n << 64n) - 1n;
const MASK53 = (1n << 53n) - 1n;

export function refXorshiftMult64(x: bigint): bigint {
  x ^= x >> 12n;
  x = (x ^ (x << 25n)) & M64;
  x ^= x >> 27n;
  return (x * 2685821657736338717n) & M64;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** Envoy's fastLog2 (bit manipulation plus t (0.338953 t + 2.198599) / (t + 1.523692)). */
export function refEnvoyFastLog2(x: number): number {
  f64[0] = x;
  const bits = u64[0]!;
  const exponent = (bits >> 52n) & 0x7ffn;
  const mantissa = bits & ((1n << 52n) - 1n);
  const newExponent = 1023n ^ (mantissa >> 51n);
  u64[0] = (newExponent << 52n) | mantissa;
  const t = f64[0]! - 1.0;
  const approx = (t * (0.338953 * t + 2.198599)) / (t + 1.523692);
  return Number(exponent) - Number(newExponent) + approx;
}

export interface RefRdvBackend {
  key: string;
  weight: number;
}

export function refKeyHash(key: string): bigint {
  return refXxh64(new TextEncoder().encode(key), 0n);
}

/** Scores in backend order for a u64 flow hash. */
export function refScores(hash: bigint, backends: readonly RefRdvBackend[], profile: "flowpin" | "envoy" = "flowpin"): number[] {
  const sum = backends.reduce((s, b) => s + b.weight, 0);
  return backends.map((b) => {
    const m = refXorshiftMult64(hash ^ refKeyHash(b.key)) & MASK53;
    if (profile === "envoy") {
      const u = Number(m) * 2 ** -53;
      return -(b.weight / sum) / (refEnvoyFastLog2(u) * 0.6931471805599453);
    }
    const u = Number(m + 1n) * 2 ** -53;
    const l = Math.log(u);
    if (b.weight === 0) return 0;
    return l === 0 ? Infinity : -b.weight / l;
  });
}

/** Indices ranked by score, highest first, ties to the lower index; zero weights left out. */
export function refRank(hash: bigint, backends: readonly RefRdvBackend[], profile: "flowpin" | "envoy" = "flowpin"): number[] {
  const s = refScores(hash, backends, profile);
  return s
    .map((x, i) => ({ x, i }))
    .filter((o) => backends[o.i]!.weight > 0 && o.x > 0)
    .sort((a, b) => (b.x !== a.x ? b.x - a.x : a.i - b.i))
    .map((o) => o.i);
}
