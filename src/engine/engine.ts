import type { WasmExports } from "./abi.js";

/** Which implementation runs the hot path. */
export type EngineKind = "wasm-simd" | "wasm" | "js";

const PAGE = 65536;
// 16-byte alignment keeps every word load natural (the ABI rule) and v128 loads aligned.
const ALIGN = 16;
const align = (n: number): number => (n + ALIGN - 1) & ~(ALIGN - 1);
/** Where putKeyed() places the data after a key of `length` bytes. */
export const keySpan = align;

// Flow tuples and keys are 4-40 bytes: a loop beats TypedArray.set's call overhead there
// (measured 11 ns vs 24 ns for 13 bytes).
function copy(mem: Uint8Array, src: Uint8Array, at: number): void {
  if (src.length > 64) mem.set(src, at);
  else for (let i = 0; i < src.length; i++) mem[at + i] = src[i]!;
}

/**
 * One instantiated module and the memory it works on. Linear memory above heapBase() is
 * managed here: a first-fit free list for long-lived regions (batches, tables being built)
 * and one reusable scratch region for per-call inputs. Memory never shrinks (Wasm cannot),
 * but freed regions are reused, so repeated rebuilds do not grow it.
 */
export class Engine {
  readonly kind: EngineKind;
  readonly x: WasmExports;
  private view: Uint8Array;
  private dataView: DataView;
  private top: number;
  private readonly sizes = new Map<number, number>();
  private free: { ptr: number; size: number }[] = [];
  private scratchPtr = 0;
  private scratchSize = 0;

  constructor(kind: EngineKind, exports: WasmExports) {
    this.kind = kind;
    this.x = exports;
    this.top = align(exports.heapBase());
    this.view = new Uint8Array(exports.memory.buffer);
    this.dataView = new DataView(exports.memory.buffer);
  }

  // Views on linear memory. Only ensure() grows memory (the Wasm side never allocates), so
  // the views are rebuilt there and are plain fields here: checking `memory.buffer` on
  // every call cost 20-40 ns of a ~15 ns hash.
  /** A byte view of linear memory. */
  get u8(): Uint8Array {
    return this.view;
  }

  get dv(): DataView {
    return this.dataView;
  }

  private refresh(): void {
    this.view = new Uint8Array(this.x.memory.buffer);
    this.dataView = new DataView(this.x.memory.buffer);
  }

  /** Bytes of linear memory in use or reserved (for the soak tests). */
  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  /** Reserves `size` bytes (16-aligned); release with free(). */
  alloc(size: number): number {
    const need = align(Math.max(size, 1));
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i]!;
      if (block.size >= need) {
        const ptr = block.ptr;
        if (block.size === need) this.free.splice(i, 1);
        else {
          block.ptr += need;
          block.size -= need;
        }
        this.sizes.set(ptr, need);
        return ptr;
      }
    }
    const ptr = this.top;
    this.ensure(ptr + need);
    this.top = ptr + need;
    this.sizes.set(ptr, need);
    return ptr;
  }

  /** Returns a region from alloc() to the free list, merging neighbours. */
  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return;
    this.sizes.delete(ptr);
    if (ptr + size === this.top) {
      this.top = ptr;
      // Absorb a free block that now ends at the top.
      const last = this.free[this.free.length - 1];
      if (last && last.ptr + last.size === this.top) {
        this.top = last.ptr;
        this.free.pop();
      }
      return;
    }
    let i = 0;
    while (i < this.free.length && this.free[i]!.ptr < ptr) i++;
    this.free.splice(i, 0, { ptr, size });
    const next = this.free[i + 1];
    if (next && ptr + size === next.ptr) {
      this.free[i]!.size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.ptr + prev.size === ptr) {
      prev.size += this.free[i]!.size;
      this.free.splice(i, 1);
    }
  }

  /** A region of at least `size` bytes, valid until the next scratch() call. */
  scratch(size: number): number {
    if (size > this.scratchSize) {
      if (this.scratchSize > 0) this.release(this.scratchPtr);
      // Grow geometrically so a run of growing inputs costs O(log n) reallocations.
      this.scratchSize = align(Math.max(size, this.scratchSize * 2, 1024));
      this.scratchPtr = this.alloc(this.scratchSize);
    }
    return this.scratchPtr;
  }

  /** Copies `a` into scratch; returns its pointer. */
  put(a: Uint8Array): number {
    const ptr = this.scratch(a.length);
    copy(this.view, a, ptr);
    return ptr;
  }

  /** Copies a key, then the data at keyPtr + keySpan(key.length), into scratch; returns keyPtr. */
  putKeyed(key: Uint8Array, data: Uint8Array): number {
    const keyLen = keySpan(key.length);
    const ptr = this.scratch(keyLen + data.length);
    copy(this.view, key, ptr);
    copy(this.view, data, ptr + keyLen);
    return ptr;
  }

  private ensure(end: number): void {
    const have = this.x.memory.buffer.byteLength;
    if (end > have) {
      this.x.memory.grow(Math.ceil((end - have) / PAGE));
      this.refresh();
    }
  }

  /** The u64 the last call wrote to the OUT slot (at `offset` 0 or 8). */
  outU64(offset = 0): bigint {
    return this.dv.getBigUint64(this.x.outPtr() + offset, true);
  }
}
