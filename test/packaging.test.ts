// The package as npm publishes it (`npm pack` of the built tree): publint and
// @arethetypeswrong/cli report no problems, the tarball holds what consumers need and nothing
// else, the platform-neutral entries import no node: module (flowpin/node holds what does),
// and each entry stays within its gzipped size budget.
import { execFile } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveExport } from "./runtimes/harness.js";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string): string => path.join(root, "node_modules", ".bin", name);

function run(cmd: string, args: string[], cwd = root): Promise<{ code: number; out: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: 120_000, maxBuffer: 32 << 20, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}`, stdout });
    });
  });
}

/**
 * Gzipped bytes per file (gzip -9), about 8 % above the sizes measured when the budgets were
 * set (2026-12-08, minified): index.js 121.8 KB, index.cjs 121.8 KB, js.js 114.2 KB,
 * js.cjs 114.2 KB, workerd.js + flowpin-simd.wasm 90.6 + 19.3 = 109.9 KB; the files the
 * default entry loads only where SIMD or WebAssembly is missing: engine-wasm.js 17.2 KB,
 * engine-js.js 23.0 KB; node.js 1.0 KB.
 * What an entry holds: the default entry the whole API with the SIMD build inline (the
 * baseline build and the JS engine, 85 KB of it before, are files of their own now); of its
 * 121.8 KB the production systems (src/systems: eight systems with their native file readers)
 * are 56 KB and the Balancer 6 KB. The API that existed when the budgets were first set
 * (hashing, Maglev, rendezvous, ring, glb, pcap) bundles to 59.7 KB, against 86.6 KB then.
 */
const BUDGET: Record<string, { files: string[]; bytes: number }> = {
  "flowpin (ESM)": { files: ["dist/index.js"], bytes: 132_000 },
  "flowpin (CJS)": { files: ["dist/index.cjs"], bytes: 132_000 },
  "flowpin/js (ESM)": { files: ["dist/js.js"], bytes: 124_000 },
  "flowpin/js (CJS)": { files: ["dist/js.cjs"], bytes: 124_000 },
  "workerd / edge-light": { files: ["dist/workerd.js", "dist/flowpin-simd.wasm"], bytes: 119_000 },
  "baseline Wasm, loaded by init() without SIMD": { files: ["dist/engine-wasm.js"], bytes: 19_000 },
  "JS engine, loaded by init() without WebAssembly": { files: ["dist/engine-js.js"], bytes: 25_000 },
  "flowpin/node": { files: ["dist/node.js"], bytes: 2_000 },
};

describe("the packed package", () => {
  let dir: string;
  let tarball: string;
  let files: string[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-pack-"));
    const r = await run("npm", ["pack", "--json", "--pack-destination", dir]);
    expect(r.code, r.out).toBe(0);
    const info = JSON.parse(r.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(dir, info[0]!.filename);
    files = info[0]!.files.map((f) => f.path).sort();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("publint reports nothing, warnings and suggestions included", async () => {
    const r = await run(bin("publint"), ["run", tarball, "--strict", "--level", "suggestion"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("All good!");
  });

  it("arethetypeswrong finds no problem in the types of flowpin, flowpin/js and flowpin/node under every resolution mode", async () => {
    // flowpin.wasm is not a JS module (Workers' types declare `*.wasm` imports themselves);
    // flowpin/workerd is checked ESM-only below.
    const r = await run(bin("attw"), [tarball, "--format", "json", "--exclude-entrypoints", "./workerd", "./flowpin.wasm"]);
    const report = JSON.parse(r.stdout) as { analysis: { problems: unknown[]; entrypoints: Record<string, unknown> } };
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual([".", "./js", "./node", "./package.json"]);
    expect(report.analysis.problems).toEqual([]);
    expect(r.code, r.out).toBe(0);
  });

  it("flowpin/workerd is clean as an ESM-only entry (it imports a .wasm module, which only ESM hosts do)", async () => {
    const r = await run(bin("attw"), [tarball, "--format", "json", "--entrypoints", "./workerd", "--profile", "esm-only"]);
    const report = JSON.parse(r.stdout) as { analysis: { problems: { resolutionKind?: string }[] } };
    // The JSON lists every problem; the esm-only profile ignores only CommonJS's and node10's.
    expect(report.analysis.problems.filter((p) => p.resolutionKind !== "node16-cjs" && p.resolutionKind !== "node10")).toEqual([]);
    expect(r.code, r.out).toBe(0);
  });

  it("ships dist, the README and package.json, and no sources, tests or benchmarks", () => {
    expect(files).toContain("package.json");
    expect(files).toContain("dist/flowpin-simd.wasm");
    for (const f of files) expect(f, f).toMatch(/^(dist\/[^/]+|README\.md|LICENSE|package\.json)$/);
    // dist/bench.js needs the repository's dev dependencies: useless in an install.
    expect(files).not.toContain("dist/bench.js");
  });

  it("has zero runtime dependencies", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as Record<string, unknown>;
    for (const k of ["dependencies", "peerDependencies", "optionalDependencies", "bundleDependencies"]) expect(pkg[k] ?? {}, k).toEqual({});
  });

  it("exports lists types first in every condition, conditions in host-specificity order", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    const dot = pkg.exports["."] as Record<string, Record<string, string>>;
    // Node takes the first matching key: host-specific conditions must precede import/require.
    expect(Object.keys(dot)).toEqual(["workerd", "edge-light", "fastly", "browser", "import", "require", "default"]);
    const walk = (v: unknown, at: string): void => {
      if (v && typeof v === "object") {
        const keys = Object.keys(v);
        if (keys.includes("types")) expect(keys[0], `${at}: "types" must come first`).toBe("types");
        for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
      }
    };
    walk(pkg.exports, "exports");
  });

  it.each([
    // [hosts, their conditions, the file they must get]
    ["workerd (Cloudflare, with wrangler's conditions)", ["workerd", "worker", "browser", "import"], "dist/workerd.js"],
    ["edge-light (Vercel Edge)", ["edge-light", "browser", "import"], "dist/workerd.js"],
    ["fastly (no WebAssembly)", ["fastly", "import"], "dist/js.js"],
    ["browser bundlers", ["browser", "import"], "dist/index.js"],
    ["Node, Deno, Bun: import", ["node", "deno", "bun", "import"], "dist/index.js"],
    ["Node, Bun: require", ["node", "bun", "require"], "dist/index.cjs"],
  ] as const)("%s resolve to %s", (_host, conditions, file) => {
    expect(path.relative(root, resolveExport(".", conditions))).toBe(file);
  });

  // Every file a platform-neutral host can be handed (the default entry also loads its engine
  // files, beside it): a `node:` import there, even a dynamic one, fails a browser bundle.
  // A static, side-effect, dynamic or require import (process.getBuiltinModule is no import).
  const NODE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'`]node:[\w/]+["'`]/g;
  const NEUTRAL = ["dist/index.js", "dist/index.cjs", "dist/js.js", "dist/js.cjs", "dist/workerd.js", "dist/engine-js.js", "dist/engine-js.cjs", "dist/engine-wasm.js", "dist/engine-wasm.cjs"];

  it.each(NEUTRAL)("%s imports no node: module", (file) => {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    expect(text.match(NODE_IMPORT) ?? []).toEqual([]);
  });

  it("every value the declarations export exists at run time (a type-only class must not be offered as a value)", async () => {
    // dist/js.d.ts re-exports index.d.ts's names: index's value list is checked against js.js too.
    for (const [dts, js] of [["dist/index.d.ts", "dist/index.js"], ["dist/index.d.ts", "dist/js.js"], ["dist/node.d.ts", "dist/node.js"]] as const) {
      const text = fs.readFileSync(path.join(root, dts), "utf8");
      const list = /export \{([^}]*)\};\s*$/.exec(text)?.[1] ?? "";
      const values = list.split(",").map((x) => x.trim()).filter((x) => x && !x.startsWith("type "));
      expect(values.length, dts).toBeGreaterThan(0);
      const mod = (await import(path.join(root, js))) as Record<string, unknown>;
      expect(values.filter((v) => mod[v.split(" as ").pop()!] === undefined), `${dts} exports values missing from ${js}`).toEqual([]);
    }
  });

  it("the default, js and workerd entries bundle for a browser (esbuild --platform=browser)", async () => {
    const { build } = await import("esbuild");
    for (const [name, conditions] of [["default", ["browser", "import"]], ["js", ["import"]], ["workerd", ["workerd", "browser", "import"]]] as const) {
      const entry = resolveExport(name === "default" ? "." : `./${name}`, conditions);
      const r = await build({ entryPoints: [entry], bundle: true, write: false, format: "esm", platform: "browser", logLevel: "silent", external: ["*.wasm"] });
      expect(r.errors, name).toEqual([]);
    }
  });

  it("flowpin/node (ESM and CJS) exports tcpCheck, which connects", async () => {
    const esm = (await import(resolveExport("./node", ["node", "import"]))) as { tcpCheck: (t: string, ms?: number) => Promise<boolean> };
    const cjs = createRequire(import.meta.url)(resolveExport("./node", ["node", "require"])) as typeof esm;
    expect(Object.keys(esm)).toEqual(["tcpCheck"]);
    expect(Object.keys(cjs)).toEqual(["tcpCheck"]);
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      expect(await esm.tcpCheck(`127.0.0.1:${port}`, 2000)).toBe(true);
      expect(await cjs.tcpCheck(`127.0.0.1:${port}`, 2000)).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await esm.tcpCheck(`127.0.0.1:${port}`, 2000)).toBe(false);
  });

  it.each(Object.entries(BUDGET))("%s stays within its gzipped size budget", (name, { files: entry, bytes }) => {
    const sizes = entry.map((f) => zlib.gzipSync(fs.readFileSync(path.join(root, f)), { level: 9 }).length);
    const total = sizes.reduce((a, b) => a + b, 0);
    console.log(`size ${name}: ${entry.map((f, i) => `${f} ${(sizes[i]! / 1000).toFixed(1)} KB`).join(" + ")} = ${(total / 1000).toFixed(1)} KB gzipped (budget ${(bytes / 1000).toFixed(0)} KB)`);
    expect(total).toBeLessThanOrEqual(bytes);
  });
});
