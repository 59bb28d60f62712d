// Bad input to the keyed hashes: every one is rejected at the boundary with a FlowpinError
// whose code is stable and whose message names the argument and what it got.
import { describe, expect, it } from "vitest";
import { hashes } from "../src/index.js";
import { BAD_BYTES, expectCode } from "./bad-inputs.js";

type Keyed = (data: Uint8Array, key: Uint8Array) => unknown;
const call = (fn: Keyed, data: unknown, key: unknown): unknown => fn(data as Uint8Array, key as Uint8Array);


// The shared list, plus views that look like bytes but are not a Uint8Array.
const NOT_BYTES: readonly [string, unknown][] = [
  ...BAD_BYTES,
  ["a number", 7],
  ["an Int8Array", new Int8Array(16)],
  ["a Uint8ClampedArray", new Uint8ClampedArray(16)],
];

const FIXED: { name: string; fn: Keyed; keyLength: number }[] = [
  { name: "siphash24", fn: hashes.siphash24, keyLength: 16 },
  { name: "siphash13", fn: hashes.siphash13, keyLength: 16 },
  { name: "halfsiphash24", fn: hashes.halfsiphash24, keyLength: 8 },
  { name: "halfsiphash13", fn: hashes.halfsiphash13, keyLength: 8 },
];

for (const { name, fn, keyLength } of FIXED) {
  describe(`${name} bad input`, () => {
    const data = new Uint8Array(5);
    const key = new Uint8Array(keyLength);
    for (const [what, value] of NOT_BYTES) {
      it(`data ${what} -> INVALID_TYPE`, () => expectCode(() => call(fn, value, key), "INVALID_TYPE", /^data must be a Uint8Array, got /));
      it(`key ${what} -> INVALID_TYPE`, () => expectCode(() => call(fn, data, value), "INVALID_TYPE", /^key must be a Uint8Array, got /));
    }
    for (const wrong of [0, keyLength - 1, keyLength + 1, 2 * keyLength]) {
      it(`key of ${wrong} bytes -> INVALID_KEY`, () => {
        expectCode(() => fn(data, new Uint8Array(wrong)), "INVALID_KEY", new RegExp(`^key must be ${keyLength} bytes, got ${wrong}$`));
      });
    }
    it("reads a key that is a view into a larger buffer from the view's offset", () => {
      // Distinct bytes everywhere, so reading from the buffer's start (or anywhere but the
      // view) would give another hash: an all-zero buffer could not tell.
      const big = Uint8Array.from({ length: keyLength + 3 }, (_, i) => 0x11 * (i + 1));
      const view = big.subarray(3);
      expect(fn(data, view)).toEqual(fn(data, big.slice(3)));
      expect(fn(data, view)).not.toEqual(fn(data, big.slice(0, keyLength)));
    });
  });
}

describe("toeplitz bad input", () => {
  const data = new Uint8Array(12);
  const key = new Uint8Array(40);
  for (const [what, value] of NOT_BYTES) {
    it(`data ${what} -> INVALID_TYPE`, () => expectCode(() => call(hashes.toeplitz, value, key), "INVALID_TYPE", /^data must be a Uint8Array/));
    it(`key ${what} -> INVALID_TYPE`, () => expectCode(() => call(hashes.toeplitz, data, value), "INVALID_TYPE", /^key must be a Uint8Array/));
  }
  for (const [n, k] of [[12, 15], [36, 39], [0, 3], [0, 0], [300, 40]] as const) {
    it(`${n} data bytes with a ${k}-byte key -> INVALID_KEY naming both lengths`, () => {
      expectCode(
        () => hashes.toeplitz(new Uint8Array(n), new Uint8Array(k)),
        "INVALID_KEY",
        new RegExp(`at least data.length \\+ 4 = ${n + 4} bytes for ${n} bytes of data, got ${k}$`),
      );
    });
  }
  it("accepts the minimum key length", () => {
    expect(() => hashes.toeplitz(new Uint8Array(36), new Uint8Array(40))).not.toThrow();
  });
});
