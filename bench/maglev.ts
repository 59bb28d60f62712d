// Maglev builds and lookups on every engine, beside the native C build of the same
// algorithm (bench/native/maglev.c). Builds: Envoy profile, equal weights, keys
// "10.a.b.c:8080"; hz = builds per second (a build is the whole `new Maglev()`: validation,
// sort, XXH64 parameters, the fill, the copy out). Lookups: hz = lookups per second.
import { Maglev, engines } from "../src/index.js";
import { lookupIndices, routeSpec } from "../src/engine/route-kernel.js";
import type { BenchCase, Suite } from "./harness.js";

/** The fleet the native baseline builds too: key i = 10.(i>>16).(i>>8 & 255).(i & 255):8080. */
export function fleet(n: number): { id: string }[] {
  return Array.from({ length: n }, (_, i) => ({ id: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8080` }));
}

const BUILDS: readonly [size: number, n: number][] = [
  [65537, 1000],
  [655373, 1000],
  [65537, 100],
  [65537, 10000],
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
    // The other profiles' builds of the same fleet: Katran's (u64 real hashes, MurmurHash3
    // parameters, V2 weights) and Cilium's (hash strings, murmur3_128 parameters, 16381 slots).
    const reals = fleet(1000).map((b, i) => ({ id: b.id, hash: (BigInt(i + 1) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn }));
    const pods = fleet(1000).map((b) => ({ id: b.id, address: b.id.slice(0, b.id.indexOf(":")), port: 8080, protocol: "TCP" as const }));
    for (const engine of engines()) {
      out.push(
        { name: `maglev-build-katran-65537x1000 ${engine}`, group: "maglev-build-65537x1000", engine, fn: () => new Maglev({ profile: "katran", version: "v2", size: 65537, backends: reals }) },
        { name: `maglev-build-cilium-16381x1000 ${engine}`, group: "maglev-build-cilium-16381x1000", engine, fn: () => new Maglev({ profile: "cilium", size: 16381, backends: pods }) },
      );
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
    const outI32 = new Int32Array(BATCH);
    const spec = routeSpec({ profile: "lookup" }, { size: lb.size });
    let k = 0;
    out.push(
      { name: "maglev-lookup-u32", group: "maglev-lookup", fn: () => lb.lookupIndex(hashes[k++ & (BATCH - 1)]!) },
      { name: "maglev-lookup-u64 (bigint)", group: "maglev-lookup", fn: () => lb.lookupIndex(BigInt(hashes[k++ & (BATCH - 1)]!) << 20n) },
      { name: "maglev-lookup-batch", group: "maglev-lookup-batch", per: BATCH, fn: () => lb.lookupBatch(hashes, out16)[k++ & (BATCH - 1)] },
      { name: "maglev-lookup-batch-u64", group: "maglev-lookup-batch", per: BATCH, fn: () => lb.lookupBatch(hashes, out16, hi)[k++ & (BATCH - 1)] },
      // lookupBatch runs in Wasm from 64 hashes on (the route kernel's lookup mode: h % M by a
      // precomputed reciprocal); these rows call the kernel directly into an Int32Array,
      // copies of the hashes in and the indices out included.
      { name: "maglev-lookup-batch route-kernel", group: "maglev-lookup-batch", per: BATCH, fn: () => lookupIndices(spec, lb.table, hashes, outI32)[k++ & (BATCH - 1)] },
      { name: "maglev-lookup-batch-u64 route-kernel", group: "maglev-lookup-batch", per: BATCH, fn: () => lookupIndices(spec, lb.table, hashes, outI32, hi)[k++ & (BATCH - 1)] },
    );
    return out;
  },
  native: [{ source: "bench/native/maglev.c", args: [] }],
};
