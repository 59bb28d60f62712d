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

// Explicit resource management (`using`): the method is installed under Symbol.dispose where
// the host has it (Node 20.4+ and 22, Deno, Bun, current browsers), and under the name Node
// registered before the symbol was standardized otherwise. Nothing touches Symbol.dispose
// where it is missing, so importing or constructing never throws on an older host.
const DISPOSE: symbol = (Symbol as unknown as { dispose?: symbol }).dispose ?? Symbol.for("nodejs.dispose");

/**
 * Makes instances of `cls` disposable with `using`: `[Symbol.dispose]()` calls `dispose()`.
 * One definition for every class that holds Wasm memory.
 */
export function disposable(cls: { prototype: { dispose(): void } }): void {
  Object.defineProperty(cls.prototype, DISPOSE, {
    value: function (this: { dispose(): void }) {
      this.dispose();
    },
    configurable: true,
    writable: true,
  });
}
