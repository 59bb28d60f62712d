// Deno (binary from the npm package `deno`, a dev dependency): the fixture runs from a
// consumer directory where "flowpin" resolves through package.json and node_modules, i.e.
// through the package's exports map as a Deno user installing from npm gets it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bin, consumerDir, expectSameAsNode, nodeReference, removeDir, runFixture, versionOf, type FixtureResult } from "./harness.js";

describe(`Deno (${versionOf(bin("deno"), ["--version"])})`, () => {
  let dir: string;
  let ref: FixtureResult;

  beforeAll(async () => {
    dir = consumerDir("deno");
    ref = await nodeReference(dir);
  });
  afterAll(() => removeDir(dir));

  it("runs the default entry on Wasm SIMD and matches Node byte for byte", async () => {
    // Read access only: the runner needs the fixture and the package; no network, no env.
    const { result } = await runFixture(bin("deno"), ["run", "--allow-read", "--no-lock", "run.mjs"], dir, { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" });
    expect(result.engine).toBe("wasm-simd");
    expectSameAsNode(result, ref);
  });
});
