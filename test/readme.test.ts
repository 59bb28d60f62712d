// Every ```ts block of README.md compiles as a user's project would compile it: each block is
// a module of a fresh project whose package.json depends on the built package (node_modules/
// flowpin is a link to this repository, so its exports map and dist/*.d.ts are what resolve),
// type-checked by tsc under --strict with module/moduleResolution NodeNext, lib ES2022 and
// @types/node (no DOM), and without skipLibCheck, so flowpin's own declarations are checked
// too. A block may declare what it leaves to the reader (`declare const secret8Bytes: Uint8Array;`).
// The package must be built first (`npm test` does; alone: `npx tsup --silent`).
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

interface Block {
  /** 1-based README line of the block's first code line. */
  line: number;
  code: string;
  file: string;
}

/** The ```ts / ```typescript fenced blocks of a Markdown text, with where each starts. */
export function tsBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trimStart().startsWith(fence)) body.push(lines[j++]!);
    if (j === lines.length) throw new Error(`README.md:${i + 1}: a ${fence}${open[3]} block is never closed`);
    blocks.push({ line: i + 2, code: body.join("\n"), file: `block-${String(blocks.length + 1).padStart(2, "0")}.ts` });
    i = j;
  }
  return blocks;
}

const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const blocks = tsBlocks(readme);

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: 180_000, maxBuffer: 16 << 20, encoding: "utf8" }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

describe("README.md TypeScript blocks", () => {
  let dir: string;
  /** tsc's diagnostics per block file, rewritten to README lines. */
  const errors = new Map<string, string[]>();
  let tscOutput = "";

  beforeAll(async () => {
    for (const f of ["dist/index.d.ts", "dist/index.js", "dist/js.d.ts"]) {
      if (!fs.existsSync(path.join(root, f))) throw new Error(`${f} is missing: build the package first (npx tsup --silent; npm test builds it)`);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-readme-"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "readme-snippets", private: true, type: "module", dependencies: { flowpin: "*" }, devDependencies: { "@types/node": "*" } }, null, 2));
    fs.mkdirSync(path.join(dir, "node_modules", "@types"), { recursive: true });
    fs.symlinkSync(root, path.join(dir, "node_modules", "flowpin"), "dir");
    fs.symlinkSync(path.join(root, "node_modules", "@types", "node"), path.join(dir, "node_modules", "@types", "node"), "dir");
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          lib: ["ES2022"],
          types: ["node"],
          skipLibCheck: false,
          noEmit: true,
        },
        include: ["*.ts", "*.cts"],
      }, null, 2),
    );
    // Each block is its own module (a block without import/export would otherwise share the
    // global scope with the others).
    for (const b of blocks) fs.writeFileSync(path.join(dir, b.file), `${b.code}\nexport {};\n`);
    // The other entries' declarations, and the CommonJS ones (index.d.cts), under the same rules.
    fs.writeFileSync(path.join(dir, "entries.ts"), 'import * as js from "flowpin/js";\nimport * as node from "flowpin/node";\nexport const names: string[] = [...Object.keys(js), ...Object.keys(node)];\n');
    fs.writeFileSync(path.join(dir, "entries.cts"), 'import flowpin = require("flowpin");\nimport js = require("flowpin/js");\nexport const kinds: string[] = [flowpin.engine(), js.engine()];\n');
    const r = await run(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", dir, "--pretty", "false"], dir);
    tscOutput = r.out;
    for (const line of r.out.split("\n")) {
      const m = /^(block-\d+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line);
      const key = m ? m[1]! : "(other)";
      if (!line.trim()) continue;
      const b = m ? blocks.find((x) => x.file === key) : undefined;
      const text = m && b ? `README.md:${b.line + Number(m[2]) - 1}:${m[3]} ${m[4]}` : line;
      errors.set(key, [...(errors.get(key) ?? []), text]);
    }
    if (r.code !== 0 && errors.size === 0) errors.set("(other)", [r.out || `tsc exited with ${r.code}`]);
  }, 240_000);
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the README has TypeScript blocks to check", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  it("tsc reports nothing outside the blocks (flowpin's own declarations included)", () => {
    expect(errors.get("(other)") ?? [], tscOutput).toEqual([]);
  });

  for (const b of blocks) {
    const first = b.code.split("\n").find((l) => l.trim() && !l.trim().startsWith("//"))?.trim() ?? "";
    it(`README.md:${b.line} compiles (${first.slice(0, 60)})`, () => {
      expect(errors.get(b.file) ?? []).toEqual([]);
    });
  }
});

/**
 * The ```console blocks: `$ cat FILE` followed by the file's lines, and `$ flowpin ARGS` (or
 * `$ printf 'TEXT' | flowpin ARGS`) followed by what it prints, where a last line "…" means the
 * output goes on.
 */
interface Shown {
  line: number;
  kind: "file" | "run";
  /** The file's name, or the flowpin arguments. */
  target: string;
  stdin?: string;
  lines: string[];
  truncated: boolean;
}

