// Jump consistent hash, transcribed from Lamping & Veach 2014 (figure 1): the LCG in BigInt
// mod 2^64, and the paper's double arithmetic j = (b + 1) * (double(1 << 31) / double((key >> 33) + 1))
// in JS numbers (IEEE doubles, as the C++), truncated to an integer.
export function refJump(key: bigint, buckets: number): number {
  const M = (1n << 64n) - 1n;
  let b = -1;
  let j = 0;
  let k = key;
  while (j < buckets) {
    b = j;
    k = (k * 2862933555777941757n + 1n) & M;
    j = Math.trunc((b + 1) * (2 ** 31 / Number((k >> 33n) + 1n)));
  }
  return b;
}
