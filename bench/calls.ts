// How to call into the module: direct exports vs @assemblyscript/loader's wrapped exports,
// on the same Wasm instance and the same 13-byte input. The public `hashes.xxh32` (argument
// checks + copy into Wasm memory) is the third row: what a user actually pays per call.
import { instantiateSync } from "@assemblyscript/loader";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hashes } from "../src/index.js";
import type { WasmExports } from "../src/engine/abi.js";
import type { Suite } from "./harness.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const calls: Suite = {
  name: "calls",
  description: "cost of one call into Wasm: direct export vs @assemblyscript/loader vs the public API",
  cases() {
    const bytes = fs.readFileSync(path.join(root, "build/flowpin-simd.wasm"));
    const direct = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as WasmExports;
    const wrapped = instantiateSync(bytes, {}).exports as unknown as WasmExports;
    const input = Uint8Array.from([198, 51, 100, 7, 203, 0, 113, 1, 0xc9, 0x38, 0x01, 0xbb, 6]);
    const setup = (x: WasmExports): number => {
      const ptr = (x.heapBase() + 15) & ~15;
      new Uint8Array(x.memory.buffer).set(input, ptr);
      return ptr;
    };
    const pd = setup(direct);
    const pw = setup(wrapped);
    return [
      { name: "xxh32-13B direct export", fn: () => direct.xxh32(pd, 13, 0) >>> 0 },
      { name: "xxh32-13B @assemblyscript/loader", fn: () => wrapped.xxh32(pw, 13, 0) >>> 0 },
      { name: "xxh32-13B hashes.xxh32 (public API)", fn: () => hashes.xxh32(input) },
    ];
  },
};
