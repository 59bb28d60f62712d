// `flowpin table` / `flowpin diff` for "algorithm": "glb" (glb-director forwarding tables).
//
// Config: {"algorithm": "glb", "seed": "<32 hex>", "hash_key": "<32 hex>",
//   "backends": [{"id" (or glb-director's "ip"): "10.0.0.1", "state": "active", "healthy": true}],
//   "binds": [{"ip": "192.0.2.1/32", "proto": "tcp", "port": 80 | "port_start", "port_end"}],
//   "swap": "glb-director" | "corrected", "hash_fields": ["src_addr", ...]}
// ("hashKey", "portStart"/"portEnd" and "hashFields" are accepted too).
// JSON output: {"algorithm": "glb", "profile": "glb", "size": 65536, "backends": [ids in
// input order], "rows": [[primary, secondary], ...]} with indices into "backends".
// --format bin writes glb-director's binary file (GlbTable.toBytes), which `diff` reads back.
// diff: rows whose primary changed (the flows that move), rows whose primary or secondary
// changed; backends compare by id (the canonical address text: RFC 5952 for IPv6).
import { padCell } from "./text-width.js";
import { flowpinError, show } from "../errors.js";
import { GlbTable, type GlbBackendInput, type GlbBindInput } from "../glb.js";
import type { FleetConfig } from "./config.js";
import { hexBytes } from "./config.js";
import type { BuiltTable, TableDiff, TableKind } from "./table-kinds.js";

const ROWS = 65536;
const CONFIG_FIELDS = new Set(["algorithm", "profile", "size", "seed", "hash_key", "hashKey", "backends", "binds", "swap", "hash_fields", "hashFields"]);
const BACKEND_FIELDS = new Set(["id", "ip", "state", "healthy"]);

/** What a diff needs: backend ids and the rows, u32[65536 * 2]. */
export interface GlbRows {
  ids: readonly string[];
  rows: Uint32Array;
}

function key16(value: unknown, what: string): Uint8Array {
  if (typeof value !== "string") throw flowpinError("INVALID_KEY", `${what} must be 32 hex digits (16 bytes), got ${show(value)}`);
  const b = hexBytes(value, what);
  if (b.length !== 16) throw flowpinError("INVALID_KEY", `${what} must be 32 hex digits (16 bytes), got ${b.length} bytes`);
  return b;
}

function backendFrom(b: Record<string, unknown>, i: number): { input: GlbBackendInput } {
  for (const k of Object.keys(b)) {
    if (!BACKEND_FIELDS.has(k)) throw flowpinError("INVALID_CONFIG", `backends[${i}].${k} is not a glb backend field (known: ${[...BACKEND_FIELDS].join(", ")})`);
  }
  const id = b.id ?? b.ip;
  if (b.id !== undefined && b.ip !== undefined && b.id !== b.ip) throw flowpinError("INVALID_CONFIG", `backends[${i}]: give "id" or "ip", not two different addresses`);
  if (typeof id !== "string") throw flowpinError("INVALID_CONFIG", `backends[${i}].id must be the backend's IP address, got ${show(id)}`);
  return { input: { address: id, state: b.state as GlbBackendInput["state"], healthy: b.healthy as boolean | undefined } };
}

function bindFrom(b: unknown, i: number): GlbBindInput {
  if (typeof b !== "object" || b === null || Array.isArray(b)) throw flowpinError("INVALID_CONFIG", `binds[${i}] must be an object, got ${show(b)}`);
  const o = b as Record<string, unknown>;
  return { ip: o.ip as string, proto: o.proto as "tcp", port: o.port as number | undefined, portStart: (o.port_start ?? o.portStart) as number | undefined, portEnd: (o.port_end ?? o.portEnd) as number | undefined };
}

export function glbDiff(a: GlbRows, b: GlbRows): TableDiff {
  let primary = 0;
  let either = 0;
  for (let r = 0; r < ROWS; r++) {
    const p = a.ids[a.rows[2 * r]!] !== b.ids[b.rows[2 * r]!];
    const s = a.ids[a.rows[2 * r + 1]!] !== b.ids[b.rows[2 * r + 1]!];
    if (p) primary++;
    if (p || s) either++;
  }
  const doc = { algorithm: "glb", rows: ROWS, primaryChanged: primary, primaryFraction: primary / ROWS, eitherChanged: either, eitherFraction: either / ROWS };
  const pct = (x: number): string => `${(100 * x).toFixed(3)}%`;
  return {
    json: () => doc,
    text: () => `rows whose primary changed: ${primary} of ${ROWS} (${pct(doc.primaryFraction)})\nrows whose primary or secondary changed: ${either} of ${ROWS} (${pct(doc.eitherFraction)})\n`,
  };
}

export function glbRowsJson(t: GlbRows): unknown {
  const rows: [number, number][] = new Array(ROWS);
  for (let r = 0; r < ROWS; r++) rows[r] = [t.rows[2 * r]!, t.rows[2 * r + 1]!];
  return { algorithm: "glb", profile: "glb", size: ROWS, backends: t.ids.slice(), rows };
}

