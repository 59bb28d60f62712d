// Cold start: a new Node process that imports flowpin's default entry (dist/index.js, the
// published bundle: SIMD build inlined, the baseline build and JS engine left unloaded) and
// builds its first table (Maglev, Envoy profile, 1000 backends, M = 65537), beside a bare
// Node process that does nothing. The difference of the two rows' times is what flowpin adds.
// hz = processes/s (time/op = wall time of one process).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchCase, Suite } from "./harness.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function run(code: string): number {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cold-start child failed: ${r.stderr}`);
  return r.stdout.length;
}

export const start: Suite = {
  name: "start",
  description: "cold start: process + import + first 1000-backend table, vs bare Node",
  cases() {
    const entry = path.join(root, "dist/index.js");
    if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: build the package first (tsup)`);
    const url = JSON.stringify(pathToFileURL(entry).href);
    const table =
      `const { Maglev } = await import(${url});` +
      `const b = []; for (let i = 0; i < 1000; i++) b.push({ id: "10.0." + (i >> 8) + "." + (i & 255) + ":80" });` +
      `const lb = new Maglev({ backends: b }); if (lb.size !== 65537) process.exit(1);`;
    const rows: BenchCase[] = [
      { name: "cold-start node (bare process)", group: "cold-start", fn: () => run("") },
      { name: "cold-start flowpin (process + import + first 1000-backend table)", group: "cold-start", fn: () => run(table) },
    ];
    return rows;
  },
};
