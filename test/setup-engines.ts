// Every suite runs on every engine: the default entry (src/index.ts) inlines the SIMD build and
// loads the baseline build and the JS engine only where SIMD or WebAssembly is missing, so the
// tests add both up front, through the same provider. The built entries, with their lazy
// loading, are tested as shipped by test/runtimes/.
import "../src/index.js";
import { addEngines } from "../src/engine/provider-default.js";
import { BASE_WASM } from "../src/generated/wasm-inline.js";
import { instantiate } from "../src/generated/js-engine.js";

addEngines({ wasm: BASE_WASM, js: instantiate });
