// What a Maglev compatibility profile decides (DESIGN.md "Algorithms and compatibility
// profiles"): the backend key, the permutation hash, the weight schedule, the size rules and
// the order backends are taken in. src/maglev.ts owns validation of what is common (ids,
// weights, size bounds) and the build; a profile owns everything its system does differently.
import { active } from "../engine/state.js";
import { flowpinError, show } from "../errors.js";
import { nonEmptyString } from "../validate.js";
import { Keys, type StagedIds } from "./keys.js";

export type MaglevProfileName = "envoy" | "katran" | "cilium" | "ipvs";

/** A backend as given to `new Maglev()`: `id` plus the fields its profile reads. */
export interface MaglevBackend {
  /** Unique name of the backend; what `lookup()` and the CLI report. */
  readonly id: string;
  /** Non-negative integer; 0 keeps the backend listed but gives it no slots. Default 1 (Cilium: 100). */
  readonly weight?: number;
  /** envoy: the string Envoy hashes (hash_key metadata, hostname, or ip:port); default `id`. cilium: a ready hash string, for backends given without `address`. */
  readonly key?: string;
  /** envoy: locality name, with `localityWeights` in the options. */
  readonly locality?: string;
  /** katran: the endpoint hash (u64) Katran sorts and hashes (`folly::IPAddress::hash()` of the real). */
  readonly hash?: bigint | number;
  /** cilium, ipvs: IPv4 or IPv6 address of the backend. */
  readonly address?: string;
  /** cilium, ipvs: port, 0-65535. */
  readonly port?: number;
  /**
   * ipvs: the address family of the IPVS service the destination belongs to. The kernel folds
   * a destination's address by the service's family (ip_vs_mh.c ip_vs_mh_permutate passes
   * svc->af to ip_vs_mh_hashkey): an IPv6 tunnel destination of an "inet" service hashes only
   * its first 32 bits. Default: the address's own family.
   */
  readonly serviceFamily?: "inet" | "inet6";
  /** cilium: L4 protocol name as Cilium prints it ("TCP", "UDP", "SCTP"); default "TCP". */
  readonly protocol?: string;
  /** cilium: service scope internal (adds "/i" to the hash string). */
  readonly internal?: boolean;
}

/** Profile options (each profile reads its own). */
export interface MaglevProfileOptions {
  /** katran: `"v1"` (MaglevHash, Katran's default) or `"v2"` (MaglevHashV2). */
  readonly version?: "v1" | "v2";
  /** cilium: base64 of 12 bytes (`--bpf-lb-maglev-hash-seed`); default "JLfvgnHc2kaSUFaI". */
  readonly seed?: string;
  /** envoy: locality weights by locality name (locality-weighted load balancing). */
  readonly localityWeights?: Readonly<Record<string, number>>;
}

/** A validated backend: a frozen copy with the weight filled in. */
export type NormalizedBackend = MaglevBackend & { readonly weight: number };

/** Fill kinds of assembly/maglev.ts (schedule | WRAP32). */
export const KIND = { ENVOY: 0, CONSECUTIVE: 1, CUMULATIVE: 2, CILIUM: 3, WRAP32: 16 } as const;

/** How a profile wants the table built (arrays are indexed by build position). */
export interface MaglevPlan {
  /** Input indices of the backends that get slots, in the order the profile builds them. */
  readonly order: Uint32Array;
  readonly kind: number;
  /** Envoy: max normalized weight; Katran V2: max weight; Cilium: weight sum or 0. */
  readonly x: number;
  /** Integer schedule input A (turns / weights). */
  readonly a?: Uint32Array;
  /** Integer schedule input B (later-round turns). */
  readonly b?: Uint32Array;
  /** Envoy's normalized weights. */
  readonly fw?: Float64Array;
  /** Ideal share of the hash space per input index (sums to 1). */
  readonly share: Float64Array;
}

export interface MaglevProfile {
  readonly name: MaglevProfileName;
  readonly defaultSize: number;
  readonly defaultWeight: number;
  readonly maxWeight: number;
  /** Why `size` is not allowed (already a prime in 2..5000011), or undefined. */
  sizeProblem(size: number): string | undefined;
  /** Validates the profile's own fields of backends[index]; `weight` is already checked. A fresh, unfrozen record: Maglev freezes it before any caller sees it (src/maglev.ts `backends`). */
  backend(b: Readonly<Record<string, unknown>>, weight: number, index: number): NormalizedBackend;
  /** Validates and keeps the options the profile reads. */
  options(o: Readonly<Record<string, unknown>>): MaglevProfileOptions;
  /** The string that identifies a backend's permutation (duplicates are rejected; params are cached by it). */
  identity(b: NormalizedBackend): string;
  /**
   * Where the identity is the decimal text of a u64 (katran's endpoint hash): its halves, so
   * duplicates are found on two words without making 10 000 decimal strings.
   */
  identityU64?(b: NormalizedBackend, out: Uint32Array, at: number): void;
  /**
   * The build order and schedule. With `keys`, a profile that sorts by key bytes leaves them
   * laid out there (keys.keys, released by the caller) and keys.slots[k] = the key of order[k],
   * so params() hashes the same bytes instead of laying them out again.
   */
  plan(backends: readonly NormalizedBackend[], options: MaglevProfileOptions, size: number, keys?: PlanKeys): MaglevPlan;
  /**
   * Offset and skip for backends[indices[k]], written to offsets[k] and skips[k]. `at`: the
   * plan's laid-out keys, at.idx[k] being the key of backends[indices[k]].
   */
  params(backends: readonly NormalizedBackend[], indices: ArrayLike<number>, size: number, options: MaglevProfileOptions, offsets: Uint32Array, skips: Uint32Array, at?: KeysAt): void;
}

