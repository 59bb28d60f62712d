// The three printed forms of a simulation: stable JSON (schema "flowpin-simulate/2", keys in a
// fixed order, numbers to 6 significant digits so reruns print the same bytes), CSV with one
// row per (algorithm, size, balance factor, change, k), and a readable text summary.
// Schema 2 added the policies and bounded load: kind, balanceFactor, balance.displaced,
// disruption[].extraMoved, params.balanceFactors.
import type { AlgorithmResult, SimulateResult } from "./simulate.js";

export const SCHEMA = "flowpin-simulate/2";

const sig = (x: number | null): number | null => (x === null ? null : Number(x.toPrecision(6)));

/** The JSON document (see the README for the schema). */
export function toJson(r: SimulateResult): unknown {
  const o = r.options;
  return {
    schema: SCHEMA,
    params: {
      backends: r.backends,
      config: o.fleet.kind === "config" ? o.fleet.path : null,
      algorithms: o.algorithms,
      sizes: o.sizes,
      churn: o.churn,
      trials: o.trials,
      seed: o.seed,
      samples: o.samples,
      balanceFactors: o.balanceFactors,
    },
    results: r.results.map((a) => ({
      algorithm: a.algorithm,
      kind: a.kind,
      balanceFactor: a.balanceFactor,
      profile: a.profile,
      size: a.size,
      backends: a.backends,
      measure: { kind: a.measure.kind, points: a.measure.points },
      balance: {
        method: a.balance.method,
        maxOverMean: sig(a.balance.maxOverMean),
        maxOverMeanWorst: sig(a.balance.maxOverMeanWorst),
        load: {
          min: sig(a.balance.load.min),
          p1: sig(a.balance.load.p1),
          p50: sig(a.balance.load.p50),
          p99: sig(a.balance.load.p99),
          max: sig(a.balance.load.max),
        },
        samplingNoise: sig(a.balance.samplingNoise),
        displaced: sig(a.balance.displaced),
      },
      disruption: a.disruption.map((d) => ({
        change: d.change,
        k: d.k,
        selection: d.selection,
        moved: sig(d.moved),
        hadToMove: sig(d.hadToMove),
        needless: sig(d.needless),
        needlessWorst: sig(d.needlessWorst),
        extraMoved: sig(d.extraMoved),
      })),
    })),
    skipped: r.skipped.map((s) => ({ algorithm: s.algorithm, reason: s.reason })),
  };
}

const CSV_HEADER = [
  "algorithm", "kind", "balance_factor", "profile", "size", "backends", "measure", "points",
  "max_over_mean", "max_over_mean_worst", "load_min", "load_p1", "load_p50", "load_p99", "load_max", "sampling_noise", "displaced",
  "change", "k", "selection", "moved", "had_to_move", "needless", "needless_worst", "extra_moved",
];

/** CSV (RFC 4180; no field needs quoting): balance columns repeat on each disruption row. */
export function toCsv(r: SimulateResult): string {
  const rows = [CSV_HEADER.join(",")];
  const s = (x: number | null) => (x === null ? "" : String(sig(x)));
  for (const a of r.results) {
    const b = a.balance;
    const head = [a.algorithm, a.kind, s(a.balanceFactor), a.profile ?? "", a.size ?? "", a.backends, a.measure.kind, a.measure.points, s(b.maxOverMean), s(b.maxOverMeanWorst), s(b.load.min), s(b.load.p1), s(b.load.p50), s(b.load.p99), s(b.load.max), s(b.samplingNoise), s(b.displaced)];
    for (const d of a.disruption) rows.push([...head, d.change, d.k, d.selection, s(d.moved), s(d.hadToMove), s(d.needless), s(d.needlessWorst), s(d.extraMoved)].join(","));
  }
  return `${rows.join("\n")}\n`;
}

/** Aligned columns, two spaces apart and indented by two; `starts[c]` is where column c begins. */
function table(rows: string[][], right: (col: number) => boolean): { lines: string[]; starts: number[] } {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const starts = widths.map((_, c) => 2 + widths.slice(0, c).reduce((a, w) => a + w + 2, 0));
  const lines = rows.map((r) => `  ${r.map((cell, c) => (right(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  ")}`.trimEnd());
  return { lines, starts };
}

const pct = (x: number) => (100 * x).toFixed(2);
const name = (a: AlgorithmResult) => a.algorithm;
/** The algorithm column: the name, with c for bounded load. */
const label = (a: AlgorithmResult) => (a.balanceFactor === null ? a.algorithm : `${a.algorithm} c=${a.balanceFactor}`);

