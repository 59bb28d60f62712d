// The CLI contract from the built package: --help and --version on every command, exit 2 and
// exactly one line on stderr for bad input, never a stack trace.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { badInput, flowpin } from "./cli-run.js";

const root = path.resolve(import.meta.dirname, "..");
const cli = path.join(root, "dist", "cli.js");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

describe("flowpin CLI", () => {
  it("--version prints the package version", () => {
    expect(flowpin(["--version"]).stdout.trim()).toBe(pkg.version);
  });

  it("the bin in package.json is the built CLI with a shebang", () => {
    expect(pkg.bin.flowpin).toBe("dist/cli.js");
    expect(fs.readFileSync(cli, "utf8").startsWith("#!/usr/bin/env node")).toBe(true);
  });

  it("--help lists every command, and each command has its own --help", () => {
    const top = flowpin(["--help"]);
    expect(top.code).toBe(0);
    const names = [...top.stdout.matchAll(/^ {2}(\w+) {2,}/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThanOrEqual(4);
    for (const name of names) {
      const r = flowpin([name, "--help"]);
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`^usage: flowpin ${name}`));
    }
  });

  it("no command prints the overview and exits 2", () => {
    const r = flowpin([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("usage: flowpin <command>");
  });

  it("bad commands, flags and arguments exit 2 with one line naming the problem", () => {
    expect(badInput(["frobnicate"])).toContain('"frobnicate"');
    expect(badInput(["table", "--bogus"])).toContain("--bogus");
    expect(badInput(["table"])).toContain("--config");
    expect(badInput(["table", "--config", "/nonexistent/fleet.json"])).toContain("no such file");
    expect(badInput(["diff", "one"])).toContain("2 arguments");
    expect(badInput(["bench", "--format", "xml"])).toContain("xml");
    expect(badInput(["bench", "--suite", "nope"])).toContain('"nope"');
  });

  it("a config that is not JSON names the line", () => {
    const dir = fs.mkdtempSync(path.join(root, "node_modules", ".tmp-cli-"));
    try {
      const f = path.join(dir, "fleet.json");
      fs.writeFileSync(f, '{\n  "algorithm": "maglev",\n  "backends": [,]\n}\n');
      expect(badInput(["table", "--config", f])).toMatch(/not valid JSON at line 3/);
      fs.writeFileSync(f, '{"algorithm": "quantum", "backends": []}');
      expect(badInput(["table", "--config", f])).toContain('"quantum"');
      fs.writeFileSync(f, '{"algorithm": "maglev", "backends": {}}');
      expect(badInput(["table", "--config", f])).toContain('"backends" must be an array');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("demo hashes on the active engine", () => {
    const r = flowpin(["demo"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("engine: wasm-simd");
  });
});
