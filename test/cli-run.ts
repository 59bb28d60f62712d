// Runs the built CLI (dist/cli.js) for tests: a plain module, so importing it registers no
// tests (importing a *.test.ts file would re-run all of that file's tests).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const cli = path.join(root, "dist", "cli.js");

export function flowpin(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", input, cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Asserts the error contract: exit 2, one line, no stack trace; returns the line. */
export function badInput(args: string[], input?: string): string {
  const r = flowpin(args, input);
  expect(r.code, `exit code of flowpin ${args.join(" ")}\n${r.stderr}`).toBe(2);
  const lines = r.stderr.split("\n").filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}
