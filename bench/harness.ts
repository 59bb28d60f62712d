// Runs benchmark suites: benchmark.js cases in this process, native C baselines as child
// processes (compiled on the fly with `cc -O3 -march=native` when a compiler exists: the
// strongest code the machine runs, so a ratio against it is not flattered by a weak build). Statistics come from
// benchmark.js; formatting lives in bench/format.ts.
import Benchmark from "benchmark";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { useEngine, engine, type EngineKind } from "../src/index.js";

export interface BenchOptions {
  /** Shorter runs (fewer samples) for smoke tests and CI. */
  quick: boolean;
}

export interface BenchCase {
  name: string;
  /** Rows are compared (ratio to the fastest) within a group; default: the suite. */
  group?: string;
  /** Runs `fn` with this engine active. */
  engine?: EngineKind;
  /** Work items per call of `fn` (e.g. flows in a batch): hz is reported per item. */
  per?: number;
  /** The measured operation; its return value goes to a sink so it cannot be optimized away. */
  fn: () => unknown;
}

export interface NativeSpec {
  /** C source, relative to the repository root (e.g. "bench/native/maglev.c"). */
  source: string;
  args: string[];
  group?: string;
}

export interface Suite {
  name: string;
  description: string;
  cases(opts: BenchOptions): BenchCase[] | Promise<BenchCase[]>;
  native?: NativeSpec[];
}

export interface Result {
  name: string;
  /** Operations (or items, see BenchCase.per) per second. */
  hz: number;
  /** Relative margin of error, in percent. */
  rme: number;
  samples: number;
  group: string;
}

export interface SuiteResult {
  suite: string;
  results: Result[];
  notes: string[];
}

// The sink: every result is stored here, so no benchmarked call is dead code.
export let sink: unknown;

function measure(c: BenchCase, opts: BenchOptions, group: string): Result {
  const fn = c.fn;
  const bench = new Benchmark(c.name, () => {
    sink = fn();
  }, opts.quick ? { maxTime: 0.25, minSamples: 5, initCount: 1 } : { maxTime: 2, minSamples: 20 });
  bench.run();
  if (bench.error) throw bench.error;
  const per = c.per ?? 1;
  return { name: c.name, hz: bench.hz * per, rme: bench.stats.rme, samples: bench.stats.sample.length, group };
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function hasCompiler(): boolean {
  try {
    execFileSync("cc", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function runNative(spec: NativeSpec, opts: BenchOptions, group: string): Result[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-native-"));
  try {
    const exe = path.join(dir, path.basename(spec.source, ".c"));
    execFileSync("cc", ["-O3", "-march=native", "-o", exe, path.join(root, spec.source), "-lm"], { stdio: ["ignore", "ignore", "pipe"] });
    // stderr is piped, not inherited: the programs print their sink there (so the compiler
    // cannot drop the measured work), which is not output for the user.
    const out = execFileSync(exe, [...spec.args, ...(opts.quick ? ["--quick"] : [])], { encoding: "utf8", maxBuffer: 1 << 24, stdio: ["ignore", "pipe", "pipe"] });
    return out
      .split("\n")
      .filter((line) => line.trim().startsWith("{"))
      .map((line) => {
        const r = JSON.parse(line) as Partial<Result>;
        if (typeof r.name !== "string" || typeof r.hz !== "number") throw new Error(`${spec.source}: bad result line ${line}`);
        return { name: r.name, hz: r.hz, rme: r.rme ?? 0, samples: r.samples ?? 1, group: r.group ?? spec.group ?? group };
      });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one suite; `onCase` reports progress. */
export async function runSuite(suite: Suite, opts: BenchOptions, filter?: RegExp, onCase?: (name: string) => void): Promise<SuiteResult> {
  const results: Result[] = [];
  const notes: string[] = [];
  const previous = engine();
  try {
    for (const c of await suite.cases(opts)) {
      if (filter && !filter.test(c.name)) continue;
      onCase?.(c.name);
      if (c.engine) useEngine(c.engine);
      try {
        results.push(measure(c, opts, c.group ?? suite.name));
      } finally {
        useEngine(previous);
      }
    }
  } finally {
    useEngine(previous);
  }
  if (suite.native?.length) {
    if (!hasCompiler()) notes.push("native baselines skipped: no C compiler (cc) on this machine");
    else {
      for (const spec of suite.native) {
        onCase?.(spec.source);
        for (const r of runNative(spec, opts, suite.name)) if (!filter || filter.test(r.name)) results.push(r);
      }
    }
  }
  return { suite: suite.name, results, notes };
}

/** The machine and runtime the figures come from (printed before any result). */
export function context(): Record<string, string> {
  const cpus = os.cpus();
  return {
    cpu: `${cpus[0]?.model ?? "unknown"} (${cpus.length} cores)`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    runtime: `Node ${process.versions.node}, V8 ${process.versions.v8}`,
    engine: engine(),
  };
}
