// The IPv4 text fast path (src/flow.ts fastV4) and the one-call picks (Maglev pick(flow,
// FlowHasher) and pickV4): same results and same errors as before them.
// - The parser is fuzzed against the parser as it was before the fast path (copied below,
//   verbatim, as the oracle): valid addresses, mutations of them, random strings.
// - pick(flow, hasher) and pickV4 are checked against hashing first and looking up after
//   (FlowHasher.hash / hashV4, then Maglev.lookup), on every engine, every hasher profile,
//   u16 and u32 tables, and for every error.
import { describe, expect, it } from "vitest";
import { FlowHasher, FlowpinError, Maglev, parseAddress } from "../src/index.js";
import { flowpinError, show } from "../src/errors.js";
import { addressWords } from "../src/flow.js";
import { forEachEngine } from "./engines.js";
import { Rng } from "./rng.js";

// ---- The oracle: src/flow.ts address parsing before the fast path (commit fd93699). ----
function badAddress(name: string, value: unknown, why: string): Error {
  return flowpinError("INVALID_ADDRESS", `${name} is not a valid IPv4 or IPv6 address (${why}): ${show(value)}`);
}

/** Dotted-quad IPv4 (exactly four decimal parts 0-255, no leading zeros, as inet_pton). */
function parseV4Text(s: string, start: number, end: number, name: string, whole: string): number {
  let word = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = start; i <= end; i++) {
    const c = i < end ? s.charCodeAt(i) : 46;
    if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) throw badAddress(name, whole, "leading zero in an IPv4 part");
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) throw badAddress(name, whole, "IPv4 part above 255");
    } else if (c === 46) {
      if (digits === 0) throw badAddress(name, whole, "empty IPv4 part");
      if (++parts > 4) throw badAddress(name, whole, "more than four IPv4 parts");
      word = ((word << 8) | part) >>> 0;
      part = 0;
      digits = 0;
    } else {
      throw badAddress(name, whole, `unexpected character ${JSON.stringify(s[i])}`);
    }
  }
  if (parts !== 4) throw badAddress(name, whole, "IPv4 needs four parts");
  return word;
}

const hexValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;

/**
 * RFC 4291 section 2.2 text: eight groups of 1-4 hex digits, one "::" for a run of zero
 * groups, and optionally the low 32 bits as dotted IPv4. Writes 8 groups to `g`.
 */
function parseV6Text(s: string, name: string, g: Uint16Array): void {
  const n = s.length;
  let i = 0;
  let count = 0;
  let gap = -1;
  if (n < 2) throw badAddress(name, s, "too short");
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) throw badAddress(name, s, "a leading ':' must be part of '::'");
    i = 2;
    gap = 0;
    if (i === n) {
      g.fill(0);
      return;
    }
  }
  while (i < n) {
    if (count === 8) throw badAddress(name, s, "more than eight groups");
    // Dotted IPv4 tail: the rest of the string from the start of this group.
    let j = i;
    let v = 0;
    while (j < n && j - i < 5) {
      const h = hexValue(s.charCodeAt(j));
      if (h < 0) break;
      v = (v << 4) | h;
      j++;
    }
    if (j < n && s.charCodeAt(j) === 46) {
      if (count > 6) throw badAddress(name, s, "no room for an IPv4 tail");
      const w = parseV4Text(s, i, n, name, s);
      g[count++] = w >>> 16;
      g[count++] = w & 0xffff;
      i = n;
      break;
    }
    if (j === i) throw badAddress(name, s, j < n ? `unexpected character ${JSON.stringify(s[j])}` : "ends with ':'");
    if (j - i > 4) throw badAddress(name, s, "a group has more than four hex digits");
    g[count++] = v;
    i = j;
    if (i === n) break;
    if (s.charCodeAt(i) !== 58) throw badAddress(name, s, `unexpected character ${JSON.stringify(s[i])}`);
    i++;
    if (i < n && s.charCodeAt(i) === 58) {
      if (gap >= 0) throw badAddress(name, s, "more than one '::'");
      gap = count;
      i++;
    } else if (i === n) {
      throw badAddress(name, s, "ends with a single ':'");
    }
  }
  if (gap >= 0) {
    // RFC 4291: "::" stands for one or more zero groups.
    if (count > 7) throw badAddress(name, s, "'::' with eight groups");
    const tail = count - gap;
    for (let k = 0; k < tail; k++) g[7 - k] = g[count - 1 - k]!;
    for (let k = gap; k < 8 - tail; k++) g[k] = 0;
  } else if (count !== 8) {
    throw badAddress(name, s, "IPv6 needs eight groups or '::'");
  }
}

