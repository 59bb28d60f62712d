/**
 * The contract every production system (`src/systems/<name>/`) follows: its configuration in
 * its own terms goes in, and for each flow (or request, or connection) the whole decision
 * that system makes comes out: which backend, the system's own flow hash, the slot it looked
 * up, and why no backend when it forwards to none.
 *
 * A system composes the algorithms (Maglev, glb, ring, rendezvous) and the hashes; it does not
 * re-implement them. Each one is checked end to end against test/vectors/systems/<name>.json,
 * produced by that system's own upstream code.
 *
 * @example
 * import { systems } from "flowpin";
 * const fleet = systems.katran({ vip: { address: "192.0.2.10", port: 443, proto: 6, flags: [] },
 *   hash_function: "maglev_v2", ring_size: 65537, reals: [{ address: "10.0.0.1", weight: 1 }] });
 * fleet.route({ src: "198.51.100.7", dst: "192.0.2.10", sport: 51512, dport: 443, proto: 6 });
 * // { backend: "10.0.0.1", hash: "…", slot: …, reason: "table" }
 */

import type { GlbFileTable } from "../glb-bytes.js";
import type { Maglev } from "../maglev.js";

/** Every production system flowpin reproduces end to end. */
export type SystemName = "flowpin" | "katran" | "cilium" | "ipvs" | "envoy" | "glb" | "nginx" | "haproxy";

/** One decision. Systems add their own fields (glb's `secondary`, Envoy's `priority`, ...). */
export interface Route {
  /** The backend as the system names it (address, address:port, host name), or null when the system forwards to none. */
  backend: string | null;
  /** The system's flow hash as hex (8 digits for 32-bit hashes, 16 for 64-bit), or null where it did not hash. */
  hash: string | null;
  /** The table slot (or ring point index) the hash selected, or null where it looked none up. */
  slot: number | null;
  /**
   * How the backend was chosen, or why there is none: a short stable word such as "table",
   * "connection", "fallback", "round-robin", "no-vip", "no-backend", "panic". Each system
   * documents its words.
   */
  reason: string;
  /** With `{ explain: true }`: each step of the decision in words (hash input bytes, hash, slot, probes). */
  explain?: string[];
}

export interface RouteOptions {
  /** Fill `explain` with each step of the decision (slower; for `flowpin route --explain`). */
  explain?: boolean;
}

/** A flow that changes backend between two fleets (`System.diff`). */
export interface RouteChange<Input> {
  input: Input;
  from: string | null;
  to: string | null;
}

export interface RouteDiff<Input> {
  /** Inputs looked at. */
  total: number;
  /** Inputs whose backend differs. */
  moved: number;
  changes: RouteChange<Input>[];
}

/**
 * A slot table: a flow hash `h` goes to `backends[table[h % size]]` (`map`: the key modulo the
 * size). Maglev systems (flowpin, katran, cilium, ipvs, envoy MAGLEV) and HAProxy's map-based
 * lookup. An entry of -1 is a slot that holds no backend (IPVS with no weighted destination,
 * Katran before its first weighted real).
 * @example { kind: "maglev", name: "table", profile: "katran", size: 13, backends: ["10.0.0.1", "10.0.0.2"], table: Int32Array.of(0, 1, 1, 0, ...) }
 */
export interface SystemSlotTable {
  readonly kind: "maglev" | "map";
  /** Which of the system's tables: "table", or e.g. "priority 1" (Envoy). */
  readonly name: string;
  /** The Maglev profile ("envoy", "katran", "cilium", "ipvs"), or "haproxy" for a map. */
  readonly profile: string;
  readonly size: number;
  /** The backends as the system names them; `table` indexes this list. */
  readonly backends: readonly string[];
  /** Each backend's weight as the table used it (a weight change makes it "changed" in a diff). */
  readonly weights: readonly number[];
  /** Backend index per slot, -1 for an empty slot. */
  readonly table: Int32Array;
  /** flowpin's Maglev file (FPMG, `Maglev.toBytes()`) of the table; absent for maps and empty tables. */
  toBytes?(): Uint8Array;
}

/**
 * glb-director's table: 65536 rows of (primary, secondary), row = flow hash & 0xffff. An
 * index past `backends` is an empty slot (glb-director-cli's carry-over between tables).
 * @example { kind: "glb", name: "tables[0]", backends: ["1.2.3.4", "2.3.4.5"], rows: Uint32Array(131072), file: {...} }
 */
export interface SystemGlbTable {
  readonly kind: "glb";
  /** "tables[i]": its place in forwarding_table.json. */
  readonly name: string;
  readonly backends: readonly string[];
  /** u32[65536 * 2]: primary, secondary per row. */
  readonly rows: Uint32Array;
  /** What glb-director's binary file holds for this table (src/glb-bytes.ts writes it). */
  readonly file: GlbFileTable;
}

/**
 * A hash ring: sorted points, each owned by a backend. "successor": a hash goes to the first
 * point ≥ it, wrapping (Envoy ring_hash, nginx `hash ... consistent`); "closest": to the
 * nearest point on the circle, a tie to the lower (HAProxy consistent hashing).
 * @example { kind: "ring", name: "table", profile: "nginx", rule: "successor", bits: 32, backends: ["10.0.0.1:80"], points: Uint32Array.of(...), owners: Uint32Array.of(...) }
 */
