// `flowpin table` / `flowpin diff` for "algorithm": "maglev" (DESIGN.md CLI contract):
// JSON {"algorithm", "profile", "size", "backends": [ids in input order], "table": [...]},
// text with per-backend shares and a compact view, bin = Maglev.toBytes().
//
// Config: {"algorithm": "maglev", "profile": "envoy"|"katran"|"cilium"|"ipvs", "size": M,
// "backends": [{"id", "weight", ...profile fields}], ...profile options}. A backend with
// "healthy": false or a "state" other than "active" stays listed with no slots (weight 0).
// Katran hashes may be JSON numbers or decimal strings (u64 does not fit a JSON number);
// the Cilium seed is its base64 cluster seed, or the same 12 bytes as 24 hex digits.
import { padCell } from "./text-width.js";
import { flowpinError, show } from "../errors.js";
import { Maglev, diffTables, type MaglevBackend, type MaglevDiff, type SlotTable } from "../maglev.js";
import { maglevSeedOption, type FleetConfig } from "./config.js";
import type { BuiltTable, TableDiff, TableKind } from "./table-kinds.js";

const BACKEND_FIELDS = new Set(["id", "weight", "key", "locality", "hash", "address", "port", "protocol", "internal", "state", "healthy"]);

function backendFrom(b: Record<string, unknown>, i: number): MaglevBackend {
  for (const k of Object.keys(b)) {
    if (!BACKEND_FIELDS.has(k)) throw flowpinError("INVALID_CONFIG", `backends[${i}].${k} is not a maglev backend field (known: ${[...BACKEND_FIELDS].join(", ")})`);
  }
  const { state, healthy, ...rest } = b;
  if (healthy !== undefined && typeof healthy !== "boolean") throw flowpinError("INVALID_CONFIG", `backends[${i}].healthy must be true or false, got ${show(healthy)}`);
  if (state !== undefined && typeof state !== "string") throw flowpinError("INVALID_CONFIG", `backends[${i}].state must be a string, got ${show(state)}`);
  const out: Record<string, unknown> = { ...rest };
  if (typeof out.hash === "string") {
    if (!/^[0-9]{1,20}$/.test(out.hash)) throw flowpinError("INVALID_KEY", `backends[${i}].hash must be a decimal u64, got ${show(out.hash)}`);
    out.hash = BigInt(out.hash);
  }
  if (healthy === false || (state !== undefined && state !== "active")) out.weight = 0;
  return out as unknown as MaglevBackend;
}

export function diffText(d: MaglevDiff): string {
  const pct = (x: number): string => `${(100 * x).toFixed(3)}%`;
  const lines = [
    `slots moved: ${d.moved} of ${d.size} (${pct(d.fraction)})`,
    `disruption (moves between unchanged backends): ${d.disruption.moved} (${pct(d.disruption.fraction)})`,
    "",
    `${"backend".padEnd(24)} ${"status".padEnd(9)} ${"before".padStart(8)} ${"after".padStart(8)} ${"gained".padStart(8)} ${"lost".padStart(8)}`,
  ];
  for (const b of d.backends) {
    if (b.status === "unchanged" && b.gained === 0 && b.lost === 0) continue;
    lines.push(`${padCell(b.id, 24)} ${b.status.padEnd(9)} ${String(b.before).padStart(8)} ${String(b.after).padStart(8)} ${String(b.gained).padStart(8)} ${String(b.lost).padStart(8)}`);
  }
  return `${lines.join("\n")}\n`;
}

function tableDiff(d: MaglevDiff): TableDiff {
  return { json: () => ({ algorithm: "maglev", ...d }), text: () => diffText(d) };
}

const GLYPHS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** The first slots as one glyph per backend index (up to 62 backends), 64 per line. */
export function compactView(table: ArrayLike<number>, n: number): string {
  if (n > GLYPHS.length) return `(compact view needs at most ${GLYPHS.length} backends; use --format json)\n`;
  const shown = Math.min(table.length, 512);
  let out = "";
  for (let s = 0; s < shown; s += 64) {
    let row = "";
    for (let k = s; k < Math.min(s + 64, shown); k++) row += GLYPHS[table[k]!];
    out += `${String(s).padStart(8)}  ${row}\n`;
  }
  if (shown < table.length) out += `${"".padStart(8)}  ... ${table.length - shown} more slots\n`;
  return out;
}

class MaglevTable implements BuiltTable {
  constructor(readonly lb: Maglev) {}

  json(): unknown {
    return { algorithm: "maglev", profile: this.lb.profile, size: this.lb.size, backends: this.lb.backends.map((b) => b.id), table: Array.from(this.lb.table) };
  }

  text(): string {
    const s = this.lb.stats();
    const n = this.lb.backends.length;
    const lines = [`maglev table: profile ${this.lb.profile}, size ${this.lb.size}, ${n} backends`, ""];
    const glyph = n <= GLYPHS.length;
    lines.push(`${glyph ? "   " : ""}${"backend".padEnd(24)} ${"weight".padStart(8)} ${"slots".padStart(9)} ${"share".padStart(8)} ${"ideal".padStart(8)}`);
    this.lb.backends.forEach((b, i) => {
      const share = `${((100 * s.entries[i]!) / s.size).toFixed(3)}%`;
      const ideal = `${(100 * s.ideal[i]!).toFixed(3)}%`;
      lines.push(`${glyph ? `${GLYPHS[i]}  ` : ""}${padCell(b.id, 24)} ${String(b.weight).padStart(8)} ${String(s.entries[i]).padStart(9)} ${share.padStart(8)} ${ideal.padStart(8)}`);
    });
    lines.push("", `slots per backend: min ${s.min}, max ${s.max}, mean ${s.mean.toFixed(2)}; worst / ideal ${s.maxOverIdeal.toFixed(4)}`, "");
    return `${lines.join("\n")}\n${compactView(this.lb.table, n)}`;
  }

