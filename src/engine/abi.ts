// The TypeScript view of assembly/index.ts: the exports every engine provides. Wasm i32
// results arrive signed; callers apply `>>> 0`. A test checks that each built module exports
// exactly these names, so this list cannot drift from the AssemblyScript side.

/** Linear memory as both real Wasm and the wasm2js engine expose it. */
export interface LinearMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmExports {
  memory: LinearMemory;
  heapBase(): number;
  outPtr(): number;
  xxh32(ptr: number, len: number, seed: number): number;
}

/** The export names, for the drift test and for wasm2js output checks. */
export const EXPORT_NAMES: readonly (keyof WasmExports)[] = ["memory", "heapBase", "outPtr", "xxh32"];
