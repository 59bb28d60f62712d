// examples/cloudflare-worker under workerd: the Worker (its wrangler.toml's `main` and
// compatibility_date, its [vars] with ORIGINS pointed at local origins) imports flowpin
// through the `workerd` export condition and routes by the hash of x-session-id.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumerDir, removeDir } from "../runtimes/harness.js";
import { flowpinModules, startWorker, type RunningWorker } from "../runtimes/workerd-host.js";
import { expectConsistentRouting, startOrigins, type Origins } from "./origins.js";

const example = path.resolve(import.meta.dirname, "../../examples/cloudflare-worker");

/** The few wrangler.toml keys the test needs: top-level strings and the [vars] table. */
function readWranglerToml(file: string): { top: Record<string, string>; vars: Record<string, string> } {
  const top: Record<string, string> = {};
  const vars: Record<string, string> = {};
  let section = "";
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    const sec = /^\[([^\]]+)\]$/.exec(t);
    if (sec) {
      section = sec[1]!;
      continue;
    }
    const kv = /^([A-Za-z_][\w-]*)\s*=\s*"([^"]*)"$/.exec(t);
    if (kv) (section === "vars" ? vars : section === "" ? top : {})[kv[1]!] = kv[2]!;
  }
  return { top, vars };
}

describe("examples/cloudflare-worker", () => {
  let dir: string;
  let origins: Origins;
  let worker: RunningWorker | undefined;
  const toml = readWranglerToml(path.join(example, "wrangler.toml"));

  beforeAll(async () => {
    dir = consumerDir("cf-worker");
    origins = await startOrigins(["origin-a", "origin-b", "origin-c"]);
    worker = await startWorker(dir, { name: "index.js", kind: "esModule", file: path.join(example, toml.top.main!) }, flowpinModules(), {
      vars: { ...toml.vars, ORIGINS: origins.urls.join(",") },
      compatibilityDate: toml.top.compatibility_date,
      localOutbound: true,
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await origins?.close();
    removeDir(dir);
  });

  it("wrangler.toml names the Worker, its compatibility date and its variables", () => {
    expect(toml.top.main).toBe("src/index.js");
    expect(toml.top.compatibility_date! >= "2025-05-05").toBe(true);
    expect(Object.keys(toml.vars).sort()).toEqual(["HASH_HEADER", "ORIGINS"]);
  });

  it("each x-session-id reaches the origin flowpin predicts, every time", async () => {
    const per = await expectConsistentRouting(worker!.url, origins);
    console.log(`cloudflare-worker: requests per origin ${JSON.stringify(Object.fromEntries([...per].map(([u, n]) => [origins.nameOf.get(u), n])))}`);
  });

  it("a request without the header (and no cf-connecting-ip, as locally) gets 400", async () => {
    const res = await fetch(worker!.url, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("missing x-session-id header\n");
  });
});
