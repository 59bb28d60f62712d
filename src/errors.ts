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

export type FlowpinErrorCode =
  | (typeof TYPE_CODES)[number]
  | (typeof RANGE_CODES)[number]
  | (typeof DATA_CODES)[number]
  | (typeof STATE_CODES)[number];

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
