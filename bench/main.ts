// The benchmark runner behind `flowpin bench` (built to dist/bench.js; needs the dev
// dependencies, so it runs from a clone of the repository).
import { defaultProvider } from "../src/engine/provider-default.js";
import { setProvider } from "../src/engine/state.js";
import { context, runSuite, type BenchOptions } from "./harness.js";
import * as format from "./format.js";
import { SUITES } from "./suites.js";

export interface RunOptions extends BenchOptions {
  suite?: string;
  filter?: string;
  format: "text" | "json" | "markdown";
  out(text: string): void;
  progress?(text: string): void;
  env: Record<string, string | undefined>;
  tty: boolean;
}

// Explicit for the same reason as in src/cli/main.ts ("sideEffects": false).
setProvider(defaultProvider);

export const suiteNames = (): string[] => SUITES.map((s) => s.name);

export async function runBench(o: RunOptions): Promise<void> {
  const suites = o.suite ? SUITES.filter((s) => s.name === o.suite) : SUITES;
  const filter = o.filter ? new RegExp(o.filter) : undefined;
  const ctx = context();
  if (o.format !== "json") o.out(`${Object.entries(ctx).map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n`);
  const all = [];
  for (const s of suites) {
    const r = await runSuite(s, o, filter, (name) => o.progress?.(`${s.name}: ${name}`));
    if (o.format === "json") all.push(format.json(r));
    else o.out(o.format === "markdown" ? format.markdown(r) + "\n" : format.text(r, o.env, o.tty) + "\n");
  }
  if (o.format === "json") o.out(`${JSON.stringify(all.length === 1 ? { context: ctx, ...(all[0] as object) } : { context: ctx, suites: all })}\n`);
}
