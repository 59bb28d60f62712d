// Cloudflare's workerd: a Worker imports flowpin through the `workerd` export condition
// (dist/workerd.js, which imports the SIMD Wasm as a module: Workers forbid compiling bytes),
// computes the fixture on one request, and the result must equal Node's byte for byte.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bin, consumerDir, expectSameAsNode, nodeReference, removeDir, versionOf, type FixtureResult } from "./harness.js";
import { flowpinModules, startWorker, type RunningWorker } from "./workerd-host.js";

const WORKER = `import * as flowpin from "flowpin";
import { compute } from "./fixture.mjs";

export default {
  async fetch() {
    return new Response(JSON.stringify(await compute(flowpin)), { headers: { "content-type": "application/json" } });
  },
};
`;

describe(`workerd (${versionOf(bin("workerd"), ["--version"])})`, () => {
  let dir: string;
  let ref: FixtureResult;
  let worker: RunningWorker | undefined;

  beforeAll(async () => {
    dir = consumerDir("workerd");
    fs.writeFileSync(path.join(dir, "worker.mjs"), WORKER);
    ref = await nodeReference(dir);
    worker = await startWorker(dir, { name: "worker.mjs", kind: "esModule", file: path.join(dir, "worker.mjs") }, [
      { name: "fixture.mjs", kind: "esModule", file: path.join(dir, "fixture.mjs") },
      ...flowpinModules(),
    ]);
  });
  afterAll(async () => {
    await worker?.stop();
    removeDir(dir);
  });

  it("the workerd condition selects the module-importing entry and its .wasm", () => {
    const mods = flowpinModules();
    expect(mods.map((m) => [m.name, m.kind, path.relative(path.resolve(import.meta.dirname, "../.."), m.file)])).toEqual([
      ["flowpin", "esModule", path.join("dist", "workerd.js")],
      ["flowpin-simd.wasm", "wasm", path.join("dist", "flowpin-simd.wasm")],
    ]);
  });

  it("one request computes the fixture on Wasm SIMD, identical to Node", async () => {
    const res = await fetch(worker!.url, { signal: AbortSignal.timeout(30_000) });
    const body = await res.text();
    expect(res.status, `${body}\n${worker!.output()}`).toBe(200);
    const result = JSON.parse(body) as FixtureResult;
    expect(result.engine).toBe("wasm-simd");
    expectSameAsNode(result, ref);
  });

  // Workers have FinalizationRegistry only from compatibility date 2025-05-05; flowpin must
  // load without it (src/engine/regions.ts) and give the same results.
  it("a Worker with a compatibility date before 2025-05-05 (no FinalizationRegistry) matches too", async () => {
    const old = await startWorker(dir, { name: "worker.mjs", kind: "esModule", file: path.join(dir, "worker.mjs") }, [
      { name: "fixture.mjs", kind: "esModule", file: path.join(dir, "fixture.mjs") },
      ...flowpinModules(),
    ], { compatibilityDate: "2025-01-01" });
    try {
      const res = await fetch(old.url, { signal: AbortSignal.timeout(30_000) });
      expectSameAsNode(JSON.parse(await res.text()) as FixtureResult, ref);
    } finally {
      await old.stop();
    }
  });
});
