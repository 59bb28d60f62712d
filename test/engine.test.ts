// The engine layer: the ABI list matches every build, feature detection picks SIMD here,
// hosts without WebAssembly get the JS engine, compiled modules can be handed over, and the
// linear-memory allocator reuses what is released.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EXPORT_NAMES } from "../src/engine/abi.js";
import { Engine } from "../src/engine/engine.js";
import { instantiate as instantiateJs } from "../src/generated/js-engine.js";
import { engine, engines, FlowpinError, hashes, initFromModule, useEngine, init } from "../src/index.js";
import { defaultProvider } from "../src/engine/provider-default.js";
import { setProvider } from "../src/engine/state.js";

const root = path.resolve(import.meta.dirname, "..");
const wasm = (name: string) => new WebAssembly.Module(fs.readFileSync(path.join(root, "build", name)));

describe("ABI", () => {
  it.each(["flowpin.wasm", "flowpin-simd.wasm"])("%s exports exactly EXPORT_NAMES", (file) => {
    const names = WebAssembly.Module.exports(wasm(file)).map((e) => e.name);
    expect(names.sort()).toEqual([...EXPORT_NAMES].sort());
  });

  it("the JS engine exports exactly EXPORT_NAMES", () => {
    expect(Object.keys(instantiateJs()).sort()).toEqual([...EXPORT_NAMES].sort());
  });

  it("the SIMD build says it is one and the baseline build says it is not", () => {
    const simd = new WebAssembly.Instance(wasm("flowpin-simd.wasm"), {}).exports as { simd(): number };
    const base = new WebAssembly.Instance(wasm("flowpin.wasm"), {}).exports as { simd(): number };
    expect([simd.simd(), base.simd()]).toEqual([1, 0]);
  });
});

describe("engine selection", () => {
  it("Node 20 runs the SIMD build by default and offers all three engines", () => {
    expect(engines()).toEqual(["wasm-simd", "wasm", "js"]);
    expect(engine()).toBe("wasm-simd");
  });

  it("useEngine switches and rejects unknown or unavailable engines", () => {
    useEngine("js");
    expect(engine()).toBe("js");
    useEngine("wasm-simd");
    expect(() => useEngine("gpu" as never)).toThrow(FlowpinError);
    try {
      useEngine("gpu" as never);
    } catch (e) {
      expect((e as FlowpinError).code).toBe("OUT_OF_RANGE");
      expect((e as Error).message).toContain('"gpu"');
    }
  });

  it("init() resolves to the best engine", async () => {
    expect(await init()).toBe("wasm-simd");
  });

  it("initFromModule takes a compiled module and reports which build it is", () => {
    try {
      initFromModule(wasm("flowpin.wasm"));
      expect(engine()).toBe("wasm");
      expect(engines()).toEqual(["wasm"]);
      initFromModule(wasm("flowpin-simd.wasm"));
      expect(engine()).toBe("wasm-simd");
      expect(hashes.xxh32(new Uint8Array(0))).toBe(0x02cc5d05);
      expect(() => initFromModule({} as WebAssembly.Module)).toThrow(/WebAssembly.Module/);
    } finally {
      setProvider(defaultProvider);
    }
  });

  it("a host without WebAssembly: the default entry asks for init(), which loads the JS engine's file (ESM and CJS)", () => {
    const dist = path.join(root, "dist");
    // Before init() a call throws ENGINE_UNAVAILABLE naming init(); after it the JS engine runs.
    const body = (m: string) =>
      `delete globalThis.WebAssembly; const m = ${m}; let before; try { m.hashes.xxh32(new Uint8Array(0)); before = "no error"; } catch (e) { before = e.code + (/init\(\)/.test(e.message) ? " init()" : ""); } m.init().then((k) => console.log(before, k, m.engine(), m.hashes.xxh32(new Uint8Array(0)).toString(16)));`;
    const esm = execFileSync(process.execPath, ["--input-type=module", "-e", body(`await import(${JSON.stringify(path.join(dist, "index.js"))})`)], { encoding: "utf8" });
    expect(esm.trim()).toBe("ENGINE_UNAVAILABLE init() js js 2cc5d05");
    const cjs = execFileSync(process.execPath, ["-e", body(`require(${JSON.stringify(path.join(dist, "index.cjs"))})`)], { encoding: "utf8" });
    expect(cjs.trim()).toBe("ENGINE_UNAVAILABLE init() js js 2cc5d05");
  });

  it("a host without SIMD: init() loads the baseline build's file; a host with SIMD never reads it", () => {
    const dist = path.join(root, "dist");
    const simdBytes = fs.statSync(path.join(dist, "flowpin-simd.wasm")).size;
    // A host without SIMD refuses the SIMD build both ways the provider may ask: validate()
    // says false, compiling throws a CompileError.
    const noSimd =
      `const v = WebAssembly.validate; WebAssembly.validate = (b) => (b.byteLength === ${simdBytes} ? false : v(b));` +
      `const M = WebAssembly.Module; WebAssembly.Module = function (b) { if (b.byteLength === ${simdBytes}) throw new WebAssembly.CompileError("no SIMD here"); return new M(b); };`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", `${noSimd} const m = await import(${JSON.stringify(path.join(dist, "index.js"))}); console.log(m.engines().length, await m.init(), m.engines().join(","), m.hashes.xxh32(new Uint8Array(0)).toString(16));`], { encoding: "utf8" });
    expect(out.trim()).toBe("0 wasm wasm 2cc5d05");
    // With SIMD, the engines listed are the SIMD build alone: nothing else was loaded.
    const simd = execFileSync(process.execPath, ["--input-type=module", "-e", `const m = await import(${JSON.stringify(path.join(dist, "index.js"))}); console.log(m.engines().join(","), m.engine());`], { encoding: "utf8" });
    expect(simd.trim()).toBe("wasm-simd wasm-simd");
  });

  it("a host that refuses synchronous compilation (browsers' main thread): the SIMD build is still listed and init() compiles it", () => {
    const dist = path.join(root, "dist");
    const noSync = `WebAssembly.Module = function () { throw new RangeError("WebAssembly.Module is disallowed on the main thread"); };`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", `${noSync} const m = await import(${JSON.stringify(path.join(dist, "index.js"))}); console.log(m.engines().join(","), await m.init(), m.hashes.xxh32(new Uint8Array(0)).toString(16));`], { encoding: "utf8" });
    expect(out.trim()).toBe("wasm-simd wasm-simd 2cc5d05");
  });

  it("the flowpin/js entry runs only the JS engine", () => {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", `const m = await import(${JSON.stringify(path.join(root, "dist", "js.js"))}); console.log(m.engine(), m.engines().join(","));`], { encoding: "utf8" });
    expect(out.trim()).toBe("js js");
  });
});

