/**
 * flowpin for Cloudflare Workers (workerd) and Vercel Edge (edge-light): the SIMD Wasm build
 * is imported as a module, because these hosts forbid compiling Wasm from bytes.
 * @module
 */
import wasm from "./flowpin-simd.wasm";
import { initFromModule } from "./engine/provider-module.js";

initFromModule(wasm);

export * from "./api.js";
