/**
 * GitHub glb-director's forwarding table, byte-identical with `glb-director-cli build-config`
 * (github/glb-director, src/glb-director/cli/main.c; design in docs/development/glb-hashing.md).
 *
 * 65536 rows, each a (primary, secondary) pair of backends: for row r,
 *   row_seed = SipHash-2-4(seed, u32_be(r)),
 *   score(b) = SipHash-2-4(seed, row_seed || address(b)) read big-endian,
 * and the two lowest scores are the primary and the secondary. Inactive backends are left
 * out before scoring (indices still refer to the full list). A pair is then swapped when the
 * primary is bad (draining, or unhealthy) and the secondary may take over.
 *
 * glb-director-cli's take-over test, kept by default (`swap: "glb-director"`) so the tables
 * match the fleet's byte for byte, has two quirks:
 * - it compares the secondary's STATE with the HEALTH constant "up" (1), which equals the
 *   state "active": a FILLING secondary never takes over from a bad primary;
 * - the secondary's health is not checked: an unhealthy active secondary takes over, so a
 *   row whose primary and secondary are both unhealthy still swaps and keeps an unhealthy
 *   primary (github/glb-director#77).
 * `swap: "corrected"` lets a secondary take over when it is filling or active AND healthy.
 *
 * With a single usable backend glb-director reads an uninitialised sort slot for the
 * secondary (undefined behaviour); flowpin puts the one backend in both columns.
 *
 * The packet side: a flow's row is the low 16 bits of SipHash-2-4(hash_key, fields), the
 * tag read little-endian, over the configured fields in the order src address, dst address,
 * src port, dst port (packet_parsing.h glb_compute_hash; default: src address only).
 * @module
 */
import { disposable } from "./engine/regions.js";
import { active } from "./engine/state.js";
import { flowpinError, show } from "./errors.js";
import { formatAddress, parseAddress, type Flow } from "./flow.js";
import { FlowHasher, type GlbHashField } from "./flow-hasher.js";
import {
  GLB_MAX_BACKENDS,
  GLB_MAX_BINDS,
  GLB_ROWS,
  GLB_STATE_ACTIVE,
  GLB_STATE_DRAINING_INACTIVE,
  GLB_STATE_FILLING,
  decodeGlbFile,
  encodeGlbFile,
  type GlbFileTable,
} from "./glb-bytes.js";
import { brand, hashWith, type BackendTable, type FlowHashFunction } from "./lookup.js";
import * as v from "./validate.js";

export type GlbState = "filling" | "active" | "draining" | "inactive";
/** `"glb-director"`: the CLI's rule, quirks included (default). `"corrected"`: see the module doc. */
export type GlbSwapRule = "glb-director" | "corrected";

/** A backend (glb-director calls them proxies): an IPv4 or IPv6 address and its state. */
export interface GlbBackendInput {
  /** Text, or 4 / 16 bytes in network order. IPv4-mapped IPv6 text stays IPv6, as in glb-director. */
  address: string | Uint8Array;
  /** Default "active". */
  state?: GlbState;
  /** Default true. */
  healthy?: boolean;
}

/** A bind (the VIP and ports the director serves); only stored in the file. */
export interface GlbBindInput {
  /** An address, optionally with a prefix length: "192.0.2.0/24". */
  ip: string;
  proto: "tcp" | "udp";
  /** A single port, or give portStart and portEnd. */
  port?: number;
  portStart?: number;
  portEnd?: number;
}

export interface GlbTableOptions {
  /** The table seed: 16 bytes (glb-director's `seed`, 32 hex digits). */
  seed: Uint8Array;
  /** The packet hash key: 16 bytes (glb-director's `hash_key`), a fleet secret. */
  hashKey: Uint8Array;
  /** Up to 256 backends; an address string means an active, healthy backend. */
  backends: readonly (string | GlbBackendInput)[];
  binds?: readonly GlbBindInput[];
  swap?: GlbSwapRule;
  /** The director's hash_fields for lookups of flows (default ["src_addr"]). */
  hashFields?: readonly GlbHashField[];
  /**
   * Build over backends that share an address, as glb-director-cli does (default false:
   * DUPLICATE_BACKEND). Copies score alike in every row; the lower index ranks first, as
   * glibc's stable qsort keeps them (vector duplicate-backend-ip).
   */
  allowDuplicates?: boolean;
}

