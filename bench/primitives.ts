// Each primitive on a 13-byte (IPv4 5-tuple) and a 37-byte (IPv6 5-tuple) input, one public
// call per operation, on each engine; npm peers doing the same function beside them.
import { createXXHash32, createXXHash64 } from "hash-wasm";
import murmur from "murmurhash3js";
import xxhashWasm from "xxhash-wasm";
import { engines, hashes } from "./targets.js";
import type { BenchCase, Suite } from "./harness.js";

const IN13 = Uint8Array.from({ length: 13 }, (_, i) => (i * 37 + 11) & 0xff);
const IN37 = Uint8Array.from({ length: 37 }, (_, i) => (i * 53 + 7) & 0xff);
const K16 = Uint8Array.from({ length: 16 }, (_, i) => i);
const K8 = K16.subarray(0, 8);
const K64 = Uint8Array.from({ length: 64 }, (_, i) => (i * 29 + 3) & 0xff);

type Call = (d: Uint8Array) => unknown;
// Each primitive with the extra arguments it takes.
const CALLS: Record<string, Call> = {
  xxh32: (d) => hashes.xxh32(d),
  xxh64: (d) => hashes.xxh64(d),
  murmur3_32: (d) => hashes.murmur3_32(d),
  murmur3_128: (d) => hashes.murmur3_128(d),
  siphash24: (d) => hashes.siphash24(d, K16),
  siphash13: (d) => hashes.siphash13(d, K16),
  halfsiphash24: (d) => hashes.halfsiphash24(d, K8),
  halfsiphash13: (d) => hashes.halfsiphash13(d, K8),
  jhash: (d) => hashes.jhash(d),
  toeplitz: (d) => hashes.toeplitz(d, K64),
};

export const primitives: Suite = {
  name: "primitives",
  description: "hash primitives per call on 13- and 37-byte inputs, every engine, vs npm peers",
  async cases() {
    const out: BenchCase[] = [];
    for (const [label, input] of [["13B", IN13], ["37B", IN37]] as const) {
      for (const [name, call] of Object.entries(CALLS)) {
        for (const engine of engines()) {
          out.push({ name: `${name}-${label} ${engine}`, group: `${name}-${label}`, engine, fn: () => call(input) });
        }
      }
      const xw = await xxhashWasm();
      const hw32 = await createXXHash32();
      const hw64 = await createXXHash64();
      const latin1 = String.fromCharCode(...input);
      out.push(
        { name: `xxh32-${label} xxhash-wasm`, group: `xxh32-${label}`, fn: () => xw.h32Raw(input, 0) },
        { name: `xxh64-${label} xxhash-wasm`, group: `xxh64-${label}`, fn: () => xw.h64Raw(input, 0n) },
        { name: `xxh32-${label} hash-wasm`, group: `xxh32-${label}`, fn: () => (hw32.init(), hw32.update(input), hw32.digest("binary")) },
        { name: `xxh64-${label} hash-wasm`, group: `xxh64-${label}`, fn: () => (hw64.init(), hw64.update(input), hw64.digest("binary")) },
        // murmurhash3js hashes strings (one char per byte here), so it gets the latin1 form.
        { name: `murmur3_32-${label} murmurhash3js`, group: `murmur3_32-${label}`, fn: () => murmur.x86.hash32(latin1, 0) },
        { name: `murmur3_128-${label} murmurhash3js`, group: `murmur3_128-${label}`, fn: () => murmur.x64.hash128(latin1, 0) },
      );
    }
    return out;
  },
};
