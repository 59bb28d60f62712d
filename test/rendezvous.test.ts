// Rendezvous: the rendezvous(weighted,-w/ln) and xorshift* vectors, the slow reference on
// random fleets (both profiles), weighted shares, removal, batch and top-k, bad input; on
// every engine.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FlowBatch, FlowHasher, Rendezvous, type RendezvousBackend } from "../src/index.js";
import { forEachEngine } from "./engines.js";
import { expectCode, type ArgumentCode } from "./bad-inputs.js";
import { refKeyHash, refRank, refXorshiftMult64 } from "./reference/rendezvous.js";
import { refXxh64 } from "./reference/xxhash.js";
import { Rng } from "./rng.js";
import { loadVectors, VECTOR_DIR } from "./vectors.js";

const RAW = fs.readFileSync(path.join(VECTOR_DIR, "rendezvous.json"), "utf8");

const V = loadVectors("rendezvous").vectors as { id: string; inputs: any; expected: any }[];
const vec = (id: string) => {
  const x = V.find((y) => y.id === id);
  if (!x) throw new Error(`vector ${id} missing`);
  return x;
};

function randomFleet(rng: Rng, n: number, weighted: boolean): RendezvousBackend[] {
  return Array.from({ length: n }, (_, i) => ({ id: `10.${rng.int(256)}.${rng.int(256)}.${i & 255}:${1000 + i}`, weight: weighted ? (rng.int(5) === 0 ? 0 : 0.5 + rng.int(1000) / 100) : 1 }));
}

