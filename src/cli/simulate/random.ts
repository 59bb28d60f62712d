// Seeded randomness for the simulation: every run with the same --seed gives the same fleets,
// churn choices and flow sample. Each trial draws from its own stream (seed, trial), so trial t
// is the same whatever --trials says and results with more trials extend those with fewer.

/** splitmix32 (a 32-bit variant of Steele, Lea & Flood's splitmix) to spread seeds. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** xoshiro128** (Blackman & Vigna 2018): small, fast, good enough for sampling. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A stream for (seed, stream, substream); distinct triples give unrelated sequences. */
  constructor(seed: number, stream: number, substream = 0) {
    let s = mix32(seed ^ mix32(stream ^ mix32(substream)));
    this.a = s = mix32(s);
    this.b = s = mix32(s);
    this.c = s = mix32(s);
    this.d = mix32(s) | 1;
  }

  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Integer in [0, n), n ≤ 2^32, by scaling one u32 (bias below n / 2^32: far under sampling noise). */
  int(n: number): number {
    return Math.floor((this.u32() / 2 ** 32) * n);
  }

  /** `k` distinct integers from [0, n), in random order (partial Fisher-Yates). */
  choose(n: number, k: number): number[] {
    const pool = new Map<number, number>();
    const out: number[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const vj = pool.get(j) ?? j;
      pool.set(j, pool.get(i) ?? i);
      out.push(vj);
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** `count` random u64 flow hashes as u32 halves. */
export function flowSample(seed: number, count: number): { lo: Uint32Array; hi: Uint32Array } {
  const r = new Random(seed, 0x666c6f77); // "flow"
  const lo = new Uint32Array(count);
  const hi = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    lo[i] = r.u32();
    hi[i] = r.u32();
  }
  return { lo, hi };
}
