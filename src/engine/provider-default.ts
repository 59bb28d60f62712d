// The default entry's engines. The SIMD build is inlined as base64 (Node, Deno, Bun and
// browsers compile bytes; no file to locate at run time); the baseline build and the JS engine
// are files of their own beside the entry, which `await init()` loads only where the SIMD build
// does not validate or WebAssembly is missing. Detection is WebAssembly.validate() of the SIMD
// build itself: exact, where a probe module would only guess at what the build uses.
import { SIMD_WASM } from "../generated/wasm-inline.js";
import type { WasmExports } from "./abi.js";
import type { EngineKind } from "./engine.js";
import type { Provider } from "./state.js";

type WasmKind = Exclude<EngineKind, "js">;
const sources: Partial<Record<WasmKind, string>> = { "wasm-simd": SIMD_WASM };
const bytes = new Map<WasmKind, Uint8Array>();
const modules = new Map<WasmKind, WebAssembly.Module>();
const instances = new Map<WasmKind, WebAssembly.Instance>();
let kinds: EngineKind[] | undefined;
let jsEngine: (() => WasmExports) | undefined;

// The two files' names, set per output format by tsup (tsup.config.ts); under the test runner
// (which adds both engines up front with addEngines) the generated sources.
declare const __FLOWPIN_ENGINE_FILES__: { js: string; wasm: string } | undefined;
const FILES = typeof __FLOWPIN_ENGINE_FILES__ === "object" ? __FLOWPIN_ENGINE_FILES__ : { js: "./js-engine-entry.js", wasm: "./base-wasm-entry.js" };

// Node's and Bun's Buffer (a global there, no import): its native base64 decoder takes
// 0.13 ms for the SIMD build where atob and a byte loop, still in the interpreter at start-up,
// take 1.4-2.2 ms (measured in a fresh process).
const NodeBuffer = (globalThis as { Buffer?: { from(s: string, enc: "base64"): Uint8Array } }).Buffer;

function decode(kind: WasmKind): Uint8Array {
  let b = bytes.get(kind);
  if (!b) {
    const src = sources[kind]!;
    if (typeof NodeBuffer?.from === "function") b = NodeBuffer.from(src, "base64");
    else {
      const text = atob(src);
      b = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
    }
    bytes.set(kind, b);
  }
  return b;
}

function hasWasm(): boolean {
  return typeof WebAssembly === "object" && WebAssembly !== null && typeof WebAssembly.Module === "function";
}

/**
 * Whether `kind`'s build runs here. Compiling it answers that and keeps the module for
 * load(): one pass over the bytes, where validate() then compile made two. A host that
 * refuses synchronous compilation of this size (browsers' main thread: RangeError) is asked
 * validate() instead, and init() compiles asynchronously.
 */
function usable(kind: WasmKind): boolean {
  if (sources[kind] === undefined) return false;
  if (modules.has(kind)) return true;
  const b = decode(kind) as BufferSource;
  try {
    modules.set(kind, new WebAssembly.Module(b));
    return true;
  } catch (e) {
    if (e instanceof WebAssembly.CompileError) return false;
    return WebAssembly.validate(b);
  }
}

/** Makes the baseline build and/or the JS engine available (init() does, where needed). */
export function addEngines(extra: { wasm?: string; js?: () => WasmExports }): void {
  if (extra.wasm !== undefined) sources.wasm = extra.wasm;
  if (extra.js !== undefined) jsEngine = extra.js;
  kinds = undefined;
}

export const defaultProvider: Provider = {
  available() {
    if (!kinds) {
      kinds = [];
      if (hasWasm()) for (const kind of ["wasm-simd", "wasm"] as const) if (usable(kind)) kinds.push(kind);
      if (jsEngine) kinds.push("js");
    }
    return kinds;
  },
  load(kind) {
    if (kind === "js") return jsEngine!();
    let instance = instances.get(kind);
    if (instance) instances.delete(kind);
    else {
      let module = modules.get(kind);
      if (!module) {
        module = new WebAssembly.Module(decode(kind) as BufferSource);
        modules.set(kind, module);
      }
      instance = new WebAssembly.Instance(module, {});
    }
    return instance.exports as unknown as WasmExports;
  },
  async init() {
    if (this.available().length === 0) {
      // No SIMD: the baseline build where WebAssembly exists, else the JS engine.
      if (hasWasm() && sources.wasm === undefined) addEngines({ wasm: ((await import(/* @vite-ignore */ FILES.wasm)) as { BASE_WASM: string }).BASE_WASM });
      if (this.available().length === 0) addEngines({ js: ((await import(/* @vite-ignore */ FILES.js)) as { instantiate: () => WasmExports }).instantiate });
    }
    const best = this.available()[0];
    if (best === undefined || best === "js" || modules.has(best)) return;
    const { module, instance } = await WebAssembly.instantiate(decode(best) as BufferSource, {});
    modules.set(best, module);
    instances.set(best, instance);
  },
};