forEachEngine("rendezvous", () => {
  describe("vectors", () => {
    it("envoy-rendezvous-equal: host hashes and chooseHost with profile envoy", () => {
      const v = vec("envoy-rendezvous-equal");
      const rdv = new Rendezvous({ backends: v.inputs.hosts, profile: "envoy" });
      for (const b of rdv.backends) expect(b.keyHash.toString(), b.id).toBe(v.expected.host_xxh64[b.id]);
      for (const [h, want] of Object.entries(v.expected.chooseHost)) expect(rdv.pick(BigInt(h)).id, `hash ${h}`).toBe(want);
    });
    it("go-rendezvous-xxh64: go-redis Ring's lookup with profile go-rendezvous (flow hash = XXH64 of the key)", () => {
      const v = vec("go-rendezvous-xxh64");
      const rdv = new Rendezvous({ backends: v.inputs.nodes, profile: "go-rendezvous" });
      for (const [key, want] of Object.entries(v.expected.lookup)) {
        const h = refXxh64(new TextEncoder().encode(key), 0n);
        expect(rdv.pick(h).id, key).toBe(want);
        expect(rdv.topK(h, 3)[0]!.id, key).toBe(want);
      }
    });
    it("xorshiftMult64 (the mix both profiles use), via the reference the differential tests trust", () => {
      // The mix itself runs inside the Wasm; this pins the reference's mix to the vector, so
      // the random-fleet tests below compare against the published function.
      const v = vec("xorshiftMult64");
      v.inputs.x.forEach((x: string, i: number) => expect(refXorshiftMult64(BigInt(x)).toString()).toBe(rawOut(i)));
    });
  });

  it("go-rendezvous against the reference: rank by the u64 mix, all backends", () => {
    const rng = new Rng(606);
    const backends = randomFleet(rng, 37, false);
    const rdv = new Rendezvous({ backends, profile: "go-rendezvous" });
    for (let j = 0; j < 200; j++) {
      const h = rng.next64();
      const mixes = backends.map((b) => refXorshiftMult64(h ^ refKeyHash(b.id)));
      const rank = mixes.map((m, i) => ({ m, i })).sort((a, b) => (a.m !== b.m ? (b.m > a.m ? 1 : -1) : a.i - b.i)).map((o) => o.i);
      expect(rdv.pickIndex(h), `hash ${h}`).toBe(rank[0]);
      expect(rdv.topKIndices(h, 5), `hash ${h}`).toEqual(rank.slice(0, 5));
    }
    expect(() => new Rendezvous({ backends: [{ id: "a", weight: 2 }], profile: "go-rendezvous" })).toThrow(/unweighted/);
  });

  describe("against the reference on random fleets", () => {
    for (const profile of ["flowpin", "envoy"] as const) {
      for (const [n, weighted] of [[1, false], [2, true], [7, true], [64, false], [301, true]] as [number, boolean][]) {
        it(`${profile}: ${n} backends${weighted ? ", weighted (some 0)" : ""}: pick, topK(3), batch`, () => {
          const seed = n * 31 + (weighted ? 1 : 0) + (profile === "envoy" ? 7 : 0);
          const rng = new Rng(seed);
          let backends = randomFleet(rng, n, weighted);
          if (backends.every((b) => b.weight === 0)) backends = backends.map((b, i) => (i === 0 ? { ...b, weight: 1 } : b));
          const rdv = new Rendezvous({ backends, profile });
          const ref = backends.map((b) => ({ key: b.id, weight: b.weight! }));
          const hashes: bigint[] = [0n, 1n, 0xffffffffffffffffn, ...Array.from({ length: 150 }, (_, i) => (i % 2 ? rng.next64() : BigInt(rng.u32())))];
          const lo = new Uint32Array(hashes.map((h) => Number(h & 0xffffffffn)));
          const hi = new Uint32Array(hashes.map((h) => Number(h >> 32n)));
          const batch = rdv.pickBatch(lo, new Uint32Array(hashes.length), hi);
          hashes.forEach((h, j) => {
            const rank = refRank(h, ref, profile);
            const msg = `seed ${seed} hash ${h}`;
            expect(rdv.pickIndex(h), msg).toBe(rank[0]);
            expect(batch[j], msg).toBe(rank[0]);
            expect(rdv.topKIndices(h, Math.min(3, n)), msg).toEqual(rank.slice(0, Math.min(3, n)));
            if (h <= 0xffffffffn) expect(rdv.pickIndex(Number(h)), msg).toBe(rank[0]);
          });
        });
      }
    }
    it("key hashes are XXH64(key, 0)", () => {
      const rdv = new Rendezvous({ backends: [{ id: "a", key: "10.0.0.1:80" }, "b"] });
      expect(rdv.backends.map((b) => b.keyHash)).toEqual([refKeyHash("10.0.0.1:80"), refKeyHash("b")]);
    });
  });

  it("weighted long-run shares are within statistical bounds of the weights", () => {
    const weights = [1, 2, 3, 4, 0, 10];
    const rdv = new Rendezvous({ backends: weights.map((weight, i) => ({ id: `b${i}`, weight })) });
    const N = 200000;
    const s = rdv.stats(N);
    const total = weights.reduce((a, b) => a + b, 0);
    weights.forEach((w, i) => {
      const p = w / total;
      expect(s.expected[i]).toBeCloseTo(p, 12);
      // Binomial(N, p): within 5 standard deviations (a false alarm about once in 3.5M runs).
      const sd = Math.sqrt(N * p * (1 - p));
      expect(Math.abs(s.counts[i]! - N * p), `backend ${i} weight ${w}: ${s.counts[i]}`).toBeLessThanOrEqual(5 * sd);
    });
    expect(s.counts[4]).toBe(0);
    expect(s.counts.reduce((a, b) => a + b, 0)).toBe(N);
  });

  it("removing one backend moves only the keys it had; adding one moves keys only to it", () => {
    const rng = new Rng(8080);
    const backends = randomFleet(rng, 40, true).map((b) => ({ ...b, weight: b.weight || 1 }));
    const rdv = new Rendezvous({ backends });
    const gone = backends[17]!.id;
    const fewer = rdv.withBackends(backends.filter((b) => b.id !== gone));
    const more = rdv.withBackends([...backends, { id: "new:1", weight: 3 }]);
    const sample = new Uint32Array(Array.from({ length: 50000 }, () => rng.u32()));
    const a = rdv.pickBatch(sample, new Uint32Array(sample.length));
    const b = fewer.pickBatch(sample, new Uint32Array(sample.length));
    const c = more.pickBatch(sample, new Uint32Array(sample.length));
    let had = 0;
    for (let i = 0; i < sample.length; i++) {
      const before = rdv.backends[a[i]!]!.id;
      if (before === gone) had++;
      else expect(fewer.backends[b[i]!]!.id, `hash ${sample[i]}`).toBe(before);
      const after = more.backends[c[i]!]!.id;
      if (after !== before) expect(after).toBe("new:1");
    }
    expect(Rendezvous.diff(rdv, fewer, sample).moved).toBe(had);
  });

  it("pick(flow, hasher) equals pick(hasher.hash(flow)); topK(flow, k, hasher) likewise", () => {
    const hasher = new FlowHasher({ key: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) });
    const rdv = new Rendezvous({ backends: ["a", "b", "c", "d"] });
    const flow = { src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 443, proto: "tcp" as const };
    expect(rdv.pick(flow, hasher)).toBe(rdv.pick(hasher.hash(flow)));
    expect(rdv.topK(flow, 2, hasher)).toEqual(rdv.topK(hasher.hash(flow), 2));
    const custom = { hash: (f: { n: number }) => BigInt(f.n) * 0x9e3779b97f4a7c15n & 0xffffffffffffffffn };
    expect(rdv.pick({ n: 5 }, custom)).toBe(rdv.pick(5n * 0x9e3779b97f4a7c15n & 0xffffffffffffffffn));
  });

  it("topK(k = n) is a full ranking without zero-weight backends", () => {
    const rdv = new Rendezvous({ backends: [{ id: "a", weight: 0 }, "b", "c"] });
    for (let h = 0; h < 50; h++) {
      const r = rdv.topKIndices(h, 3);
      expect(r.sort()).toEqual([1, 2]);
    }
  });

  describe("bad input", () => {
    const bad: [string, () => unknown, ArgumentCode][] = [
      ["no backends", () => new Rendezvous({ backends: [] }), "NO_BACKENDS"],
      ["all weights 0", () => new Rendezvous({ backends: [{ id: "a", weight: 0 }] }), "INVALID_WEIGHT"],
      ["NaN weight", () => new Rendezvous({ backends: [{ id: "a", weight: NaN }] }), "INVALID_WEIGHT"],
      ["negative weight", () => new Rendezvous({ backends: [{ id: "a", weight: -1 }] }), "INVALID_WEIGHT"],
      ["-0 weight", () => new Rendezvous({ backends: [{ id: "a", weight: -0 }, "b"] }), "INVALID_WEIGHT"],
      ["infinite weight", () => new Rendezvous({ backends: [{ id: "a", weight: Infinity }] }), "INVALID_WEIGHT"],
      ["string weight", () => new Rendezvous({ backends: [{ id: "a", weight: "2" as unknown as number }] }), "INVALID_TYPE"],
      ["duplicate id", () => new Rendezvous({ backends: ["a", "b", "a"] }), "DUPLICATE_BACKEND"],
      ["duplicate key", () => new Rendezvous({ backends: [{ id: "a", key: "k" }, { id: "b", key: "k" }] }), "DUPLICATE_BACKEND"],
      ["empty id", () => new Rendezvous({ backends: [""] }), "INVALID_TYPE"],
      ["unknown profile", () => new Rendezvous({ backends: ["a"], profile: "maglev" as "envoy" }), "UNKNOWN_PROFILE"],
      ["negative hash", () => new Rendezvous({ backends: ["a"] }).pick(-1), "OUT_OF_RANGE"],
      ["fractional hash", () => new Rendezvous({ backends: ["a"] }).pick(1.5), "OUT_OF_RANGE"],
      ["hash over 2^64", () => new Rendezvous({ backends: ["a"] }).pick(2n ** 64n), "OUT_OF_RANGE"],
      ["flow without hasher", () => new Rendezvous({ backends: ["a"] }).pick({ src: "1.2.3.4" } as unknown as number), "INVALID_TYPE"],
      ["k = 0", () => new Rendezvous({ backends: ["a"] }).topK(1, 0), "OUT_OF_RANGE"],
      ["k > n", () => new Rendezvous({ backends: ["a"] }).topK(1, 2), "OUT_OF_RANGE"],
      ["batch out too short", () => new Rendezvous({ backends: ["a"] }).pickBatch(new Uint32Array(4), new Uint32Array(3)), "OUT_OF_RANGE"],
      ["batch of numbers", () => new Rendezvous({ backends: ["a"] }).pickBatch([1, 2] as unknown as Uint32Array, new Uint32Array(2)), "INVALID_TYPE"],
    ];
    for (const [name, fn, code] of bad) it(name, () => expectCode(fn, code));
  });
});

