// The JS engine alone: hosts with no WebAssembly (Fastly Compute's JS runtime). It is the
// baseline Wasm build translated by wasm2js, so results are identical by construction.
import { instantiate } from "../generated/js-engine.js";
import type { Provider } from "./state.js";

export const jsProvider: Provider = {
  available: () => ["js"],
  load: () => instantiate(),
};
