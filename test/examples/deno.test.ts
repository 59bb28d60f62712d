// examples/deno: the server runs under Deno (npm package `deno`) from a consumer directory
// where "flowpin" resolves through the package's exports map (deno.json's npm: import is for
// users; the test's directory has none), with only the permissions its deno.json task grants.
import fs from "node:fs";
import path from "node:path";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bin, consumerDir, freePort, removeDir, stopProcess, waitForPort } from "../runtimes/harness.js";
import { expectConsistentRouting, startOrigins, type Origins } from "./origins.js";

const example = path.resolve(import.meta.dirname, "../../examples/deno");

describe("examples/deno", () => {
  let dir: string;
  let origins: Origins;
  let child: ChildProcess | undefined;
  let output = "";
  let base = "";

  beforeAll(async () => {
    dir = consumerDir("deno-example");
    fs.copyFileSync(path.join(example, "server.ts"), path.join(dir, "server.ts"));
    origins = await startOrigins(["origin-a", "origin-b", "origin-c"]);
    const port = await freePort();
    const task = (JSON.parse(fs.readFileSync(path.join(example, "deno.json"), "utf8")) as { tasks: { start: string } }).tasks.start;
    // The task's own flags, plus read access to node_modules (users get flowpin from Deno's
    // npm cache instead) and network limited to loopback.
    const flags = task.split(" ").filter((f) => f.startsWith("--allow-") && f !== "--allow-net");
    child = spawn(bin("deno"), ["run", ...flags, "--allow-net=127.0.0.1", "--allow-read", "--no-lock", "server.ts"], {
      cwd: dir,
      env: { ...process.env, ORIGINS: origins.urls.join(","), PORT: String(port), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d: Buffer) => (output += d));
    child.stderr!.on("data", (d: Buffer) => (output += d));
    try {
      await waitForPort(port, 30_000, child);
      // The port opens just before onListen prints: wait (bounded) for the line too.
      for (let i = 0; i < 100 && !output.includes('"event":"listening"'); i++) await new Promise((r) => setTimeout(r, 50));
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${output}`);
    }
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await stopProcess(child);
    await origins?.close();
    removeDir(dir);
  });

  it("type-checks under Deno against flowpin's published .d.ts", () => {
    // Throws with Deno's diagnostics if the example and the package's types disagree.
    execFileSync(bin("deno"), ["check", "--no-lock", "server.ts"], { cwd: dir, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" }, encoding: "utf8", stdio: "pipe", timeout: 60_000 });
  });

  it("announces where it listens", () => {
    expect(output).toContain('"event":"listening"');
  });

  it("each x-session-id reaches the origin flowpin predicts, every time", async () => {
    const per = await expectConsistentRouting(base, origins);
    console.log(`deno example: requests per origin ${JSON.stringify(Object.fromEntries([...per].map(([u, n]) => [origins.nameOf.get(u), n])))}`);
  });
});
