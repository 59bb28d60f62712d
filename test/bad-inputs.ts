// Shared lists of bad arguments, fed to every validator (noble-hashes style), and the check
// that a call throws the FlowpinError of the expected code and class.
import { expect } from "vitest";
import { FlowpinError } from "../src/index.js";

/** Not a Uint8Array → INVALID_TYPE. */
export const BAD_BYTES: readonly [string, unknown][] = [
  ["a string", "abc"],
  ["an array", [1, 2, 3]],
  ["undefined", undefined],
  ["null", null],
  ["a Uint16Array", new Uint16Array(2)],
  ["an ArrayBuffer", new ArrayBuffer(4)],
  ["a DataView", new DataView(new ArrayBuffer(4))],
];

/** Numbers that are not a u32 → OUT_OF_RANGE. */
export const BAD_U32_RANGE: readonly [string, unknown][] = [
  ["-1", -1],
  ["2**32", 2 ** 32],
  ["1.5", 1.5],
  ["NaN", NaN],
  ["-0", -0],
  ["Infinity", Infinity],
];

/** Not a number at all, where a u32 goes → INVALID_TYPE. */
export const BAD_U32_TYPE: readonly [string, unknown][] = [
  ["a string", "1"],
  ["a bigint", 1n],
  ["null", null],
  ["an object", {}],
];

/** Numbers and bigints outside 0..2^64-1 (or unsafe numbers) → OUT_OF_RANGE. */
export const BAD_U64_RANGE: readonly [string, unknown][] = [
  ["-1n", -1n],
  ["2n**64n", 2n ** 64n],
  ["-1", -1],
  ["1.5", 1.5],
  ["NaN", NaN],
  ["-0", -0],
  ["2**53", 2 ** 53],
];

/** Neither a number nor a bigint, where a u64 goes → INVALID_TYPE. */
export const BAD_U64_TYPE: readonly [string, unknown][] = [
  ["a string", "1"],
  ["null", null],
  ["an object", {}],
];

// DESIGN.md "Bad input": a value of the wrong kind is a TypeError, a bad value of the right
// kind a RangeError (stated here, not read from src/errors.ts, so the test can disagree).
const CLASS = {
  INVALID_TYPE: TypeError,
  OUT_OF_RANGE: RangeError,
  INVALID_KEY: RangeError,
  INVALID_ADDRESS: RangeError,
  INVALID_PORT: RangeError,
  INVALID_PROTOCOL: RangeError,
  NO_BACKENDS: RangeError,
  DUPLICATE_BACKEND: RangeError,
  INVALID_WEIGHT: RangeError,
  INVALID_TABLE_SIZE: RangeError,
  UNKNOWN_PROFILE: RangeError,
  INVALID_CONFIG: RangeError,
  // Use after dispose() is not an argument error: a plain FlowpinError (an Error).
  DISPOSED: Error,
} as const;
export type ArgumentCode = keyof typeof CLASS;

/**
 * `call` throws a FlowpinError with `code`, of the matching class, whose message contains
 * `mentions` (a literal string, e.g. the argument's name) or matches it (a RegExp).
 */
export function expectCode(call: () => unknown, code: ArgumentCode, mentions?: string | RegExp): void {
  let thrown: unknown;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, "expected a throw").toBeInstanceOf(FlowpinError);
  expect(thrown).toBeInstanceOf(CLASS[code]);
  if (CLASS[code] === Error) expect(thrown instanceof TypeError || thrown instanceof RangeError, `${code} is neither a TypeError nor a RangeError`).toBe(false);
  expect((thrown as FlowpinError).code).toBe(code);
  if (typeof mentions === "string") expect((thrown as Error).message).toContain(mentions);
  else if (mentions) expect((thrown as Error).message).toMatch(mentions);
}
