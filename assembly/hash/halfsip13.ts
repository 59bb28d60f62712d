// HalfSipHash-1-3 (Aumasson & Bernstein's reference halfsiphash.c, c = 1, d = 3) of the two
// fixed-size flow messages, written out round by round over their words: the route kernel's
// one-flow path and FlowHasher's / Maglev's per-call path (assembly/flow.ts) share them, so
// the per-call pick does not walk the byte-generic halfSipHash loop.

// HalfSipHash v2/v3 start values ("lyge", "tedb"), as assembly/hash/halfsiphash.ts.
// @ts-ignore: decorator
@inline const IV2: u32 = 0x6c796765;
// @ts-ignore: decorator
@inline const IV3: u32 = 0x74656462;

/** HalfSipHash-1-3 of a 13-byte message held as its four words (m3 = last byte | 13 << 24). */
export function halfSip13w4(k0: u32, k1: u32, m0: u32, m1: u32, m2: u32, m3: u32): u32 {
  let v0 = k0, v1 = k1, v2 = k0 ^ IV2, v3 = k1 ^ IV3;
  v3 ^= m0;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 ^= m0;
  v3 ^= m1;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 ^= m1;
  v3 ^= m2;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 ^= m2;
  v3 ^= m3;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 ^= m3;
  v2 ^= 0xff;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  return v1 ^ v3;
}

/** HalfSipHash-1-3 of a 37-byte message (IPv6 flow) held as its ten words. */
export function halfSip13w10(k0: u32, k1: u32, m0: u32, m1: u32, m2: u32, m3: u32, m4: u32, m5: u32, m6: u32, m7: u32, m8: u32, m9: u32): u32 {
  let v0 = k0, v1 = k1, v2 = k0 ^ IV2, v3 = k1 ^ IV3;
  v3 ^= m0;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 ^= m0;
  v3 ^= m1;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 ^= m1;
  v3 ^= m2;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 ^= m2;
  v3 ^= m3;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 ^= m3;
  v3 ^= m4;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 ^= m4;
  v3 ^= m5;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 ^= m5;
  v3 ^= m6;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 ^= m6;
  v3 ^= m7;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 ^= m7;
  v3 ^= m8;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 ^= m8;
  v3 ^= m9;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 ^= m9;
  v2 ^= 0xff;
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  v0 += v1; v1 = rotl<u32>(v1, 5); v1 ^= v0; v0 = rotl<u32>(v0, 16);
  v2 += v3; v3 = rotl<u32>(v3, 8); v3 ^= v2;
  v0 += v3; v3 = rotl<u32>(v3, 7); v3 ^= v0;
  v2 += v1; v1 = rotl<u32>(v1, 13); v1 ^= v2; v2 = rotl<u32>(v2, 16);
  return v1 ^ v3;
}
