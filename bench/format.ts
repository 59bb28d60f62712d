// Formatting of suite results (statistics are computed in harness.ts).
import type { SuiteResult } from "./harness.js";

const useColor = (env: Record<string, string | undefined>, tty: boolean): boolean => tty && !env.NO_COLOR;

function fmtHz(hz: number): string {
  if (hz >= 1e9) return `${(hz / 1e9).toFixed(2)} G`;
  if (hz >= 1e6) return `${(hz / 1e6).toFixed(2)} M`;
  if (hz >= 1e3) return `${(hz / 1e3).toFixed(2)} k`;
  return hz.toFixed(2);
}

function fmtNs(hz: number): string {
  const ns = 1e9 / hz;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(2)} ns`;
}

function rows(r: SuiteResult): string[][] {
  const fastest = new Map<string, number>();
  for (const x of r.results) fastest.set(x.group, Math.max(fastest.get(x.group) ?? 0, x.hz));
  return r.results.map((x) => [
    x.name,
    x.group,
    fmtHz(x.hz),
    fmtNs(x.hz),
    `±${x.rme.toFixed(2)}%`,
    String(x.samples),
    (fastest.get(x.group)! / x.hz).toFixed(2) + "×",
  ]);
}

const HEAD = ["name", "group", "ops/s", "time/op", "±", "samples", "vs fastest"];

export function text(r: SuiteResult, env: Record<string, string | undefined> = {}, tty = false): string {
  const body = rows(r);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const bold = useColor(env, tty) ? (s: string) => `\x1b[1m${s}\x1b[0m` : (s: string) => s;
  return [bold(`suite ${r.suite}`), line(HEAD), ...body.map(line), ...r.notes.map((n) => `note: ${n}`), ""].join("\n");
}

export function markdown(r: SuiteResult): string {
  const body = rows(r);
  return [`| ${HEAD.join(" | ")} |`, `|${HEAD.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`, ...body.map((row) => `| ${row.join(" | ")} |`), ...r.notes.map((n) => `\n${n}`), ""].join("\n");
}

/** The stable JSON shape: {"suite", "results": [{"name", "hz", "rme", "samples"}]}. */
export function json(r: SuiteResult): unknown {
  return { suite: r.suite, results: r.results.map(({ name, hz, rme, samples, group }) => ({ name, hz, rme, samples, group })), notes: r.notes };
}
