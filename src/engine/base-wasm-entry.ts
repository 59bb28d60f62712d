// The baseline (non-SIMD) Wasm build as a file of its own beside the default entry
// (dist/engine-wasm.js and .cjs): loaded only where the SIMD build does not validate, so the
// hosts that run SIMD (every current engine) never carry its 40 KB of base64.
export { BASE_WASM } from "../generated/wasm-inline.js";