/** xorshiftMult64 expected outputs exceed 2^53: read them as decimal text from the raw file. */
function rawOut(i: number): string {
  const text = RAW;
  const at = text.indexOf('"id": "xorshiftMult64"');
  const start = text.indexOf('"out"', at);
  const end = text.indexOf("]", start);
  return text.slice(start, end).match(/\d{3,}/g)![i]!;
}

forEachEngine("rendezvous over a FlowBatch", () => {
  it("pickBatch(batch.hashes, out, batch.hashesHi) equals pick(flow, hasher) per flow", () => {
    const rng = new Rng(4096);
    const hasher = new FlowHasher({ profile: "envoy" }); // 64-bit hashes: hashesHi matters
    const rdv = new Rendezvous({ backends: randomFleet(rng, 50, true).map((b) => ({ ...b, weight: b.weight || 1 })) });
    const n = 3000;
    const batch = new FlowBatch(n);
    const flows = Array.from({ length: n }, () => ({ src: rng.u32(), dst: rng.u32(), sport: rng.int(65536), dport: rng.int(65536), proto: 6 }));
    flows.forEach((f, i) => batch.set(i, f));
    hasher.hashBatch(batch);
    const out = rdv.pickBatch(batch.hashes, new Uint32Array(n), batch.hashesHi);
    flows.forEach((f, i) => expect(out[i], `flow ${i}`).toBe(rdv.pickIndex(hasher.hash(f))));
    batch.dispose();
  });

  it("a batch too large for the free memory: pickBatch grows the memory (detaching the views) and still reads the hashes", () => {
    const rng = new Rng(77);
    const hasher = new FlowHasher({ profile: "envoy" });
    const rdv = new Rendezvous({ backends: ["a", "b", "c"] });
    const n = 1 << 21;
    const batch = new FlowBatch(n);
    for (let i = 0; i < 500; i++) batch.set(i, { src: rng.u32(), dst: rng.u32(), sport: rng.int(65536), dport: rng.int(65536), proto: 6 });
    batch.length = 500;
    hasher.hashBatch(batch);
    const before = batch.hashes.buffer;
    // 3 * 4 * n bytes of scratch sit above the batch: the memory must grow.
    const out = rdv.pickBatch(batch.hashes, new Uint32Array(n), batch.hashesHi);
    expect(batch.hashes.buffer).not.toBe(before);
    for (let i = 0; i < 500; i++) {
      const h = (BigInt(batch.hashesHi[i]!) << 32n) | BigInt(batch.hashes[i]!);
      expect(out[i], `flow ${i}`).toBe(rdv.pickIndex(h));
    }
    expect(out[n - 1]).toBe(rdv.pickIndex(0));
    batch.dispose();
  });
});
