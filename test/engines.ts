// Runs a suite once per engine: every result must be identical on wasm-simd, wasm and js.
import { afterAll, beforeAll, describe } from "vitest";
import { engine, engines, useEngine, type EngineKind } from "../src/index.js";

export const ENGINES: readonly EngineKind[] = ["wasm-simd", "wasm", "js"];

/** describe(name) once per engine, with that engine active inside. */
export function forEachEngine(name: string, body: (kind: EngineKind) => void): void {
  for (const kind of ENGINES) {
    describe(`${name} [${kind}]`, () => {
      let previous: EngineKind;
      beforeAll(() => {
        previous = engine();
        if (!engines().includes(kind)) throw new Error(`engine ${kind} is not available on this host`);
        useEngine(kind);
      });
      afterAll(() => useEngine(previous));
      body(kind);
    });
  }
}
