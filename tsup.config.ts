import fs from "node:fs";
import { defineConfig, type Options } from "tsup";

// Each entry is one self-contained file (no shared chunks): an entry sets up its engine
// provider at its top level, and a host loads exactly one entry.
const common: Options = {
  target: "es2022",
  splitting: false,
  sourcemap: false,
  treeshake: true,
  clean: false,
  outDir: "dist",
};

export default defineConfig([
  { ...common, entry: { index: "src/index.ts", js: "src/js.ts" }, format: ["esm", "cjs"], dts: true, clean: true },
  {
    ...common,
    entry: { workerd: "src/workerd.ts" },
    format: ["esm"],
    dts: true,
    external: [/\.wasm$/],
    // The module the workerd entry imports sits beside it.
    onSuccess: async () => fs.copyFileSync("build/flowpin-simd.wasm", "dist/flowpin-simd.wasm"),
  },
  { ...common, entry: { cli: "src/cli/main.ts" }, format: ["esm"], banner: { js: "#!/usr/bin/env node" }, platform: "node" },
  // Benchmarks: loaded by `flowpin bench` from a clone; peers stay external (dev dependencies).
  {
    ...common,
    entry: { bench: "bench/main.ts" },
    format: ["esm"],
    platform: "node",
    external: ["benchmark", "hash-wasm", "murmurhash3js", "xxhash-wasm", "hashring", "skeleton-rendezvous", "jump-gouache", "@assemblyscript/loader"],
  },
]);
