// Boundary checks shared by every public entry. Each names the argument and shows the value
// it got; nothing is coerced (no ToNumber, no truncation, -0 is rejected for integers).
import { flowpinError, show, type FlowpinErrorCode } from "./errors.js";

export const U32_MAX = 0xffffffff;
export const U64_MAX = 0xffffffffffffffffn;

/** `value` must be a Uint8Array (not a Buffer subclass check: Buffers are Uint8Arrays). */
export function bytes(name: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw flowpinError("INVALID_TYPE", `${name} must be a Uint8Array, got ${show(value)}`);
  }
  // Only an empty view can be detached. Reading `.buffer` of a small fresh array costs
  // ~270 ns (V8 moves it off its heap), so it is read only then.
  if (value.length === 0 && isDetached(value)) {
    throw flowpinError("INVALID_TYPE", `${name} is a view on a detached ArrayBuffer`);
  }
  return value;
}

function isDetached(view: Uint8Array): boolean {
  const buffer = view.buffer as ArrayBuffer & { detached?: boolean };
  if (typeof buffer.detached === "boolean") return buffer.detached;
  try {
    // Pre-ES2024 hosts: slicing a detached buffer throws.
    buffer.slice(0, 0);
    return false;
  } catch {
    return true;
  }
}

/** An integer in [min, max]; rejects non-numbers, NaN, fractions and -0. */
export function int(name: string, value: unknown, min: number, max: number, code: FlowpinErrorCode = "OUT_OF_RANGE"): number {
  if (typeof value !== "number") {
    throw flowpinError("INVALID_TYPE", `${name} must be an integer in ${min}..${max}, got ${show(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max || Object.is(value, -0)) {
    throw flowpinError(code, `${name} must be an integer in ${min}..${max}, got ${show(value)}`);
  }
  return value;
}

export function u32(name: string, value: unknown): number {
  return int(name, value, 0, U32_MAX);
}

/** A u64 given as a bigint, or as a safe non-negative integer number. */
export function u64(name: string, value: unknown): bigint {
  if (typeof value === "number") return BigInt(int(name, value, 0, Number.MAX_SAFE_INTEGER));
  if (typeof value !== "bigint") {
    throw flowpinError("INVALID_TYPE", `${name} must be a bigint in 0..2^64-1, got ${show(value)}`);
  }
  if (value < 0n || value > U64_MAX) {
    throw flowpinError("OUT_OF_RANGE", `${name} must be in 0..2^64-1, got ${show(value)}`);
  }
  return value;
}

/** A key of exactly `length` bytes. */
export function key(name: string, value: unknown, length: number): Uint8Array {
  const k = bytes(name, value);
  if (k.length !== length) {
    throw flowpinError("INVALID_KEY", `${name} must be ${length} bytes, got ${k.length}`);
  }
  return k;
}

/** Levenshtein distance, for "did you mean" suggestions (names are short: O(a·b) is fine). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The candidate closest to `name` (case-insensitive edit distance at most a third of its
 * length, at least 1; or a candidate that differs only in case, `_`/`-` or camelCase), or
 * undefined when none is close.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const fold = (s: string) => s.toLowerCase().replace(/[-_]/g, "");
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = fold(c) === fold(name) ? 0 : distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/** ` (did you mean "x"?)` when a candidate is close to `name`, else "". */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const near = closest(name, candidates);
  return near === undefined ? "" : ` (did you mean ${JSON.stringify(near)}?)`;
}

/**
 * Rejects any own field of `obj` not in `allowed` with INVALID_CONFIG naming it (`what` is the
 * object's name, e.g. "FlowHasher options" or "reals[3]") and the field probably meant.
 */
export function knownFields(what: string, obj: object, allowed: readonly string[], how: KnownFieldsOptions = {}): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      const elsewhere = how.owner?.(k);
      if (elsewhere !== undefined) throw flowpinError("INVALID_CONFIG", `${what}: ${elsewhere}`);
      throw flowpinError("INVALID_CONFIG", `${what}: unknown ${how.noun ?? "field"} ${JSON.stringify(k)}${didYouMean(k, allowed)}; known: ${allowed.join(", ")}`);
    }
  }
}

/**
 * `true` when the list `L` names every field of `T`, else `{ missing }`: written as
 * `true satisfies AllListed<Options, typeof FIELDS>` beside a knownFields() list, so a field
 * added to an options type but not to its list fails to compile instead of being refused.
 */
export type AllListed<T, L extends readonly PropertyKey[]> = [Exclude<keyof T, L[number]>] extends [never] ? true : { missing: Exclude<keyof T, L[number]> };

/** How knownFields() words its refusal. */
export interface KnownFieldsOptions {
  /** What one field is called in the message (default "field"; Maglev says "Maglev option"). */
  readonly noun?: string;
  /** A fuller reason for a field that is known elsewhere (another profile's option), or undefined. */
  readonly owner?: (field: string) => string | undefined;
}

/**
 * An options object: a plain object (INVALID_TYPE otherwise) whose fields are all in
 * `allowed` (INVALID_CONFIG naming the field and the one probably meant otherwise).
 */
export function options(what: string, value: unknown, allowed: readonly string[], how?: KnownFieldsOptions): Record<string, unknown> {
  const o = object(what, value);
  knownFields(what, o, allowed, how);
  return o;
}

/** An optional boolean: `fallback` when undefined, INVALID_TYPE for anything but a boolean. */
export function boolean(name: string, value: unknown, fallback = false): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw flowpinError("INVALID_TYPE", `${name} must be a boolean, got ${show(value)}`);
  return value;
}

/**
 * A number whose range the caller checks with its own code (a weight: INVALID_WEIGHT).
 * Anything but a number is INVALID_TYPE, so `weight: "2"` is the same mistake everywhere.
 */
export function number(name: string, value: unknown): number {
  if (typeof value !== "number") throw flowpinError("INVALID_TYPE", `${name} must be a number, got ${show(value)}`);
  return value;
}

/**
 * A non-empty string: anything but a string is INVALID_TYPE; "" is `empty` (a key: INVALID_KEY,
 * a bad value of the right kind).
 */
export function nonEmptyString(name: string, value: unknown, empty: FlowpinErrorCode): string {
  if (typeof value !== "string") throw flowpinError("INVALID_TYPE", `${name} must be a non-empty string, got ${show(value)}`);
  if (value.length === 0) throw flowpinError(empty, `${name} must be a non-empty string, got ""`);
  return value;
}

/** `value` must be a plain object (not null, not an array); INVALID_TYPE otherwise. */
export function object(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw flowpinError("INVALID_TYPE", `${name} must be an object, got ${show(value)}`);
  }
  return value as Record<string, unknown>;
}