/** plan()'s laid-out keys, for the build that called it (see MaglevProfile.plan). */
export interface PlanKeys {
  keys?: Keys;
  slots?: Uint32Array;
  /** In: the backends' ids staged by validation, when every sort key is the id (envoy). */
  ids?: StagedIds;
}

/** params()'s view of laid-out keys: key idx[k] for the k-th backend asked for. */
export interface KeysAt {
  readonly keys: Keys;
  readonly idx: ArrayLike<number>;
}

/** Input indices of the backends with a positive weight (`positive(i)`). */
export function positiveOrder(n: number, positive: (i: number) => boolean): Uint32Array {
  const order = new Uint32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) if (positive(i)) order[count++] = i;
  return order.subarray(0, count);
}

/**
 * `order` (input indices) sorted by the UTF-8 bytes of key(order[k]) (std::sort on
 * std::string, Go's cmp.Compare on strings), in Wasm over the bytes (maglevSort): measured on
 * 10 000 keys "10.a.b.c:8080", a JS comparator sort took longer than the whole fill. The keys
 * stay laid out in `out` for params() when given.
 */
export function sortByKey(order: Uint32Array, key: (i: number) => string, out?: PlanKeys): Uint32Array {
  return sortLaidOut(order, Keys.strings(active(), order.length, (k) => key(order[k]!)), out);
}

/** `order` sorted by the bytes of `keys` (key k belongs to order[k]); releases them unless `out`. */
export function sortLaidOut(order: Uint32Array, keys: Keys, out?: PlanKeys): Uint32Array {
  // Handed to `out` at once, so the caller's finally releases them even if sorting throws.
  if (out) out.keys = keys;
  try {
    const perm = keys.sort();
    const sorted = new Uint32Array(order.length);
    for (let k = 0; k < sorted.length; k++) sorted[k] = order[perm[k]!]!;
    if (out) out.slots = perm;
    return sorted;
  } finally {
    if (!out) keys.release();
  }
}

/** Largest table flowpin builds: Envoy's limit (maglev.proto: table_size lte 5000011). */
export const MAX_TABLE_SIZE = 5000011;

/** Trial division; sizes are at most 5000011, so at most ~1100 odd divisors. */
export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/** The table sizes Cilium and IPVS accept (cilium maglevSupportedTableSizes; ip_vs_mh.c primes[]). */
export const LISTED_SIZES: readonly number[] = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071];

export function listedSizeProblem(size: number): string | undefined {
  return LISTED_SIZES.includes(size) ? undefined : `must be one of ${LISTED_SIZES.join(", ")}`;
}

/**
 * Bytewise order of the UTF-8 encodings (std::sort on std::string / string_view, Go's
 * cmp.Compare on strings). JS `<` compares UTF-16 code units, which disagrees with UTF-8
 * order only when a surrogate pair meets a code point in U+E000..U+FFFF; compare code points
 * in that case.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (D800-DFFF) encode code points above U+FFFF: they sort after E000-FFFF.
      const sx = x <= 0xdfff ? 1 : 0;
      const sy = y <= 0xdfff ? 1 : 0;
      if (sx !== sy) return sx - sy;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** A required non-empty string field: INVALID_TYPE when not a string, `code` when empty. */
export function stringField(b: Readonly<Record<string, unknown>>, field: string, index: number, code: "INVALID_CONFIG" | "INVALID_KEY" = "INVALID_CONFIG"): string {
  return nonEmptyString(`backends[${index}].${field}`, b[field], code);
}

/** An optional integer field in [min, max]. */
export function intField(b: Readonly<Record<string, unknown>>, field: string, index: number, min: number, max: number, code: "INVALID_CONFIG" | "INVALID_PORT" = "INVALID_CONFIG"): number | undefined {
  const value = b[field];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max || Object.is(value, -0)) {
    throw flowpinError(code, `backends[${index}].${field} must be an integer in ${min}..${max}, got ${show(value)}`);
  }
  return value;
}
