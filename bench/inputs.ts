// Fixed benchmark inputs: the same words on every run and engine, so suites measure the same
// flows and native C gets the same arrays.

/** n pseudo-random u32s from xorshift32 (Marsaglia 2003) started at `seed` (0 becomes 1). */
export function words(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s;
  }
  return out;
}
