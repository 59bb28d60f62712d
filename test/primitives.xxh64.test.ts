import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hashes } from "../src/index.js";
import { BAD_BYTES, BAD_U64_RANGE, BAD_U64_TYPE, expectCode } from "./bad-inputs.js";
import { forEachEngine } from "./engines.js";
import { refXxh32, refXxh64 } from "./reference/xxhash.js";
import { leBytes, sanityBuffer, verificationCode } from "./reference/procedures.js";
import { Rng } from "./rng.js";
import { VECTOR_DIR, big, hex, loadVectors, smhasherCode, toHex } from "./vectors.js";

const V = loadVectors("flowhash");
const GEN = V.xxh_generated_lengths_0_64.generator;
// PRIME64 exceeds 2^53, so JSON.parse rounds it: read its digits from the raw file instead.
const RAW = fs.readFileSync(path.join(VECTOR_DIR, "flowhash.json"), "utf8");
const PRIME64S = new Set([...RAW.matchAll(/"PRIME64":\s*(\d+)/g)].map((m) => m[1]!));
if (PRIME64S.size !== 1) throw new Error(`expected one PRIME64 in flowhash.json, got ${[...PRIME64S].join(", ")}`);
const PRIME64 = BigInt([...PRIME64S][0]!);
const sanity = (len: number): Uint8Array => sanityBuffer(len, BigInt(GEN.PRIME32), PRIME64);
// Seed symbols of `xxh_generated_lengths_0_64.seeds`: "sP32" is PRIME32.
const SEEDS: Record<string, bigint> = { s0: 0n, sP32: BigInt(GEN.PRIME32) };

describe("xxHash sanity buffer generator", () => {
  it("matches the description's first bytes and SHA-256", () => {
    expect(toHex(sanity(32))).toBe(GEN.first_32_bytes_hex);
    expect(createHash("sha256").update(sanity(2367)).digest("hex")).toBe(GEN.sha256_first_2367_bytes);
  });
});

const rows: { len: number; input_hex: string; [k: string]: unknown }[] = V.xxh_generated_lengths_0_64.entries;
const xxhStrings: { alg: string; input_hex: string; str: string; seed: number; expected: string }[] =
  V.xxh_strings.entries.filter((e: { alg: string }) => e.alg === "xxh32" || e.alg === "xxh64");

forEachEngine("xxh64 vectors", () => {
  for (const e of V.xxh64.entries) {
    it(`xsum sanity len ${e.len} seed ${e.seed_symbol}`, () => {
      const data = hex(e.input_hex);
      expect(data).toEqual(sanity(e.len));
      expect(hashes.xxh64(data, BigInt(e.seed))).toBe(big(e.expected));
    });
  }

  it("xxh_strings (xxh32 and xxh64 entries)", () => {
    expect(xxhStrings.length).toBeGreaterThan(0);
    for (const e of xxhStrings) {
      const data = hex(e.input_hex);
      expect(new TextDecoder().decode(data)).toBe(e.str);
      if (e.alg === "xxh64") expect(hashes.xxh64(data, BigInt(e.seed)), e.str).toBe(big(e.expected));
      else expect(hashes.xxh32(data, e.seed), e.str).toBe(Number(big(e.expected)));
    }
  });

  it("sanity buffer, every length 0..64 (xxh32 and xxh64, seeds 0 and PRIME32)", () => {
    expect(rows.length).toBe(65);
    for (const r of rows) {
      const data = sanity(r.len);
      expect(toHex(data)).toBe(r.input_hex);
      for (const [sym, seed] of Object.entries(SEEDS)) {
        expect(hashes.xxh64(data, seed), `len ${r.len} ${sym}`).toBe(big(r[`xxh64_${sym}`] as string));
        expect(hashes.xxh32(data, Number(seed)), `len ${r.len} ${sym}`).toBe(Number(big(r[`xxh32_${sym}`] as string)));
      }
    }
  });

  it("SMHasher verification codes (xxHash64, xxHash32; rurban wrappers pass the u32 seed)", () => {
    expect(verificationCode((d, s) => leBytes([hashes.xxh64(d, BigInt(s))], 8), 8)).toBe(smhasherCode("xxHash64"));
    expect(verificationCode((d, s) => leBytes([hashes.xxh32(d, s)], 4), 4)).toBe(smhasherCode("xxHash32"));
  });

  it("Envoy source-IP hashes: XXH64(address string, 0)", () => {
    const entries: { addr: string; xxh64_seed0: string }[] = V.derived_lb_examples.envoy_source_ip.entries;
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      expect(hashes.xxh64(new TextEncoder().encode(e.addr)), e.addr).toBe(big(e.xxh64_seed0));
    }
  });

  it("a number seed equals the same bigint seed", () => {
    const data = sanity(100);
    expect(hashes.xxh64(data, 2654435761)).toBe(hashes.xxh64(data, 2654435761n));
    expect(hashes.xxh64(data, Number.MAX_SAFE_INTEGER)).toBe(hashes.xxh64(data, BigInt(Number.MAX_SAFE_INTEGER)));
    expect(hashes.xxh64(data)).toBe(hashes.xxh64(data, 0n));
  });
});

