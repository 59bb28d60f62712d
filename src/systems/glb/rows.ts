// The rows glb-director-cli writes for every table of one forwarding_table.json
// (cli/main.c:501-567), including what it writes for tables with fewer than two usable
// backends.
//
// A table with two or more usable (not inactive) backends is GlbTable's rendezvous build
// (src/glb.ts, the Wasm kernel), with glb-director-cli's swap rule and duplicates allowed.
//
// With fewer, the CLI reads positions of its sort buffer the table did not write:
// `sortable_backends` (main.c:237) is allocated once for the whole file and never cleared, each
// table writes its usable backends at positions 0..n-1, and every row qsorts those n. Row r's
// pair is then (buffer[0], buffer[1]) after the swap rule, where buffer[1] (n = 1) or both
// (n = 0) still hold what earlier tables left: the order of the previous table's row 65535.
// That carry-over is ordinary C (the earlier table wrote it); only the first table reads
// memory nothing wrote, and there flowpin takes zeros (index 0), which is what the build the
// vectors come from wrote (vectors one-backend, one-usable-of-4, no-usable); another compiler
// may leave other bytes there. An index past the table's backends is an empty slot: the
// director's backend entry there is all zeros (state filling, health down, address 0.0.0.0).
import { siphash24 } from "../../hashes.js";
import { GlbTable } from "../../glb.js";
import type { ParsedBackend, ParsedTable } from "./config.js";

export const ROWS = 65536;

/** A table's rows: u32[65536 * 2] (primary, secondary), or one pair for every row. */
export type TableRows = { kind: "built"; rows: Uint32Array } | { kind: "constant"; primary: number; secondary: number };

// glb_fwd_config.h: state filling 0, active 1, draining and inactive 2; health down 0, up 1.
function stateOf(b: ParsedBackend | undefined): number {
  if (b === undefined) return 0;
  return b.state === "active" ? 1 : b.state === "filling" ? 0 : 2;
}

/** main.c:546-565: a bad primary (draining/inactive or not up) swaps with a secondary whose STATE is 1. */
function swapped(backends: readonly ParsedBackend[], p: number, s: number): [number, number] {
  const primary = backends[p];
  const primaryBad = stateOf(primary) === 2 || !(primary?.healthy ?? false);
  return primaryBad && stateOf(backends[s]) === 1 ? [s, p] : [p, s];
}

/** The two lowest-scoring usable backends of `row` (ties: lower index, glibc's stable qsort). */
function lowestTwo(t: ParsedTable, usable: readonly number[], row: number): [number, number] {
  const rowSeed = new Uint8Array(8);
  new DataView(rowSeed.buffer).setBigUint64(0, siphash24(Uint8Array.of(row >>> 24, (row >>> 16) & 0xff, (row >>> 8) & 0xff, row & 0xff), t.seed), true);
  const msg = new Uint8Array(24);
  msg.set(rowSeed);
  const scored = usable.map((i) => {
    const a = t.backends[i]!.bytes;
    msg.set(a, 8);
    const tag = siphash24(msg.subarray(0, 8 + a.length), t.seed);
    // main.c:540: the tag's bytes read big-endian.
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, tag, true);
    return { i, score: view.getBigUint64(0, false) };
  });
  scored.sort((x, y) => (x.score < y.score ? -1 : x.score > y.score ? 1 : x.i - y.i));
  return [scored[0]!.i, scored[1]!.i];
}

/** Every table's rows, in file order (the carry-over makes a table depend on those before it). */
export function buildRows(tables: readonly ParsedTable[]): TableRows[] {
  // Positions 0 and 1 of the CLI's sort buffer: the only ones a short table reads.
  let b0 = 0;
  let b1 = 0;
  return tables.map((t, k) => {
    const usable: number[] = [];
    t.backends.forEach((b, i) => {
      if (b.state !== "inactive") usable.push(i);
    });
    if (usable.length >= 2) {
      const table = new GlbTable({
        seed: t.seed,
        hashKey: t.hashKey,
        backends: t.backends.map((b) => ({ address: b.bytes, state: b.state, healthy: b.healthy })),
        allowDuplicates: true,
      });
      const rows = table.rows();
      // Only a later short table reads what this one leaves in the buffer.
      if (tables.slice(k + 1).some((u) => u.backends.filter((b) => b.state !== "inactive").length < 2)) [b0, b1] = lowestTwo(t, usable, ROWS - 1);
      return { kind: "built", rows };
    }
    if (usable.length === 1) b0 = usable[0]!;
    const [primary, secondary] = swapped(t.backends, b0, b1);
    return { kind: "constant", primary, secondary };
  });
}
