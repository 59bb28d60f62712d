// Bob Jenkins' lookup3 (lookup3.c, 2006): hashlittle, which Linux include/linux/jhash.h
// `jhash()` equals on little-endian hosts, and hashword over 2 and 3 words, which equal
// Linux `jhash_2words()` / `jhash_3words()` (initial value JHASH_INITVAL + (n << 2) + initval,
// then __jhash_final). Katran and Cilium hash flows with these.

// @ts-ignore: decorator
@inline const INITVAL: u32 = 0xdeadbeef;

// lookup3.c final(): the last mix, for the state after the last block. Exported for
// assembly/flow.ts (Cilium's IPv6 hash ends with it).
// @ts-ignore: decorator
@inline export function final(a: u32, b: u32, c: u32): u32 {
  c ^= b; c -= rotl<u32>(b, 14);
  a ^= c; a -= rotl<u32>(c, 11);
  b ^= a; b -= rotl<u32>(a, 25);
  c ^= b; c -= rotl<u32>(b, 16);
  a ^= c; a -= rotl<u32>(c, 4);
  b ^= a; b -= rotl<u32>(a, 14);
  c ^= b; c -= rotl<u32>(b, 24);
  return c;
}

/** Little-endian u32 of the `n` (0..4) bytes at `p`, higher bytes zero. */
// @ts-ignore: decorator
@inline function partial(p: usize, n: i32): u32 {
  let k: u32 = 0;
  for (let i = n - 1; i >= 0; i--) k = (k << 8) | <u32>load<u8>(p + <usize>i);
  return k;
}

/** hashlittle(key, len, initval) == Linux jhash(key, len, initval). */
export function jhash(ptr: usize, len: u32, initval: u32): u32 {
  let a = INITVAL + len + initval;
  let b = a;
  let c = a;
  let left = len;
  // Blocks of 12 start at multiples of 12 from the 16-aligned input: u32 loads stay aligned.
  while (left > 12) {
    a += load<u32>(ptr);
    b += load<u32>(ptr, 4);
    c += load<u32>(ptr, 8);
    // lookup3.c mix()
    a -= c; a ^= rotl<u32>(c, 4); c += b;
    b -= a; b ^= rotl<u32>(a, 6); a += c;
    c -= b; c ^= rotl<u32>(b, 8); b += a;
    a -= c; a ^= rotl<u32>(c, 16); c += b;
    b -= a; b ^= rotl<u32>(a, 19); a += c;
    c -= b; c ^= rotl<u32>(b, 4); b += a;
    ptr += 12;
    left -= 12;
  }
  // lookup3.c "case 0: return c": an empty key skips the final mix.
  if (left == 0) return c;
  // The last 1..12 bytes, read byte by byte so nothing past the end is touched.
  const n = <i32>left;
  a += partial(ptr, min(n, 4));
  if (n > 4) b += partial(ptr + 4, min(n - 4, 4));
  if (n > 8) c += partial(ptr + 8, n - 8);
  return final(a, b, c);
}

/** Linux jhash_2words(a, b, initval) == hashword({a, b}, 2, initval). */
export function jhash2words(a: u32, b: u32, initval: u32): u32 {
  const iv = INITVAL + (2 << 2) + initval;
  return final(a + iv, b + iv, iv);
}

/** Linux jhash_3words(a, b, c, initval) == hashword({a, b, c}, 3, initval). */
export function jhash3words(a: u32, b: u32, c: u32, initval: u32): u32 {
  const iv = INITVAL + (3 << 2) + initval;
  return final(a + iv, b + iv, c + iv);
}