/** A backend as the table holds it. */
export interface GlbBackend {
  /** Canonical text (RFC 5952 for IPv6; IPv4-mapped shown as ::ffff:a.b.c.d). */
  readonly address: string;
  readonly family: 4 | 6;
  /** From a file, draining and inactive read back as "draining" (the file has one value for both). */
  readonly state: GlbState;
  readonly healthy: boolean;
}

export interface GlbBind {
  readonly ip: string;
  readonly ipBits: number;
  readonly proto: "tcp" | "udp";
  readonly portStart: number;
  readonly portEnd: number;
}

/** `stats()`: rows per backend in each column, indexed like `backends`. */
export interface GlbStats {
  readonly primary: readonly number[];
  readonly secondary: readonly number[];
}

/** `GlbTable.diff(a, b)`: rows that changed between two tables. */
export interface GlbDiff {
  readonly rows: number;
  /** Rows whose primary differs (by address): the flows that move. */
  readonly primaryChanged: number;
  /** Rows whose primary or secondary differs. */
  readonly eitherChanged: number;
}

interface Parts {
  backends: GlbBackend[];
  bytes: Uint8Array[];
  binds: GlbBind[];
  bindBytes: Uint8Array[];
  hashKey: Uint8Array;
  seed: Uint8Array | undefined;
  swap: GlbSwapRule;
  hashFields: readonly GlbHashField[];
  rows: Uint32Array;
}

const STATES: readonly GlbState[] = ["filling", "active", "draining", "inactive"];
const FIELDS: readonly GlbHashField[] = ["src_addr", "dst_addr", "src_port", "dst_port"];
// meta flags (assembly/glb.ts)
const FLAG_V6 = 1;
const FLAG_BAD = 2;
const FLAG_TAKEOVER = 4;

/**
 * glb-director's forwarding table. Immutable: `withBackends()` builds a new one.
 *
 * @example
 * import { GlbTable } from "flowpin";
 * const t = new GlbTable({
 *   seed: hex("34567890123456783456789012345678"),
 *   hashKey: hex("12345678901234561234567890123456"),
 *   backends: [{ address: "1.2.3.4", state: "draining" }, "2.3.4.5", "3.4.5.6"],
 * });
 * t.entry(0);                      // [1, 0]: indices into t.backends (vector glb-cli-t0-draining0)
 * t.lookup({ src: "198.51.100.7", dst: "192.0.2.1", sport: 51512, dport: 443, proto: "tcp" });
 * await fs.writeFile("table.bin", t.toBytes()); // what glb-director loads
 */
const OPTION_FIELDS = ["seed", "hashKey", "backends", "binds", "swap", "hashFields", "allowDuplicates"] as const;
void (true satisfies v.AllListed<GlbTableOptions, typeof OPTION_FIELDS>);
const BACKEND_FIELDS = ["address", "state", "healthy"] as const;
void (true satisfies v.AllListed<GlbBackendInput, typeof BACKEND_FIELDS>);
const BIND_FIELDS = ["ip", "proto", "port", "portStart", "portEnd"] as const;
void (true satisfies v.AllListed<GlbBindInput, typeof BIND_FIELDS>);

export class GlbTable implements BackendTable<GlbBackend> {
  static readonly ROWS = GLB_ROWS;
  static readonly MAX_BACKENDS = GLB_MAX_BACKENDS;
  static readonly MAX_BINDS = GLB_MAX_BINDS;

