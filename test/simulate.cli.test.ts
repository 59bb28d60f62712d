// `flowpin simulate` bad input (exit 2, one line naming the flag and the value, no stack
// trace), the built CLI end to end, and the progress bar's rules.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { progressBar } from "../src/cli/progress.js";
import { run } from "../src/cli/run.js";
import type { Io } from "../src/cli/io.js";

const root = path.resolve(import.meta.dirname, "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-simulate-cli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The CLI error contract, in-process (fast enough to try every bad value). */
async function badInput(args: string[]): Promise<string> {
  let out = "";
  let err = "";
  const code = await run(["simulate", ...args], { out: (d) => (out += String(d)), err: (t) => (err += t), stderrIsTTY: false, env: {} });
  expect(code, `exit code of flowpin simulate ${args.join(" ")}\n${err}`).toBe(2);
  const lines = err.split("\n").filter(Boolean);
  expect(lines, err).toHaveLength(1);
  expect(err).not.toMatch(/\n\s+at /);
  expect(out).toBe("");
  return lines[0]!;
}

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

describe("flowpin simulate rejects bad input with exit 2 and one line", () => {
  const cases: [string[], RegExp][] = [
    [["--format", "xml"], /--format.*"xml"/],
    [["--algorithms", "maglev,chord"], /--algorithms.*"chord"/],
    [["--algorithms", "maglev,,ring"], /--algorithms.*"maglev,,ring"/],
    [["--algorithms", "ring,ring"], /--algorithms.*"ring" twice/],
    [["--algorithms", ""], /--algorithms/],
    [["--sizes", "65536"], /--sizes 65536 is not prime/],
    [["--sizes", "abc"], /--sizes.*"abc"/],
    [["--sizes=-7"], /--sizes.*"-7"/],
    [["--sizes", "-7"], /--sizes/], // node:util parseArgs refuses a value that looks like a flag
    [["--sizes", "1e5"], /--sizes.*"1e5"/],
    [["--sizes", "99999999"], /--sizes.*"99999999"/],
    [["--sizes", "1009"], /--sizes 1009 is smaller than the 1000 \+ 30 backends/],
    [["--backends", "1"], /--backends.*"1"/],
    [["--backends", "ten"], /--backends.*"ten"/],
    [["--backends", "2.5"], /--backends.*"2.5"/],
    [["--backends", "100", "--churn", "100"], /--churn 100 must be smaller than the 100 backends/],
    [["--churn", "0"], /--churn.*"0"/],
    [["--churn", "1,x"], /--churn.*"x"/],
    [["--churn", "5,5"], /--churn.*"5" twice/],
    [["--trials", "0"], /--trials.*"0"/],
    [["--trials", "1001"], /--trials.*"1001"/],
    [["--seed=-1"], /--seed.*"-1"/],
    [["--seed", "4294967296"], /--seed.*"4294967296"/],
    [["--seed", "0x10"], /--seed.*"0x10"/],
    [["--samples", "10"], /--samples.*"10"/],
    [["--svg", ""], /--svg/],
    [["--bogus"], /--bogus/],
    [["extra"], /0 arguments/],
    [["--config", "/nonexistent/fleet.json"], /no such file/],
    [["--config", "x.json", "--backends", "5"], /--config or --backends/],
  ];
  for (const [args, msg] of cases) {
    it(args.join(" ") || "(empty)", async () => {
      expect(await badInput(args)).toMatch(msg);
    });
  }

  it("bad fleet configs name the file and the field", async () => {
    expect(await badInput(["--config", file("broken.json", '{"algorithm": "maglev",\n "backends": [,]}')])).toMatch(/not valid JSON at line 2/);
    expect(await badInput(["--config", file("one.json", '{"algorithm": "maglev", "backends": [{"id": "a"}]}')])).toMatch(/at least 2 backends/);
    expect(await badInput(["--config", file("dup.json", '{"algorithm": "maglev", "backends": [{"id": "a"}, {"id": "a"}]}')])).toMatch(/"a" appears twice/);
    expect(await badInput(["--config", file("w.json", '{"algorithm": "maglev", "backends": [{"id": "a", "weight": -1}, {"id": "b"}]}')])).toMatch(/backends\[0\]\.weight.*-1/);
    expect(await badInput(["--config", file("id.json", '{"algorithm": "maglev", "backends": [{"id": 5}, {"id": "b"}]}')])).toMatch(/backends\[0\]\.id/);
    expect(await badInput(["--config", file("glbkey.json", '{"algorithm": "glb", "seed": "abcd", "backends": [{"id": "10.0.0.1"}, {"id": "10.0.0.2"}]}')])).toMatch(/seed must be 32 hex digits/);
  });

  it("an unwritable --svg directory is a usage error", async () => {
    const blocker = file("not-a-dir", "x");
    expect(await badInput(["--svg", path.join(blocker, "charts"), "--algorithms", "jump", "--backends", "10", "--churn", "1", "--trials", "1", "--samples", "1000"])).toMatch(/--svg directory/);
  });
});

describe("the built CLI (dist/cli.js)", () => {
  const cli = path.join(root, "dist", "cli.js");
  const spawn = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: root });

  it("prints JSON and nothing on stderr when stderr is not a terminal", () => {
    const r = spawn(["simulate", "--algorithms", "maglev,ring", "--backends", "100", "--churn", "1,10", "--trials", "1", "--samples", "2000", "--format", "json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const doc = JSON.parse(r.stdout);
    expect(doc.results.map((x: { algorithm: string }) => x.algorithm)).toEqual(["maglev", "ring"]);
  });

  it("exits 2 with one line for a bad value", () => {
    const r = spawn(["simulate", "--trials", "many"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual(['flowpin simulate: --trials must be an integer in 1..1000, got "many"']);
  });

  it("is listed in flowpin --help and has its own --help", () => {
    expect(spawn(["--help"]).stdout).toMatch(/^ {2}simulate {2,}/m);
    expect(spawn(["simulate", "--help"]).stdout).toMatch(/^usage: flowpin simulate/);
  });
});

describe("progress bar", () => {
  function fakeIo(tty: boolean): Io & { text: () => string } {
    let err = "";
    return { out() {}, err: (t) => (err += t), stderrIsTTY: tty, env: {}, text: () => err };
  }

  it("draws nothing during the first second, then a bar with the percentage, then clears", () => {
    const io = fakeIo(true);
    let t = 0;
    const bar = progressBar(io, true, () => t);
    t = 500;
    bar.update(1, 4, "maglev");
    expect(io.text()).toBe("");
    t = 1200;
    bar.update(2, 4, "ring 65537 remove 10");
    expect(io.text()).toMatch(/^\r\x1b\[2K\[#{14}-{14}\] {2}50% ring 65537 remove 10$/);
    t = 1250;
    bar.update(3, 4, "too soon");
    expect(io.text()).not.toContain("too soon");
    bar.end();
    expect(io.text().endsWith("\r\x1b[2K")).toBe(true);
  });

  it("is silent when stderr is not a terminal, or with --quiet", () => {
    for (const [tty, enabled] of [[false, true], [true, false]] as const) {
      const io = fakeIo(tty);
      let t = 0;
      const bar = progressBar(io, enabled, () => t);
      t = 5000;
      bar.update(1, 2, "x");
      bar.end();
      expect(io.text()).toBe("");
    }
  });
});
