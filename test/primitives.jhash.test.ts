import { isIPv6 } from "node:net";
import { describe, expect, it } from "vitest";
import { hashes } from "../src/index.js";
import { BAD_BYTES, BAD_U32_RANGE, BAD_U32_TYPE, expectCode } from "./bad-inputs.js";
import { forEachEngine } from "./engines.js";
import { refHashlittle, refHashlittle2, refHashword } from "./reference/jhash.js";
import { leBytes, verificationCode } from "./reference/procedures.js";
import { Rng } from "./rng.js";
import { big, hex, loadVectors, smhasherCode, toHex } from "./vectors.js";

const V = loadVectors("flowhash");

/** The 16 bytes of an IPv6 address (no embedded IPv4 form: the vectors have none). */
function ipv6Bytes(addr: string): Uint8Array {
  if (!isIPv6(addr) || addr.includes(".")) throw new Error(`not a plain IPv6 address: ${addr}`);
  const [head, tail] = addr.includes("::") ? addr.split("::") : [addr, undefined];
  const hi = head ? head.split(":") : [];
  const lo = tail ? tail.split(":") : [];
  const groups = tail === undefined ? hi : [...hi, ...Array<string>(8 - hi.length - lo.length).fill("0"), ...lo];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const x = parseInt(g, 16);
    out[2 * i] = x >> 8;
    out[2 * i + 1] = x & 0xff;
  });
  return out;
}

/** The 4 bytes of a dotted IPv4 address. */
const ipv4Bytes = (addr: string): Uint8Array => Uint8Array.from(addr.split(".").map(Number));
/** A u32 loaded natively (little-endian) from 4 bytes, as the BPF programs do. */
const leU32 = (b: Uint8Array, at = 0): number => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
/** Katran's ports word: {be16 sport, be16 dport} loaded as a little-endian u32. */
const katranPorts = (sport: number, dport: number): number =>
  leU32(Uint8Array.of(sport >> 8, sport & 0xff, dport >> 8, dport & 0xff));

// lookup3_jenkins `call` fields: `<input> pc=X pb=Y -> c|b` (hashlittle2), `<input> initval=X`
// (hashlittle), or the equivalence note, which is checked as a property below.
type Call =
  | { kind: "hashlittle2"; pc: number; pb: number; out: "c" | "b" }
  | { kind: "hashlittle"; initval: number }
  | { kind: "equivalence" };
function parseCall(call: string): Call {
  let m = /pc=(\w+) pb=(\w+) -> ([bc])$/.exec(call);
  if (m) return { kind: "hashlittle2", pc: Number(m[1]), pb: Number(m[2]), out: m[3] as "b" | "c" };
  m = /initval=(\w+)$/.exec(call);
  if (m) return { kind: "hashlittle", initval: Number(m[1]) };
  if (call.startsWith("linux jhash==hashlittle")) return { kind: "equivalence" };
  throw new Error(`unrecognized lookup3_jenkins call: ${call}`);
}
const lookup3: { call: string; input_str: string; input_hex: string; expected: string }[] = V.lookup3_jenkins.entries;
const parsed = lookup3.map((e) => ({ ...e, data: hex(e.input_hex), want: Number(big(e.expected)), c: parseCall(e.call) }));


type LbEntry = {
  af: 4 | 6;
  src: string;
  sport: number;
  dport: number;
  katran_inner_jhash_src16_seed512?: string;
  katran_default_dport_zeroed: string;
  katran_default_ring_idx: number;
  katran_F_HASH_SRC_DST_PORT: string;
  katran_word_a_src_u32_le?: string;
  katran_word_b_ports_default?: string;
  cilium_v4_default_seed_tcp?: string;
  cilium_v4_seed_0xcafe_tcp?: string;
  cilium_word2?: string;
};
const LB = V.derived_lb_examples;
const lb: LbEntry[] = LB.entries;
// balancer_consts.h: INIT_JHASH_SEED = MAX_VIPS * RING_SIZE (formula_v4), INIT_JHASH_SEED_V6 = 512.
const KATRAN_SEED = 512 * 65537;
const KATRAN_SEED_V6 = 512;
const RING = 65537;
const TCP = 6;

describe("lookup3 reference", () => {
  it("reproduces every lookup3_jenkins hashlittle2/hashlittle entry, b outputs and pb≠0 included", () => {
    let n = 0;
    for (const e of parsed) {
      if (e.c.kind === "hashlittle2") {
        const [c, b] = refHashlittle2(e.data, e.c.pc, e.c.pb);
        expect(e.c.out === "c" ? c : b, e.call).toBe(e.want);
        n++;
      } else if (e.c.kind === "hashlittle") {
        expect(refHashlittle(e.data, e.c.initval), e.call).toBe(e.want);
        n++;
      }
    }
    expect(n).toBe(lookup3.length - 1);
  });
});