  readonly backends: readonly GlbBackend[];
  readonly binds: readonly GlbBind[];
  readonly swap: GlbSwapRule;
  readonly hashFields: readonly GlbHashField[];
  readonly #addressBytes: readonly Uint8Array[];
  readonly #bindBytes: readonly Uint8Array[];
  readonly #hashKey: Uint8Array;
  readonly #seed: Uint8Array | undefined;
  readonly #rows: Uint32Array;
  #hasher: FlowHasher | undefined;
  #disposed = false;

  constructor(options: GlbTableOptions) {
    const p = adopting ?? fromOptions(options);
    adopting = undefined;
    this.backends = Object.freeze(p.backends.map((b) => Object.freeze(b)));
    this.binds = Object.freeze(p.binds.map((b) => Object.freeze(b)));
    this.swap = p.swap;
    this.hashFields = Object.freeze(p.hashFields.slice());
    this.#addressBytes = p.bytes;
    this.#bindBytes = p.bindBytes;
    this.#hashKey = p.hashKey;
    this.#seed = p.seed;
    this.#rows = p.rows;
  }

  /** The 16-byte packet hash key (a copy). */
  get hashKey(): Uint8Array {
    return this.#hashKey.slice();
  }

  /** The 16-byte table seed (a copy); undefined for a table read from a file (files do not store it). */
  get seed(): Uint8Array | undefined {
    return this.#seed?.slice();
  }

  #live(): void {
    if (this.#disposed) throw flowpinError("DISPOSED", "this GlbTable was disposed");
  }

