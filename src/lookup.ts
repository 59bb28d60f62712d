/**
 * The one lookup contract of flowpin's tables (Maglev, Rendezvous, Ring, GlbTable) and the one
 * hasher interface they take. Every table answers the same four questions by the same names:
 *
 * | method | question |
 * |---|---|
 * | `pickIndex(hash)` | flow hash → index into `backends` |
 * | `pick(hash)` | flow hash → backend |
 * | `pick(flow, hasher)` | flow, hashed by `hasher` → backend |
 * | `pickBatch(hashes, out, hashesHi?)` | many flow hashes → indices, in one call |
 *
 * Older names stay as aliases where they were documented: Maglev's `lookupIndex`, `lookup`
 * and `lookupBatch` (the same methods), Rendezvous's `RendezvousHasher` type.
 *
 * @example
 * import { Maglev, Rendezvous, type BackendTable } from "flowpin";
 * const tables: BackendTable<{ id: string }>[] = [new Maglev({ backends }), new Rendezvous({ backends })];
 * for (const t of tables) console.log(t.pick(flow, hasher).id);
 * @module
 */
import { flowpinError, show } from "./errors.js";
import { VERSION } from "./version.js";

/**
 * Anything that hashes a flow: flowpin's FlowHasher, or your own.
 * `bits`, when present, says how wide the hashes are (FlowHasher: 32 or 64); a Ring, whose
 * hash space is 64 bits wide, refuses a 32-bit hasher by it.
 * @example const byPort: FlowHashFunction<{ port: number }> = { hash: (f) => f.port };
 */
export interface FlowHashFunction<F> {
  hash(flow: F): number | bigint;
  readonly bits?: 32 | 64;
}

/**
 * What every flowpin table answers (see the module doc): `E` is its backend entry type.
 * @example function owner(t: BackendTable<{ id: string }>, h: bigint): string { return t.pick(h).id; }
 */
export interface BackendTable<E> {
  readonly backends: readonly E[];
  /** Flow hash (u32/safe-integer number or u64 bigint; Ring: bigint only) → index into `backends`. */
  pickIndex(hash: number | bigint): number;
  /** Flow hash → backend. */
  pick(hash: number | bigint): E;
  /** A flow hashed by `hasher` → backend. */
  pick<F>(flow: F, hasher: FlowHashFunction<F>): E;
  /** out[i] = index for the hash hashesHi[i]·2^32 + hashes[i] (hashesHi omitted: 0). Returns `out`. */
  pickBatch(hashes: Uint32Array, out: Uint32Array, hashesHi?: Uint32Array): Uint32Array;
}

/** Validates `hasher` and hashes `flow` with it. */
export function hashWith<F>(flow: F, hasher: FlowHashFunction<F>): number | bigint {
  if (typeof hasher !== "object" || hasher === null || typeof hasher.hash !== "function") {
    throw flowpinError("INVALID_TYPE", `hasher must have a hash(flow) method, got ${show(hasher)}`);
  }
  return hasher.hash(flow);
}

/** The flow hash of `pick(hash)` / `pick(flow, hasher)`: the hash itself, or the flow hashed. */
export function hashOf<F>(hashOrFlow: number | bigint | F, hasher: FlowHashFunction<F> | undefined): number | bigint {
  if (hasher === undefined) {
    if (typeof hashOrFlow !== "number" && typeof hashOrFlow !== "bigint") {
      throw flowpinError("INVALID_TYPE", `pass a flow hash (number or bigint), or a flow together with a hasher; got ${show(hashOrFlow)} and no hasher`);
    }
    return hashOrFlow;
  }
  return hashWith(hashOrFlow as F, hasher);
}

/**
 * Makes `instanceof cls` hold for instances of `cls` from either copy of flowpin in one
 * process (the ESM and the CJS build loaded side by side), as FlowpinError does: the brand is
 * a registry symbol (Symbol.for) carrying the version, so only the same version's objects,
 * whose internals match, pass.
 */
export function brand(cls: { prototype: object }, name: string): void {
  const key = Symbol.for(`flowpin.${name}`);
  Object.defineProperty(cls.prototype, key, { value: VERSION });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value: (value: unknown): boolean => typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[key] === VERSION,
    configurable: true,
  });
}