export function consoleSteps(markdown: string): Shown[] {
  const lines = markdown.split("\n");
  const steps: Shown[] = [];
  let inside = false;
  let cur: Shown | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!inside) {
      inside = /^```console\s*$/.test(l);
      continue;
    }
    if (/^```\s*$/.test(l)) {
      inside = false;
      cur = undefined;
      continue;
    }
    const cat = /^\$ cat (\S+)$/.exec(l);
    const run = /^\$ (?:printf '((?:[^'\\]|\\.)*)' \| )?flowpin (.*)$/.exec(l);
    if (cat) steps.push((cur = { line: i + 1, kind: "file", target: cat[1]!, lines: [], truncated: false }));
    else if (run) {
      const stdin = run[1] === undefined ? undefined : run[1].replace(/\\n/g, "\n").replace(/\\t/g, "\t").replace(/\\\\/g, "\\");
      steps.push((cur = { line: i + 1, kind: "run", target: run[2]!, ...(stdin === undefined ? {} : { stdin }), lines: [], truncated: false }));
    } else if (l.startsWith("$ ")) throw new Error(`README.md:${i + 1}: a console line this test cannot run: ${l}`);
    else if (cur && l === "…") cur.truncated = true;
    else if (cur) cur.lines.push(l);
  }
  return steps;
}

function runCli(args: string[], cwd: string, stdin: string | undefined): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.join(root, "dist", "cli.js"), ...args], { cwd, timeout: 60_000, maxBuffer: 16 << 20, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
    child.stdin!.end(stdin ?? "");
  });
}

// Every `flowpin` command the README shows runs against the built CLI with the files the
// README shows (`$ cat`), and prints what the README says it prints. Commands whose inputs
// the README does not show (a capture, the 10,000 generated clients) are listed and skipped.
const NOT_SHOWN = ["sample.pcap", "moves/clients.csv", "moves/nginx-10.conf", "moves/nginx-11.conf"];

describe("README.md CLI examples print what the README shows", () => {
  const steps = consoleSteps(readme);
  let dir: string;
  beforeAll(() => {
    if (!fs.existsSync(path.join(root, "dist", "cli.js"))) throw new Error("dist/cli.js is missing: build the package first (npx tsup --silent; npm test builds it)");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-readme-cli-"));
    for (const s of steps) if (s.kind === "file") fs.writeFileSync(path.join(dir, s.target), s.lines.join("\n") + "\n");
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const runs = steps.filter((s) => s.kind === "run");
  it("the README shows flowpin commands with their output", () => {
    expect(runs.length).toBeGreaterThanOrEqual(12);
  });

  for (const s of runs) {
    const args = s.target.split(" ");
    it(`README.md:${s.line}: flowpin ${s.target.slice(0, 70)}`, async () => {
      const inputs = args.filter((a, i) => i > 0 && ["--config", "--input", "--pcap"].includes(args[i - 1]!) && a !== "-").concat(args[0] === "diff" ? args.slice(1, 3) : []);
      const missing = inputs.filter((f) => !fs.existsSync(path.join(dir, f)));
      if (missing.length > 0) {
        // Only these inputs are left out of the README (a binary capture; 10,000 generated clients).
        expect(missing.filter((f) => !NOT_SHOWN.includes(f)), "a command reads a file the README does not show with $ cat").toEqual([]);
        console.log(`README.md:${s.line}: not run, the README does not show ${missing.join(", ")}`);
        return;
      }
      const r = await runCli(args, dir, s.stdin);
      expect(r.code, r.out).toBe(0);
      const got = r.out.replace(/\n$/, "").split("\n");
      if (s.truncated) expect(got.slice(0, s.lines.length)).toEqual(s.lines);
      else expect(got).toEqual(s.lines);
    });
  }
});

// `npm run docs` (typedoc over src/index.ts with typedoc.json) into a temporary folder: no
// warning (a public type that refers to an unexported one, a broken link) and the error codes
// documented one by one.
describe("the API reference (npm run docs)", () => {
  let out: string;
  let log = "";
  beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-docs-"));
    const r = await run(process.execPath, [path.join(root, "node_modules", "typedoc", "bin", "typedoc"), "--out", out], root);
    log = r.out.replace(/\x1b\[[0-9;]*m/g, "");
    expect(r.code, log).toBe(0);
  }, 180_000);
  afterAll(() => {
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it("typedoc reports no warning and no error", () => {
    expect(log.split("\n").filter((l) => /\[(warning|error)\]/.test(l))).toEqual([]);
  });

  it("FlowpinErrorCode's page gives every code with its meaning", async () => {
    const { TYPE_CODES, RANGE_CODES, DATA_CODES, STATE_CODES } = await import("../src/errors.js");
    const codes: string[] = [...TYPE_CODES, ...RANGE_CODES, ...DATA_CODES, ...STATE_CODES];
    // types/FlowpinErrorCode.html, or types/index.FlowpinErrorCode.html with several entry points.
    const page = fs.readdirSync(path.join(out, "types")).filter((f) => /(^|\.)FlowpinErrorCode\.html$/.test(f));
    expect(page).toHaveLength(1);
    const html = fs.readFileSync(path.join(out, "types", page[0]!), "utf8");
    const text = html.replace(/<[^>]+>/g, " ").replace(/&quot;/g, '"').replace(/\s+/g, " ");
    // The union's member list ("Type Declaration"): each code followed by its own sentence.
    const list = text.slice(text.indexOf("Type Declaration"));
    for (const [i, code] of codes.entries()) {
      const at = list.indexOf(`"${code}"`);
      expect(at, code).toBeGreaterThan(0);
      const next = i + 1 < codes.length ? list.indexOf(`"${codes[i + 1]}"`, at + 1) : list.length;
      const meaning = list.slice(at + code.length + 2, next).trim();
      expect(meaning.split(" ").length, `${code}: "${meaning.slice(0, 80)}"`).toBeGreaterThanOrEqual(4);
    }
  });
});
