// `flowpin table --config SYSTEM` and `flowpin diff OLD NEW` (two system configs, no flows):
// the tables a production system looks flows up in, from `System.table()`.
//
// Output shape: a system with one table prints flowpin's table JSON with "system" and "name"
// added ({"system", "name", "algorithm": "maglev", "profile", "size", "backends", "table"} —
// the shape `flowpin diff` reloads); a system with several (glb-director's
// forwarding_table.json with several tables, an Envoy cluster with several priorities) prints
// {"system", "tables": [one such object per table, in order]}. Kinds:
//   maglev  {"algorithm": "maglev", "profile", "size", "backends", "table": [index per slot, -1 empty]}
//   map     {"algorithm": "map", "profile": "haproxy", "size", "backends", "table": [...]}  (key % size)
//   glb     {"algorithm": "glb", "profile": "glb", "size": 65536, "backends", "rows": [[primary, secondary], ...]}
//   ring    {"algorithm": "ring", "profile", "rule": "successor"|"closest", "bits", "size": points,
//            "backends", "points": [hex hash per point, ascending], "owners": [index per point]}
// --format bin: flowpin's FPMG file for a Maglev table, glb-director's .bin (every table of the
// file, as glb-director-cli writes it) for glb; rings and maps have no binary form.
// diff pairs the tables by name: slots (maglev, map), rows (glb) or the share of the hash
// space (ring, exact: both rings' ownership is constant between their merged boundaries).
import { flowpinError } from "../errors.js";
import { encodeGlbFile } from "../glb-bytes.js";
import { diffTables, type MaglevDiff } from "../maglev.js";
import type { SystemRingTable, SystemSlotTable, SystemTable, SystemTables } from "../systems/system.js";
import { usage } from "./io.js";
import { compactView, diffText } from "./table-maglev.js";
import { glbDiff, glbRowsJson, glbRowsText } from "./table-glb.js";
import { padCell } from "./text-width.js";

const EMPTY = "(empty slot)";
const hex = (x: number | bigint, bits: 32 | 64): string => x.toString(16).padStart(bits / 4, "0");

function tableJson(t: SystemTable): Record<string, unknown> {
  switch (t.kind) {
    case "maglev":
    case "map":
      return { name: t.name, algorithm: t.kind, profile: t.profile, size: t.size, backends: t.backends, table: Array.from(t.table) };
    case "glb":
      return { name: t.name, ...(glbRowsJson({ ids: t.backends, rows: t.rows }) as Record<string, unknown>) };
    case "ring":
      return {
        name: t.name,
        algorithm: "ring",
        profile: t.profile,
        rule: t.rule,
        bits: t.bits,
        size: t.points.length,
        backends: t.backends,
        points: Array.from(t.points as ArrayLike<number | bigint>, (p) => hex(p, t.bits)),
        owners: Array.from(t.owners),
      };
  }
}

/** Why there is nothing to print: exit 2 with the system's reason. */
function needTables(t: SystemTables): void {
  if (t.tables.length === 0) usage(`the ${t.system} system has no table here: ${t.none ?? "none"}; route flows through it with flowpin route`);
}

export function systemTablesJson(t: SystemTables): string {
  needTables(t);
  const doc = t.tables.length === 1 ? { system: t.system, ...tableJson(t.tables[0]!) } : { system: t.system, tables: t.tables.map(tableJson) };
  return `${JSON.stringify(doc)}\n`;
}

function slotText(t: SystemSlotTable): string {
  const n = t.backends.length;
  const counts = new Array<number>(n).fill(0);
  let empty = 0;
  for (let i = 0; i < t.size; i++) {
    const b = t.table[i]!;
    if (b < 0) empty++;
    else counts[b]!++;
  }
  const lines = [`${t.kind} table: profile ${t.profile}, size ${t.size}, ${n} backends${empty ? `, ${empty} empty slots` : ""}`, "", `${"backend".padEnd(24)} ${"weight".padStart(8)} ${"slots".padStart(9)} ${"share".padStart(8)}`];
  t.backends.forEach((id, i) => lines.push(`${padCell(id, 24)} ${String(t.weights[i]).padStart(8)} ${String(counts[i]).padStart(9)} ${`${((100 * counts[i]!) / t.size).toFixed(3)}%`.padStart(8)}`));
  return `${lines.join("\n")}\n\n${empty ? "" : compactView(t.table, n)}`;
}

