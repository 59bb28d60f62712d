// Backend keys laid out once in Wasm memory for a build: the bytes a profile sorts backends by
// and hashes into their permutation parameters (assembly/maglev.ts maglevSort, maglevParams).
// One region per build holds everything, so a build allocates no per-backend objects:
//   starts u32[n] | lens u32[n] | idx u32[n] | order u32[n] | offsets u32[n] | skips u32[n]
//   | sort scratch | key bytes (each key 8-aligned: xxh64 and murmur3 load u64 words)
import type { Engine } from "../engine/engine.js";

/** maglevParams kinds (assembly/maglev.ts). */
export const PARAMS = { ENVOY: 0, CILIUM: 1, KATRAN: 2, IPVS: 3 } as const;

// Splits a u64 bigint into u32 halves without BigInt arithmetic or allocation.
const SPLIT = new DataView(new ArrayBuffer(8));

/** The high and low u32 halves of a u64 given as a bigint or a safe non-negative integer. */
export function u64Halves(h: bigint | number, out: Uint32Array, at: number): void {
  if (typeof h === "number") {
    out[at] = Math.floor(h / 0x100000000);
    out[at + 1] = h >>> 0;
  } else {
    SPLIT.setBigUint64(0, h);
    out[at] = SPLIT.getUint32(0);
    out[at + 1] = SPLIT.getUint32(4);
  }
}

/**
 * Backend ids as ASCII bytes, each 8-aligned (the layout Keys.strings makes), written while
 * validation read their characters anyway (src/maglev-build.ts FirstIndex): a profile whose
 * sort keys are the ids (envoy without `key`s) lays them out with one copy.
 */
export interface StagedIds {
  readonly data: Uint8Array;
  /** Byte offset and length of backend i's id, input order. */
  readonly starts: Uint32Array;
  readonly lens: Uint32Array;
  /** Bytes of `data` in use. */
  readonly bytes: number;
}

export class Keys {
  readonly n: number;
  private readonly e: Engine;
  private readonly region: number;
  private readonly starts: number;
  private readonly lens: number;
  private readonly idx: number;
  private readonly order: number;
  private readonly offsets: number;
  private readonly skips: number;
  private readonly scratch: number;
  private readonly data: number;

  private constructor(e: Engine, n: number, dataBytes: number) {
    this.e = e;
    this.n = n;
    const scratch = (e.x.maglevSortBytes(n) + 15) & ~15;
    const head = (24 * n + 15) & ~15;
    this.region = e.alloc(head + scratch + dataBytes);
    this.starts = this.region;
    this.lens = this.region + 4 * n;
    this.idx = this.region + 8 * n;
    this.order = this.region + 12 * n;
    this.offsets = this.region + 16 * n;
    this.skips = this.region + 20 * n;
    this.scratch = this.region + head;
    this.data = this.scratch + scratch;
  }

  /**
   * `count` strings as UTF-8, key(k) for k < count. ASCII is written byte by byte (measured:
   * faster than TextEncoder.encodeInto for keys of a few dozen bytes); the first non-ASCII
   * unit sends that key through encodeInto.
   */
  static strings(e: Engine, count: number, key: (k: number) => string): Keys {
    let bytes = 0;
    for (let k = 0; k < count; k++) bytes += (3 * key(k).length + 7) & ~7;
    const keys = new Keys(e, count, bytes);
    const mem = e.u8;
    const w = new Uint32Array(mem.buffer);
    const s = keys.starts >>> 2;
    const l = keys.lens >>> 2;
    const base = keys.data;
    let at = 0;
    for (let k = 0; k < count; k++) {
      const str = key(k);
      const len = str.length;
      const p = base + at;
      let i = 0;
      for (; i < len; i++) {
        const c = str.charCodeAt(i);
        if (c >= 0x80) break;
        mem[p + i] = c;
      }
      if (i < len) i = utf8.encodeInto(str, mem.subarray(p, p + 3 * len)).written;
      w[s + k] = at;
      w[l + k] = i;
      at += (i + 7) & ~7;
    }
    return keys;
  }

  /** The staged ids of backends indices[k], k < indices.length, as keys (one copy of the bytes). */
  static staged(e: Engine, ids: StagedIds, indices: ArrayLike<number>): Keys {
    const count = indices.length;
    const keys = new Keys(e, count, ids.bytes);
    const mem = e.u8;
    mem.set(ids.data.subarray(0, ids.bytes), keys.data);
    const w = new Uint32Array(mem.buffer);
    const s = keys.starts >>> 2;
    const l = keys.lens >>> 2;
    for (let k = 0; k < count; k++) {
      const i = indices[k]!;
      w[s + k] = ids.starts[i]!;
      w[l + k] = ids.lens[i]!;
    }
    return keys;
  }

  /** u64 keys as 8 big-endian bytes (bytewise order = numeric order): halves[2k] high, [2k+1] low. */
  static u64(e: Engine, halves: Uint32Array): Keys {
    const count = halves.length >>> 1;
    const keys = new Keys(e, count, 8 * count);
    const dv = e.dv;
    const w = new Uint32Array(e.u8.buffer);
    for (let k = 0; k < count; k++) {
      dv.setUint32(keys.data + 8 * k, halves[2 * k]!);
      dv.setUint32(keys.data + 8 * k + 4, halves[2 * k + 1]!);
      w[(keys.starts >>> 2) + k] = 8 * k;
      w[(keys.lens >>> 2) + k] = 8;
    }
    return keys;
  }

  /** u32 keys as 4 little-endian bytes (IPVS hashes the u32 so). */
  static u32(e: Engine, values: ArrayLike<number>): Keys {
    const count = values.length;
    const keys = new Keys(e, count, 8 * count);
    const w = new Uint32Array(e.u8.buffer);
    for (let k = 0; k < count; k++) {
      w[(keys.data >>> 2) + 2 * k] = values[k]!;
      w[(keys.starts >>> 2) + k] = 8 * k;
      w[(keys.lens >>> 2) + k] = 4;
    }
    return keys;
  }

  /** The key indices in bytewise order of their keys. */
  sort(): Uint32Array {
    const x = this.e.x;
    x.maglevSort(this.data, this.starts, this.lens, this.n, this.order, this.scratch);
    return new Uint32Array(x.memory.buffer, this.order, this.n).slice();
  }

  /**
   * offsets[k] and skips[k] from key idx[k] (idx omitted: key k) for k < offsets.length,
   * hashed by `kind` (PARAMS) for a table of `size` slots.
   */
  params(kind: number, size: number, seed: number, offsets: Uint32Array, skips: Uint32Array, idx?: ArrayLike<number>): void {
    const x = this.e.x;
    const count = offsets.length;
    const w = new Uint32Array(x.memory.buffer);
    const at = this.idx >>> 2;
    if (idx) for (let k = 0; k < count; k++) w[at + k] = idx[k]!;
    else for (let k = 0; k < count; k++) w[at + k] = k;
    x.maglevParams(kind, this.data, this.starts, this.lens, this.idx, count, size, seed, this.offsets, this.skips);
    offsets.set(w.subarray(this.offsets >>> 2, (this.offsets >>> 2) + count));
    skips.set(w.subarray(this.skips >>> 2, (this.skips >>> 2) + count));
  }

  release(): void {
    this.e.release(this.region);
  }
}

const utf8 = new TextEncoder();
