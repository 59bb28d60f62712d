// Rendezvous picks and glb-director table builds on every engine, beside native C builds of
// the same algorithms (bench/native/rendezvous.c, bench/native/glb.c) and the npm packages
// people use for this: skeleton-rendezvous (hierarchical HRW over md5 of string keys) and
// hashring (a ketama ring, its `get(key)`). Peers get the flow hash as a decimal string key,
// the form they accept. hz = picks (or whole 65536-row builds) per second.
import HashRing from "hashring";
import { jump as gouacheJump } from "jump-gouache";
import SkeletonRendezvous from "skeleton-rendezvous";
import { GlbTable, Rendezvous, engines, jump } from "../src/index.js";
import type { BenchCase, Suite } from "./harness.js";

const HASHES = 4096;

function flowHashes(): Uint32Array {
  const out = new Uint32Array(HASHES);
  let x = 0x9e3779b9;
  for (let i = 0; i < HASHES; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x >>> 0;
  }
  return out;
}

function ids(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8080`);
}

/** The glb fleet bench/native/glb.c builds: 10.0.0.1 .. 10.0.0.16, seed bytes 00..0f. */
const GLB_SEED = Uint8Array.from({ length: 16 }, (_, i) => i);
const GLB_FLEET = Array.from({ length: 16 }, (_, i) => `10.0.0.${i + 1}`);

export const rendezvous: Suite = {
  name: "rendezvous",
  description: "rendezvous picks (N = 10, 100, 1000), top-2 of 1000 and glb-director table builds, every engine, vs native C and npm peers",
  cases() {
    const out: BenchCase[] = [];
    const hashes = flowHashes();
    const keys = Array.from(hashes, (h) => String(h));
    let k = 0;
    for (const n of [10, 100, 1000]) {
      const group = `rendezvous-pick-${n}`;
      const rdv = new Rendezvous({ backends: ids(n) });
      for (const engine of engines()) {
        out.push({ name: `${group} ${engine}`, group, engine, fn: () => rdv.pickIndex(hashes[k++ & (HASHES - 1)]!) });
      }
      const batchOut = new Uint32Array(HASHES);
      out.push({ name: `${group} batch of ${HASHES}`, group, per: HASHES, fn: () => rdv.pickBatch(hashes, batchOut)[k++ & (HASHES - 1)] });
      const srh = new SkeletonRendezvous({ sites: ids(n) });
      out.push({ name: `${group} skeleton-rendezvous`, group, fn: () => srh.findSite(keys[k++ & (HASHES - 1)]!) });
      const ring = new HashRing(ids(n));
      out.push({ name: `${group} hashring (ring, not HRW)`, group, fn: () => ring.get(keys[k++ & (HASHES - 1)]!) });
    }
    const rdv = new Rendezvous({ backends: ids(1000) });
    for (const engine of engines()) {
      out.push({ name: `rendezvous-topk-1000-k2 ${engine}`, group: "rendezvous-topk-1000-k2", engine, fn: () => rdv.topKIndices(hashes[k++ & (HASHES - 1)]!, 2) });
    }
    const ring = new HashRing(ids(1000));
    out.push({ name: "rendezvous-topk-1000-k2 hashring range(key, 2)", group: "rendezvous-topk-1000-k2", fn: () => ring.range(keys[k++ & (HASHES - 1)]!, 2) });
    // Jump hash of a 64-bit key into 1000 buckets: [lo, hi] halves (no BigInt) and a bigint key,
    // against jump-gouache (the npm jump hash; BigNumber arithmetic).
    const big = Array.from(hashes, (h, i) => (BigInt(h) << 32n) | BigInt(hashes[(i + 1) & (HASHES - 1)]!));
    for (const engine of engines()) {
      out.push({ name: `jump-1000 ${engine}`, group: "jump-1000", engine, fn: () => jump([hashes[k & (HASHES - 1)]!, hashes[k++ & (HASHES - 1)]!], 1000) });
    }
    out.push({ name: "jump-1000 bigint key", group: "jump-1000", fn: () => jump(big[k++ & (HASHES - 1)]!, 1000) });
    out.push({ name: "jump-1000 jump-gouache", group: "jump-1000", fn: () => gouacheJump(big[k++ & (HASHES - 1)]!, 1000) });
    for (const engine of engines()) {
      out.push({ name: `glb-build-16 ${engine}`, group: "glb-build-16", engine, fn: () => new GlbTable({ seed: GLB_SEED, hashKey: GLB_SEED, backends: GLB_FLEET }) });
    }
    return out;
  },
  native: [
    { source: "bench/native/rendezvous.c", args: [] },
    { source: "bench/native/glb.c", args: [] },
  ],
};
