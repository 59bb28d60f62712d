/**
 * Jump consistent hash (Lamping & Veach 2014, "A Fast, Minimal Memory, Consistent Hash
 * Algorithm"): maps a 64-bit key to one of `buckets` buckets so that growing from n to n+1
 * buckets moves only 1/(n+1) of the keys, all into the new bucket. Same results as the
 * paper's C++ code, Guava's `Hashing.consistentHash` and ClickHouse's `jumpConsistentHash`.
 * Buckets are numbered, not named: removing a bucket other than the last moves keys, which is
 * why flowpin's simulation uses it only as a comparator.
 * @module
 */
import { active } from "./engine/state.js";
import { flowpinError, show } from "./errors.js";
import * as v from "./validate.js";

/** Most buckets: results are returned as i32 by the Wasm (the paper's int32_t num_buckets). */
export const JUMP_MAX_BUCKETS = 0x7fffffff;

/**
 * The bucket in [0, buckets) for a 64-bit key, given as a bigint, a safe non-negative integer,
 * or its `[lo, hi]` u32 halves (no BigInt needed on the hot path).
 *
 * @example
 * import { jump } from "flowpin";
 * jump(0xdeadbeefn, 20);          // 16
 * jump([0xdeadbeef, 0], 20);      // 16, same key as two u32 halves
 */
export function jump(key: bigint | number | readonly [number, number], buckets: number): number {
  let lo: number;
  let hi: number;
  if (Array.isArray(key)) {
    if (key.length !== 2) throw flowpinError("INVALID_TYPE", `key as halves must be [lo, hi], got an array of ${key.length}`);
    lo = v.u32("key[0] (lo)", key[0]);
    hi = v.u32("key[1] (hi)", key[1]);
  } else if (typeof key === "bigint" || typeof key === "number") {
    const k = v.u64("key", key);
    lo = Number(k & 0xffffffffn);
    hi = Number(k >> 32n);
  } else {
    throw flowpinError("INVALID_TYPE", `key must be a bigint, a safe integer or [lo, hi] u32 halves, got ${show(key)}`);
  }
  v.int("buckets", buckets, 1, JUMP_MAX_BUCKETS);
  return active().x.jump(lo, hi, buckets);
}
