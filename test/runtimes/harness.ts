// Shared by the runtime tests: a consumer directory where `flowpin` resolves to this repo
// through its exports map, Node's reference result of test/runtimes/fixture.mjs, an
// exports-map resolver for hosts that take files rather than packages (workerd, Chromium),
// and the byte-for-byte comparison.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";

export const root = path.resolve(import.meta.dirname, "../..");
export const bin = (name: string): string => path.join(root, "node_modules", ".bin", name);
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { exports: Record<string, unknown> };

/** What compute() in fixture.mjs returns. */
export interface FixtureResult {
  engine: string;
  engineBeforeInit: string;
  sections: string[];
  unlisted: string[];
  results: Record<string, unknown>;
}

/**
 * A temporary consumer project: package.json depending on flowpin, node_modules/flowpin a
 * symlink to the repo (so every host resolves the built dist/ through the real exports map),
 * the fixture, and a runner that imports "flowpin" and prints the fixture's JSON.
 */
export function consumerDir(tag: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `flowpin-${tag}-`));
  fs.mkdirSync(path.join(dir, "node_modules"));
  fs.symlinkSync(root, path.join(dir, "node_modules", "flowpin"), "dir");
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `flowpin-${tag}-consumer`, private: true, type: "module", dependencies: { flowpin: "*" } }));
  fs.copyFileSync(path.join(import.meta.dirname, "fixture.mjs"), path.join(dir, "fixture.mjs"));
  fs.writeFileSync(
    path.join(dir, "run.mjs"),
    'import * as flowpin from "flowpin";\nimport { compute } from "./fixture.mjs";\nconsole.log(JSON.stringify(await compute(flowpin)));\n',
  );
  return dir;
}

export function removeDir(dir: string | undefined): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs a command and parses the last stdout line as the fixture's JSON. */
export async function runFixture(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ raw: string; result: FixtureResult }> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(cmd, args, { cwd, env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 16 << 20, encoding: "utf8" }, (err, out, errOut) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")} failed: ${err.message}\n${errOut}`));
      else resolve(out);
    });
  });
  const raw = stdout.trim().split("\n").at(-1) ?? "";
  return { raw, result: JSON.parse(raw) as FixtureResult };
}

/** Node's result through the default entry (ESM): the reference every host must match. */
export async function nodeReference(dir: string): Promise<FixtureResult> {
  const { result } = await runFixture(process.execPath, ["run.mjs"], dir);
  // The reference itself must be complete: every primitive listed, every section present
  // whose export exists in this build.
  expect(result.unlisted, "primitives missing from test/runtimes/fixture.mjs PRIMITIVES").toEqual([]);
  expect(result.engine).toBe("wasm-simd");
  return result;
}

/** The part of a result that must be identical everywhere (engines differ by design). */
export function comparable(r: FixtureResult): string {
  return JSON.stringify({ sections: r.sections, unlisted: r.unlisted, results: r.results });
}

/** Asserts a host's result equals Node's byte for byte (structural diff first, for a readable failure). */
export function expectSameAsNode(host: FixtureResult, ref: FixtureResult): void {
  expect(host.sections).toEqual(ref.sections);
  expect(host.results).toEqual(ref.results);
  expect(comparable(host)).toBe(comparable(ref));
}

/**
 * The file the package's exports map gives `subpath` under `conditions`, resolved as Node's
 * PACKAGE_EXPORTS_RESOLVE does (first matching key in object order wins; "types" never
 * matches a runtime). For hosts that are handed files: workerd (wrangler resolves with
 * workerd, worker, browser) and a browser import map.
 */
export function resolveExport(subpath: string, conditions: readonly string[]): string {
  const walk = (target: unknown): string | undefined => {
    if (typeof target === "string") return target;
    if (target && typeof target === "object" && !Array.isArray(target)) {
      for (const [key, value] of Object.entries(target)) {
        if (key === "default" || conditions.includes(key)) {
          const hit = walk(value);
          if (hit !== undefined) return hit;
        }
      }
    }
    return undefined;
  };
  const hit = walk(pkg.exports[subpath]);
  if (!hit) throw new Error(`exports[${JSON.stringify(subpath)}] has no target for conditions ${conditions.join(", ")}`);
  return path.join(root, hit);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Polls until something accepts TCP connections on 127.0.0.1:port (bounded by `ms`). */
export async function waitForPort(port: number, ms: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`process exited with code ${child.exitCode} before listening on ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, "127.0.0.1");
      c.once("connect", () => (c.destroy(), resolve(true)));
      c.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${ms} ms`);
}

/** Starts a long-running process, collecting its output for error messages. */
export function startProcess(cmd: string, args: string[], cwd: string): { child: ChildProcess; output: () => string } {
  const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

/** Stops a process we started (by its own handle) and waits for it to exit, bounded. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** Synchronous helper for version banners in test names and skip messages. */
export function versionOf(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8" }).trim().split("\n")[0]!;
}