  /** [primary, secondary] backend indices of a row (0..65535). */
  entry(row: number): [number, number] {
    this.#live();
    v.int("row", row, 0, GLB_ROWS - 1);
    return [this.#rows[2 * row]!, this.#rows[2 * row + 1]!];
  }

  /** All rows as u32[65536 * 2], (primary, secondary) per row (a copy). */
  rows(): Uint32Array {
    this.#live();
    return this.#rows.slice();
  }

  /**
   * The row a flow (hashed with this table's hash key and fields) or a glb flow hash (the
   * 64-bit SipHash tag as a bigint) falls in: the tag's low 16 bits.
   * @example t.row(0xcc74fd642f2a1384n) // 4996 = 0x1384 (vector glb-pkt-row, 10.0.0.1)
   */
  row(flowOrHash: Flow | bigint): number {
    this.#live();
    let h: bigint;
    if (typeof flowOrHash === "bigint") h = v.u64("hash", flowOrHash);
    else h = this.hasher().hash(flowOrHash) as bigint;
    return Number(h & 0xffffn);
  }

  /**
   * The primary backend's index for a glb flow hash: the row is its low 16 bits (a u64
   * bigint, or a number, whose low 16 bits are the same). The lookup contract's name.
   * @example t.pickIndex(0xcc74fd642f2a1384n) // t.entry(0x1384)[0]
   */
  pickIndex(hash: number | bigint): number {
    this.#live();
    const row = typeof hash === "bigint" ? Number(v.u64("hash", hash) & 0xffffn) : v.int("hash", hash, 0, Number.MAX_SAFE_INTEGER) % GLB_ROWS;
    return this.#rows[2 * row]!;
  }

  /**
   * The primary backend for a glb flow hash, or for a flow: hashed by `hasher`, or, without
   * one, by this table's own (`hasher()`: SipHash-2-4 with its hash key and fields).
   * `lookup()` gives the row and the secondary too.
   * @example t.pick(flow).address
   */
  pick(hash: number | bigint): GlbBackend;
  pick<F>(flow: F, hasher?: FlowHashFunction<F>): GlbBackend;
  pick<F>(hashOrFlow: number | bigint | F, hasher?: FlowHashFunction<F>): GlbBackend {
    this.#live();
    let h: number | bigint;
    if (hasher !== undefined) h = hashWith(hashOrFlow as F, hasher);
    else if (typeof hashOrFlow === "number" || typeof hashOrFlow === "bigint") h = hashOrFlow;
    else h = this.hasher().hash(hashOrFlow as Flow);
    return this.backends[this.pickIndex(h)]!;
  }

  /**
   * Primary backend indices for many glb flow hashes: out[i] = primary of row hashes[i] & 0xffff
   * (the row needs only the low half, so hashesHi, accepted for the common signature, is not
   * read). A FlowBatch hashed with this table's hasher() works directly. Returns `out`.
   */
  pickBatch(hashes: Uint32Array, out: Uint32Array, hashesHi?: Uint32Array): Uint32Array {
    this.#live();
    if (!(hashes instanceof Uint32Array)) throw flowpinError("INVALID_TYPE", `hashes must be a Uint32Array, got ${show(hashes)}`);
    if (!(out instanceof Uint32Array)) throw flowpinError("INVALID_TYPE", `out must be a Uint32Array, got ${show(out)}`);
    if (hashesHi !== undefined && !(hashesHi instanceof Uint32Array)) throw flowpinError("INVALID_TYPE", `hashesHi must be a Uint32Array, got ${show(hashesHi)}`);
    const n = hashes.length;
    if (out.length < n) throw flowpinError("OUT_OF_RANGE", `out has ${out.length} elements, fewer than the ${n} hashes`);
    const rows = this.#rows;
    for (let i = 0; i < n; i++) out[i] = rows[2 * (hashes[i]! & 0xffff)]!;
    return out;
  }

  /**
   * Returns the Wasm memory of this table's hasher (made on first flow lookup) now; `using`
   * calls it where the runtime has `Symbol.dispose`. A disposed table throws FlowpinError
   * DISPOSED on use.
   */
  dispose(): void {
    this.#disposed = true;
    this.#hasher?.dispose();
    this.#hasher = undefined;
  }

  /** The row and its backends for a flow or glb flow hash. */
  lookup(flowOrHash: Flow | bigint): { row: number; primary: GlbBackend; secondary: GlbBackend } {
    this.#live();
    const row = this.row(flowOrHash);
    return { row, primary: this.backends[this.#rows[2 * row]!]!, secondary: this.backends[this.#rows[2 * row + 1]!]! };
  }

  /** The FlowHasher glb-director's data path uses for this table (profile "glb"). */
  hasher(): FlowHasher {
    this.#live();
    this.#hasher ??= new FlowHasher({ profile: "glb", key: this.#hashKey, glb: { hashFields: this.hashFields.slice() } });
    return this.#hasher;
  }

  /** The same seed, key, binds and rules over a new backend list. */
  withBackends(backends: readonly (string | GlbBackendInput)[]): GlbTable {
    this.#live();
    if (!this.#seed) throw flowpinError("INVALID_KEY", "this table was read from a file, which does not store the seed: build a new GlbTable with the seed");
    return new GlbTable({
      seed: this.#seed,
      hashKey: this.#hashKey,
      backends,
      binds: this.binds.map((b) => ({ ip: `${b.ip}/${b.ipBits}`, proto: b.proto, portStart: b.portStart, portEnd: b.portEnd })),
      swap: this.swap,
      hashFields: this.hashFields,
    });
  }

  /** Rows per backend as primary and as secondary. */
  stats(): GlbStats {
    this.#live();
    const primary = new Array<number>(this.backends.length).fill(0);
    const secondary = new Array<number>(this.backends.length).fill(0);
    for (let r = 0; r < GLB_ROWS; r++) {
      primary[this.#rows[2 * r]!]!++;
      secondary[this.#rows[2 * r + 1]!]!++;
    }
    return { primary, secondary };
  }

  /** glb-director's binary file holding this one table (537648 bytes). */
  toBytes(): Uint8Array {
    return GlbTable.toBytes([this]);
  }

  /** glb-director's binary file holding `tables`, in order. */
  static toBytes(tables: readonly GlbTable[]): Uint8Array {
    if (!Array.isArray(tables)) throw flowpinError("INVALID_TYPE", `tables must be an array of GlbTable, got ${show(tables)}`);
    return encodeGlbFile(
      tables.map((t, i) => {
        if (!(t instanceof GlbTable)) throw flowpinError("INVALID_TYPE", `tables[${i}] must be a GlbTable, got ${show(t)}`);
        // A table of the other copy of flowpin (ESM beside CJS) has no private fields here.
        return #rows in t ? t.#fileTable() : publicFileTable(t);
      }),
    );
  }

  #fileTable(): GlbFileTable {
    this.#live();
    return {
      backends: this.backends.map((b, i) => ({
        address: this.#addressBytes[i]!,
        state: b.state === "filling" ? GLB_STATE_FILLING : b.state === "active" ? GLB_STATE_ACTIVE : GLB_STATE_DRAINING_INACTIVE,
        health: b.healthy ? 1 : 0,
      })),
      binds: this.binds.map((b, i) => ({ address: this.#bindBytes[i]!, ipBits: b.ipBits, portStart: b.portStart, portEnd: b.portEnd, proto: b.proto === "tcp" ? 6 : 17 })),
      hashKey: this.#hashKey,
      rows: this.#rows,
    };
  }

  /**
   * Table `index` (default 0) of a glb-director binary file. The file has no seed, so the
   * table cannot be rebuilt (`withBackends` throws); everything else works, and `toBytes()`
   * gives the file back byte for byte. Throws CORRUPT_DATA for a damaged or truncated file.
   * @example const t = GlbTable.fromBytes(await fs.readFile("/etc/glb/forwarding_table.bin"));
   */
  static fromBytes(bytes: Uint8Array, index = 0): GlbTable {
    const tables = decodeGlbFile(bytes);
    v.int("index", index, 0, Math.max(0, tables.length - 1));
    if (tables.length === 0) throw flowpinError("CORRUPT_DATA", "the glb-director table file holds no tables");
    return GlbTable.#fromFile(tables[index]!);
  }

  /** Every table of a glb-director binary file. */
  static allFromBytes(bytes: Uint8Array): GlbTable[] {
    return decodeGlbFile(bytes).map((t) => GlbTable.#fromFile(t));
  }

  static #fromFile(t: GlbFileTable): GlbTable {
    const backends = t.backends.map((b) => ({
      address: formatGlb(b.address),
      family: (b.address.length === 4 ? 4 : 6) as 4 | 6,
      state: (b.state === GLB_STATE_FILLING ? "filling" : b.state === GLB_STATE_ACTIVE ? "active" : "draining") as GlbState,
      healthy: b.health === 1,
    }));
    const binds = t.binds.map((b) => ({ ip: formatGlb(b.address), ipBits: b.ipBits, proto: b.proto === 6 ? ("tcp" as const) : ("udp" as const), portStart: b.portStart, portEnd: b.portEnd }));
    adopting = { backends, bytes: t.backends.map((b) => b.address), binds, bindBytes: t.binds.map((b) => b.address), hashKey: t.hashKey.slice(), seed: undefined, swap: "glb-director", hashFields: ["src_addr"], rows: t.rows };
    return new GlbTable(undefined as unknown as GlbTableOptions);
  }

  /**
   * Rows that differ between two tables, comparing backends by address (so tables over
   * reordered lists compare by what they route to).
   * @example GlbTable.diff(t, t.withBackends(fewer)).primaryChanged
   */
  static diff(a: GlbTable, b: GlbTable): GlbDiff {
    if (!(a instanceof GlbTable) || !(b instanceof GlbTable)) throw flowpinError("INVALID_TYPE", "diff needs two GlbTable objects");
    // rows() for a table of the other copy of flowpin in this process (branded, no private fields here).
    const ra = #rows in a ? a.#rows : (a as GlbTable).rows();
    const rb = #rows in b ? b.#rows : (b as GlbTable).rows();
    const ka = a.backends.map((x) => `${x.family}/${x.address}`);
    const kb = b.backends.map((x) => `${x.family}/${x.address}`);
    let primaryChanged = 0;
    let eitherChanged = 0;
    for (let r = 0; r < GLB_ROWS; r++) {
      const p = ka[ra[2 * r]!] !== kb[rb[2 * r]!];
      const s = ka[ra[2 * r + 1]!] !== kb[rb[2 * r + 1]!];
      if (p) primaryChanged++;
      if (p || s) eitherChanged++;
    }
    return { rows: GLB_ROWS, primaryChanged, eitherChanged };
  }
}

disposable(GlbTable);

// Declares the method disposable() installs, so that `using x = new GlbTable(...)` type-checks.
export interface GlbTable {
  /** The same as dispose(): `using` calls it at the end of the block (where the runtime has Symbol.dispose). */
  [Symbol.dispose](): void;
}
brand(GlbTable, "GlbTable");

/** The file form of a table from its public fields (a table of the other copy of flowpin). */
function publicFileTable(t: GlbTable): GlbFileTable {
  return {
    backends: t.backends.map((b, i) => ({
      address: glbAddress(b.address, `backends[${i}].address`),
      state: b.state === "filling" ? GLB_STATE_FILLING : b.state === "active" ? GLB_STATE_ACTIVE : GLB_STATE_DRAINING_INACTIVE,
      health: b.healthy ? 1 : 0,
    })),
    binds: t.binds.map((b, i) => ({ address: glbAddress(b.ip, `binds[${i}].ip`), ipBits: b.ipBits, portStart: b.portStart, portEnd: b.portEnd, proto: b.proto === "tcp" ? 6 : 17 })),
    hashKey: t.hashKey,
    rows: t.rows(),
  };
}

// Parts already validated (a table read from a file) for the next constructor call.
let adopting: Parts | undefined;

function fromOptions(options: GlbTableOptions): Parts {
  v.options("GlbTable options", options, OPTION_FIELDS);
  const seed = v.key("seed", options.seed, 16).slice();
  const hashKey = v.key("hashKey", options.hashKey, 16).slice();
  const swap = options.swap ?? "glb-director";
  if (swap !== "glb-director" && swap !== "corrected") throw flowpinError("INVALID_CONFIG", `swap must be "glb-director" or "corrected", got ${show(swap)}`);
  const hashFields = checkFields(options.hashFields);
  if (options.allowDuplicates !== undefined && typeof options.allowDuplicates !== "boolean") throw flowpinError("INVALID_TYPE", `allowDuplicates must be a boolean, got ${show(options.allowDuplicates)}`);
  const { backends, bytes } = checkBackends(options.backends, options.allowDuplicates === true);
  const { binds, bindBytes } = checkBinds(options.binds ?? []);
  const rows = build(seed, backends, bytes, swap);
  return { backends, bytes, binds, bindBytes, hashKey, seed, swap, hashFields, rows };
}

function checkFields(fields: readonly GlbHashField[] | undefined): readonly GlbHashField[] {
  if (fields === undefined) return ["src_addr"];
  if (!Array.isArray(fields) || fields.length === 0) throw flowpinError("INVALID_CONFIG", `hashFields must be a non-empty array of ${FIELDS.join(", ")}, got ${show(fields)}`);
  for (const f of fields) if (!FIELDS.includes(f)) throw flowpinError("INVALID_CONFIG", `hashFields entries must be ${FIELDS.join(", ")}, got ${show(f)}`);
  return fields.slice();
}

/**
 * Address bytes as glb-director stores them: text with a ':' is IPv6 (16 bytes, IPv4-mapped
 * included: inet_pton(AF_INET6)), otherwise IPv4; bytes of length 4 or 16 as given.
 * Exported for the glb system (src/systems/glb), which reads forwarding_table.json.
 * @example glbAddress("::ffff:10.0.0.5", "ip").length // 16
 */
export function glbAddress(value: unknown, name: string): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length !== 4 && value.length !== 16) throw flowpinError("INVALID_ADDRESS", `${name} as bytes must be 4 or 16 bytes, got ${show(value)}`);
    return value.slice();
  }
  if (typeof value !== "string") throw flowpinError("INVALID_TYPE", `${name} must be an IP address string or 4 / 16 bytes, got ${show(value)}`);
  const b = parseAddress(value, name);
  if (value.includes(":") && b.length === 4) {
    // parseAddress folds IPv4-mapped IPv6 to IPv4; glb-director keeps it IPv6.
    const v6 = new Uint8Array(16);
    v6[10] = 0xff;
    v6[11] = 0xff;
    v6.set(b, 12);
    return v6;
  }
  return b;
}

function formatGlb(b: Uint8Array): string {
  if (b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return `::ffff:${b.subarray(12).join(".")}`;
  return formatAddress(b);
}

function checkBackends(list: unknown, allowDuplicates = false): { backends: GlbBackend[]; bytes: Uint8Array[] } {
  if (!Array.isArray(list)) throw flowpinError("INVALID_TYPE", `backends must be an array, got ${show(list)}`);
  if (list.length === 0) throw flowpinError("NO_BACKENDS", "backends is empty");
  if (list.length > GLB_MAX_BACKENDS) throw flowpinError("OUT_OF_RANGE", `glb-director tables hold at most ${GLB_MAX_BACKENDS} backends, got ${list.length}`);
  const backends: GlbBackend[] = [];
  const bytes: Uint8Array[] = [];
  const seen = new Map<string, number>();
  list.forEach((item: unknown, i) => {
    const name = `backends[${i}]`;
    const o = (typeof item === "string" || item instanceof Uint8Array ? { address: item } : item) as GlbBackendInput;
    if (typeof o !== "object" || o === null) throw flowpinError("INVALID_TYPE", `${name} must be an address or { address, state?, healthy? }, got ${show(item)}`);
    v.knownFields(name, o, BACKEND_FIELDS);
    const b = glbAddress(o.address, `${name}.address`);
    const state = o.state ?? "active";
    if (!STATES.includes(state)) throw flowpinError("INVALID_CONFIG", `${name}.state must be one of ${STATES.join(", ")}, got ${show(state)}`);
    const healthy = o.healthy ?? true;
    if (typeof healthy !== "boolean") throw flowpinError("INVALID_TYPE", `${name}.healthy must be a boolean, got ${show(healthy)}`);
    const address = formatGlb(b);
    const key = `${b.length}/${address}`;
    const prev = seen.get(key);
    if (prev !== undefined && !allowDuplicates) throw flowpinError("DUPLICATE_BACKEND", `${name} has the address ${address} of backends[${prev}]`);
    seen.set(key, i);
    backends.push({ address, family: b.length === 4 ? 4 : 6, state, healthy });
    bytes.push(b);
  });
  if (!backends.some((b) => b.state !== "inactive")) throw flowpinError("NO_BACKENDS", `all ${backends.length} backends are inactive`);
  return { backends, bytes };
}

function port(name: string, value: unknown): number {
  return v.int(name, value, 0, 65535, "INVALID_PORT");
}

function checkBinds(list: unknown): { binds: GlbBind[]; bindBytes: Uint8Array[] } {
  if (!Array.isArray(list)) throw flowpinError("INVALID_TYPE", `binds must be an array, got ${show(list)}`);
  if (list.length > GLB_MAX_BINDS) throw flowpinError("OUT_OF_RANGE", `glb-director tables hold at most ${GLB_MAX_BINDS} binds, got ${list.length}`);
  const binds: GlbBind[] = [];
  const bindBytes: Uint8Array[] = [];
  list.forEach((item: unknown, i) => {
    const name = `binds[${i}]`;
    if (typeof item !== "object" || item === null) throw flowpinError("INVALID_TYPE", `${name} must be { ip, proto, port | portStart + portEnd }, got ${show(item)}`);
    v.knownFields(name, item, BIND_FIELDS);
    const o = item as GlbBindInput;
    if (typeof o.ip !== "string") throw flowpinError("INVALID_TYPE", `${name}.ip must be a string, got ${show(o.ip)}`);
    const slash = o.ip.indexOf("/");
    const text = slash < 0 ? o.ip : o.ip.slice(0, slash);
    const b = glbAddress(text, `${name}.ip`);
    let ipBits = b.length * 8;
    if (slash >= 0) {
      const bits = o.ip.slice(slash + 1);
      if (!/^\d{1,3}$/.test(bits) || Number(bits) > ipBits) throw flowpinError("INVALID_ADDRESS", `${name}.ip prefix must be 0..${ipBits}, got ${show(o.ip)}`);
      ipBits = Number(bits);
    }
    if (o.proto !== "tcp" && o.proto !== "udp") throw flowpinError("INVALID_PROTOCOL", `${name}.proto must be "tcp" or "udp", got ${show(o.proto)}`);
    let portStart: number;
    let portEnd: number;
    if (o.port !== undefined) {
      if (o.portStart !== undefined || o.portEnd !== undefined) throw flowpinError("INVALID_CONFIG", `${name}: give port, or portStart and portEnd, not both`);
      portStart = portEnd = port(`${name}.port`, o.port);
    } else {
      portStart = port(`${name}.portStart`, o.portStart);
      portEnd = port(`${name}.portEnd`, o.portEnd);
    }
    binds.push({ ip: formatGlb(b), ipBits, proto: o.proto, portStart, portEnd });
    bindBytes.push(b);
  });
  return { binds, bindBytes };
}

/** Runs assembly/glb.ts over the usable backends; returns the rows. */
function build(seed: Uint8Array, backends: readonly GlbBackend[], bytes: readonly Uint8Array[], swap: GlbSwapRule): Uint32Array {
  const usable: number[] = [];
  backends.forEach((b, i) => {
    if (b.state !== "inactive") usable.push(i);
  });
  const n = usable.length;
  const npad = (n + 1) & ~1;
  const v4 = usable.every((i) => backends[i]!.family === 4);
  const v6 = usable.every((i) => backends[i]!.family === 6);
  const e = active();
  const size = 16 + npad * 24 + GLB_ROWS * 8;
  const block = e.alloc(size);
  try {
    const w0 = block + 16;
    const w1 = w0 + 8 * npad;
    const meta = w1 + 8 * npad;
    const out = meta + 8 * npad;
    const mem = e.u8;
    const dv = e.dv;
    mem.fill(0, block, out);
    mem.set(seed, block);
    usable.forEach((idx, j) => {
      const b = backends[idx]!;
      const a = bytes[idx]!;
      if (a.length === 4) {
        // One word: the 4 address bytes, then the message length 12 in the top byte.
        mem.set(a, w0 + 8 * j);
        mem[w0 + 8 * j + 7] = 12;
      } else {
        mem.set(a.subarray(0, 8), w0 + 8 * j);
        mem.set(a.subarray(8, 16), w1 + 8 * j);
      }
      const bad = b.state === "draining" || !b.healthy;
      // glb-director-cli: `secondary->state == GLB_BACKEND_HEALTH_UP`, i.e. state active.
      const takeover = swap === "glb-director" ? b.state === "active" : (b.state === "active" || b.state === "filling") && b.healthy;
      dv.setUint32(meta + 8 * j, idx, true);
      dv.setUint32(meta + 8 * j + 4, (a.length === 16 ? FLAG_V6 : 0) | (bad ? FLAG_BAD : 0) | (takeover ? FLAG_TAKEOVER : 0), true);
    });
    e.x.glbBuild(block, w0, w1, meta, n, v4 ? 0 : v6 ? 1 : 2, out);
    return new Uint32Array(e.u8.buffer, out, GLB_ROWS * 2).slice();
  } finally {
    e.release(block);
  }
}
