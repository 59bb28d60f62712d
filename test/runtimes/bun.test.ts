// Bun (binary from the npm package `bun`, a dev dependency): the fixture runs from a consumer
// directory where "flowpin" resolves through the package's exports map, as ESM and as CJS.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bin, consumerDir, expectSameAsNode, nodeReference, removeDir, runFixture, versionOf, type FixtureResult } from "./harness.js";

describe(`Bun ${versionOf(bin("bun"), ["--version"])}`, () => {
  let dir: string;
  let ref: FixtureResult;

  beforeAll(async () => {
    dir = consumerDir("bun");
    fs.writeFileSync(path.join(dir, "run.cjs"), 'const flowpin = require("flowpin");\nimport("./fixture.mjs").then(async ({ compute }) => console.log(JSON.stringify(await compute(flowpin))));\n');
    ref = await nodeReference(dir);
  });
  afterAll(() => removeDir(dir));

  it.each([
    ["ESM", "run.mjs"],
    ["CJS", "run.cjs"],
  ])("%s: the default entry runs on Wasm SIMD and matches Node byte for byte", async (_kind, runner) => {
    const { result } = await runFixture(bin("bun"), [runner], dir, { NO_COLOR: "1" });
    expect(result.engine).toBe("wasm-simd");
    expectSameAsNode(result, ref);
  });
});
