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

// The library entries are minified (names kept out of it: errors carry explicit names and
// codes); the CLI and the benchmarks are not, so their stack traces stay readable.
const library: Options = { ...common, minify: true };

export default defineConfig([
  {
    ...library,
    // node: the Node-only subpath (flowpin/node: tcpCheck), apart so the others import no node: module.
    entry: { index: "src/index.ts", js: "src/js.ts", node: "src/node.ts", "engine-js": "src/engine/js-engine-entry.ts", "engine-wasm": "src/engine/base-wasm-entry.ts" },
    format: ["esm", "cjs"],
    dts: { entry: { index: "src/index.ts", js: "src/js.ts", node: "src/node.ts" } },
    clean: true,
    // The default entry loads these files, beside it, only where the SIMD build does not run.
    esbuildOptions(options, context) {
      const ext = context.format === "cjs" ? "cjs" : "js";
      options.define = { ...options.define, __FLOWPIN_ENGINE_FILES__: JSON.stringify({ js: `./engine-js.${ext}`, wasm: `./engine-wasm.${ext}` }) };
    },
  },
  {
    ...library,
    entry: { workerd: "src/workerd.ts" },
    format: ["esm"],
    dts: true,
    external: [/\.wasm$/],
    // The module the workerd entry imports sits beside it, with a declaration for
    // `import wasm from "flowpin/flowpin.wasm"` (typed as initFromModule's WasmModule).
    onSuccess: async () => {
      fs.copyFileSync("build/flowpin-simd.wasm", "dist/flowpin-simd.wasm");
      fs.writeFileSync(
        "dist/flowpin-simd.wasm.d.ts",
        '// The SIMD build as a compiled module (Workers and Vercel Edge import .wasm files as modules): pass it to initFromModule().\nimport type { WasmModule } from "./index.js";\ndeclare const module: WasmModule;\nexport default module;\n',
      );
    },
  },
  // The CLI bundles `yaml` (CommonJS, which calls require("process")): an ESM bundle needs a
  // real `require` for that, made with createRequire.
  {
    ...common,
    entry: { cli: "src/cli/main.ts" },
    format: ["esm"],
    banner: { js: '#!/usr/bin/env node\nimport { createRequire as __flowpinRequire } from "node:module";\nconst require = __flowpinRequire(import.meta.url);' },
    platform: "node",
  },
  // Benchmarks: loaded by `flowpin bench` from a clone; peers stay external (dev dependencies).
  {
    ...common,
    entry: { bench: "bench/main.ts" },
    format: ["esm"],
    platform: "node",
    external: ["benchmark", "hash-wasm", "murmurhash3js", "xxhash-wasm", "hashring", "skeleton-rendezvous", "jump-gouache", "@assemblyscript/loader"],
  },
]);
