// Runs the CLI in this process through its driver, `run(argv, io)`: the same code as the
// `flowpin` executable without a process spawn per case (a spawn costs ~150 ms here; the
// executable itself is still tested by test/cli.test.ts). Standard input is not available.
import { expect } from "vitest";
import { run } from "../src/cli/run.js";
import "../src/index.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io = {
    out: (d: string | Uint8Array) => {
      stdout += typeof d === "string" ? d : new TextDecoder().decode(d);
    },
    err: (t: string) => {
      stderr += t;
    },
    stderrIsTTY: false,
    env: {},
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

/** Asserts the error contract (exit 2, one line on stderr, no stack trace); returns the line. */
export async function cliBadInput(args: string[]): Promise<string> {
  const r = await runCli(args);
  expect(r.code, `exit code of flowpin ${args.join(" ")}\n${r.stderr}`).toBe(2);
  const lines = r.stderr.split("\n").filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}
