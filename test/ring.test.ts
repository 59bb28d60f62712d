// Ring hash: Envoy's own ring_hash test rings (ring_hash_lb_test.cc, via rendezvous.json),
// the exact arc shares against a sampled count, consistency under removal, and bad input.
import { describe, expect, it } from "vitest";
import { FlowpinError, Ring } from "../src/index.js";
import { forEachEngine } from "./engines.js";
import { Rng } from "./rng.js";
import { loadVectors } from "./vectors.js";

const V = loadVectors("rendezvous").vectors as { id: string; inputs: any; expected: any }[];
const vec = (id: string) => {
  const x = V.find((y) => y.id === id);
  if (!x) throw new Error(`vector ${id} missing`);
  return x;
};

forEachEngine("Ring matches Envoy's ring_hash (XX_HASH)", () => {
  for (const id of ["envoy-ringhash-xxh64", "envoy-ringhash-hostname"]) {
    it(id, () => {
      const { inputs, expected } = vec(id);
      const names: string[] = inputs.hosts ?? inputs.hostnames;
      const ring = new Ring({ backends: names, minRingSize: inputs.minimum_ring_size });
      expect(ring.size).toBe(expected.ring_sorted.length);
      const got = ring.points().map(([h, i]) => ({ host: names[i], hash: h.toString() }));
      expect(got).toEqual(expected.ring_sorted);
      for (const [h, host] of Object.entries(expected.lookups)) expect(ring.pick(BigInt(h)).id, h).toBe(host);
    });
  }
});

describe("Ring", () => {
  const ids = Array.from({ length: 50 }, (_, i) => `10.1.0.${i}:443`);

  it("gives each of N equal backends ceil(min/N) points, like Envoy", () => {
    const ring = new Ring({ backends: ids, minRingSize: 1024 });
    expect(ring.backends.every((b) => b.points === Math.ceil(1024 / 50))).toBe(true);
    expect(ring.size).toBe(50 * Math.ceil(1024 / 50));
  });

  it("weights scale the points: the lightest backend gets ceil(w_min · min) points", () => {
    // w = 1/4, 3/4: scale = ceil(0.25 · 90) / 0.25 = 92 points, split 23 / 69.
    const ring = new Ring({ backends: [{ id: "a", weight: 1 }, { id: "b", weight: 3 }], minRingSize: 90 });
    expect(ring.backends.map((b) => b.points)).toEqual([23, 69]);
  });

  it("exact shares sum to 1 and agree with a sampled count", () => {
    const ring = new Ring({ backends: ids, minRingSize: 2000 });
    const shares = ring.shares();
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const rng = new Rng(7);
    const n = 200000;
    const lo = Uint32Array.from({ length: n }, () => rng.u32());
    const hi = Uint32Array.from({ length: n }, () => rng.u32());
    const picks = ring.pickBatch(lo, new Uint32Array(n), hi);
    const counts = new Float64Array(ids.length);
    for (const p of picks) counts[p]!++;
    // Binomial standard deviation of a share near 1/50 over 200000 draws is ~3.1e-4.
    shares.forEach((s, i) => expect(Math.abs(counts[i]! / n - s), ids[i]).toBeLessThan(5 * 3.2e-4));
    for (let i = 0; i < 1000; i++) expect(ring.pickIndex((BigInt(hi[i]!) << 32n) | BigInt(lo[i]!))).toBe(picks[i]);
  });

  it("removing a backend moves only its flows when the point count per backend stays", () => {
    // 1000 / 50 = 20 and 1000 / 49 -> 21: to keep points per backend fixed use a size both divide.
    const a = new Ring({ backends: ids, minRingSize: 50 * 20 });
    const b = a.withBackends(ids.filter((_, i) => i !== 7));
    expect(b.backends[0]!.points).toBe(21); // ceil(1000 / 49): Envoy re-scales, and so do we
    const same = new Ring({ backends: ids, minRingSize: 49 * 20 });
    const removed = same.withBackends(ids.filter((_, i) => i !== 7));
    expect(removed.backends.every((x) => x.points === 20)).toBe(true);
    const rng = new Rng(3);
    for (let i = 0; i < 5000; i++) {
      const h = rng.next64();
      const before = same.pick(h).id;
      if (before !== ids[7]) expect(removed.pick(h).id).toBe(before);
    }
  });

  it("rejects bad input with FlowpinError naming the value", () => {
    const bad: [unknown, RegExp][] = [
      [{ backends: [] }, /empty/],
      [{ backends: ["a", "a"] }, /"a" appears twice/],
      [{ backends: [{ id: "a", weight: 0 }] }, /weight/],
      [{ backends: [{ id: "a", weight: NaN }] }, /weight/],
      [{ backends: [""] }, /non-empty/],
      [{ backends: ["a"], minRingSize: 0 }, /minRingSize/],
      [{ backends: ["a"], minRingSize: 10, maxRingSize: 5 }, /must not exceed/],
    ];
    for (const [opts, msg] of bad) {
      expect(() => new Ring(opts as never)).toThrow(msg);
      expect(() => new Ring(opts as never)).toThrow(FlowpinError as never);
    }
    const ring = new Ring({ backends: ["a"] });
    expect(() => ring.pick(-1)).toThrow(/hash/);
    expect(() => ring.pick(2n ** 64n)).toThrow(/hash/);
  });
});
