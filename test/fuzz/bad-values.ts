// Malformed values by the kind of argument they are aimed at, each with the error code
// flowpin promises for it (DESIGN.md "Bad input"; codes from src/errors.ts). The lists extend
// test/bad-inputs.ts with what a reader of the API would try next.
import type { FlowpinErrorCode } from "../../src/index.js";
import { BAD_BYTES, BAD_U32_RANGE, BAD_U32_TYPE, BAD_U64_RANGE, BAD_U64_TYPE } from "../bad-inputs.js";

export type Bad = readonly [label: string, value: unknown, code: FlowpinErrorCode];

const tag = (list: readonly (readonly [string, unknown])[], code: FlowpinErrorCode): Bad[] => list.map(([l, v]) => [l, v, code] as const);

/** A Uint8Array whose ArrayBuffer was transferred away (its length reads 0). */
export function detachedBytes(n = 8): Uint8Array {
  const buffer = new ArrayBuffer(n);
  const view = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return view;
}

/** Not a Uint8Array (or a dead one), where bytes go. */
export const NOT_BYTES: readonly Bad[] = [
  ...tag(BAD_BYTES, "INVALID_TYPE"),
  ["a Uint8ClampedArray", new Uint8ClampedArray(16), "INVALID_TYPE"],
  ["an Int8Array", new Int8Array(16), "INVALID_TYPE"],
  ["a Float64Array", new Float64Array(2), "INVALID_TYPE"],
  ["a number", 16, "INVALID_TYPE"],
  ["an array-like object", { length: 16, 0: 1 }, "INVALID_TYPE"],
  ["a SharedArrayBuffer", new SharedArrayBuffer(16), "INVALID_TYPE"],
  ["a detached Uint8Array", detachedBytes(), "INVALID_TYPE"],
];

/** Where a u32 (or a required integer) goes. */
export const BAD_U32: readonly Bad[] = [
  ...tag(BAD_U32_RANGE, "OUT_OF_RANGE"),
  ["-Infinity", -Infinity, "OUT_OF_RANGE"],
  ["2**53", 2 ** 53, "OUT_OF_RANGE"],
  ...tag(BAD_U32_TYPE, "INVALID_TYPE"),
  ["true", true, "INVALID_TYPE"],
  ["[1]", [1], "INVALID_TYPE"],
  ["a Number object", Object(1), "INVALID_TYPE"],
];

/** Where a u64 (bigint or safe integer) goes. */
export const BAD_U64: readonly Bad[] = [
  ...tag(BAD_U64_RANGE, "OUT_OF_RANGE"),
  ["Infinity", Infinity, "OUT_OF_RANGE"],
  ["2**64 as a number", 2 ** 64, "OUT_OF_RANGE"],
  ...tag(BAD_U64_TYPE, "INVALID_TYPE"),
  ["true", true, "INVALID_TYPE"],
  ["a BigInt object", Object(1n), "INVALID_TYPE"],
];

export const BAD_PORT: readonly Bad[] = [
  ["-1", -1, "INVALID_PORT"],
  ["65536", 65536, "INVALID_PORT"],
  ["1.5", 1.5, "INVALID_PORT"],
  ["NaN", NaN, "INVALID_PORT"],
  ["-0", -0, "INVALID_PORT"],
  ["Infinity", Infinity, "INVALID_PORT"],
  ["2**53", 2 ** 53, "INVALID_PORT"],
  ["2**32 + 80 (wraps to 80 in 16 bits)", 2 ** 32 + 80, "INVALID_PORT"],
  ['"80"', "80", "INVALID_TYPE"],
  ["80n", 80n, "INVALID_TYPE"],
  ["null", null, "INVALID_TYPE"],
  ["undefined", undefined, "INVALID_TYPE"],
  ["{}", {}, "INVALID_TYPE"],
];