/** Share of the 2^bits hash space each backend owns. */
function ringShares(t: SystemRingTable): number[] {
  const shares = new Array<number>(t.backends.length).fill(0);
  const breaks = ringBreaks(t);
  const space = 1n << BigInt(t.bits);
  for (let i = 0; i < breaks.length; i++) {
    const len = breaks.length === 1 ? space : (((breaks[i]! - breaks[(i + breaks.length - 1) % breaks.length]!) % space) + space) % space;
    shares[ringOwner(t, breaks[i]!)]! += Number(len) / Number(space);
  }
  return shares;
}

function ringText(t: SystemRingTable): string {
  const shares = ringShares(t);
  const points = new Array<number>(t.backends.length).fill(0);
  for (const o of t.owners) points[o]!++;
  const lines = [`ring: profile ${t.profile}, ${t.points.length} points, ${t.bits}-bit hashes, a hash goes to the ${t.rule === "successor" ? "first point at or above it" : "closest point"}`, "", `${"backend".padEnd(24)} ${"points".padStart(9)} ${"share".padStart(8)}`];
  t.backends.forEach((id, i) => lines.push(`${padCell(id, 24)} ${String(points[i]).padStart(9)} ${`${(100 * shares[i]!).toFixed(3)}%`.padStart(8)}`));
  return `${lines.join("\n")}\n`;
}

function tableText(t: SystemTable): string {
  switch (t.kind) {
    case "maglev":
    case "map":
      return slotText(t);
    case "glb":
      return glbRowsText({ ids: t.backends, rows: t.rows });
    case "ring":
      return ringText(t);
  }
}

export function systemTablesText(t: SystemTables): string {
  needTables(t);
  return t.tables.map((x) => `${t.system} ${x.name}\n${tableText(x)}`).join("\n");
}

/** flowpin's FPMG for a system with one Maglev table; glb-director's .bin for glb. */
export function systemTablesBin(t: SystemTables): Uint8Array {
  needTables(t);
  const first = t.tables[0]!;
  if (first.kind === "glb") return encodeGlbFile(t.tables.map((x) => (x as typeof first).file));
  if (first.kind === "maglev") {
    if (t.tables.length > 1) usage(`the ${t.system} config has ${t.tables.length} tables (${t.tables.map((x) => x.name).join(", ")}); a flowpin Maglev file holds one: use --format json`);
    if (!first.toBytes) usage(`the ${t.system} table has no backend in any slot, and a flowpin Maglev file needs one`);
    return first.toBytes();
  }
  usage(`${first.kind === "ring" ? "a ring" : "a map"} (${t.system}) has no binary form: use --format json or text`);
}

// ---- diff ----

function slotDiff(a: SystemSlotTable, b: SystemSlotTable): MaglevDiff {
  // An empty slot is one more "backend", so slots that empty or fill count as moved.
  const ids = (t: SystemSlotTable) => [...t.backends, EMPTY];
  const slots = (t: SystemSlotTable) => Uint32Array.from(t.table, (x) => (x < 0 ? t.backends.length : x));
  const wa = new Map(a.backends.map((id, i) => [id, a.weights[i]]));
  const wb = new Map(b.backends.map((id, i) => [id, b.weights[i]]));
  return diffTables({ ids: ids(a), table: slots(a) }, { ids: ids(b), table: slots(b) }, (id) => wa.get(id) !== wb.get(id));
}

/** The last hash of each ownership interval (b_{k-1}, b_k], ascending, as bigints. */
function ringBreaks(t: SystemRingTable): bigint[] {
  const n = t.points.length;
  const p = (i: number): bigint => BigInt(t.points[i]!);
  if (t.rule === "successor") return Array.from({ length: n }, (_, i) => p(i));
  // closest: between consecutive points a < b the hashes up to a + floor((b - a) / 2) are a's
  // (a tie goes to the lower node, lb_chash.c), the rest b's; the gap wraps past the top.
  const space = 1n << BigInt(t.bits);
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const gap = n === 1 ? space : (((p((i + 1) % n) - p(i)) % space) + space) % space;
    out.push((p(i) + gap / 2n) % space);
  }
  return out.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** The backend index owning hash h, by the ring's rule. */