export interface SystemRingTable {
  readonly kind: "ring";
  readonly name: string;
  readonly profile: "envoy" | "nginx" | "haproxy";
  readonly rule: "successor" | "closest";
  /** The hash width: 32 (nginx CRC-32, HAProxy) or 64 (Envoy XXH64). */
  readonly bits: 32 | 64;
  /** Ring owners as the system names them (nginx: the `server` text; HAProxy: the server name). */
  readonly backends: readonly string[];
  /** Point hashes, ascending. */
  readonly points: Uint32Array | BigUint64Array;
  /** Backend index per point. */
  readonly owners: Uint32Array;
}

/** One table a system looks flows up in. */
export type SystemTable = SystemSlotTable | SystemGlbTable | SystemRingTable;

/**
 * What `System.table()` returns: the tables the system looks flows up in now (glb-director:
 * one per forwarding table; Envoy: one per priority), or none, with why.
 * @example systems.katran(config).table() // { system: "katran", tables: [{ kind: "maglev", ... }] }
 */
export interface SystemTables {
  readonly system: SystemName;
  readonly tables: readonly SystemTable[];
  /** Why there is no table (round robin, rendezvous, no backend), when `tables` is empty. */
  readonly none?: string;
}

/** A production system built from its configuration: route flows as it does. */
export interface System<Input, Result extends Route = Route> {
  readonly system: SystemName;
  /** The decision for one flow (request, connection, packet). */
  route(input: Input, options?: RouteOptions): Result;
  /** The decisions for many inputs, in order. */
  routeBatch(inputs: readonly Input[]): Result[];
  /**
   * Which of `inputs` go to another backend under `next` (the same system after a change):
   * "which of these connections move?". Stateful systems compare from fresh state.
   */
  diff(next: System<Input, Result>, inputs: readonly Input[]): RouteDiff<Input>;
  /**
   * The tables the decision looks up, built by the algorithm classes the system routes with
   * (never a second build): `flowpin table --config` prints them and `flowpin diff` of two
   * configs compares them. Absent or `tables: []` where the system has none.
   */
  table?(): SystemTables;
}

/** Options for reading a system's native file (`flowpin route --name/--resolve/--table-size`). */
export interface NativeParseOptions {
  /** Which upstream / backend / service / cluster of a file that has several. */
  name?: string;
  /** nginx: addresses (no port) for `server NAME` host names, by name, instead of the system resolver. */
  addresses?: Readonly<Record<string, readonly string[]>>;
  /** IPVS: IP_VS_MH_TAB_SIZE of the director's kernel, which ipvsadm-save cannot print. */
  tableSize?: number;
}

/** What the CLI and the registry know of a system: how to build it and read its inputs. */
export interface SystemDefinition<Config = unknown, Input = unknown, Result extends Route = Route> {
  readonly name: SystemName;
  /** One line for `flowpin route --help`. */
  readonly summary: string;
  /** Builds the system from its configuration (the vectors' `config`, without `system`). */
  create(config: Config): System<Input, Result>;
  /**
   * One input from a record the CLI read: a `--flow k=v,...` spec or a CSV row (values are
   * strings; sport/dport/proto digits already numbers; `header.NAME=v` gathered in `headers`),
   * or one JSON line (values as written). Validates and throws FlowpinError naming the field.
   */
  input(record: Record<string, unknown>): Input;
  /** An input from one IP packet (no link header), for `--pcap`; absent where the system does not see packets. */
  packet?(ip: Uint8Array): Input;
  /** The system's own configuration file, read as operators write it. */
  readonly native?: {
    /** e.g. "ipvsadm-save -n output". */
    readonly description: string;
    /** Whether `text` looks like this system's file (used when --system is not given). */
    detect(text: string): boolean;
    /** The configuration in this system's terms; `name` picks one of several (upstream, backend, service). */
    parse(text: string, options: NativeParseOptions): Config;
  };
}

/** A slot table from a Maglev's table (entries index `backends`). */
export function maglevSlots(name: string, maglev: Maglev, backends: readonly string[] = maglev.backends.map((b) => b.id)): SystemSlotTable {
  const weights = maglev.backends.map((b) => b.weight);
  return { kind: "maglev", name, profile: maglev.profile, size: maglev.size, backends, weights, table: Int32Array.from(maglev.table), toBytes: () => maglev.toBytes() };
}

/** A 32-bit hash as 8 hex digits, a 64-bit one as 16. */
export function hashHex(h: number | bigint): string {
  return typeof h === "bigint" ? h.toString(16).padStart(16, "0") : (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * `System.diff` for systems whose `route` is a pure function of the input: route every input
 * on both and list those whose backend differs.
 */
export function diffRoutes<Input>(a: System<Input>, b: System<Input>, inputs: readonly Input[]): RouteDiff<Input> {
  const before = a.routeBatch(inputs);
  const after = b.routeBatch(inputs);
  const changes: RouteChange<Input>[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const from = before[i]!.backend;
    const to = after[i]!.backend;
    if (from !== to) changes.push({ input: inputs[i]!, from, to });
  }
  return { total: inputs.length, moved: changes.length, changes };
}
