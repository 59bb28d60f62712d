// `flowpin table` / `flowpin diff` for "algorithm": "rendezvous".
//
// Config: {"algorithm": "rendezvous", "profile": "flowpin" | "envoy" | "go-rendezvous", "size": 65536,
//   "backends": [{"id": "10.0.0.1:80", "weight": 1, "key": "...", "state": "active", "healthy": true}]}
// A backend with "healthy": false or a "state" other than "active" stays listed with weight 0.
// Rendezvous has no table of its own; the JSON "table" is the pick for each flow hash
// 0..size-1 (default 65536), a fixed slice of the hash space that `diff` compares:
// {"algorithm": "rendezvous", "profile", "size", "backends": [ids in input order],
//  "weights": [...], "table": [index per hash]}.
import { padCell } from "./text-width.js";
import { flowpinError, show } from "../errors.js";
import { diffTables, type MaglevDiff, type SlotTable } from "../maglev.js";
import { Rendezvous, type RendezvousBackend, type RendezvousProfile } from "../rendezvous.js";
import type { FleetConfig } from "./config.js";
import type { BuiltTable, TableDiff, TableKind } from "./table-kinds.js";

const CONFIG_FIELDS = new Set(["algorithm", "profile", "size", "backends"]);
const BACKEND_FIELDS = new Set(["id", "weight", "key", "state", "healthy"]);
const DEFAULT_SIZE = 65536;
const MAX_SIZE = 1 << 24;

function backendFrom(b: Record<string, unknown>, i: number): RendezvousBackend {
  for (const k of Object.keys(b)) {
    if (!BACKEND_FIELDS.has(k)) throw flowpinError("INVALID_CONFIG", `backends[${i}].${k} is not a rendezvous backend field (known: ${[...BACKEND_FIELDS].join(", ")})`);
  }
  const { state, healthy, ...rest } = b;
  if (healthy !== undefined && typeof healthy !== "boolean") throw flowpinError("INVALID_CONFIG", `backends[${i}].healthy must be true or false, got ${show(healthy)}`);
  if (state !== undefined && typeof state !== "string") throw flowpinError("INVALID_CONFIG", `backends[${i}].state must be a string, got ${show(state)}`);
  const out = { ...rest } as Record<string, unknown>;
  if (healthy === false || (state !== undefined && state !== "active")) out.weight = 0;
  return out as unknown as RendezvousBackend;
}

interface Picks {
  profile: string;
  ids: readonly string[];
  weights: readonly number[];
  table: Uint32Array;
}

function picks(rdv: Rendezvous, size: number): Uint32Array {
  const hashes = new Uint32Array(size);
  for (let i = 0; i < size; i++) hashes[i] = i;
  return rdv.pickBatch(hashes, new Uint32Array(size));
}

function diffOf(a: Picks, b: Picks): TableDiff {
  if (a.table.length !== b.table.length) throw flowpinError("INVALID_TABLE_SIZE", `rendezvous diff needs one "size" on both sides, got ${a.table.length} and ${b.table.length}`);
  const wa = new Map(a.ids.map((id, i) => [id, a.weights[i]]));
  const wb = new Map(b.ids.map((id, i) => [id, b.weights[i]]));
  const d: MaglevDiff = diffTables({ ids: a.ids, table: a.table } as SlotTable, { ids: b.ids, table: b.table } as SlotTable, (id) => wa.get(id) !== wb.get(id));
  const pct = (x: number): string => `${(100 * x).toFixed(3)}%`;
  return {
    json: () => ({ algorithm: "rendezvous", ...d }),
    text: () => {
      const lines = [`hashes that moved: ${d.moved} of ${d.size} (${pct(d.fraction)})`, `moves between unchanged backends: ${d.disruption.moved} (${pct(d.disruption.fraction)})`, ""];
      for (const x of d.backends) if (x.status !== "unchanged" || x.gained || x.lost) lines.push(`${padCell(x.id, 24)} ${x.status.padEnd(9)} ${String(x.before).padStart(8)} -> ${String(x.after).padStart(8)}  +${x.gained} -${x.lost}`);
      return `${lines.join("\n")}\n`;
    },
  };
}

