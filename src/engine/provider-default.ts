// The default entry's engines: both Wasm builds inlined as base64 (Node, Deno, Bun and
// browsers compile bytes; no file to locate at run time) and the JS engine for hosts with no
// WebAssembly. Feature detection is WebAssembly.validate() of the SIMD build itself: exact,
// where a probe module would only guess at what the build uses.
import { BASE_WASM, SIMD_WASM } from "../generated/wasm-inline.js";
import { instantiate as instantiateJs } from "../generated/js-engine.js";
import type { WasmExports } from "./abi.js";
import type { EngineKind } from "./engine.js";
import type { Provider } from "./state.js";

type WasmKind = Exclude<EngineKind, "js">;
const SOURCES: Record<WasmKind, string> = { "wasm-simd": SIMD_WASM, wasm: BASE_WASM };
const bytes = new Map<WasmKind, Uint8Array>();
const modules = new Map<WasmKind, WebAssembly.Module>();
const instances = new Map<WasmKind, WebAssembly.Instance>();
let kinds: EngineKind[] | undefined;

function decode(kind: WasmKind): Uint8Array {
  let b = bytes.get(kind);
  if (!b) {
    const text = atob(SOURCES[kind]);
    b = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
    bytes.set(kind, b);
  }
  return b;
}

function hasWasm(): boolean {
  return typeof WebAssembly === "object" && WebAssembly !== null && typeof WebAssembly.Module === "function";
}

export const defaultProvider: Provider = {
  available() {
    if (!kinds) {
      kinds = [];
      if (hasWasm()) {
        for (const kind of ["wasm-simd", "wasm"] as const) {
          if (WebAssembly.validate(decode(kind) as BufferSource)) kinds.push(kind);
        }
      }
      kinds.push("js");
    }
    return kinds;
  },
  load(kind) {
    if (kind === "js") return instantiateJs();
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
    const best = this.available()[0];
    if (best === undefined || best === "js" || modules.has(best)) return;
    const { module, instance } = await WebAssembly.instantiate(decode(best) as BufferSource, {});
    modules.set(best, module);
    instances.set(best, instance);
  },
};
