// What the Node-only entry split promises, checked on the sources (test/packaging.test.ts
// checks the built files): the platform-neutral entries bundle for a browser with no `node:`
// import; src/node.ts (flowpin/node) exports tcpCheck, which answers true for a listening
// loopback port and false for a closed one; healthCheck (in the main API) takes any check and
// turns `fall` failures / `rise` successes into report(down / up).
import net from "node:net";
import path from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";
import { Balancer, healthCheck } from "../src/index.js";
import * as nodeEntry from "../src/node.js";
import { expectCode } from "./bad-inputs.js";

const root = path.resolve(import.meta.dirname, "..");
// A static, side-effect, dynamic or require import of a node: module (minified or not). Not
// process.getBuiltinModule("node:..."), which the nginx system probes for and bundles fine.
const NODE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'`]node:[\w/]+["'`]/g;

describe("entries", () => {
  it.each(["src/index.ts", "src/js.ts", "src/workerd.ts"])("%s bundles for a browser and imports no node: module", async (entry) => {
    const r = await build({ entryPoints: [path.join(root, entry)], bundle: true, write: false, format: "esm", platform: "browser", logLevel: "silent", external: ["*.wasm"] });
    expect(r.errors).toEqual([]);
    expect(r.outputFiles[0]!.text.match(NODE_IMPORT) ?? []).toEqual([]);
  });

  it("tcpCheck is in flowpin/node only; healthCheck stays in the main API", () => {
    expect(Object.keys(nodeEntry)).toEqual(["tcpCheck"]);
    expect("tcpCheck" in api).toBe(false);
    expect(typeof api.healthCheck).toBe("function");
  });
});

describe("tcpCheck (flowpin/node)", () => {
  it("answers true while a loopback port listens and false once it is closed; never rejects", async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    expect(await nodeEntry.tcpCheck(`127.0.0.1:${port}`, 2000)).toBe(true);
    await new Promise((r) => server.close(r));
    expect(await nodeEntry.tcpCheck(`127.0.0.1:${port}`, 2000)).toBe(false);
  });

  it("refuses a malformed target or timeout with the usual codes", async () => {
    for (const bad of ["127.0.0.1", "127.0.0.1:70000", "::1:80", "", 5]) {
      await expect(nodeEntry.tcpCheck(bad as string)).rejects.toMatchObject({ code: "INVALID_ADDRESS" });
    }
    await expect(nodeEntry.tcpCheck("127.0.0.1:1", 0)).rejects.toMatchObject({ code: "OUT_OF_RANGE" });
  });
});

describe("healthCheck", () => {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  async function until(pred: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error("condition not met in time");
      await wait(5);
    }
  }

  it("marks a backend down after `fall` failed checks in a row and up after `rise` good ones; a throwing check is a failure", async () => {
    const lb = new Balancer({ backends: [{ id: "a" }, { id: "b" }], policy: "round-robin", seed: 1 });
    const up = new Map([["a", true], ["b", true]]);
    const calls = new Map<string, number>();
    const stop = healthCheck(lb, {
      interval: 5,
      fall: 3,
      rise: 2,
      check: async (id) => {
        calls.set(id, (calls.get(id) ?? 0) + 1);
        if (id === "b" && !up.get("b")) throw new Error("probe failed");
        return up.get(id)!;
      },
    });
    const state = (id: string) => lb.backends.find((b) => b.id === id)!.state;
    try {
      await until(() => (calls.get("b") ?? 0) >= 2);
      expect(state("b")).toBe("active");
      up.set("b", false);
      const from = calls.get("b")!;
      await until(() => state("b") === "down");
      // Down no sooner than the third failure (one check may have been in flight when b failed).
      expect(calls.get("b")! - from).toBeGreaterThanOrEqual(3);
      up.set("b", true);
      const back = calls.get("b")!;
      await until(() => state("b") === "active");
      expect(calls.get("b")! - back).toBeGreaterThanOrEqual(2);
      expect(state("a")).toBe("active");
    } finally {
      stop();
    }
  });

  it("needs a check function and refuses unknown options", () => {
    const lb = new Balancer({ backends: [{ id: "a" }], policy: "random", seed: 1 });
    expectCode(() => healthCheck(lb, {} as never), "INVALID_TYPE", "check");
    expectCode(() => healthCheck(lb, { check: async () => true, falls: 2 } as never), "INVALID_CONFIG", "falls");
    expectCode(() => healthCheck(lb, { check: async () => true, interval: 0 }), "OUT_OF_RANGE", "interval");
  });
});
