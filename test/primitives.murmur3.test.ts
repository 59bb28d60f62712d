import { describe, expect, it } from "vitest";
import { hashes } from "../src/index.js";
import { BAD_BYTES, BAD_U32_RANGE, BAD_U32_TYPE, expectCode } from "./bad-inputs.js";
import { forEachEngine } from "./engines.js";
import { refMurmur3_128, refMurmur3_32 } from "./reference/murmur3.js";
import { leBytes, verificationCode } from "./reference/procedures.js";
import { Rng } from "./rng.js";
import { big, hex, loadVectors, smhasherCode, toHex } from "./vectors.js";

const V = loadVectors("flowhash");
const x86: { input_str: string; input_hex: string; seed: string; expected: string }[] = V.murmur3_x86_32.entries;
const x64: { input_str: string; input_hex: string; seed: number; expected_h1: string; expected_h2: string }[] =
  V.murmur3_x64_128.entries;

describe("murmur3 reference", () => {
  // The reference must reproduce the published facts too, or the differential test proves little.
  it("matches the vectors and verification codes", () => {
    for (const e of x86) expect(refMurmur3_32(hex(e.input_hex), Number(big(e.seed)))).toBe(Number(big(e.expected)));
    for (const e of x64) expect(refMurmur3_128(hex(e.input_hex), e.seed)).toEqual([big(e.expected_h1), big(e.expected_h2)]);
    expect(verificationCode((d, s) => leBytes([refMurmur3_32(d, s)], 4), 4)).toBe(smhasherCode("MurmurHash3_x86_32"));
    expect(verificationCode((d, s) => leBytes(refMurmur3_128(d, s), 8), 16)).toBe(smhasherCode("MurmurHash3_x64_128"));
  });
});

forEachEngine("murmur3 vectors", () => {
  for (const e of x86) {
    it(`x86_32 ${JSON.stringify(e.input_str)} seed ${e.seed}`, () => {
      const data = hex(e.input_hex);
      expect(new TextDecoder().decode(data)).toBe(e.input_str);
      expect(hashes.murmur3_32(data, Number(big(e.seed)))).toBe(Number(big(e.expected)));
    });
  }
  for (const e of x64) {
    it(`x64_128 ${JSON.stringify(e.input_str)} seed ${e.seed}`, () => {
      const data = hex(e.input_hex);
      expect(new TextDecoder().decode(data)).toBe(e.input_str);
      expect(hashes.murmur3_128(data, e.seed)).toEqual([big(e.expected_h1), big(e.expected_h2)]);
    });
  }
  it("SMHasher verification code, MurmurHash3_x86_32 (Murmur3A)", () => {
    expect(verificationCode((d, s) => leBytes([hashes.murmur3_32(d, s)], 4), 4)).toBe(smhasherCode("MurmurHash3_x86_32"));
  });
  it("SMHasher verification code, MurmurHash3_x64_128 (Murmur3F; digest = out[0] LE ‖ out[1] LE)", () => {
    expect(verificationCode((d, s) => leBytes(hashes.murmur3_128(d, s), 8), 16)).toBe(smhasherCode("MurmurHash3_x64_128"));
  });
});

// Random differential: the reference runs once per case; every engine must agree with it.
const RNG_SEED = 0x3a3;
const PER_LENGTH = 10;
type Case = { len: number; data: Uint8Array; seed: number; h32: number; h128: [bigint, bigint] };
let cases: Case[] | undefined;
function randomCases(): Case[] {
  if (cases) return cases;
  const rng = new Rng(RNG_SEED);
  cases = [];
  for (let len = 0; len <= 300; len++) {
    for (let k = 0; k < PER_LENGTH; k++) {
      const data = rng.bytes(len);
      const seed = k === 0 ? 0 : k === 1 ? 0xffffffff : rng.u32();
      cases.push({ len, data, seed, h32: refMurmur3_32(data, seed), h128: refMurmur3_128(data, seed) });
    }
  }
  return cases;
}

forEachEngine("murmur3 vs reference, random inputs", () => {
  it(`lengths 0..300 x ${PER_LENGTH}, random seeds (rng seed ${RNG_SEED})`, () => {
    const all = randomCases();
    for (const c of all) {
      const where = `rng seed ${RNG_SEED} len ${c.len} seed ${c.seed} input ${toHex(c.data)}`;
      const h32 = hashes.murmur3_32(c.data, c.seed);
      if (h32 !== c.h32) expect.fail(`murmur3_32 ${where}: got ${h32}, reference ${c.h32}`);
      const [h1, h2] = hashes.murmur3_128(c.data, c.seed);
      if (h1 !== c.h128[0] || h2 !== c.h128[1]) {
        expect.fail(`murmur3_128 ${where}: got [${h1}, ${h2}], reference [${c.h128[0]}, ${c.h128[1]}]`);
      }
    }
    expect(all.length).toBe(301 * PER_LENGTH);
  });
});

describe("murmur3 bad input", () => {
  const ok = new Uint8Array(4);
  const fns = { murmur3_32: hashes.murmur3_32, murmur3_128: hashes.murmur3_128 };
  for (const [name, f] of Object.entries(fns)) {
    it.each(BAD_BYTES)(`${name}: data %s → INVALID_TYPE`, (_n, bad) => {
      expectCode(() => f(bad as never), "INVALID_TYPE", "data");
    });
    it.each(BAD_U32_RANGE)(`${name}: seed %s → OUT_OF_RANGE`, (_n, bad) => {
      expectCode(() => f(ok, bad as never), "OUT_OF_RANGE", "seed");
    });
    it.each(BAD_U32_TYPE)(`${name}: seed %s → INVALID_TYPE`, (_n, bad) => {
      expectCode(() => f(ok, bad as never), "INVALID_TYPE", "seed");
    });
    it(`${name}: accepts seeds 0 and 2**32-1 (as the reference computes them), and defaults to 0`, () => {
      const ref = name === "murmur3_32" ? refMurmur3_32 : refMurmur3_128;
      expect(f(ok, 0xffffffff)).toEqual(ref(ok, 0xffffffff));
      expect(f(ok, 0)).toEqual(ref(ok, 0));
      expect(f(ok)).toEqual(ref(ok, 0));
    });
  }
});
