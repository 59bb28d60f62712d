/**
 * flowpin: consistent backend selection (Maglev, rendezvous, glb-director tables) and 5-tuple
 * flow hashing, byte-identical with production load balancers, on a Wasm hot path.
 *
 * This is the default entry (Node, Deno, Bun, browsers): the Wasm is inlined and compiled on
 * first use; `await init()` where the host forbids synchronous compilation.
 * @module
 */
import { defaultProvider } from "./engine/provider-default.js";
import { setProvider } from "./engine/state.js";

setProvider(defaultProvider);

export * from "./api.js";
