// folly::IPAddress::hash(), which Katran stores as each real's u64 hash and sorts and hashes
// into its Maglev ring (katran/lib/KatranLb.cpp modifyRealsForVip: `raddr.hash()`).
//
// What folly computes on x86-64 Linux with libstdc++ (the platform Katran runs on; folly's
// hash_combine goes through std::hash<uint32_t/uint64_t>, the identity there, and AF_INET6
// is 10 on Linux):
// - IPv4 (folly/IPAddressV4.h hash()): hash_combine(AF_INET = 2, fnv32_buf(4 address
//   bytes)) = hash_128_to_64(2, fnv) (folly/hash/Hash.h hash_combine_generic), where
//   fnv32_buf is the "_BROKEN" FNV-1 of folly/hash/FnvHash.h: multiply by the FNV prime, then
//   xor the byte **sign-extended** (it is cast to int8_t first).
// - IPv6 (folly/IPAddressV6.cpp hash()): (h1, h2) = SpookyHashV2::Hash128(16 bytes, seeds
//   0, 0), then hash_combine(10, h1, h2) = hash_128_to_64(10, hash_128_to_64(h1, h2)).
// - IPv4-mapped IPv6 (::ffff:a.b.c.d) hashes as the IPv4 address a.b.c.d (IPAddressV6.cpp:
//   an IPAddress holding it compares equal to the IPv4 one, so the hashes must agree).
//
// Runs once per real when a ring is built, never per flow: BigInt is clear and fast enough
// (about a microsecond per address).

const M64 = 0xffffffffffffffffn;
/** CityHash's Hash128to64 multiplier (folly/hash/Hash.h hash_128_to_64). */
const K_MUL = 0x9ddfea08eb382d69n;
/** SpookyHash V2's sc_const (folly/hash/SpookyHashV2.h). */
const SC_CONST = 0xdeadbeefdeadbeefn;
const AF_INET = 2n;
/** AF_INET6 on Linux; folly seeds the IPv6 hash with it (30 on macOS, 23 on Windows). */
const AF_INET6_LINUX = 10n;
const FNV32_START = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** folly::hash::hash_128_to_64(upper, lower). */
export function hash128to64(upper: bigint, lower: bigint): bigint {
  let a = ((lower ^ upper) * K_MUL) & M64;
  a ^= a >> 47n;
  let b = ((upper ^ a) * K_MUL) & M64;
  b ^= b >> 47n;
  return (b * K_MUL) & M64;
}

/**
 * folly::hash::fnv32_buf (an alias of fnv32_buf_BROKEN): `hash + (hash << 1) + (hash << 4) +
 * (hash << 7) + (hash << 8) + (hash << 24)` is a multiply by the FNV-1 prime 0x01000193, and
 * the byte is xored after a cast to int8_t, so bytes 0x80-0xff bring 24 set high bits.
 */
export function fnv32BufBroken(bytes: Uint8Array): number {
  let h = FNV32_START;
  for (let i = 0; i < bytes.length; i++) h = (Math.imul(h, FNV32_PRIME) ^ ((bytes[i]! << 24) >> 24)) >>> 0;
  return h;
}

const rot64 = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (64n - k))) & M64;

/**
 * SpookyHashV2::Hash128 of exactly 16 bytes with seeds (0, 0): Short() with one 16-byte step
 * (ShortMix), the length in d's top byte, sc_const added for the empty remainder, ShortEnd.
 */
export function spooky128of16(bytes: Uint8Array): [bigint, bigint] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 16);
  let h0 = 0n;
  let h1 = 0n;
  let h2 = (SC_CONST + dv.getBigUint64(0, true)) & M64;
  let h3 = (SC_CONST + dv.getBigUint64(8, true)) & M64;
  // ShortMix(h0, h1, h2, h3): twelve rotate-add-xor steps.
  const MIX: readonly bigint[] = [50n, 52n, 30n, 41n, 54n, 48n, 38n, 37n, 62n, 34n, 5n, 36n];
  for (let i = 0; i < 12; i += 4) {
    h2 = rot64(h2, MIX[i]!); h2 = (h2 + h3) & M64; h0 ^= h2;
    h3 = rot64(h3, MIX[i + 1]!); h3 = (h3 + h0) & M64; h1 ^= h3;
    h0 = rot64(h0, MIX[i + 2]!); h0 = (h0 + h1) & M64; h2 ^= h0;
    h1 = rot64(h1, MIX[i + 3]!); h1 = (h1 + h2) & M64; h3 ^= h1;
  }
  // The length (16) in the top byte of d, then the remainder-0 case adds sc_const to c and d.
  h3 = (h3 + (16n << 56n) + SC_CONST) & M64;
  h2 = (h2 + SC_CONST) & M64;
  // ShortEnd(h0, h1, h2, h3).
  const END: readonly bigint[] = [15n, 52n, 26n, 51n, 28n, 9n, 47n, 54n, 32n, 25n, 63n];
  for (let i = 0; i < 11; i++) {
    switch (i % 4) {
      case 0: h3 ^= h2; h2 = rot64(h2, END[i]!); h3 = (h3 + h2) & M64; break;
      case 1: h0 ^= h3; h3 = rot64(h3, END[i]!); h0 = (h0 + h3) & M64; break;
      case 2: h1 ^= h0; h0 = rot64(h0, END[i]!); h1 = (h1 + h0) & M64; break;
      default: h2 ^= h1; h1 = rot64(h1, END[i]!); h2 = (h2 + h1) & M64; break;
    }
  }
  return [h0, h1];
}

/**
 * folly::IPAddress(address).hash() for an address given as its bytes: 4 (IPv4) or 16 (IPv6;
 * IPv4-mapped ones hash as their IPv4 address, as folly does).
 *
 * @example
 * follyIPAddressHash(Uint8Array.of(10, 0, 0, 1)); // 0xd671359dbaa15954n
 */
export function follyIPAddressHash(bytes: Uint8Array): bigint {
  if (bytes.length === 16) {
    let mapped = bytes[10] === 0xff && bytes[11] === 0xff;
    for (let i = 0; i < 10 && mapped; i++) mapped = bytes[i] === 0;
    if (!mapped) {
      const [h1, h2] = spooky128of16(bytes);
      return hash128to64(AF_INET6_LINUX, hash128to64(h1, h2));
    }
    bytes = bytes.subarray(12);
  }
  return hash128to64(AF_INET, BigInt(fnv32BufBroken(bytes)));
}