forEachEngine("jhash vectors", () => {
  // Only hashlittle2's primary output with pb = 0 is hashlittle(key, pc) = jhash(key, pc); the
  // secondary output b and pb ≠ 0 exist in no flowpin API and are checked on the reference above.
  const primary = parsed.filter((e) => (e.c.kind === "hashlittle2" && e.c.pb === 0 && e.c.out === "c") || e.c.kind === "hashlittle");
  for (const e of primary) {
    it(`lookup3 ${e.call}`, () => {
      const iv = e.c.kind === "hashlittle2" ? e.c.pc : e.c.kind === "hashlittle" ? e.c.initval : NaN;
      expect(new TextDecoder().decode(e.data)).toBe(e.input_str);
      expect(hashes.jhash(e.data, iv)).toBe(e.want);
    });
  }

  it("lookup3 equivalence note: jhash == hashlittle, jhash_2words/3words == hashword (lens 0..64, several initvals)", () => {
    const note = parsed.find((e) => e.c.kind === "equivalence");
    expect(note).toBeDefined();
    const rng = new Rng(0x1ee7);
    let allEqual = true;
    const fail = (what: string): void => {
      allEqual = false;
      expect.fail(what);
    };
    for (const initval of [0, 1, 512, 0xdeadbeef, 0xffffffff, rng.u32()]) {
      for (let len = 0; len <= 64; len++) {
        const data = rng.bytes(len);
        if (hashes.jhash(data, initval) !== refHashlittle(data, initval)) fail(`jhash len ${len} initval ${initval} input ${toHex(data)}`);
      }
      const [a, b, c] = [rng.u32(), rng.u32(), rng.u32()];
      if (hashes.jhash2words(a, b, initval) !== refHashword([a, b], initval)) fail(`jhash2words ${a} ${b} ${initval}`);
      if (hashes.jhash3words(a, b, c, initval) !== refHashword([a, b, c], initval)) fail(`jhash3words ${a} ${b} ${c} ${initval}`);
      // On a little-endian host hashword over n words equals hashlittle over their 4n bytes.
      if (hashes.jhash2words(a, b, initval) !== hashes.jhash(leBytes([a, b], 4), initval)) fail(`jhash2words vs jhash ${a} ${b}`);
      if (hashes.jhash3words(a, b, c, initval) !== hashes.jhash(leBytes([a, b, c], 4), initval)) fail(`jhash3words vs jhash ${a} ${b} ${c}`);
    }
    expect(allEqual ? 1 : 0).toBe(note!.want);
  });

  it("SMHasher verification code, lookup3 (hashlittle)", () => {
    expect(verificationCode((d, s) => leBytes([hashes.jhash(d, s)], 4), 4)).toBe(smhasherCode("lookup3 hashlittle"));
  });

  it("Katran IPv6 source fold: jhash(src16, 16, 512)", () => {
    const v6 = lb.filter((e) => e.af === 6);
    expect(v6.length).toBeGreaterThan(0);
    for (const e of v6) {
      expect(hashes.jhash(ipv6Bytes(e.src), KATRAN_SEED_V6), e.src).toBe(Number(big(e.katran_inner_jhash_src16_seed512!)));
    }
  });

  it("Katran flow hashes: jhash_2words(src word, ports word, 512·65537), IPv4 and IPv6", () => {
    expect(LB.katran.formula_v4).toContain("33554944");
    for (const e of lb) {
      const src = e.af === 4 ? leU32(ipv4Bytes(e.src)) : hashes.jhash(ipv6Bytes(e.src), KATRAN_SEED_V6);
      if (e.af === 4) {
        expect(src).toBe(Number(big(e.katran_word_a_src_u32_le!)));
        expect(katranPorts(e.sport, 0)).toBe(Number(big(e.katran_word_b_ports_default!)));
      }
      const dportZeroed = hashes.jhash2words(src, katranPorts(e.sport, 0), KATRAN_SEED);
      expect(dportZeroed, e.src).toBe(Number(big(e.katran_default_dport_zeroed)));
      expect(dportZeroed % RING, e.src).toBe(e.katran_default_ring_idx);
      expect(hashes.jhash2words(src, katranPorts(e.sport, e.dport), KATRAN_SEED), e.src).toBe(Number(big(e.katran_F_HASH_SRC_DST_PORT)));
    }
  });

  it("Cilium IPv4 flow hashes: jhash_3words(saddr, ports word, proto, seed)", () => {
    const v4 = lb.filter((e) => e.af === 4);
    expect(v4.length).toBeGreaterThan(0);
    for (const e of v4) {
      const saddr = leU32(ipv4Bytes(e.src));
      const word2 = Number(big(e.cilium_word2!));
      // lb4_extract_tuple stores the packet's ports swapped, in network order, loaded natively.
      expect(word2).toBe(((katranPorts(e.sport, 0) << 16) | katranPorts(e.dport, 0)) >>> 0);
      expect(hashes.jhash3words(saddr, word2, TCP, Number(big(LB.cilium.HASH_INIT4_SEED_default))), e.src).toBe(
        Number(big(e.cilium_v4_default_seed_tcp!)),
      );
      expect(hashes.jhash3words(saddr, word2, TCP, 0xcafe), e.src).toBe(Number(big(e.cilium_v4_seed_0xcafe_tcp!)));
    }
  });
});

