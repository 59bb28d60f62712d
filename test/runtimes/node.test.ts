// Node 20+: the built package through its exports map, as ESM (`import` condition → the
// reference), as CJS (`require` condition), with WebAssembly deleted before the import (the
// default entry loads the JS engine on init(), which the fixture awaits), without SharedArrayBuffer (as browser pages
// that are not cross-origin isolated), and through the `flowpin/js` subpath.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumerDir, expectSameAsNode, nodeReference, removeDir, runFixture, type FixtureResult } from "./harness.js";

// Each runner imports "flowpin" from the consumer directory, so Node's own resolver picks the
// file from the exports map.
const RUNNERS: Record<string, string> = {
  "cjs.cjs": 'const flowpin = require("flowpin");\nimport("./fixture.mjs").then(async ({ compute }) => console.log(JSON.stringify(await compute(flowpin))));\n',
  "nowasm.mjs": 'delete globalThis.WebAssembly;\nconst flowpin = await import("flowpin");\nconst { compute } = await import("./fixture.mjs");\nconsole.log(JSON.stringify(await compute(flowpin)));\n',
  "nowasm.cjs": 'delete globalThis.WebAssembly;\nconst flowpin = require("flowpin");\nimport("./fixture.mjs").then(async ({ compute }) => console.log(JSON.stringify(await compute(flowpin))));\n',
  // Browsers give SharedArrayBuffer only to cross-origin isolated pages.
  "nosab.mjs": 'delete globalThis.SharedArrayBuffer;\nconst flowpin = await import("flowpin");\nconst { compute } = await import("./fixture.mjs");\nconsole.log(JSON.stringify(await compute(flowpin)));\n',
  "js.mjs": 'import * as flowpin from "flowpin/js";\nimport { compute } from "./fixture.mjs";\nconsole.log(JSON.stringify(await compute(flowpin)));\n',
  "js.cjs": 'const flowpin = require("flowpin/js");\nimport("./fixture.mjs").then(async ({ compute }) => console.log(JSON.stringify(await compute(flowpin))));\n',
};

describe(`Node ${process.version}: the built package agrees with itself across entries and engines`, () => {
  let dir: string;
  let ref: FixtureResult;

  beforeAll(async () => {
    dir = consumerDir("node");
    for (const [name, text] of Object.entries(RUNNERS)) fs.writeFileSync(path.join(dir, name), text);
    ref = await nodeReference(dir);
  });
  afterAll(() => removeDir(dir));

  it("ESM (import condition) runs the SIMD build and every section of the current API", () => {
    expect(ref.engine).toBe("wasm-simd");
    expect(ref.sections).toContain("primitives");
  });

  it.each([
    ["CJS (require condition)", "cjs.cjs", "wasm-simd"],
    ["ESM without WebAssembly", "nowasm.mjs", "js"],
    ["CJS without WebAssembly", "nowasm.cjs", "js"],
    ["flowpin/js (ESM)", "js.mjs", "js"],
    ["flowpin/js (CJS)", "js.cjs", "js"],
  ])("%s matches ESM byte for byte", async (_name, runner, engine) => {
    const { result } = await runFixture(process.execPath, [runner], dir);
    expect(result.engine).toBe(engine);
    expectSameAsNode(result, ref);
  });

  // Browser pages that are not cross-origin isolated have no SharedArrayBuffer global; an
  // unguarded `instanceof SharedArrayBuffer` used to throw a ReferenceError there.
  it("ESM without SharedArrayBuffer (as a browser page that is not cross-origin isolated) matches ESM byte for byte", async () => {
    const { result } = await runFixture(process.execPath, ["nosab.mjs"], dir);
    expect(result.engine).toBe("wasm-simd");
    expectSameAsNode(result, ref);
  });
});
