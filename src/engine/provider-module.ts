// Engines from a compiled WebAssembly.Module handed over by the host: Cloudflare Workers and
// Vercel Edge import `.wasm` files as modules and forbid compiling bytes ("Wasm code
// generation disallowed by embedder"), but instantiating a module is allowed.
import { flowpinError, show } from "../errors.js";
import type { WasmExports } from "./abi.js";
import type { EngineKind } from "./engine.js";
import { setProvider, type Provider } from "./state.js";

export function moduleProvider(module: WebAssembly.Module): Provider {
  if (!(module instanceof WebAssembly.Module)) {
    throw flowpinError("INVALID_TYPE", `module must be a WebAssembly.Module, got ${show(module)}`);
  }
  // The module says which build it is (ASC_FEATURE_SIMD, compiled in).
  let kind: EngineKind | undefined;
  let first: WasmExports | undefined;
  const instantiate = (): WasmExports => new WebAssembly.Instance(module, {}).exports as unknown as WasmExports;
  const probe = (): EngineKind => {
    if (!kind) {
      first = instantiate();
      kind = first.simd() ? "wasm-simd" : "wasm";
    }
    return kind;
  };
  return {
    available: () => [probe()],
    load(k) {
      if (k !== probe()) throw flowpinError("ENGINE_UNAVAILABLE", `engine ${k} is not available from this module (it is ${kind})`);
      const x = first ?? instantiate();
      first = undefined;
      return x;
    },
  };
}

/**
 * Uses a compiled flowpin Wasm module (the package's `flowpin/flowpin.wasm`) for every call.
 * For hosts that hand over modules rather than allowing compilation from bytes.
 *
 * @example
 * import wasm from "flowpin/flowpin.wasm"; // a WebAssembly.Module in workerd / edge-light
 * import { initFromModule } from "flowpin";
 * initFromModule(wasm);
 */
export function initFromModule(module: WasmModule): void {
  setProvider(moduleProvider(module as WebAssembly.Module));
}

/**
 * A compiled `WebAssembly.Module`, typed without naming the `WebAssembly` namespace: the
 * declarations then compile where the program's libs do not declare it (`lib: ["ES2022"]` with
 * @types/node 20 has none). Where it is declared (DOM, Workers types) this is WebAssembly.Module;
 * elsewhere `object`. initFromModule checks the value at run time either way.
 */
export type WasmModule = typeof globalThis extends { WebAssembly: { Module: abstract new (...args: never[]) => infer M } } ? M : object;