const groups = new Uint16Array(8);

/**
 * Parses one address into numeric words at out[at..]: returns 4 (one word) or 6 (four words).
 * IPv4-mapped IPv6 (::ffff:0:0/96) becomes IPv4.
 */
function beforeAddressWords(value: unknown, out: Uint32Array, at: number, name = "address"): 4 | 6 {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff || Object.is(value, -0)) {
      throw flowpinError("INVALID_ADDRESS", `${name} as a number must be an IPv4 u32 in 0..4294967295, got ${show(value)}`);
    }
    out[at] = value;
    return 4;
  }
  if (value instanceof Uint8Array) {
    if (value.length === 4) {
      out[at] = ((value[0]! << 24) | (value[1]! << 16) | (value[2]! << 8) | value[3]!) >>> 0;
      return 4;
    }
    if (value.length === 16) {
      for (let k = 0; k < 4; k++) {
        out[at + k] = ((value[4 * k]! << 24) | (value[4 * k + 1]! << 16) | (value[4 * k + 2]! << 8) | value[4 * k + 3]!) >>> 0;
      }
      return mapped(out, at);
    }
    throw flowpinError("INVALID_ADDRESS", `${name} as bytes must be 4 (IPv4) or 16 (IPv6) bytes, got ${show(value)}`);
  }
  if (typeof value === "string") {
    if (value.indexOf(":") < 0) {
      out[at] = parseV4Text(value, 0, value.length, name, value);
      return 4;
    }
    parseV6Text(value, name, groups);
    for (let k = 0; k < 4; k++) out[at + k] = ((groups[2 * k]! << 16) | groups[2 * k + 1]!) >>> 0;
    return mapped(out, at);
  }
  throw flowpinError("INVALID_TYPE", `${name} must be an IP address string, Uint8Array or IPv4 u32, got ${show(value)}`);
}

function mapped(w: Uint32Array, at: number): 4 | 6 {
  if (w[at] === 0 && w[at + 1] === 0 && w[at + 2] === 0xffff) {
    w[at] = w[at + 3]!;
    return 4;
  }
  return 6;
}

// ---- end of the oracle ----

type Outcome = { family: number; words: number[] } | { code: string; message: string };

function outcome(parse: (s: string, w: Uint32Array) => number, s: string): Outcome {
  const w = new Uint32Array(4);
  try {
    const family = parse(s, w);
    return { family, words: Array.from(w.subarray(0, family === 4 ? 1 : 4)) };
  } catch (e) {
    if (!(e instanceof FlowpinError)) throw e;
    return { code: e.code, message: e.message };
  }
}

const now = (s: string): Outcome => outcome((x, w) => addressWords(x, w, 0, "src"), s);
const before = (s: string): Outcome => outcome((x, w) => beforeAddressWords(x, w, 0, "src"), s);

function randomV4(r: Rng): string {
  return [0, 0, 0, 0].map(() => String([0, 1, 9, 10, 99, 100, 199, 200, 249, 250, 255][r.int(11)]! + (r.int(3) === 0 ? 0 : r.int(6)))).join(".");
}

const ALPHABET = "0123456789.:abcdefABCDEFx -%/\u0661\u00b2";

function mutate(r: Rng, s: string): string {
  const at = r.int(s.length + 1);
  const c = ALPHABET[r.int(ALPHABET.length)]!;
  switch (r.int(4)) {
    case 0:
      return s.slice(0, at) + c + s.slice(at);
    case 1:
      return s.slice(0, at) + s.slice(at + 1);
    case 2:
      return s.slice(0, at) + c + s.slice(at + 1);
    default:
      return s + s.slice(0, r.int(s.length));
  }
}