/** The readable summary. */
export function toText(r: SimulateResult): string {
  const o = r.options;
  const out: string[] = [];
  const fleet = o.fleet.kind === "config" ? `from ${o.fleet.path}` : "generated";
  out.push(`flowpin simulate: ${r.backends} backends (${fleet}), churn k = ${o.churn.join(", ")}, ${o.trials} trial${o.trials === 1 ? "" : "s"}, seed ${o.seed}`);
  const plain = r.results.filter((a) => a.kind === "consistent");
  const sampled = plain.filter((a) => a.measure.kind === "flows").map(name);
  const exact = plain.filter((a) => a.measure.kind !== "flows").map(name);
  const policies = r.results.filter((a) => a.kind === "stateful").map(name);
  const bounded = r.results.filter((a) => a.kind === "bounded");
  if (exact.length) out.push(`  ${[...new Set(exact)].join(" and ")}: measured exactly over every table ${exact.includes("glb") ? "slot (glb: row)" : "slot"}`);
  if (sampled.length) out.push(`  ${[...new Set(sampled)].join(", ")}: measured over ${o.samples} random 64-bit flow hashes${sampled.includes("ring") ? " (ring balance: exact arc lengths)" : ""}`);
  if (policies.length) out.push(`  ${policies.join(", ")} (stateful): ${o.samples} flows assigned in order; churn = the same flows replayed from the same seed on the changed fleet`);
  if (bounded.length) out.push(`  bounded load c = ${o.balanceFactors.join(", ")}: ${o.samples} flows assigned in order over each table; churn replayed likewise`);
  out.push("");
  if (r.results.length) {
    out.push("Balance: each backend's load over its fair share (1 = perfect), mean over trials");
    const rows = [["algorithm", "profile", "size", "max/mean", "worst", "min", "p1", "p50", "p99"]];
    let noise = false;
    for (const a of r.results) {
      const b = a.balance;
      const mark = b.samplingNoise !== null ? "*" : "";
      noise ||= mark !== "";
      rows.push([label(a), a.profile ?? "-", a.size === null ? "-" : String(a.size), `${b.maxOverMean.toFixed(4)}${mark}`, b.maxOverMeanWorst.toFixed(4), b.load.min.toFixed(4), b.load.p1.toFixed(4), b.load.p50.toFixed(4), b.load.p99.toFixed(4)]);
    }
    out.push(...table(rows, (c) => c >= 2).lines);
    if (noise) {
      const n = r.results.find((a) => a.balance.samplingNoise !== null)!.balance.samplingNoise!;
      out.push(`  * over the flow sample: a perfectly even placement shows ${n.toFixed(4)} on the same sample, so only a larger value means imbalance`);
    }
    out.push("");
    out.push("Churn: % of all flows that moved when k backends are removed / added, mean over trials");
    out.push("  (had to: flows of a removed backend, or now on an added one; needless: moved between backends that stayed)");
    const drows = [["algorithm", "size", "k", "moved", "had to", "needless", "|", "moved", "had to", "needless"]];
    let last = false;
    for (const a of r.results) {
      for (const k of o.churn) {
        const rem = a.disruption.find((d) => d.change === "remove" && d.k === k)!;
        const add = a.disruption.find((d) => d.change === "add" && d.k === k)!;
        const mark = rem.selection === "last" ? "†" : "";
        last ||= mark !== "";
        drows.push([label(a), a.size === null ? "-" : String(a.size), `${k}${mark}`, pct(rem.moved), pct(rem.hadToMove), pct(rem.needless), "|", pct(add.moved), pct(add.hadToMove), pct(add.needless)]);
      }
    }
    const { lines, starts } = table(drows, (c) => c >= 1 && c !== 6);
    out.push(`${"".padEnd(starts[3]!)}${"removed".padEnd(starts[7]! - starts[3]!)}added`);
    out.push(...lines);
    if (last) out.push("  † jump hash numbers its buckets: it can only lose the last k, so those are removed");
    if (bounded.length) {
      out.push("");
      out.push("Bounded load, per c (Envoy's hash_balance_factor / 100): max load, % of flows displaced from their");
      out.push("  table pick, and % of all flows moved beyond what the plain table moves on the same flows when");
      out.push("  k backends are removed (-k) or added (+k)");
      const brows = [["algorithm", "size", "c", "max/mean", "displaced", ...o.churn.map((k) => `-${k}`), ...o.churn.map((k) => `+${k}`)]];
      for (const a of bounded) {
        const extra = (change: string) => o.churn.map((k) => pct(a.disruption.find((d) => d.change === change && d.k === k)!.extraMoved!));
        brows.push([a.algorithm, a.size === null ? "-" : String(a.size), String(a.balanceFactor), a.balance.maxOverMean.toFixed(4), pct(a.balance.displaced!), ...extra("remove"), ...extra("add")]);
      }
      const { lines: blines } = table(brows, (c) => c >= 1);
      out.push(...blines);
    }
  }
  for (const s of r.skipped) out.push(`  skipped ${s.algorithm}: ${s.reason}`);
  return `${out.join("\n")}\n`;
}
