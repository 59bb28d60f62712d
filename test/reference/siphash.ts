// Slow oracle for SipHash-c-d and HalfSipHash-c-d, written from the SipHash paper
// (Aumasson & Bernstein 2012, section 2) and the HalfSipHash description in veorq/SipHash:
// the message is padded to whole words with zeros and its length mod 256 in the last byte,
// words are read little-endian, and the state is four words. Generic over the word size, so
// both variants share one definition; BigInt throughout, clarity over speed.

interface Variant {
  bits: bigint; // word size
  rot: [bigint, bigint, bigint, bigint, bigint, bigint]; // SipRound rotations, in order
  init: [bigint, bigint, bigint, bigint]; // constants XORed into v0..v3
}

const SIP: Variant = {
  bits: 64n,
  rot: [13n, 32n, 16n, 21n, 17n, 32n],
  // "somepseudorandomlygeneratedbytes"
  init: [0x736f6d6570736575n, 0x646f72616e646f6dn, 0x6c7967656e657261n, 0x7465646279746573n],
};

const HALF: Variant = {
  bits: 32n,
  rot: [5n, 16n, 8n, 7n, 13n, 16n],
  init: [0n, 0n, 0x6c796765n, 0x74656462n],
};

function leWord(bytes: Uint8Array, at: number, n: number): bigint {
  let w = 0n;
  for (let i = n - 1; i >= 0; i--) w = (w << 8n) | BigInt(bytes[at + i]!);
  return w;
}

function run(V: Variant, data: Uint8Array, key: Uint8Array, c: number, d: number, outWords: 1 | 2): bigint[] {
  const W = Number(V.bits / 8n);
  const mask = (1n << V.bits) - 1n;
  const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (V.bits - r))) & mask;
  const k0 = leWord(key, 0, W);
  const k1 = leWord(key, W, W);
  let v0 = k0 ^ V.init[0];
  let v1 = k1 ^ V.init[1];
  let v2 = k0 ^ V.init[2];
  let v3 = k1 ^ V.init[3];
  // The two-word-tag variants mark the state before any message word.
  if (outWords === 2) v1 ^= 0xeen;
  const [r0, r1, r2, r3, r4, r5] = V.rot;
  const round = (): void => {
    v0 = (v0 + v1) & mask; v1 = rotl(v1, r0) ^ v0; v0 = rotl(v0, r1);
    v2 = (v2 + v3) & mask; v3 = rotl(v3, r2) ^ v2;
    v0 = (v0 + v3) & mask; v3 = rotl(v3, r3) ^ v0;
    v2 = (v2 + v1) & mask; v1 = rotl(v1, r4) ^ v2; v2 = rotl(v2, r5);
  };
  // Padding: zeros up to one byte short of a whole word, then len mod 256.
  const padded = new Uint8Array(Math.floor(data.length / W) * W + W);
  padded.set(data);
  padded[padded.length - 1] = data.length & 0xff;
  for (let at = 0; at < padded.length; at += W) {
    const m = leWord(padded, at, W);
    v3 ^= m;
    for (let i = 0; i < c; i++) round();
    v0 ^= m;
  }
  const out: bigint[] = [];
  v2 ^= outWords === 2 ? 0xeen : 0xffn;
  for (let w = 0; w < outWords; w++) {
    if (w === 1) v1 ^= 0xddn;
    for (let i = 0; i < d; i++) round();
    // SipHash's tag is v0^v1^v2^v3; HalfSipHash's is v1^v3 (halfsiphash.c).
    out.push(V === SIP ? v0 ^ v1 ^ v2 ^ v3 : v1 ^ v3);
  }
  return out;
}

/** SipHash-c-d, 64-bit tag as the integer its 8 output bytes encode little-endian. */
export function refSipHash(data: Uint8Array, key16: Uint8Array, c: number, d: number): bigint {
  if (key16.length !== 16) throw new Error("key must be 16 bytes");
  return run(SIP, data, key16, c, d, 1)[0]!;
}

/** HalfSipHash-c-d with a 32-bit tag. */
export function refHalfSipHash32(data: Uint8Array, key8: Uint8Array, c: number, d: number): number {
  if (key8.length !== 8) throw new Error("key must be 8 bytes");
  return Number(run(HALF, data, key8, c, d, 1)[0]!);
}

/** HalfSipHash-c-d with a 64-bit tag (two 32-bit words, first word low). */
export function refHalfSipHash64(data: Uint8Array, key8: Uint8Array, c: number, d: number): bigint {
  if (key8.length !== 8) throw new Error("key must be 8 bytes");
  const [lo, hi] = run(HALF, data, key8, c, d, 2);
  return (hi! << 32n) | lo!;
}
