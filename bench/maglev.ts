// Maglev builds and lookups on every engine, beside the native C build of the same
// algorithm (bench/native/maglev.c). Builds: Envoy profile, equal weights, keys
// "10.a.b.c:8080"; hz = builds per second (a build is the whole `new Maglev()`: validation,
// sort, XXH64 parameters, the fill, the copy out). Lookups: hz = lookups per second.
import { Maglev, engines } from "../src/index.js";
import type { BenchCase, Suite } from "./harness.js";

/** The fleet the native baseline builds too: key i = 10.(i>>16).(i>>8 & 255).(i & 255):8080. */
export function fleet(n: number): { id: string }[] {
  return Array.from({ length: n }, (_, i) => ({ id: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8080` }));
}

const BUILDS: readonly [size: number, n: number][] = [
  [65537, 1000],
  [655373, 1000],
  [65537, 100],
];
const BATCH = 4096;

export const maglev: Suite = {
  name: "maglev",
  description: "Maglev table builds (Envoy profile) and lookups, every engine, vs a native C build",
  cases() {
    const out: BenchCase[] = [];
    for (const [size, n] of BUILDS) {
      const backends = fleet(n);
      for (const engine of engines()) {
        out.push({ name: `maglev-build-${size}x${n} ${engine}`, group: `maglev-build-${size}x${n}`, engine, fn: () => new Maglev({ size, backends }) });
      }
    }
    // A rebuild for an unchanged fleet: withBackends() reuses every permutation parameter,
    // so this is the population itself plus the per-build bookkeeping.
    const base = new Maglev({ backends: fleet(1000) });
    for (const engine of engines()) {
      out.push({ name: `maglev-rebuild-65537x1000 ${engine}`, group: "maglev-rebuild-65537x1000", engine, fn: () => base.withBackends(base.backends) });
    }
    const lb = new Maglev({ backends: fleet(1000) });
    const hashes = new Uint32Array(BATCH);
    let x = 0x9e3779b9;
    for (let i = 0; i < BATCH; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      hashes[i] = x >>> 0;
    }
    const hi = hashes.map((h) => Math.imul(h, 0x85ebca6b) >>> 0);
    const out16 = new Uint16Array(BATCH);
    let k = 0;
    out.push(
      { name: "maglev-lookup-u32", group: "maglev-lookup", fn: () => lb.lookupIndex(hashes[k++ & (BATCH - 1)]!) },
      { name: "maglev-lookup-u64 (bigint)", group: "maglev-lookup", fn: () => lb.lookupIndex(BigInt(hashes[k++ & (BATCH - 1)]!) << 20n) },
      { name: "maglev-lookup-batch", group: "maglev-lookup-batch", per: BATCH, fn: () => lb.lookupBatch(hashes, out16)[k++ & (BATCH - 1)] },
      { name: "maglev-lookup-batch-u64", group: "maglev-lookup-batch", per: BATCH, fn: () => lb.lookupBatch(hashes, out16, hi)[k++ & (BATCH - 1)] },
    );
    return out;
  },
  native: [{ source: "bench/native/maglev.c", args: [] }],
};
