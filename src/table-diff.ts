// The slot-by-slot comparison of two tables (slot → backend index), behind `Maglev.diff` and
// `flowpin diff` for maglev and rendezvous tables reloaded from JSON. Its own module: it
// knows slots and ids, not how a table was built.
import { flowpinError } from "./errors.js";

/** Per-backend line of `Maglev.diff()`. */
export interface MaglevBackendDiff {
  readonly id: string;
  /** added / removed, changed (weight or key), unchanged. */
  readonly status: "added" | "removed" | "changed" | "unchanged";
  readonly before: number;
  readonly after: number;
  /** Slots it took from other backends, and slots it handed over. */
  readonly gained: number;
  readonly lost: number;
}

/** `Maglev.diff(a, b)`: what a fleet change does to the flows. */
export interface MaglevDiff {
  readonly size: number;
  /** Slots whose backend changed, and their fraction of the table. */
  readonly moved: number;
  readonly fraction: number;
  /**
   * The Maglev paper's disruption (section 5.3, figure 12): slots that moved between two
   * backends that both exist unchanged in a and b. Consistent hashing keeps this small.
   */
  readonly disruption: { readonly moved: number; readonly fraction: number };
  readonly backends: readonly MaglevBackendDiff[];
}

/** A table as slot → index into `ids` (what `Maglev.diff` and `flowpin diff` compare). */
export interface SlotTable {
  readonly ids: readonly string[];
  readonly table: ArrayLike<number>;
}

/**
 * The slot-by-slot comparison behind `Maglev.diff` (internal; also used by the CLI for
 * tables reloaded from JSON). `changed(id)` is asked only for ids present in both tables.
 */
export function diffTables(a: SlotTable, b: SlotTable, changed: (id: string) => boolean): MaglevDiff {
  const size = a.table.length;
  if (b.table.length !== size) throw flowpinError("INVALID_TABLE_SIZE", `Maglev.diff needs tables of one size, got ${size} and ${b.table.length}`);
  // One id space: a's backends, then b's new ones.
  const ids = a.ids.slice();
  const index = new Map(ids.map((id, i) => [id, i]));
  const bMap = Int32Array.from(b.ids, (id) => {
    let i = index.get(id);
    if (i === undefined) {
      i = ids.length;
      ids.push(id);
      index.set(id, i);
    }
    return i;
  });
  const inA = new Set(a.ids);
  const inB = new Set(b.ids);
  const status = ids.map((id): MaglevBackendDiff["status"] => (!inA.has(id) ? "added" : !inB.has(id) ? "removed" : changed(id) ? "changed" : "unchanged"));
  const before = new Array<number>(ids.length).fill(0);
  const after = new Array<number>(ids.length).fill(0);
  const gained = new Array<number>(ids.length).fill(0);
  const lost = new Array<number>(ids.length).fill(0);
  let moved = 0;
  let disrupted = 0;
  for (let s = 0; s < size; s++) {
    const x = a.table[s]!;
    const y = bMap[b.table[s]!]!;
    before[x]!++;
    after[y]!++;
    if (x === y) continue;
    moved++;
    gained[y]!++;
    lost[x]!++;
    if (status[x] === "unchanged" && status[y] === "unchanged") disrupted++;
  }
  return {
    size,
    moved,
    fraction: moved / size,
    disruption: { moved: disrupted, fraction: disrupted / size },
    backends: ids.map((id, i) => ({ id, status: status[i]!, before: before[i]!, after: after[i]!, gained: gained[i]!, lost: lost[i]! })),
  };
}
