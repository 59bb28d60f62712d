/**
 * flowpin on the JS engine only (`flowpin/js`, and the `fastly` condition): for hosts with no
 * WebAssembly. Results are identical to the Wasm engines.
 * @module
 */
import { jsProvider } from "./engine/provider-js.js";
import { setProvider } from "./engine/state.js";

setProvider(jsProvider);

export * from "./api.js";
