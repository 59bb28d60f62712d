// The Wasm ABI: every export flowpin calls, and nothing else.
//
// Conventions (the TypeScript side in src/engine/abi.ts mirrors these):
// - Data is passed as (ptr, len) into linear memory. Pointers are 8-byte aligned and the
//   algorithms load words only at natural alignment relative to them: wasm2js (the JS
//   engine) lowers `load<u32>(p)` to `HEAP32[p >> 2]`, which misreads unaligned addresses.
// - No export allocates: memory is laid out and grown by the TypeScript side, starting at
//   heapBase(). Inputs are trusted; src/ validates them.
// - 32-bit results are returned (as i32: callers apply `>>> 0`); 64/128-bit results are
//   written to the OUT slot (outPtr()). 64-bit inputs arrive as (lo, hi) u32 halves.
import { OUT } from "./out";

export function heapBase(): usize { return __heap_base; }
export function outPtr(): usize { return OUT; }
/** Whether this is the SIMD build (for hosts that hand over a compiled module). */
export function simd(): bool { return ASC_FEATURE_SIMD; }

export { xxh32 } from "./hash/xxh32";
export { xxh64 } from "./hash/xxh64";
export { murmur3_32, murmur3_128 } from "./hash/murmur3";
export { jhash, jhash2words, jhash3words } from "./hash/jhash";
export { siphash24, siphash13 } from "./hash/siphash";
export { halfsiphash24, halfsiphash13 } from "./hash/halfsiphash";
export { toeplitz } from "./hash/toeplitz";
export { flowHashV4, flowHashV6, flowHashBatch, packetHashBatch } from "./flow";
export { maglevFill, maglevEnvoyParams, maglevStateBytes, maglevBitmapBytes } from "./maglev";
export { maglevParams, maglevSort, maglevSortBytes, maglevPickV4, maglevPickV6, maglevPickHeader } from "./maglev";
export { glbBuild } from "./glb";
export { routeBatch } from "./route";
export { rdvPick, rdvPickBatch, rdvTopK, rdvLn, jump } from "./rendezvous";
export { ctBytes, ctInit, ctLookup, ctInsert, ctRemove, ctSweep, ctLookupBatch } from "./conntrack";