class RendezvousBuilt implements BuiltTable {
  constructor(readonly p: Picks) {}
  json(): unknown {
    return { algorithm: "rendezvous", profile: this.p.profile, size: this.p.table.length, backends: this.p.ids.slice(), weights: this.p.weights.slice(), table: Array.from(this.p.table) };
  }
  text(): string {
    const n = this.p.table.length;
    const counts = new Array<number>(this.p.ids.length).fill(0);
    for (const i of this.p.table) counts[i]!++;
    const total = this.p.weights.reduce((s, w) => s + w, 0);
    const lines = [`rendezvous: profile ${this.p.profile}, ${this.p.ids.length} backends, picks for flow hashes 0..${n - 1}`, "", `${"backend".padEnd(24)} ${"weight".padStart(8)} ${"picks".padStart(9)} ${"share".padStart(8)} ${"ideal".padStart(8)}`];
    this.p.ids.forEach((id, i) => {
      lines.push(`${padCell(id, 24)} ${String(this.p.weights[i]).padStart(8)} ${String(counts[i]).padStart(9)} ${`${((100 * counts[i]!) / n).toFixed(3)}%`.padStart(8)} ${`${((100 * this.p.weights[i]!) / total).toFixed(3)}%`.padStart(8)}`);
    });
    return `${lines.join("\n")}\n`;
  }
  diff(other: BuiltTable): TableDiff {
    if (!(other instanceof RendezvousBuilt)) throw flowpinError("INVALID_CONFIG", "diff needs two rendezvous tables");
    return diffOf(this.p, other.p);
  }
}

export const rendezvousKind: TableKind = {
  fromConfig(config: FleetConfig): BuiltTable {
    for (const k of Object.keys(config)) {
      if (!CONFIG_FIELDS.has(k)) throw flowpinError("INVALID_CONFIG", `"${k}" is not a rendezvous config field (known: ${[...CONFIG_FIELDS].join(", ")})`);
    }
    const size = config.size ?? DEFAULT_SIZE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_SIZE) throw flowpinError("INVALID_TABLE_SIZE", `"size" (how many flow hashes to list) must be an integer in 1..${MAX_SIZE}, got ${show(size)}`);
    const rdv = new Rendezvous({ backends: config.backends.map(backendFrom), profile: config.profile as RendezvousProfile | undefined });
    return new RendezvousBuilt({ profile: rdv.profile, ids: rdv.backends.map((b) => b.id), weights: rdv.backends.map((b) => b.weight), table: picks(rdv, size) });
  },

  fromJson(doc: Record<string, unknown>): BuiltTable {
    const { profile, backends, weights, table } = doc;
    if (typeof profile !== "string") throw flowpinError("INVALID_CONFIG", `rendezvous table JSON: "profile" must be a string, got ${show(profile)}`);
    if (!Array.isArray(backends) || backends.length === 0 || backends.some((b) => typeof b !== "string") || new Set(backends).size !== backends.length) {
      throw flowpinError("INVALID_CONFIG", `rendezvous table JSON: "backends" must be a non-empty array of distinct id strings, got ${show(backends)}`);
    }
    if (!Array.isArray(weights) || weights.length !== backends.length || weights.some((w) => typeof w !== "number")) {
      throw flowpinError("INVALID_CONFIG", `rendezvous table JSON: "weights" must be ${backends.length} numbers, got ${show(weights)}`);
    }
    if (!Array.isArray(table) || table.length === 0 || table.some((x) => typeof x !== "number" || !Number.isInteger(x) || x < 0 || x >= backends.length)) {
      throw flowpinError("INVALID_CONFIG", `rendezvous table JSON: "table" must be backend indices in 0..${backends.length - 1}`);
    }
    return new RendezvousBuilt({ profile, ids: backends as string[], weights: weights as number[], table: Uint32Array.from(table as number[]) });
  },
};
