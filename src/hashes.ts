/**
 * Hash primitives, each byte-identical with its reference implementation and identical on
 * every engine. `data` is always a Uint8Array; bad arguments throw FlowpinError.
 *
 * @example
 * import { hashes } from "flowpin";
 * hashes.xxh32(new TextEncoder().encode("abc")); // 0x32d153ff
 */
import { active } from "./engine/state.js";
import * as v from "./validate.js";

/**
 * XXH32 (xxHash spec, 32-bit variant).
 * @example hashes.xxh32(new Uint8Array([0]), 0) // 0xcf65b03e
 */
export function xxh32(data: Uint8Array, seed = 0): number {
  v.bytes("data", data);
  v.u32("seed", seed);
  const e = active();
  return e.x.xxh32(e.put(data), data.length, seed) >>> 0;
}