export const BAD_PROTO: readonly Bad[] = [
  ["-1", -1, "INVALID_PROTOCOL"],
  ["256", 256, "INVALID_PROTOCOL"],
  ["6.5", 6.5, "INVALID_PROTOCOL"],
  ["NaN", NaN, "INVALID_PROTOCOL"],
  ["-0", -0, "INVALID_PROTOCOL"],
  ['"tcpx"', "tcpx", "INVALID_PROTOCOL"],
  ['""', "", "INVALID_PROTOCOL"],
  ['"tcp " (trailing space)', "tcp ", "INVALID_PROTOCOL"],
  ['"6" (digits as text)', "6", "INVALID_PROTOCOL"],
  ['"__proto__"', "__proto__", "INVALID_PROTOCOL"],
  ['"constructor"', "constructor", "INVALID_PROTOCOL"],
  ['"hasOwnProperty"', "hasOwnProperty", "INVALID_PROTOCOL"],
  ["null", null, "INVALID_TYPE"],
  ["undefined", undefined, "INVALID_TYPE"],
  ["6n", 6n, "INVALID_TYPE"],
  ["true", true, "INVALID_TYPE"],
  ["{}", {}, "INVALID_TYPE"],
];

/** Malformed address text: every one must be INVALID_ADDRESS. */
export const BAD_ADDRESS_TEXT: readonly string[] = [
  "", " ", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-4", "01.2.3.4", "1.2.3.04", "1..2.3", ".1.2.3", "1.2.3.",
  " 1.2.3.4", "1.2.3.4 ", "1.2.3.4\n", "1.2.3.4\u0000", "1.2.3.4/24", "1.2.3.4:80", "0x1.2.3.4", "1e2.0.0.1", "１.２.３.４",
  "localhost", "::1::", ":::", ":", ":1", "1:", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1", "::g",
  "::ffff:1.2.3", "::ffff:1.2.3.256", "::1.2.3.4.5", "1:2:3:4:5:6:7:1.2.3.4", "1.2.3.4::", "[::1]", "fe80::1%eth0", "::-1",
  "2001:db8::/32", "2001:db8:::1", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "a".repeat(100_000),
];

export const BAD_ADDRESS: readonly Bad[] = [
  ...BAD_ADDRESS_TEXT.map((s): Bad => [JSON.stringify(s.length > 20 ? `${s.slice(0, 17)}...` : s), s, "INVALID_ADDRESS"]),
  ["-1", -1, "INVALID_ADDRESS"],
  ["2**32", 2 ** 32, "INVALID_ADDRESS"],
  ["1.5", 1.5, "INVALID_ADDRESS"],
  ["-0", -0, "INVALID_ADDRESS"],
  ["NaN", NaN, "INVALID_ADDRESS"],
  ["0 bytes", new Uint8Array(0), "INVALID_ADDRESS"],
  ["3 bytes", new Uint8Array(3), "INVALID_ADDRESS"],
  ["5 bytes", new Uint8Array(5), "INVALID_ADDRESS"],
  ["15 bytes", new Uint8Array(15), "INVALID_ADDRESS"],
  ["17 bytes", new Uint8Array(17), "INVALID_ADDRESS"],
  ["null", null, "INVALID_TYPE"],
  ["undefined", undefined, "INVALID_TYPE"],
  ["{}", {}, "INVALID_TYPE"],
  ["true", true, "INVALID_TYPE"],
  ["1n", 1n, "INVALID_TYPE"],
  ["[10, 0, 0, 1]", [10, 0, 0, 1], "INVALID_TYPE"],
  ["a Uint16Array(8)", new Uint16Array(8), "INVALID_TYPE"],
  ["a String object", Object("10.0.0.1"), "INVALID_TYPE"],
];

/** Where an options object or a flow goes. */
export const NOT_OBJECT: readonly Bad[] = [
  ["null", null, "INVALID_TYPE"],
  ['"x"', "x", "INVALID_TYPE"],
  ["5", 5, "INVALID_TYPE"],
  ["true", true, "INVALID_TYPE"],
];
