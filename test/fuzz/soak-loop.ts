// The soak loop: rebuild tables of varying sizes and fleets, hash flows, batches and packets,
// round-trip table files, on every engine in turn, for a fixed time; sample each engine's
// Wasm memory and the JS heap (after a full GC) as it goes. Used by
// test/reliability/soak.test.ts (seconds in `npm test`, 60 s in `npm run soak`).
import v8 from "node:v8";
import vm from "node:vm";
import { FlowBatch, FlowHasher, GlbTable, Maglev, Rendezvous, engine, useEngine, type EngineKind, type MaglevProfileName } from "../../src/index.js";
import { active } from "../../src/engine/state.js";
import { Rng } from "../rng.js";

/** A full, synchronous GC: global.gc under --expose-gc, else the same function fetched via V8 flags. */
export function fullGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

export interface SoakSample {
  iteration: number;
  seconds: number;
  heapUsed: number;
  /** Each engine's linear memory size. */
  wasm: Record<EngineKind, number>;
  /** Bytes in regions each engine's allocator still has handed out. */
  live: Record<EngineKind, number>;
}

/**
 * Bytes the engine's allocator has handed out and not had back. Reads a private field (the
 * Engine has no public accessor yet): a leak shows here even when memory does not grow.
 */
export function liveBytes(): number {
  const sizes = (active() as unknown as { sizes: Map<number, number> }).sizes;
  let n = 0;
  for (const v of sizes.values()) n += v;
  return n;
}

export interface SoakResult {
  iterations: number;
  work: Record<string, number>;
  samples: SoakSample[];
  /** The sample at the end of warm-up, and the last one. */
  warm: SoakSample;
  last: SoakSample;
}

// Warm-up covers at least the big rounds and a few ordinary ones, however slow the host.
const MIN_WARM_ITERATIONS = 24;
const MIN_ITERATIONS = 72;
const ENGINES: EngineKind[] = ["wasm-simd", "wasm", "js"];
const PROFILES: MaglevProfileName[] = ["envoy", "katran", "cilium", "ipvs"];
const SIZES: Record<MaglevProfileName, number[]> = { envoy: [251, 4093, 65537], katran: [251, 65537], cilium: [251, 4093, 16381], ipvs: [251, 4093] };

function backendsFor(profile: MaglevProfileName, n: number, rng: Rng, tag: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => {
    const address = `10.${(tag >> 8) & 255}.${tag & 255}.${i & 255}`;
    const port = 1024 + (i >> 8);
    const weight = 1 + rng.int(3);
    switch (profile) {
      case "katran":
        return { id: `k${tag}-${i}`, hash: BigInt(rng.u32()) * 4294967296n + BigInt(i), weight };
      case "cilium":
      case "ipvs":
        return { id: `${address}:${port}`, address, port, weight };
      default:
        return { id: `${address}:${port}`, weight };
    }
  });
}

/**
 * Runs the loop for `seconds`; warm-up is the first `warmFraction` of the time. With
 * `leaveToGc`, half the batches, hashers and tables are dropped without dispose() for the
 * FinalizationRegistry to reclaim; otherwise everything that can be disposed is.
 */
