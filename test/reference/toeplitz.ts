// Slow oracle for the RSS Toeplitz hash, bit by bit as in the pseudocode of Microsoft's
// "RSS hashing functions" page (quoted in flowhash.json, toeplitz_rss.algorithm): for each
// input bit from the MSB of byte 0 on, a set bit XORs the leftmost 32 bits of K into the
// result, then K shifts left by one. K is the whole key as one big integer.

export function refToeplitz(data: Uint8Array, key: Uint8Array): number {
  if (key.length < data.length + 4) throw new Error("key too short");
  const keyBits = BigInt(key.length * 8);
  const keyMask = (1n << keyBits) - 1n;
  let K = 0n;
  for (const b of key) K = (K << 8n) | BigInt(b);
  let result = 0n;
  for (const byte of data) {
    for (let bit = 7; bit >= 0; bit--) {
      if ((byte >> bit) & 1) result ^= K >> (keyBits - 32n);
      K = (K << 1n) & keyMask;
    }
  }
  return Number(result);
}