describe("IPv4 text fast path: the same words and the same errors as the parser before it", () => {
  it("edge cases", () => {
    const cases = [
      "0.0.0.0", "255.255.255.255", "1.2.3.4", "10.0.0.1", "192.168.100.200", "256.1.1.1", "1.2.3.256", "300.1.1.1", "01.2.3.4",
      "1.2.3.04", "1.2.3.00", "00.0.0.0", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.4.5", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4\n",
      "1.2.3.1000", "1.2.3.2555", "1234.1.1.1", "", "1", "1.", "a.b.c.d", "\u0661.2.3.4", "1.2.3.\u00b2", "::ffff:1.2.3.4", "::1.2.3.4",
      "1.2.3.4:80", "1.2.3.-4", "+1.2.3.4", "1e2.1.1.1", "0x1.1.1.1", "1.2.3.4\u0000", "999.999.999.999", "99.99.99.99", "9.9.9.9",
      "2001:db8::1", "::", "::1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4", "fe80::1%eth0", "1.2.3.4/24",
    ];
    for (const s of cases) expect(now(s), JSON.stringify(s)).toEqual(before(s));
  });

  it("random valid addresses, their mutations, and random strings (60 000 cases)", () => {
    const r = new Rng(0x5eed15);
    let valid = 0;
    for (let i = 0; i < 20000; i++) {
      const v4 = randomV4(r);
      const mutated = mutate(r, mutate(r, v4));
      let junk = "";
      for (let k = r.int(17); k > 0; k--) junk += ALPHABET[r.int(ALPHABET.length)];
      for (const s of [v4, mutated, junk]) {
        const want = before(s);
        if ("family" in want) valid++;
        expect(now(s), JSON.stringify(s)).toEqual(want);
      }
    }
    // The generator reaches both sides: thousands of valid inputs and of refused ones.
    expect(valid).toBeGreaterThan(5000);
    expect(valid).toBeLessThan(55000);
  });

  it("every u32 form round trips through text (a sample of 20 000)", () => {
    const r = new Rng(7);
    for (let i = 0; i < 20000; i++) {
      const x = r.u32();
      const s = `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
      expect(now(s)).toEqual({ family: 4, words: [x] });
      expect(Array.from(parseAddress(s))).toEqual([x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255]);
    }
  });
});

const KEY8 = Uint8Array.from([9, 8, 7, 6, 5, 4, 3, 2]);
const KEY16 = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
const HASHERS: [string, () => FlowHasher][] = [
  ["flowpin", () => new FlowHasher({ key: KEY8 })],
  ["flowpin symmetric", () => new FlowHasher({ key: KEY8, symmetric: true })],
  ["toeplitz", () => new FlowHasher({ profile: "toeplitz" })],
  ["katran", () => new FlowHasher({ profile: "katran" })],
  ["cilium", () => new FlowHasher({ profile: "cilium" })],
  ["envoy (u64)", () => new FlowHasher({ profile: "envoy" })],
  ["glb (u64)", () => new FlowHasher({ profile: "glb", key: KEY16 })],
];

function flows(r: Rng, n: number): { src: string | number | Uint8Array; dst: string | number | Uint8Array; sport: number; dport: number; proto: string | number }[] {
  const v4 = (x: number): string => `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
  const v6 = (): string => Array.from({ length: 8 }, () => (r.int(3) === 0 ? 0 : r.u32() & 0xffff).toString(16)).join(":");
  return Array.from({ length: n }, (_, i) => {
    const kind = i % 5;
    const sport = r.u32() & 0xffff;
    const dport = r.int(2) ? 443 : r.u32() & 0xffff;
    const proto = ["tcp", "udp", 6, 17, "TCP"][r.int(5)]!;
    if (kind === 0) return { src: v4(r.u32()), dst: v4(r.u32()), sport, dport, proto };
    if (kind === 1) return { src: r.u32(), dst: r.u32(), sport, dport, proto };
    if (kind === 2) return { src: r.bytes(4), dst: r.bytes(4), sport, dport, proto };
    if (kind === 3) return { src: v6(), dst: v6(), sport, dport, proto };
    return { src: `::ffff:${v4(r.u32())}`, dst: v4(r.u32()), sport, dport, proto };
  });
}

forEachEngine("one-call picks equal hashing then looking up", () => {
  const r = new Rng(0xf10e);
  const small = new Maglev({ backends: Array.from({ length: 37 }, (_, i) => ({ id: `b${i}` })), size: 1009 });
  const wide = new Maglev({ backends: Array.from({ length: 70000 }, (_, i) => ({ id: `w${i}` })), size: 131071 });
  for (const [name, make] of HASHERS) {
    it(`${name}: pick(flow, hasher) and pickV4, u16 and u32 tables`, () => {
      const hasher = make();
      for (const lb of [small, wide]) {
        for (const f of flows(r, 400)) {
          const want = lb.lookup(hasher.hash(f));
          expect(lb.pick(f, hasher), JSON.stringify({ ...f, src: String(f.src), dst: String(f.dst) })).toBe(want);
        }
        for (let i = 0; i < 400; i++) {
          const [src, dst, sport, dport, proto] = [r.u32(), r.u32(), r.u32() & 0xffff, r.u32() & 0xffff, r.u32() & 0xff];
          expect(lb.pickV4(hasher, src, dst, sport, dport, proto)).toBe(lb.lookup(hasher.hashV4(src, dst, sport, dport, proto)));
        }
      }
    });
  }

  it("the same errors as hash() and hashV4(), in the same order", () => {
    const hasher = new FlowHasher({ key: KEY8 });
    const lb = small;
    const caught = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(FlowpinError);
        return `${(e as FlowpinError).code}: ${(e as Error).message}`;
      }
      throw new Error("expected a throw");
    };
    const badFlows: unknown[] = [
      null, 7, {}, { src: "1.2.3.4", dst: "1.2.3.256", sport: 1, dport: 2, proto: "tcp" }, { src: "01.2.3.4", dst: "1.2.3.4", sport: 1, dport: 2, proto: 6 },
      { src: "1.2.3.4", dst: "::2", sport: 1, dport: 2, proto: 6 }, { src: "1.2.3.4", dst: "1.2.3.5", sport: 70000, dport: 2, proto: 6 },
      { src: "1.2.3.4", dst: "1.2.3.5", sport: 1, dport: -0, proto: 6 }, { src: "1.2.3.4", dst: "1.2.3.5", sport: 1, dport: 2, proto: "gre" },
      { src: 2 ** 32, dst: 1, sport: 1, dport: 2, proto: 6 }, { src: new Uint8Array(5), dst: 1, sport: 1, dport: 2, proto: 6 },
    ];
    for (const f of badFlows) expect(caught(() => lb.pick(f as never, hasher))).toBe(caught(() => hasher.hash(f as never)));
    const badArgs: unknown[][] = [[-1, 1, 1, 1, 6], [1, 2 ** 32, 1, 1, 6], [1, 1, 65536, 1, 6], [1, 1, 1, -0, 6], [1, 1, 1, 1, 256], [1n, 1, 1, 1, 6], [1, 1, 1.5, 1, 6], ["1", 1, 1, 1, 6]];
    for (const a of badArgs) expect(caught(() => lb.pickV4(hasher, ...(a as [number, number, number, number, number])))).toBe(caught(() => hasher.hashV4(...(a as [number, number, number, number, number]))));
    expect(caught(() => lb.pickV4({ hash: () => 1 } as never, 1, 2, 3, 4, 6))).toMatch(/^INVALID_TYPE: hasher must be a FlowHasher/);
    // A toeplitz key too short for IPv6 fails on the IPv6 flow only, as in hash().
    const short = new FlowHasher({ profile: "toeplitz", key: new Uint8Array(16) });
    const v6 = { src: "2001:db8::1", dst: "2001:db8::2", sport: 1, dport: 2, proto: 6 };
    expect(caught(() => lb.pick(v6, short))).toBe(caught(() => short.hash(v6)));
    expect(lb.pick({ ...v6, src: "1.2.3.4", dst: "1.2.3.5" }, short)).toBe(lb.lookup(short.hash({ ...v6, src: "1.2.3.4", dst: "1.2.3.5" })));
    const gone = new FlowHasher({ key: KEY8 });
    gone.dispose();
    expect(caught(() => lb.pick(badFlows[3] as never, gone))).toBe(caught(() => gone.hash(badFlows[3] as never)));
    expect(caught(() => lb.pickV4(gone, 1, 2, 3, 4, 6))).toBe(caught(() => gone.hashV4(1, 2, 3, 4, 6)));
  });

  it("a FlowHasher subclass that hashes its own way is honoured", () => {
    class Fixed extends FlowHasher {
      override hash(): number {
        return 5;
      }
      override hashV4(): number {
        return 6;
      }
    }
    const h = new Fixed({ key: KEY8 });
    expect(small.pick({ src: "1.2.3.4", dst: "5.6.7.8", sport: 1, dport: 2, proto: 6 }, h)).toBe(small.lookup(5));
    expect(small.pickV4(h, 1, 2, 3, 4, 6)).toBe(small.lookup(6));
  });
});
