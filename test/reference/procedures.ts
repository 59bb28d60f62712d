// Test-input procedures described in flowhash.json, implemented from those descriptions.

/**
 * xxHash's sanity buffer (flowhash.json `xxh_generated_lengths_0_64.generator`): byte i is the
 * top byte of PRIME32 * PRIME64^i mod 2^64.
 */
export function sanityBuffer(len: number, prime32: bigint, prime64: bigint): Uint8Array {
  const out = new Uint8Array(len);
  let gen = prime32;
  for (let i = 0; i < len; i++) {
    out[i] = Number(gen >> 56n);
    gen = (gen * prime64) & 0xffffffffffffffffn;
  }
  return out;
}

/**
 * SMHasher's VerificationTest (flowhash.json `smhasher_verification_codes.procedure`): hash the
 * prefixes 00..i-1 of 00 01 .. ff with seed 256 - i, concatenate the digests as the C code
 * stores them, hash that with seed 0, and read the first 4 bytes as a little-endian u32.
 * `hash` returns the digest bytes exactly as the C function writes them to `out`.
 */
export function verificationCode(hash: (data: Uint8Array, seed: number) => Uint8Array, hashBytes: number): number {
  const key = new Uint8Array(256);
  const all = new Uint8Array(256 * hashBytes);
  for (let i = 0; i < 256; i++) {
    key[i] = i;
    const h = hash(key.subarray(0, i), 256 - i);
    if (h.length !== hashBytes) throw new Error(`digest of ${h.length} bytes, expected ${hashBytes}`);
    all.set(h, i * hashBytes);
  }
  const fin = hash(all, 0);
  return (fin[0]! | (fin[1]! << 8) | (fin[2]! << 16) | (fin[3]! << 24)) >>> 0;
}

/** Digest bytes as C code stores integers on a little-endian host. */
export function leBytes(values: readonly (number | bigint)[], width: 4 | 8): Uint8Array {
  const out = new Uint8Array(values.length * width);
  const dv = new DataView(out.buffer);
  values.forEach((x, i) => {
    if (width === 4) dv.setUint32(i * 4, Number(x), true);
    else dv.setBigUint64(i * 8, BigInt(x), true);
  });
  return out;
}
