// Differential test: siphash24/13, halfsiphash24/13 and toeplitz against the slow references
// in test/reference on random keys and inputs of every length 0..300, on every engine. The
// expected values are computed once (the references are the slow part) and shared by the
// engines. Set FLOWPIN_SEED to replay another run; a failure prints seed, length, key, input.
import { expect, it } from "vitest";
import { hashes } from "../src/index.js";
import { forEachEngine } from "./engines.js";
import { refHalfSipHash32, refSipHash } from "./reference/siphash.js";
import { refToeplitz } from "./reference/toeplitz.js";
import { Rng } from "./rng.js";
import { toHex } from "./vectors.js";

const SEED = Number(process.env.FLOWPIN_SEED ?? 0x51f05eed);
const MAX_LEN = 300;
const PER_LEN = 8;

interface Case {
  data: Uint8Array;
  key: Uint8Array;
  want: bigint | number;
}

interface Primitive {
  name: "siphash24" | "siphash13" | "halfsiphash24" | "halfsiphash13" | "toeplitz";
  keyLength(rng: Rng, dataLength: number): number;
  ref(data: Uint8Array, key: Uint8Array): bigint | number;
}

const PRIMITIVES: Primitive[] = [
  { name: "siphash24", keyLength: () => 16, ref: (d, k) => refSipHash(d, k, 2, 4) },
  { name: "siphash13", keyLength: () => 16, ref: (d, k) => refSipHash(d, k, 1, 3) },
  { name: "halfsiphash24", keyLength: () => 8, ref: (d, k) => refHalfSipHash32(d, k, 2, 4) },
  { name: "halfsiphash13", keyLength: () => 8, ref: (d, k) => refHalfSipHash32(d, k, 1, 3) },
  // A third of the keys have exactly the minimum length, the rest up to 40 bytes more.
  { name: "toeplitz", keyLength: (rng, n) => n + 4 + (rng.int(3) === 0 ? 0 : rng.int(41)), ref: refToeplitz },
];

const cases = new Map<string, Case[]>();
function casesFor(p: Primitive): Case[] {
  let list = cases.get(p.name);
  if (!list) {
    // One generator per primitive, so each list replays alone from SEED.
    const rng = new Rng(SEED ^ PRIMITIVES.indexOf(p));
    list = [];
    for (let len = 0; len <= MAX_LEN; len++) {
      for (let r = 0; r < PER_LEN; r++) {
        const data = rng.bytes(len);
        const key = rng.bytes(p.keyLength(rng, len));
        list.push({ data, key, want: p.ref(data, key) });
      }
    }
    cases.set(p.name, list);
  }
  return list;
}

forEachEngine("keyed hashes vs reference (random)", () => {
  for (const p of PRIMITIVES) {
    it(`${p.name}: ${(MAX_LEN + 1) * PER_LEN} inputs, lengths 0..${MAX_LEN}`, () => {
      const fn = hashes[p.name] as (data: Uint8Array, key: Uint8Array) => bigint | number;
      for (const c of casesFor(p)) {
        const got = fn(c.data, c.key);
        if (got !== c.want) {
          expect.fail(
            `${p.name} seed=${SEED} len=${c.data.length} key=${toHex(c.key)} input=${toHex(c.data)}: ` +
              `got ${got.toString(16)}, reference ${c.want.toString(16)}`,
          );
        }
      }
    });
  }
});
