// Jump consistent hash: every jump vector of rendezvous.json, the slow reference on random
// keys, the consistency property, and bad input, on every engine.
import { describe, expect, it } from "vitest";
import { FlowpinError, hashes, jump } from "../src/index.js";
import { forEachEngine } from "./engines.js";
import { refJump } from "./reference/jump.js";
import { Rng } from "./rng.js";
import { loadVectors, VECTOR_DIR } from "./vectors.js";
import fs from "node:fs";
import path from "node:path";

const V = loadVectors("rendezvous").vectors as { id: string; inputs: any; expected: any }[];
const vec = (id: string) => {
  const x = V.find((y) => y.id === id);
  if (!x) throw new Error(`vector ${id} missing`);
  return x;
};
const key = (k: string | number): bigint => BigInt(k);

/**
 * `inputs.cases` of a vector with every key as the decimal text of the file: JSON.parse
 * rounds numbers above 2^53 (jump-compat has such keys), so they are re-read from the raw JSON.
 */
function rawCases(id: string): [bigint, number][] {
  const text = fs.readFileSync(path.join(VECTOR_DIR, "rendezvous.json"), "utf8");
  const at = text.indexOf(`"id": "${id}"`);
  const start = text.indexOf('"cases"', at);
  const end = text.indexOf('"expected"', start);
  const pairs = [...text.slice(start, end).matchAll(/\[\s*"?(\d+)"?\s*,\s*(\d+)\s*\]/g)];
  return pairs.map((m) => [BigInt(m[1]!), Number(m[2])]);
}

forEachEngine("jump", () => {
  describe("vectors", () => {
    it("jump-go-table: Hash(key, n) for n = 1..len", () => {
      for (const [k, list] of Object.entries(vec("jump-go-table").expected) as [string, number[]][]) {
        list.forEach((want, i) => expect(jump(key(k), i + 1), `key ${k} n ${i + 1}`).toBe(want));
      }
    });
    it("jump-guava-golden100", () => {
      const v = vec("jump-guava-golden100");
      (v.inputs.keys as number[]).forEach((k, i) => expect(jump(k, v.inputs.buckets), `key ${k}`).toBe(v.expected.buckets[i]));
    });
    for (const id of ["jump-compat", "jump-clickhouse", "jump-gouache-compat"]) {
      it(id, () => {
        const v = vec(id);
        const cases = rawCases(id);
        expect(cases).toHaveLength(v.inputs.cases.length);
        cases.forEach(([k, n], i) => expect(jump(k, n), `case ${i}: ${k}, ${n}`).toBe(v.expected.buckets[i]));
      });
    }
    it("jump-gouache-fnv: buckets of the published FNV-1a hashes", () => {
      const v = vec("jump-gouache-fnv");
      expect(jump(BigInt(v.expected.FNV1A_64.hash), v.inputs.buckets)).toBe(v.expected.FNV1A_64.bucket);
      expect(jump(v.expected.FNV1A_32.hash, v.inputs.buckets)).toBe(v.expected.FNV1A_32.bucket);
    });
    it("jump-gouache-murmur3: murmur3_x86_32 (seed 0) of the UTF-8 string, then jump", () => {
      const v = vec("jump-gouache-murmur3");
      const h = hashes.murmur3_32(new TextEncoder().encode(v.inputs.string), 0);
      expect(h).toBe(v.expected.hash);
      expect(jump(h, v.inputs.buckets)).toBe(v.expected.bucket);
    });
  });

  it("matches the reference on random keys and bucket counts; [lo, hi] equals the bigint", () => {
    const seed = 505;
    const rng = new Rng(seed);
    for (let i = 0; i < 3000; i++) {
      const k = rng.next64();
      const n = i % 3 === 0 ? 1 + rng.int(10) : i % 3 === 1 ? 1 + rng.int(100000) : 1 + rng.int(0x7fffffff);
      const got = jump(k, n);
      expect(got, `seed ${seed} key ${k} buckets ${n}`).toBe(refJump(k, n));
      expect(jump([Number(k & 0xffffffffn), Number(k >> 32n)], n)).toBe(got);
    }
  });

  it("consistency: going from n to n+1 buckets moves keys only into the new bucket, about 1/(n+1) of them", () => {
    const rng = new Rng(77);
    const keys = Array.from({ length: 20000 }, () => rng.next64());
    for (const n of [1, 7, 100]) {
      let moved = 0;
      for (const k of keys) {
        const a = jump(k, n);
        const b = jump(k, n + 1);
        if (a !== b) {
          expect(b).toBe(n);
          moved++;
        }
      }
      // Binomial(20000, 1/(n+1)): within 5 standard deviations.
      const p = 1 / (n + 1);
      const sd = Math.sqrt(keys.length * p * (1 - p));
      expect(Math.abs(moved - keys.length * p)).toBeLessThan(5 * sd);
    }
  });

  it("bad input", () => {
    const bad: [unknown, unknown, string][] = [
      [1n, 0, "OUT_OF_RANGE"],
      [1n, 1.5, "OUT_OF_RANGE"],
      [1n, 2 ** 31, "OUT_OF_RANGE"],
      [-1n, 10, "OUT_OF_RANGE"],
      [2n ** 64n, 10, "OUT_OF_RANGE"],
      [1.5, 10, "OUT_OF_RANGE"],
      ["1", 10, "INVALID_TYPE"],
      [[1], 10, "INVALID_TYPE"],
      [[1, 2 ** 32], 10, "OUT_OF_RANGE"],
      [1n, "10", "INVALID_TYPE"],
    ];
    for (const [k, n, code] of bad) {
      let err: unknown;
      try {
        jump(k as bigint, n as number);
      } catch (e) {
        err = e;
      }
      expect(err, `${String(k)}, ${String(n)}`).toBeInstanceOf(FlowpinError);
      expect((err as FlowpinError).code).toBe(code);
    }
  });
});