// Random differential: the reference runs once per case; every engine must agree with it.
const RNG_SEED = 0x7a5;
const PER_LENGTH = 10;
type Case = { len: number; data: Uint8Array; initval: number; h: number; words: number[]; w2: number; w3: number };
let cases: Case[] | undefined;
function randomCases(): Case[] {
  if (cases) return cases;
  const rng = new Rng(RNG_SEED);
  cases = [];
  for (let len = 0; len <= 300; len++) {
    for (let k = 0; k < PER_LENGTH; k++) {
      const data = rng.bytes(len);
      const initval = k === 0 ? 0 : k === 1 ? 0xffffffff : rng.u32();
      const words = [rng.u32(), rng.u32(), rng.u32()];
      cases.push({
        len,
        data,
        initval,
        h: refHashlittle(data, initval),
        words,
        w2: refHashword(words.slice(0, 2), initval),
        w3: refHashword(words, initval),
      });
    }
  }
  return cases;
}

forEachEngine("jhash vs reference, random inputs", () => {
  it(`lengths 0..300 x ${PER_LENGTH}, random initvals and words (rng seed ${RNG_SEED})`, () => {
    const all = randomCases();
    for (const c of all) {
      const h = hashes.jhash(c.data, c.initval);
      if (h !== c.h) expect.fail(`jhash rng seed ${RNG_SEED} len ${c.len} initval ${c.initval} input ${toHex(c.data)}: got ${h}, reference ${c.h}`);
      const [a, b, w] = c.words as [number, number, number];
      const w2 = hashes.jhash2words(a, b, c.initval);
      if (w2 !== c.w2) expect.fail(`jhash2words rng seed ${RNG_SEED} (${a}, ${b}, ${c.initval}): got ${w2}, reference ${c.w2}`);
      const w3 = hashes.jhash3words(a, b, w, c.initval);
      if (w3 !== c.w3) expect.fail(`jhash3words rng seed ${RNG_SEED} (${a}, ${b}, ${w}, ${c.initval}): got ${w3}, reference ${c.w3}`);
    }
    expect(all.length).toBe(301 * PER_LENGTH);
  });
});

describe("jhash bad input", () => {
  const ok = new Uint8Array(4);
  it.each(BAD_BYTES)("jhash: data %s → INVALID_TYPE", (_n, bad) => {
    expectCode(() => hashes.jhash(bad as never), "INVALID_TYPE", "data");
  });
  it.each(BAD_U32_RANGE)("u32 argument %s → OUT_OF_RANGE", (_n, bad) => {
    const x = bad as never;
    expectCode(() => hashes.jhash(ok, x), "OUT_OF_RANGE", "initval");
    expectCode(() => hashes.jhash2words(x, 0, 0), "OUT_OF_RANGE", "a");
    expectCode(() => hashes.jhash2words(0, x, 0), "OUT_OF_RANGE", "b");
    expectCode(() => hashes.jhash2words(0, 0, x), "OUT_OF_RANGE", "initval");
    expectCode(() => hashes.jhash3words(x, 0, 0, 0), "OUT_OF_RANGE", "a");
    expectCode(() => hashes.jhash3words(0, x, 0, 0), "OUT_OF_RANGE", "b");
    expectCode(() => hashes.jhash3words(0, 0, x, 0), "OUT_OF_RANGE", "c");
    expectCode(() => hashes.jhash3words(0, 0, 0, x), "OUT_OF_RANGE", "initval");
  });
  it.each([...BAD_U32_TYPE, ["undefined", undefined] as [string, unknown]])("u32 argument %s → INVALID_TYPE", (_n, bad) => {
    const x = bad as never;
    if (x !== undefined) expectCode(() => hashes.jhash(ok, x), "INVALID_TYPE", "initval");
    expectCode(() => hashes.jhash2words(0, 0, x), "INVALID_TYPE", "initval");
    expectCode(() => hashes.jhash3words(0, x, 0, 0), "INVALID_TYPE", "b");
  });
  it("initval defaults to 0 for jhash only", () => {
    expect(hashes.jhash(ok)).toBe(hashes.jhash(ok, 0));
  });
});