describe("linear memory allocator", () => {
  const fresh = () => new Engine("js", instantiateJs());

  it("returns 16-aligned, non-overlapping regions", () => {
    const e = fresh();
    const ptrs = [3, 100, 1, 4096, 17].map((n) => [e.alloc(n), n] as const);
    for (const [p] of ptrs) expect(p % 16).toBe(0);
    const sorted = [...ptrs].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]![0]).toBeGreaterThanOrEqual(sorted[i - 1]![0] + sorted[i - 1]![1]);
  });

  it("reuses released memory: a build-and-release loop does not grow memory", () => {
    const e = fresh();
    const keep = e.alloc(1000);
    for (let i = 0; i < 50; i++) {
      const a = e.alloc(200_000 + (i % 7) * 1000);
      const b = e.alloc(5000);
      e.release(a);
      e.release(b);
    }
    const after = e.memoryBytes;
    for (let i = 0; i < 200; i++) {
      const a = e.alloc(200_000 + (i % 7) * 1000);
      const b = e.alloc(5000);
      e.release(b);
      e.release(a);
    }
    expect(e.memoryBytes).toBe(after);
    e.release(keep);
  });

  it("coalesces neighbours so a large region fits where small ones were", () => {
    const e = fresh();
    const parts = Array.from({ length: 8 }, () => e.alloc(1024));
    const guard = e.alloc(16);
    const before = e.memoryBytes;
    for (const p of [3, 1, 0, 2, 5, 7, 4, 6]) e.release(parts[p]!);
    const big = e.alloc(8 * 1024);
    expect(big).toBe(parts[0]);
    expect(e.memoryBytes).toBe(before);
    e.release(guard);
  });

  it("memory views follow memory growth", () => {
    const e = fresh();
    const before = e.u8.buffer;
    const p = e.alloc(4 << 20);
    e.u8[p + (4 << 20) - 1] = 7;
    expect(e.u8.buffer).not.toBe(before);
    expect(e.u8[p + (4 << 20) - 1]).toBe(7);
  });
});