export function glbRowsText(t: GlbRows, states?: readonly string[]): string {
  const prim = new Array<number>(t.ids.length).fill(0);
  const sec = new Array<number>(t.ids.length).fill(0);
  for (let r = 0; r < ROWS; r++) {
    prim[t.rows[2 * r]!]!++;
    sec[t.rows[2 * r + 1]!]!++;
  }
  const lines = [`glb table: ${ROWS} rows, ${t.ids.length} backends`, "", `${"backend".padEnd(40)} ${"state".padEnd(16)} ${"primary".padStart(8)} ${"share".padStart(8)} ${"secondary".padStart(9)}`];
  t.ids.forEach((id, i) => {
    lines.push(`${padCell(id, 40)} ${(states?.[i] ?? "").padEnd(16)} ${String(prim[i]).padStart(8)} ${`${((100 * prim[i]!) / ROWS).toFixed(3)}%`.padStart(8)} ${String(sec[i]).padStart(9)}`);
  });
  lines.push("", "first rows (primary, secondary):");
  for (let r = 0; r < 8; r++) lines.push(`  ${String(r).padStart(5)}  ${t.rows[2 * r]}, ${t.rows[2 * r + 1]}`);
  return `${lines.join("\n")}\n`;
}

class GlbBuilt implements BuiltTable {
  readonly r: GlbRows;
  constructor(
    readonly table: GlbTable,
    ids: readonly string[],
  ) {
    this.r = { ids, rows: table.rows() };
  }
  json(): unknown {
    return glbRowsJson(this.r);
  }
  text(): string {
    return glbRowsText(this.r, this.table.backends.map((b) => `${b.state}${b.healthy ? "" : ",down"}`));
  }
  bin(): Uint8Array {
    return this.table.toBytes();
  }
  diff(other: BuiltTable): TableDiff {
    return glbDiff(this.r, rowsOf(other));
  }
}

class GlbJson implements BuiltTable {
  constructor(readonly r: GlbRows) {}
  json(): unknown {
    return glbRowsJson(this.r);
  }
  text(): string {
    return glbRowsText(this.r);
  }
  diff(other: BuiltTable): TableDiff {
    return glbDiff(this.r, rowsOf(other));
  }
}

function rowsOf(t: BuiltTable): GlbRows {
  if (t instanceof GlbBuilt || t instanceof GlbJson) return t.r;
  throw flowpinError("INVALID_CONFIG", "diff needs two glb tables");
}

export const glbKind: TableKind = {
  fromConfig(config: FleetConfig): BuiltTable {
    for (const k of Object.keys(config)) {
      if (!CONFIG_FIELDS.has(k)) throw flowpinError("INVALID_CONFIG", `"${k}" is not a glb config field (known: ${[...CONFIG_FIELDS].join(", ")})`);
    }
    if (config.profile !== undefined && config.profile !== "glb") throw flowpinError("UNKNOWN_PROFILE", `glb tables have one profile, "glb"; got ${show(config.profile)}`);
    if (config.size !== undefined && config.size !== ROWS) throw flowpinError("INVALID_TABLE_SIZE", `glb tables have ${ROWS} rows; "size" must be ${ROWS} or absent, got ${show(config.size)}`);
    if (config.seed === undefined) throw flowpinError("INVALID_KEY", `"seed" (32 hex digits) is required for glb tables`);
    const seed = key16(config.seed, '"seed"');
    const hk = config.hash_key ?? config.hashKey;
    if (hk === undefined) throw flowpinError("INVALID_KEY", `"hash_key" (32 hex digits) is required for glb tables: glb-director hashes flows with it`);
    const hashKey = key16(hk, '"hash_key"');
    const bs = config.backends.map(backendFrom);
    const binds = config.binds ?? [];
    if (!Array.isArray(binds)) throw flowpinError("INVALID_CONFIG", `"binds" must be an array, got ${show(binds)}`);
    const table = new GlbTable({
      seed,
      hashKey,
      backends: bs.map((b) => b.input),
      binds: binds.map(bindFrom),
      swap: config.swap as "glb-director" | undefined,
      hashFields: (config.hash_fields ?? config.hashFields) as never,
    });
    // Ids are the canonical address text, so a config and the binary file it produced compare equal.
    return new GlbBuilt(table, table.backends.map((b) => b.address));
  },

  fromJson(doc: Record<string, unknown>): BuiltTable {
    const { backends, rows } = doc;
    if (!Array.isArray(backends) || backends.length === 0 || backends.some((b) => typeof b !== "string") || new Set(backends).size !== backends.length) {
      throw flowpinError("INVALID_CONFIG", `glb table JSON: "backends" must be a non-empty array of distinct id strings, got ${show(backends)}`);
    }
    if (!Array.isArray(rows) || rows.length !== ROWS) throw flowpinError("INVALID_CONFIG", `glb table JSON: "rows" must be an array of ${ROWS} [primary, secondary] pairs, got ${show(rows)}`);
    const out = new Uint32Array(2 * ROWS);
    rows.forEach((pair: unknown, r) => {
      const ok = Array.isArray(pair) && pair.length === 2 && pair.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0 && x < backends.length);
      if (!ok) throw flowpinError("INVALID_CONFIG", `glb table JSON: rows[${r}] must be [primary, secondary] indices in 0..${backends.length - 1}, got ${show(pair)}`);
      out[2 * r] = (pair as number[])[0]!;
      out[2 * r + 1] = (pair as number[])[1]!;
    });
    return new GlbJson({ ids: backends as string[], rows: out });
  },

  fromBytes(bytes: Uint8Array): BuiltTable | undefined {
    // "GLBD": glb-director's file; anything else belongs to another kind.
    if (bytes.length < 4 || bytes[0] !== 0x47 || bytes[1] !== 0x4c || bytes[2] !== 0x42 || bytes[3] !== 0x44) return undefined;
    const tables = GlbTable.allFromBytes(bytes);
    if (tables.length !== 1) throw flowpinError("INVALID_CONFIG", `this glb-director file holds ${tables.length} tables; flowpin diff compares files of one table`);
    const t = tables[0]!;
    return new GlbBuilt(t, t.backends.map((b) => b.address));
  },
};
