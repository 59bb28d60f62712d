// The JS engine as a file of its own beside the default entry (dist/engine-js.js and .cjs):
// the default entry loads it only where WebAssembly is missing, so hosts that have
// WebAssembly neither download nor parse its ~4,500 lines.
export { instantiate } from "../generated/js-engine.js";