export async function soak(seconds: number, seed: number, leaveToGc: boolean, warmFraction = 0.3): Promise<SoakResult> {
  const gc = fullGc();
  const rng = new Rng(seed);
  const start = performance.now();
  const elapsed = (): number => (performance.now() - start) / 1000;
  const before = engine();
  const work: Record<string, number> = { maglev: 0, "maglev withBackends": 0, "maglev bytes": 0, "maglev shared": 0, glb: 0, rendezvous: 0, hashers: 0, "flows hashed": 0, batches: 0, "batches left to GC": 0, "packets hashed": 0 };
  const samples: SoakSample[] = [];
  const sample = async (iteration: number): Promise<SoakSample> => {
    // Finalizers run in a later task: give them one after each GC before reading the allocators.
    for (let round = 0; round < 2; round++) {
      gc();
      await new Promise((r) => setTimeout(r, 0));
    }
    const wasm = {} as Record<EngineKind, number>;
    const live = {} as Record<EngineKind, number>;
    for (const k of ENGINES) {
      useEngine(k);
      wasm[k] = active().memoryBytes;
      live[k] = liveBytes();
    }
    const s = { iteration, seconds: elapsed(), heapUsed: process.memoryUsage().heapUsed, wasm, live };
    samples.push(s);
    return s;
  };
  const iterate = (i: number): void => {
    useEngine(ENGINES[i % ENGINES.length]!);
    // The first rounds on each engine take the largest sizes, so warm-up reaches the
    // high-water mark; after it, only a leak or fragmentation could grow memory.
    const big = i < 2 * ENGINES.length;
    const pickInt = (n: number): number => (big ? n - 1 : rng.int(n));
    const profile = big ? "envoy" : PROFILES[rng.int(PROFILES.length)]!;
    const sizes = SIZES[profile];
    const size = sizes[pickInt(sizes.length)]!;
    const n = 1 + pickInt(Math.min(size, profile === "katran" ? 200 : 400));
    const lb = new Maglev({ profile, size, backends: backendsFor(profile, n, rng, big ? 0xffff : i) as never, shared: rng.int(4) === 0 });
    work.maglev!++;
    if (lb.table.buffer instanceof SharedArrayBuffer) work["maglev shared"]!++;
    const next = lb.withBackends(lb.backends.slice(0, Math.max(1, n - 1 - rng.int(3))) as never);
    work["maglev withBackends"]!++;
    if (Maglev.diff(lb, next).size !== size) throw new Error("diff size");
    // The file's checksum runs over the whole file in the engine's scratch region, the
    // largest per-call input: big rounds write the largest file (longest ids) first.
    if (big || i % 4 === 0) {
      const back = Maglev.fromBytes(next.toBytes());
      if (back.table.length !== size) throw new Error("fromBytes size");
      work["maglev bytes"]!++;
    }

    const hasher = new FlowHasher({ key: rng.bytes(8), symmetric: rng.int(2) === 0 });
    work.hashers!++;
    for (let f = 0; f < 200; f++) lb.lookup(hasher.hashV4(rng.u32(), rng.u32(), rng.int(65536), 443, 6) as number);
    work["flows hashed"]! += 200;

    const family = big || rng.int(2) === 0 ? 6 : 4;
    const batch = new FlowBatch(1 + pickInt(20000), { family });
    for (let k = 0; k < batch.src.length; k++) {
      batch.src[k] = rng.u32();
      batch.dst[k] = k;
    }
    batch.sport.fill(rng.int(65536));
    batch.dport.fill(443);
    batch.proto.fill(17);
    hasher.hashBatch(batch);
    lb.lookupBatch(batch.hashes, new Uint32Array(batch.capacity));
    work.batches!++;
    work["flows hashed"]! += batch.capacity;
    if (!leaveToGc || rng.int(2) === 0) {
      batch.dispose();
      hasher.dispose();
      // The Maglevs hold Wasm copies of their tables (batch lookups): returned now.
      lb.dispose();
      next.dispose();
    } else work["batches left to GC"]!++;

    const packets = Array.from({ length: 64 }, () => rng.bytes(20 + pickInt(60)));
    for (const p of packets) p[0] = rng.int(2) === 0 ? 0x45 : 0x60;
    const rss = new FlowHasher({ profile: "toeplitz" });
    rss.hashPackets(packets);
    if (!leaveToGc) rss.dispose();
    work["packets hashed"]! += packets.length;

    const rdv = new Rendezvous({ backends: Array.from({ length: 1 + pickInt(200) }, (_, k) => ({ id: `r${i}-${k}`, weight: 1 + rng.int(4) })) });
    rdv.pickBatch(new Uint32Array(512).map(() => rng.u32()), new Uint32Array(512));
    rdv.topK(rng.u32(), Math.min(3, rdv.backends.length));
    work.rendezvous!++;

    if (big || i % 12 === 0) {
      const g = new GlbTable({ seed: rng.bytes(16), hashKey: rng.bytes(16), backends: Array.from({ length: 1 + pickInt(12) }, (_, k) => `192.0.${k}.${i & 255}`) });
      GlbTable.fromBytes(g.toBytes());
      work.glb!++;
    }
  };
  let warm: SoakSample | undefined;
  let i = 0;
  let nextSample = 0;
  try {
    // At least MIN_ITERATIONS however slow the host (a loaded CI box, the js engine).
    while (elapsed() < seconds || i < MIN_ITERATIONS) {
      // One iteration in its own function: its objects are unreachable when we sample.
      iterate(i);
      i++;
      // Let FinalizationRegistry callbacks run (they never run inside one synchronous loop).
      await new Promise((r) => setImmediate(r));
      if (elapsed() >= nextSample) {
        const s = await sample(i);
        if (!warm && i >= MIN_WARM_ITERATIONS && s.seconds >= warmFraction * seconds) warm = s;
        nextSample = s.seconds + seconds / 20;
      }
    }
  } finally {
    useEngine(before);
  }
  const last = await sample(i);
  return { iterations: i, work, samples, warm: warm ?? samples[0]!, last };
}