  bin(): Uint8Array {
    return this.lb.toBytes();
  }

  diff(other: BuiltTable): TableDiff {
    sameProfile(this.lb.profile, other);
    if (other instanceof MaglevTable) return tableDiff(Maglev.diff(this.lb, other.lb));
    if (other instanceof JsonMaglevTable) return tableDiff(diffTables(slots(this.lb), other.slots, () => false));
    throw flowpinError("INVALID_CONFIG", "diff needs two maglev tables");
  }
}

/**
 * Tables of two profiles do not describe one fleet changing: each profile has its own
 * permutation hashes and flow hash, so nearly every slot "moves" (envoy vs katran: 90 %).
 */
function sameProfile(profile: string, other: BuiltTable): void {
  const theirs = other instanceof MaglevTable ? other.lb.profile : other instanceof JsonMaglevTable ? other.doc.profile : undefined;
  if (theirs !== undefined && theirs !== profile) {
    throw flowpinError("INVALID_CONFIG", `cannot diff a maglev table of profile ${profile} against one of profile ${theirs}: they are different algorithms, not one fleet changing`);
  }
}

function slots(lb: Maglev): SlotTable {
  return { ids: lb.backends.map((b) => b.id), table: lb.table };
}

/** A table reloaded from `--format json` output: ids and slots only (no weights or keys). */
class JsonMaglevTable implements BuiltTable {
  constructor(
    readonly doc: { profile: string; size: number },
    readonly slots: SlotTable,
  ) {}

  json(): unknown {
    return { algorithm: "maglev", profile: this.doc.profile, size: this.doc.size, backends: this.slots.ids, table: Array.from(this.slots.table) };
  }

  text(): string {
    const counts = new Array<number>(this.slots.ids.length).fill(0);
    for (let i = 0; i < this.slots.table.length; i++) counts[this.slots.table[i]!]!++;
    const rows = this.slots.ids.map((id, i) => `${padCell(id, 24)} ${String(counts[i]).padStart(9)} ${((100 * counts[i]!) / this.doc.size).toFixed(3).padStart(7)}%`);
    return `maglev table: profile ${this.doc.profile}, size ${this.doc.size}, ${this.slots.ids.length} backends\n\n${rows.join("\n")}\n\n${compactView(this.slots.table, this.slots.ids.length)}`;
  }

  diff(other: BuiltTable): TableDiff {
    sameProfile(this.doc.profile, other);
    // Without weights or keys a backend present on both sides counts as unchanged.
    const o = other instanceof MaglevTable ? slots(other.lb) : other instanceof JsonMaglevTable ? other.slots : undefined;
    if (!o) throw flowpinError("INVALID_CONFIG", "diff needs two maglev tables");
    return tableDiff(diffTables(this.slots, o, () => false));
  }
}

export const maglevKind: TableKind = {
  fromConfig(config: FleetConfig): BuiltTable {
    const { algorithm: _a, seed, backends, ...rest } = config;
    const options: Record<string, unknown> = { ...rest, backends: backends.map(backendFrom) };
    if (seed !== undefined) options.seed = maglevSeedOption(seed);
    return new MaglevTable(new Maglev(options as never));
  },

  fromJson(doc: Record<string, unknown>): BuiltTable {
    const { profile, size, backends, table } = doc;
    if (typeof profile !== "string") throw flowpinError("INVALID_CONFIG", `maglev table JSON: "profile" must be a string, got ${show(profile)}`);
    if (typeof size !== "number" || !Number.isInteger(size) || size < 1) throw flowpinError("INVALID_CONFIG", `maglev table JSON: "size" must be a positive integer, got ${show(size)}`);
    if (!Array.isArray(backends) || backends.some((b) => typeof b !== "string") || new Set(backends).size !== backends.length) {
      throw flowpinError("INVALID_CONFIG", `maglev table JSON: "backends" must be an array of distinct id strings, got ${show(backends)}`);
    }
    if (!Array.isArray(table) || table.length !== size) throw flowpinError("INVALID_CONFIG", `maglev table JSON: "table" must be an array of ${size} indices, got ${show(table)}`);
    table.forEach((x: unknown, i) => {
      if (typeof x !== "number" || !Number.isInteger(x) || x < 0 || x >= backends.length) {
        throw flowpinError("INVALID_CONFIG", `maglev table JSON: table[${i}] must be a backend index in 0..${backends.length - 1}, got ${show(x)}`);
      }
    });
    return new JsonMaglevTable({ profile, size }, { ids: backends as string[], table: Uint32Array.from(table as number[]) });
  },

  fromBytes(bytes: Uint8Array): BuiltTable | undefined {
    // "FPMG": flowpin's Maglev file; anything else belongs to another kind.
    if (bytes.length < 4 || bytes[0] !== 0x46 || bytes[1] !== 0x50 || bytes[2] !== 0x4d || bytes[3] !== 0x47) return undefined;
    return new MaglevTable(Maglev.fromBytes(bytes));
  },
};
