// The table algorithms `flowpin table` and `flowpin diff` know, one line each in KINDS.
//
// A kind turns a fleet config (or a table file written earlier) into a BuiltTable. Kinds
// validate their own config fields and throw FlowpinError (code INVALID_CONFIG, or the
// library's own code) with a message naming the field, e.g. `backends[3].weight must be ...`:
// the CLI prints it on one line and exits 2.
import type { FleetConfig } from "./config.js";
import { maglevKind } from "./table-maglev.js";
import { glbKind } from "./table-glb.js";
import { rendezvousKind } from "./table-rendezvous.js";

export interface TableDiff {
  /** The stable JSON form (documented in the README). */
  json(): unknown;
  /** A readable summary for a terminal. */
  text(): string;
}

export interface BuiltTable {
  /** `{"algorithm", "profile", "size", "backends": [ids in input order], ...}` per DESIGN.md. */
  json(): unknown;
  /** Per-backend shares and a compact view of the table. */
  text(): string;
  /** The binary file form (`--format bin`), where the kind has one. */
  bin?(): Uint8Array;
  /** Disruption from this table to `other` (same algorithm; the caller checks that). */
  diff(other: BuiltTable): TableDiff;
}

export interface TableKind {
  /** Builds the table a fleet config describes. */
  fromConfig(config: FleetConfig): BuiltTable;
  /** Reloads a table printed by `flowpin table --format json` (for `diff`). */
  fromJson?(doc: Record<string, unknown>): BuiltTable;
  /** Reads this kind's binary file; returns undefined when `bytes` is not this kind's format. */
  fromBytes?(bytes: Uint8Array): BuiltTable | undefined;
}

export const KINDS: Record<string, TableKind> = {
  maglev: maglevKind,
  glb: glbKind,
  rendezvous: rendezvousKind,
};
