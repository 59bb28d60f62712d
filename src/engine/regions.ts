// Returns the Wasm memory of objects collected without dispose() (batches, hasher and
// rendezvous state). One registry for all of them.
//
// FinalizationRegistry is missing on some hosts (Cloudflare Workers before compatibility date
// 2025-05-05): there flowpin still loads and works, and only the automatic return is lost;
// dispose() frees memory everywhere.
import type { Engine } from "./engine.js";

interface Region {
  engine: Engine;
  ptr: number;
}

const registry =
  typeof FinalizationRegistry === "function" ? new FinalizationRegistry<Region>((r) => r.engine.release(r.ptr)) : undefined;

/** Releases `ptr` on `engine` when `owner` is garbage-collected, unless untracked first. */
export function track(owner: object, engine: Engine, ptr: number, token: object): void {
  registry?.register(owner, { engine, ptr }, token);
}

/** Cancels track() for `token` (the owner freed its memory itself). */
export function untrack(token: object): void {
  registry?.unregister(token);
}