function ringOwner(t: SystemRingTable, h: bigint): number {
  const n = t.points.length;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (BigInt(t.points[mid]!) < h) lo = mid + 1;
    else hi = mid;
  }
  const next = lo === n ? 0 : lo;
  if (t.rule === "successor") return t.owners[next]!;
  const space = 1n << BigInt(t.bits);
  const prev = next === 0 ? n - 1 : next - 1;
  const dp = (((h - BigInt(t.points[prev]!)) % space) + space) % space;
  const dn = (((BigInt(t.points[next]!) - h) % space) + space) % space;
  return t.owners[dp <= dn ? prev : next]!;
}

interface RingDiff {
  algorithm: "ring";
  /** Share of the hash space whose backend changed. */
  moved: number;
  backends: { id: string; before: number; after: number }[];
}

function ringDiff(a: SystemRingTable, b: SystemRingTable): RingDiff {
  if (a.bits !== b.bits || a.rule !== b.rule) throw flowpinError("INVALID_CONFIG", "diff needs two rings of one kind");
  const space = 1n << BigInt(a.bits);
  const merged = [...new Set([...ringBreaks(a), ...ringBreaks(b)])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  let moved = 0n;
  const before = new Map<string, bigint>();
  const after = new Map<string, bigint>();
  for (let i = 0; i < merged.length; i++) {
    const h = merged[i]!;
    const len = merged.length === 1 ? space : (((h - merged[(i + merged.length - 1) % merged.length]!) % space) + space) % space;
    const x = a.backends[ringOwner(a, h)]!;
    const y = b.backends[ringOwner(b, h)]!;
    before.set(x, (before.get(x) ?? 0n) + len);
    after.set(y, (after.get(y) ?? 0n) + len);
    if (x !== y) moved += len;
  }
  const ids = [...new Set([...a.backends, ...b.backends])];
  const share = (x: bigint | undefined): number => Number(x ?? 0n) / Number(space);
  return { algorithm: "ring", moved: share(moved), backends: ids.map((id) => ({ id, before: share(before.get(id)), after: share(after.get(id)) })) };
}

function ringDiffText(d: RingDiff): string {
  const pct = (x: number): string => `${(100 * x).toFixed(3)}%`;
  const lines = [`hash space that moved: ${pct(d.moved)}`, "", `${"backend".padEnd(24)} ${"before".padStart(9)} ${"after".padStart(9)}`];
  for (const b of d.backends) lines.push(`${padCell(b.id, 24)} ${pct(b.before).padStart(9)} ${pct(b.after).padStart(9)}`);
  return `${lines.join("\n")}\n`;
}

/** One table pair: its JSON and text. */
function pairDiff(a: SystemTable, b: SystemTable): { json: Record<string, unknown>; text: string } {
  if (a.kind !== b.kind) usage(`cannot diff ${a.name}: a ${a.kind} table against a ${b.kind} table`);
  if (a.kind === "glb" && b.kind === "glb") {
    const d = glbDiff({ ids: a.backends, rows: a.rows }, { ids: b.backends, rows: b.rows });
    return { json: d.json() as Record<string, unknown>, text: d.text() };
  }
  if (a.kind === "ring" && b.kind === "ring") {
    const d = ringDiff(a, b);
    return { json: { ...d }, text: ringDiffText(d) };
  }
  const d = slotDiff(a as SystemSlotTable, b as SystemSlotTable);
  return { json: { algorithm: a.kind, ...d }, text: diffText(d) };
}

/** `flowpin diff` of two configs of one system without flows: their tables, paired by name. */
export function systemTablesDiff(a: SystemTables, b: SystemTables, format: "json" | "text"): string {
  needTables(a);
  needTables(b);
  const names = [...new Set([...a.tables.map((t) => t.name), ...b.tables.map((t) => t.name)])];
  const parts = names.map((name) => {
    const x = a.tables.find((t) => t.name === name);
    const y = b.tables.find((t) => t.name === name);
    if (!x || !y) return { json: { name, only: x ? "old" : "new" }, text: `${name}: only in the ${x ? "old" : "new"} config\n` };
    const d = pairDiff(x, y);
    return { json: { name, ...d.json }, text: `${name}\n${d.text}` };
  });
  if (format === "text") return `${a.system}: ${parts.map((p) => p.text).join("\n")}`;
  const doc = parts.length === 1 ? { system: a.system, ...parts[0]!.json } : { system: a.system, tables: parts.map((p) => p.json) };
  return `${JSON.stringify(doc)}\n`;
}
