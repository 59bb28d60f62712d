/**
 * Errors thrown by flowpin. Every error carries a stable `code`; match on it, not on the
 * message. Argument errors are `TypeError`s (wrong kind of value) or `RangeError`s (right kind,
 * bad value) so generic handlers keep working; `err instanceof FlowpinError` holds for all of
 * them, across the ESM and CJS copies of the package.
 *
 * @example
 * try { hashes.siphash24(data, new Uint8Array(8)); }
 * catch (e) { if (e instanceof FlowpinError && e.code === "INVALID_KEY") ... }
 */

/** Stable error codes, grouped by the class they are thrown as. */
export const TYPE_CODES = [
  "INVALID_TYPE", // an argument is not of the accepted kind (e.g. a string where bytes go)
] as const;
export const RANGE_CODES = [
  "OUT_OF_RANGE", // a number outside its documented range, -0, NaN, a non-integer
  "INVALID_KEY", // a key of the wrong length, or missing where a profile needs one
  "INVALID_ADDRESS", // malformed IPv4/IPv6 address
  "INVALID_PORT", // port outside 0-65535
  "INVALID_PROTOCOL", // unknown protocol name or number outside 0-255
  "MIXED_FAMILIES", // IPv4 and IPv6 addresses in one flow
  "NO_BACKENDS", // an empty backend list, or no usable backend
  "DUPLICATE_BACKEND", // two backends with the same id / key / address
  "INVALID_WEIGHT", // weight NaN, negative, infinite, or all weights zero
  "INVALID_TABLE_SIZE", // size not prime, out of the profile's range, or below the backend count
  "UNKNOWN_PROFILE", // a profile name flowpin does not know
  "INVALID_CONFIG", // a configuration object or file that does not follow its schema
  "ENGINE_UNAVAILABLE", // the requested engine cannot run on this host
] as const;
export const DATA_CODES = [
  "CORRUPT_DATA", // serialized input that is truncated, has a bad checksum or bad fields
  "UNSUPPORTED_VERSION", // serialized input from a format version this build does not read
] as const;

/** Misuse of an object's lifetime, thrown as a plain FlowpinError (not an argument error). */
export const STATE_CODES = [
  "DISPOSED", // a method called on an object after its dispose()
] as const;

/**
 * The stable `code` of every FlowpinError. Argument errors are thrown as FlowpinTypeError
 * (`INVALID_TYPE`) or FlowpinRangeError (the argument codes from `OUT_OF_RANGE` to
 * `ENGINE_UNAVAILABLE`); damaged serialized input and lifetime misuse as plain FlowpinError.
 * The CLI turns each into exit code 2 and one line on stderr.
 *
 * @example
 * try { new Maglev({ backends: [] }); }
 * catch (e) { if (e instanceof FlowpinError && e.code === "NO_BACKENDS") console.log(e.message); }
 */
export type FlowpinErrorCode =
  /** An argument is not of the accepted kind (a string where bytes go, `"7"` where a number goes). Thrown as a TypeError. */
  | "INVALID_TYPE"
  /** A number outside its documented range, `-0`, `NaN` or a non-integer where an integer goes. */
  | "OUT_OF_RANGE"
  /** A key of the wrong length, or no key where the profile needs one (flowpin: 8 bytes, glb: 16). */
  | "INVALID_KEY"
  /** A malformed IPv4 or IPv6 address. */
  | "INVALID_ADDRESS"
  /** A port outside 0-65535. */
  | "INVALID_PORT"
  /** An unknown protocol name, or a protocol number outside 0-255. */
  | "INVALID_PROTOCOL"
  /** IPv4 and IPv6 addresses in one flow. */
  | "MIXED_FAMILIES"
  /** An empty backend list, or no backend a table can use. */
  | "NO_BACKENDS"
  /** Two backends with the same id, key or address. */
  | "DUPLICATE_BACKEND"
  /** A weight that is NaN, negative, infinite, fractional or above the profile's range, or all weights zero. */
  | "INVALID_WEIGHT"
  /** A table size that is not prime, outside the profile's sizes, or below the backend count. */
  | "INVALID_TABLE_SIZE"
  /** A profile or system name flowpin does not know (the message names the closest one). */
  | "UNKNOWN_PROFILE"
  /** A configuration object or file that does not follow its schema: an unknown field (with "did you mean"), a value the system refuses. */
  | "INVALID_CONFIG"
  /** The requested engine cannot run on this host, or no engine is loaded yet (call `await init()`). */
  | "ENGINE_UNAVAILABLE"
  /** Serialized input (a table file, a capture) that is truncated, fails its checksum or has bad fields. */
  | "CORRUPT_DATA"
  /** Serialized input from a format version this build does not read. */
  | "UNSUPPORTED_VERSION"
  /** A method called on an object after its `dispose()`. */
  | "DISPOSED";

// The union above is written out so each code is documented; it must stay the lists' union.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Listed = (typeof TYPE_CODES)[number] | (typeof RANGE_CODES)[number] | (typeof DATA_CODES)[number] | (typeof STATE_CODES)[number];
type Holds<T extends true> = T;
// A compile error (not a run-time check) when a code is added to one and not the other.
type CodesMatchLists = Holds<Same<FlowpinErrorCode, Listed>>;

// Shared across module copies (ESM + CJS loaded together) so instanceof still works.
const BRAND = Symbol.for("flowpin.error");

/** Base class of every flowpin error; also matches FlowpinTypeError and FlowpinRangeError. */
export class FlowpinError extends Error {
  readonly code: FlowpinErrorCode;
  constructor(code: FlowpinErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = "FlowpinError";
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
Object.defineProperty(FlowpinError.prototype, BRAND, { value: true });

/** Thrown for an argument of the wrong kind. */
export class FlowpinTypeError extends TypeError {
  readonly code: FlowpinErrorCode;
  constructor(code: FlowpinErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = "FlowpinTypeError";
  }
}
Object.defineProperty(FlowpinTypeError.prototype, BRAND, { value: true });

/** Thrown for an argument of the right kind with a bad value. */
export class FlowpinRangeError extends RangeError {
  readonly code: FlowpinErrorCode;
  constructor(code: FlowpinErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = "FlowpinRangeError";
  }
}
Object.defineProperty(FlowpinRangeError.prototype, BRAND, { value: true });

/** Builds the error of the class that `code` belongs to. */
export function flowpinError(code: FlowpinErrorCode, message: string): Error & { code: FlowpinErrorCode } {
  if ((TYPE_CODES as readonly string[]).includes(code)) return new FlowpinTypeError(code, message);
  if ((RANGE_CODES as readonly string[]).includes(code)) return new FlowpinRangeError(code, message);
  return new FlowpinError(code, message);
}

/** Renders a value for an error message: its type and a short, unambiguous form. */
export function show(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value);
  if (typeof value === "boolean" || typeof value === "symbol") return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as ArrayBufferView).byteLength} bytes)`;
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === "function") return "a function";
  return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
}
