// Loads what `table` and `diff` accept: a fleet config, a table printed as JSON, or a binary
// table file of any kind.
import { flowpinError, show } from "../errors.js";
import { parseJson, toFleetConfig } from "./config.js";
import { readInput, usage } from "./io.js";
import { KINDS, type BuiltTable, type TableKind } from "./table-kinds.js";

export function kindOf(algorithm: string, what: string): TableKind {
  // Own properties only: "__proto__" or "toString" would find Object.prototype's members.
  const kind = Object.hasOwn(KINDS, algorithm) ? KINDS[algorithm] : undefined;
  if (!kind) {
    const known = Object.keys(KINDS).join(", ") || "none built in";
    throw flowpinError("INVALID_CONFIG", `${what}: unknown algorithm ${show(algorithm)} (known: ${known})`);
  }
  return kind;
}

export interface LoadedTable {
  algorithm: string;
  table: BuiltTable;
}

/** Reads `path` as a config, a JSON table or a binary table. */
export function loadTable(path: string): LoadedTable {
  const bytes = readInput(path, "file");
  const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first === 0x7b /* { */) {
    const what = path;
    const doc = parseJson(new TextDecoder().decode(bytes), what) as Record<string, unknown>;
    // Table output carries "table" (Maglev, rendezvous) or "rows" (glb); configs never do.
    if (doc && typeof doc === "object" && !Array.isArray(doc) && ("table" in doc || "rows" in doc)) {
      const algorithm = typeof doc.algorithm === "string" ? doc.algorithm : usage(`${what}: a table file needs an "algorithm" string`);
      const kind = kindOf(algorithm, what);
      if (!kind.fromJson) usage(`${what}: ${algorithm} tables cannot be reloaded from JSON`);
      return { algorithm, table: kind.fromJson(doc) };
    }
    // `flowpin table --config SYSTEM` output with several tables (glb files, Envoy priorities).
    if (doc && typeof doc === "object" && Array.isArray(doc.tables)) usage(`${what} holds ${doc.tables.length} tables (${String(doc.system)}): diff the system configs themselves`);
    const config = toFleetConfig(doc, what);
    return { algorithm: config.algorithm, table: kindOf(config.algorithm, what).fromConfig(config) };
  }
  for (const [algorithm, kind] of Object.entries(KINDS)) {
    const table = kind.fromBytes?.(bytes);
    if (table) return { algorithm, table };
  }
  usage(`${path} is neither a JSON config or table nor a known binary table file`);
}
