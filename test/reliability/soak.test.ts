// Soak: months of table rebuilds must not leak. The loop (test/fuzz/soak-loop.ts) rebuilds
// Maglev tables of every profile and size, glb tables, rendezvous sets, flow batches,
// hashers and packet batches on all three engines, and samples each engine's Wasm memory,
// the regions its allocator still has handed out, and the JS heap after a full GC.
// `npm test` runs each mode for a few seconds; `npm run soak` for 60 s in all
// (FLOWPIN_SOAK_SECONDS).
import { describe, expect, it } from "vitest";
import type { EngineKind } from "../../src/index.js";
import { soak, type SoakResult } from "../fuzz/soak-loop.js";

const SECONDS = Number(process.env.FLOWPIN_SOAK_SECONDS ?? 8);
const SEED = Number(process.env.FLOWPIN_SOAK_SEED ?? 20240601);
// JS heap after GC may wander by what V8 keeps for compiled code and caches; a leak of one
// table (65537 u16 = 128 KB) per iteration would show as tens of MB.
const HEAP_SLACK = 8 * 1024 * 1024;
// After a full GC only the engine's reusable scratch region may stay handed out; it grows
// geometrically up to the largest per-call input (here a few hundred KB).
const LIVE_AFTER_GC = 1024 * 1024;
const MB = (n: number): string => `${(n / 1048576).toFixed(2)} MB`;
const ENGINES: EngineKind[] = ["wasm-simd", "wasm", "js"];

function summary(mode: string, r: SoakResult): string {
  const per = (f: (k: EngineKind) => string): string => ENGINES.map((k) => `${k} ${f(k)}`).join(", ");
  const after = r.samples.filter((s) => s.seconds >= r.warm.seconds);
  return [
    `soak (${mode}): ${(r.last.seconds).toFixed(1)} s, seed ${SEED}, ${r.iterations} iterations, ${r.samples.length} samples`,
    `  work: ${Object.entries(r.work).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `  Wasm memory after warm-up (${r.warm.seconds.toFixed(1)} s) -> end: ${per((k) => `${MB(r.warm.wasm[k])} -> ${MB(r.last.wasm[k])}`)}`,
    `  allocator regions still handed out after GC, largest after warm-up: ${per((k) => MB(Math.max(...after.map((s) => s.live[k]))))}`,
    `  JS heap after GC: ${MB(r.warm.heapUsed)} after warm-up -> ${MB(r.last.heapUsed)} at the end (peak after warm-up ${MB(Math.max(...after.map((s) => s.heapUsed)))})`,
  ].join("\n");
}

function noLeak(r: SoakResult): void {
  expect(r.iterations).toBeGreaterThan(10);
  for (const s of r.samples.filter((x) => x.seconds >= r.warm.seconds)) {
    for (const k of ENGINES) expect(s.live[k], `${k} regions handed out after GC at ${s.seconds.toFixed(1)} s`).toBeLessThan(LIVE_AFTER_GC);
  }
  expect(r.last.heapUsed - r.warm.heapUsed, "JS heap growth after warm-up").toBeLessThan(HEAP_SLACK);
}

describe("soak", () => {
  it(`everything disposed (${SECONDS / 2} s): Wasm memory stops growing after warm-up, nothing leaks`, { timeout: SECONDS * 1000 + 120_000 }, async () => {
    const r = await soak(SECONDS / 2, SEED, false);
    console.log(summary("everything disposed", r));
    noLeak(r);
    // Memory never shrinks; after warm-up freed regions must be reused. The first-fit
    // allocator can still fragment by a page or two over a long run (seen: +64 KB in 30 s on
    // one engine); a leaked table or batch per iteration would add megabytes.
    for (const k of ENGINES) expect(r.last.wasm[k] - r.warm.wasm[k], `${k} Wasm memory growth after warm-up`).toBeLessThanOrEqual(Math.max(256 * 1024, r.warm.wasm[k] / 4));
  });

  it(`half the batches and hashers left to the garbage collector (${SECONDS / 2} s): a GC returns all of it`, { timeout: SECONDS * 1000 + 120_000 }, async () => {
    const r = await soak(SECONDS / 2, SEED + 1, true);
    console.log(summary("half left to GC", r));
    noLeak(r);
    // Undisposed batches hold Wasm memory until V8 collects them, so the high-water mark
    // depends on GC timing; it must stay bounded all the same.
    for (const k of ENGINES) expect(r.last.wasm[k], `${k} Wasm memory`).toBeLessThan(64 * 1024 * 1024);
  });
});
