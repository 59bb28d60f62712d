import type { Command } from "../command.js";
import { usage } from "../io.js";

interface BenchModule {
  runBench(o: {
    suite?: string;
    filter?: string;
    quick: boolean;
    format: "text" | "json" | "markdown";
    out(text: string): void;
    progress?(text: string): void;
    env: Record<string, string | undefined>;
    tty: boolean;
  }): Promise<void>;
  suiteNames(): string[];
}

export const bench: Command = {
  name: "bench",
  summary: "run the benchmark suites (from a clone with dev dependencies)",
  help: `usage: flowpin bench [--suite NAME] [--filter REGEX] [--format text|json|markdown] [--quick]

Runs the benchmark.js suites side by side with npm peers and native C baselines (compiled
with cc -O3 -march=native when a C compiler exists). Prints the machine first, then per
suite: ops/s, time per op, margin of error, samples and the ratio to the fastest row of its
group.

  --suite NAME    one suite: primitives, calls, flows, maglev, rendezvous, route (1M-flow
                  hash + lookup per system vs C), pick (one decision per call vs npm
                  rings), start (cold start vs bare Node)
  --filter REGEX  only cases whose name matches
  --format F      text (default), json ({"suite", "results": [{"name", "hz", "rme",
                  "samples"}]}) or markdown
  --quick         short runs (a smoke test, not figures to quote)

Needs the repository's dev dependencies (benchmark.js and the peers): run it from a clone
after npm ci.
`,
  options: {
    suite: { type: "string" },
    filter: { type: "string" },
    format: { type: "string" },
    quick: { type: "boolean" },
  },
  positionals: [0, 0],
  async run(values, _positionals, io) {
    const format = (values.format as string | undefined) ?? "text";
    if (format !== "text" && format !== "json" && format !== "markdown") usage(`--format must be text, json or markdown, got ${JSON.stringify(format)}`);
    if (typeof values.filter === "string") {
      try {
        new RegExp(values.filter);
      } catch {
        usage(`--filter is not a valid regular expression: ${JSON.stringify(values.filter)}`);
      }
    }
    let mod: BenchModule;
    try {
      // Resolved at run time next to dist/cli.js; not bundled into the CLI.
      const url = new URL("./bench.js", import.meta.url).href;
      mod = (await import(url)) as BenchModule;
    } catch (e) {
      usage(`the benchmarks need the repository's dev dependencies (run npm ci in a clone): ${(e as Error).message}`);
    }
    const names = mod.suiteNames();
    if (typeof values.suite === "string" && !names.includes(values.suite)) usage(`unknown suite ${JSON.stringify(values.suite)} (suites: ${names.join(", ")})`);
    const tty = io.stderrIsTTY && !values.quiet;
    await mod.runBench({
      suite: values.suite as string | undefined,
      filter: values.filter as string | undefined,
      quick: values.quick === true,
      format,
      out: (t) => io.out(t),
      progress: tty ? (t) => io.err(`\r\x1b[2K${t}`) : undefined,
      env: io.env,
      tty: false,
    });
    if (tty) io.err("\r\x1b[2K");
  },
};
