// Slow reference lookup3 (Bob Jenkins, lookup3.c, May 2006), written from its description:
// hashlittle2 (two 32-bit results), hashlittle, and hashword. Plain numbers with `>>> 0`
// after every step; the key is consumed byte by byte in little-endian order, which is what
// hashlittle computes on any host. An oracle for differential tests, never shipped.

const u = (x: number): number => x >>> 0;
const rot = (x: number, k: number): number => u((x << k) | (x >>> (32 - k)));

type State = [number, number, number];

// lookup3.c mix(): reversible mixing of three words between 12-byte blocks.
function mix(s: State): void {
  let [a, b, c] = s;
  a = u(a - c); a = u(a ^ rot(c, 4)); c = u(c + b);
  b = u(b - a); b = u(b ^ rot(a, 6)); a = u(a + c);
  c = u(c - b); c = u(c ^ rot(b, 8)); b = u(b + a);
  a = u(a - c); a = u(a ^ rot(c, 16)); c = u(c + b);
  b = u(b - a); b = u(b ^ rot(a, 19)); a = u(a + c);
  c = u(c - b); c = u(c ^ rot(b, 4)); b = u(b + a);
  s[0] = a; s[1] = b; s[2] = c;
}

// lookup3.c final(): the closing mix.
function final(s: State): void {
  let [a, b, c] = s;
  c = u(c ^ b); c = u(c - rot(b, 14));
  a = u(a ^ c); a = u(a - rot(c, 11));
  b = u(b ^ a); b = u(b - rot(a, 25));
  c = u(c ^ b); c = u(c - rot(b, 16));
  a = u(a ^ c); a = u(a - rot(c, 4));
  b = u(b ^ a); b = u(b - rot(a, 14));
  c = u(c ^ b); c = u(c - rot(b, 24));
  s[0] = a; s[1] = b; s[2] = c;
}

/** hashlittle2(key, len, &pc, &pb): returns [c, b] (primary, secondary). */
export function refHashlittle2(key: Uint8Array, pc: number, pb: number): [number, number] {
  const init = u(0xdeadbeef + key.length + pc);
  const s: State = [init, init, u(init + pb)];
  let left = key.length;
  let at = 0;
  while (left > 12) {
    for (let i = 0; i < 12; i++) s[i >> 2] = u(s[i >> 2]! + (key[at + i]! << (8 * (i & 3))));
    mix(s);
    at += 12;
    left -= 12;
  }
  // An empty key (and only that: 12 bytes go to the tail) returns without final().
  if (left === 0) return [s[2], s[1]];
  for (let i = 0; i < left; i++) s[i >> 2] = u(s[i >> 2]! + (key[at + i]! << (8 * (i & 3))));
  final(s);
  return [s[2], s[1]];
}

/** hashlittle(key, len, initval). */
export function refHashlittle(key: Uint8Array, initval: number): number {
  return refHashlittle2(key, initval, 0)[0];
}

/** hashword(k, length, initval) over 32-bit words. */
export function refHashword(words: readonly number[], initval: number): number {
  const init = u(0xdeadbeef + words.length * 4 + initval);
  const s: State = [init, init, init];
  let at = 0;
  let left = words.length;
  while (left > 3) {
    for (let i = 0; i < 3; i++) s[i] = u(s[i]! + words[at + i]!);
    mix(s);
    at += 3;
    left -= 3;
  }
  if (left === 0) return s[2];
  for (let i = 0; i < left; i++) s[i] = u(s[i]! + words[at + i]!);
  final(s);
  return s[2];
}