// Random differential: the reference runs once per case; every engine must agree with it.
const RNG_SEED = 0x64a1;
const PER_LENGTH = 10;
const EDGE_SEEDS = [0n, 1n, 0xffffffffn, 0x100000000n, 0xffffffffffffffffn, 0x8000000000000000n];
type Case = { len: number; data: Uint8Array; seed64: bigint; seed32: number; x64: bigint; x32: number };
let cases: Case[] | undefined;
function randomCases(): Case[] {
  if (cases) return cases;
  const rng = new Rng(RNG_SEED);
  cases = [];
  for (let len = 0; len <= 300; len++) {
    for (let k = 0; k < PER_LENGTH; k++) {
      const data = rng.bytes(len);
      const seed64 = k < EDGE_SEEDS.length && len % 7 === 0 ? EDGE_SEEDS[k]! : rng.next64();
      const seed32 = k === 0 ? 0 : k === 1 ? 0xffffffff : rng.u32();
      cases.push({ len, data, seed64, seed32, x64: refXxh64(data, seed64), x32: refXxh32(data, seed32) });
    }
  }
  return cases;
}

forEachEngine("xxh64 vs reference, random inputs", () => {
  it(`lengths 0..300 x ${PER_LENGTH}, random seeds (rng seed ${RNG_SEED})`, () => {
    const all = randomCases();
    for (const c of all) {
      const got = hashes.xxh64(c.data, c.seed64);
      if (got !== c.x64) {
        expect.fail(`xxh64 rng seed ${RNG_SEED} len ${c.len} seed ${c.seed64}n input ${toHex(c.data)}: got ${got}, reference ${c.x64}`);
      }
      const got32 = hashes.xxh32(c.data, c.seed32);
      if (got32 !== c.x32) {
        expect.fail(`xxh32 rng seed ${RNG_SEED} len ${c.len} seed ${c.seed32} input ${toHex(c.data)}: got ${got32}, reference ${c.x32}`);
      }
    }
    expect(all.length).toBe(301 * PER_LENGTH);
  });
});

describe("xxh64 bad input", () => {
  const ok = new Uint8Array(4);
  it.each(BAD_BYTES)("data %s → INVALID_TYPE", (_name, bad) => {
    expectCode(() => hashes.xxh64(bad as never), "INVALID_TYPE", "data");
  });
  it.each(BAD_U64_RANGE)("seed %s → OUT_OF_RANGE", (_name, bad) => {
    expectCode(() => hashes.xxh64(ok, bad as never), "OUT_OF_RANGE", "seed");
  });
  it.each(BAD_U64_TYPE)("seed %s → INVALID_TYPE", (_name, bad) => {
    expectCode(() => hashes.xxh64(ok, bad as never), "INVALID_TYPE", "seed");
  });
  it("messages show the bad value", () => {
    expect(() => hashes.xxh64(ok, -1n)).toThrow(/seed.*-1n/);
    expect(() => hashes.xxh64("abc" as never)).toThrow(/data.*"abc"/);
  });
  it("accepts the range ends", () => {
    expect(typeof hashes.xxh64(ok, 2n ** 64n - 1n)).toBe("bigint");
    expect(typeof hashes.xxh64(ok, Number.MAX_SAFE_INTEGER)).toBe("bigint");
  });
});
