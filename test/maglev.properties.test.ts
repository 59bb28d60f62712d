// Properties every Maglev table must have, whatever the inputs (paper section 3.4 and 5.3),
// plus lookup arithmetic checked against BigInt.
import { describe, expect, it, vi } from "vitest";
import { envoy } from "../src/profiles/envoy.js";
import { FlowBatch, FlowHasher, Maglev, type MaglevBackend, type MaglevOptions } from "../src/index.js";
import { forEachEngine } from "./engines.js";
import { Rng } from "./rng.js";

const fleet = (n: number, f: (i: number) => Partial<MaglevBackend> = () => ({})): MaglevBackend[] =>
  Array.from({ length: n }, (_, i) => ({ id: `10.0.${i >> 8}.${i & 255}:80`, ...f(i) }));

/** Backends for a profile, n of them, weight 1 (Cilium: its default). */
function profileFleet(profile: MaglevOptions["profile"], n: number): MaglevBackend[] {
  return fleet(n, (i) => (profile === "katran" ? { hash: BigInt(i) * 0x9e3779b97f4a7c15n % 2n ** 64n } : profile === "cilium" || profile === "ipvs" ? { address: `10.0.${i >> 8}.${i & 255}`, port: 80 } : {}));
}

const PROFILES = [
  ["envoy", 65537],
  ["katran", 65537],
  ["cilium", 16381],
  ["ipvs", 4093],
] as const;

forEachEngine("maglev properties", () => {
  for (const [profile, size] of PROFILES) {
    it(`${profile}: every slot is a backend; equal weights balance within 1 slot`, () => {
      const lb = new Maglev({ profile, backends: profileFleet(profile, 100) });
      expect(lb.size).toBe(size);
      const s = lb.stats();
      expect(s.entries.reduce((a, b) => a + b, 0)).toBe(size);
      // Equal weights: Maglev hands out slots in rounds, so counts differ by at most one.
      expect(s.max - s.min).toBeLessThanOrEqual(1);
    });

    it(`${profile}: removing one backend moves its slots and few others`, () => {
      const backends = profileFleet(profile, 50);
      const a = new Maglev({ profile, backends });
      const b = a.withBackends(backends.filter((_, i) => i !== 17));
      const d = Maglev.diff(a, b);
      const removed = d.backends.find((x) => x.id === backends[17]!.id)!;
      expect(removed.status).toBe("removed");
      expect(removed.after).toBe(0);
      expect(removed.lost).toBe(removed.before);
      // All of its slots move; the paper's disruption (moves between surviving backends)
      // stays a small fraction of the table (paper figure 12: well under 1% at k = 1).
      expect(d.moved).toBe(removed.before + d.disruption.moved);
      expect(d.disruption.fraction).toBeLessThan(0.02);
      // withBackends reuses parameters: a from-scratch build agrees slot for slot.
      const fresh = new Maglev({ profile, backends: backends.filter((_, i) => i !== 17) });
      expect(Array.from(b.table)).toEqual(Array.from(fresh.table));
    });
  }

  for (const profile of ["envoy", "katran", "cilium"] as const) {
    it(`${profile}: the table does not depend on input order`, () => {
      const backends = profileFleet(profile, 40).map((b, i) => ({ ...b, weight: 1 + (i % 4) * (profile === "cilium" ? 50 : 1) }));
      const r = new Rng(7);
      const shuffled = [...backends];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = r.int(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const a = new Maglev({ profile, backends });
      const b = new Maglev({ profile, backends: shuffled });
      expect(Array.from(b.table, (i) => b.backends[i]!.id)).toEqual(Array.from(a.table, (i) => a.backends[i]!.id));
    });
  }

  it("ipvs: the table depends on insertion order (the kernel does not sort)", () => {
    const backends = profileFleet("ipvs", 10);
    const a = new Maglev({ profile: "ipvs", backends });
    const b = new Maglev({ profile: "ipvs", backends: [...backends].reverse() });
    expect(Array.from(b.table, (i) => b.backends[i]!.id)).not.toEqual(Array.from(a.table, (i) => a.backends[i]!.id));
  });

  it("envoy: weights give proportional shares", () => {
    const backends = fleet(10, (i) => ({ weight: i + 1 }));
    const s = new Maglev({ backends }).stats();
    s.entries.forEach((c, i) => expect(Math.abs(c / 65537 - s.ideal[i]!)).toBeLessThan(0.001));
    expect(s.maxOverIdeal).toBeLessThan(1.01);
  });

  it("withBackends hashes only the backends it has not seen", () => {
    const spy = vi.spyOn(envoy, "params");
    try {
      const a = new Maglev({ backends: fleet(20) });
      expect(spy.mock.calls.at(-1)![1]).toHaveLength(20);
      const b = a.withBackends([...fleet(20).slice(3), { id: "new-1" }, { id: "new-2" }]);
      // Only the two new backends are hashed; the 17 survivors reuse offset and skip.
      expect(spy.mock.calls.at(-1)![1]).toHaveLength(2);
      expect(Array.from(b.table)).toEqual(Array.from(new Maglev({ backends: b.backends }).table));
    } finally {
      spy.mockRestore();
    }
  });

  it("weight 0 keeps a backend listed with no slots", () => {
    const lb = new Maglev({ backends: fleet(5, (i) => ({ weight: i === 2 ? 0 : 1 })) });
    expect(lb.backends).toHaveLength(5);
    expect(lb.stats().entries[2]).toBe(0);
    expect(lb.stats().ideal[2]).toBe(0);
  });

  it("u16 tables up to 65535 backends, u32 beyond", () => {
    expect(new Maglev({ size: 7, backends: fleet(3) }).table).toBeInstanceOf(Uint16Array);
    const many = Array.from({ length: 65536 }, (_, i) => ({ id: `b${i}` }));
    const big = new Maglev({ size: 65537, backends: many });
    expect(big.table).toBeInstanceOf(Uint32Array);
    expect(big.stats().max - big.stats().min).toBeLessThanOrEqual(1);
  });

  it("lookup: u64 bigints reduce exactly like BigInt %, for every size class", () => {
    const r = new Rng(99);
    for (const size of [2, 7, 65537, 655373, 5000011]) {
      const lb = new Maglev({ size, backends: fleet(2) });
      const hashes = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 64n - 1n];
      for (let i = 0; i < 200; i++) hashes.push(r.next64());
      for (const h of hashes) expect(lb.lookupIndex(h), `size ${size} hash ${h}`).toBe(lb.table[Number(h % BigInt(size))]);
      const lo = Uint32Array.from(hashes, (h) => Number(h & 0xffffffffn));
      const hi = Uint32Array.from(hashes, (h) => Number(h >> 32n));
      const out = lb.lookupBatch(lo, new Uint32Array(hashes.length), hi);
      hashes.forEach((h, i) => expect(out[i]).toBe(lb.table[Number(h % BigInt(size))]));
      const out32 = lb.lookupBatch(lo, new Uint16Array(hashes.length));
      lo.forEach((h, i) => expect(out32[i]).toBe(lb.table[h % size]));
    }
  });

  it("lookupBatch (Wasm from 64 hashes, JS below): every length around the cut and past a 16384-hash chunk, u16 and u32 tables, u32 and u64 hashes", () => {
    const r = new Rng(7);
    const many = new Maglev({ size: 65537, backends: Array.from({ length: 65536 }, (_, i) => ({ id: `b${i}` })) });
    for (const lb of [new Maglev({ size: 655373, backends: fleet(300) }), many]) {
      for (const n of [0, 1, 63, 64, 65, 16384, 16385, 40000]) {
        const hashes = Array.from({ length: n }, () => r.next64());
        const lo = Uint32Array.from(hashes, (h) => Number(h & 0xffffffffn));
        const hi = Uint32Array.from(hashes, (h) => Number(h >> 32n));
        const out = lb.lookupBatch(lo, new Uint32Array(n), hi);
        const out32 = lb.lookupBatch(lo, new Uint32Array(n));
        for (let i = 0; i < n; i++) {
          expect(out[i], `n ${n} hash ${hashes[i]}`).toBe(lb.table[Number(hashes[i]! % BigInt(lb.size))]);
          expect(out32[i]).toBe(lb.table[lo[i]! % lb.size]);
        }
        if (lb !== many) expect(Array.from(lb.lookupBatch(lo, new Uint16Array(n), hi))).toEqual(Array.from(out));
      }
    }
  });

  it("lookupBatch over a FlowBatch's own hashes column (a view of the engine's memory), with the memory growing under it", () => {
    const lb = new Maglev({ size: 655373, backends: fleet(300) });
    const hasher = new FlowHasher({ key: Uint8Array.from([9, 8, 7, 6, 5, 4, 3, 2]) });
    const n = 1 << 19;
    const b = new FlowBatch(n);
    const r = new Rng(11);
    for (let i = 0; i < n; i++) {
      b.src[i] = r.int(0x7fffffff);
      b.dst[i] = r.int(0x7fffffff);
      b.sport[i] = r.int(65536);
      b.dport[i] = 443;
      b.proto[i] = 6;
    }
    hasher.hashBatch(b);
    const want = Array.from(b.hashes, (h) => lb.table[h % lb.size]);
    // Fresh scratch for 2^19 hashes grows the memory: b.hashes is read by address.
    const got = lb.lookupBatch(b.hashes, new Uint16Array(n));
    expect(Array.from(got)).toEqual(want);
    expect(Array.from(lb.lookupBatch(b.hashes, new Uint32Array(n)))).toEqual(want);
  });

  it("pick() hashes the flow with the given hasher", () => {
    const lb = new Maglev({ backends: fleet(10) });
    const hasher = { hash: (f: { n: number }) => BigInt(f.n) * 1000003n };
    expect(lb.pick({ n: 12345 }, hasher)).toBe(lb.lookup(12345n * 1000003n));
    expect(lb.pick({ n: 7 }, { hash: (f: { n: number }) => f.n })).toBe(lb.backends[lb.table[7]!]);
  });
});

describe("maglev sharing", () => {
  it("a shared table lives in a SharedArrayBuffer and survives structured cloning", () => {
    const lb = new Maglev({ backends: fleet(20), shared: true });
    expect(lb.table.buffer).toBeInstanceOf(SharedArrayBuffer);
    const copy = Maglev.fromShared(structuredClone(lb.toShared()));
    expect(Array.from(copy.table)).toEqual(Array.from(lb.table));
    // structuredClone (as postMessage) shares a SharedArrayBuffer rather than copying it:
    // a write through the original shows in the clone.
    const w = new Uint16Array(lb.table.buffer);
    const was = w[0]!;
    w[0] = (was + 1) % 20;
    expect(copy.table[0]).toBe((was + 1) % 20);
    w[0] = was;
    expect(lb.withBackends(fleet(19)).table.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it("fromShared rejects tables that do not fit their backends", () => {
    const lb = new Maglev({ backends: fleet(3), size: 7 });
    const bad = { ...lb.toShared(), table: Uint16Array.from([0, 1, 2, 3, 0, 1, 2]) };
    expect(() => Maglev.fromShared(bad)).toThrow(expect.objectContaining({ code: "CORRUPT_DATA" }));
    expect(() => Maglev.fromShared({ ...lb.toShared(), table: new Uint16Array(6) })).toThrow(expect.objectContaining({ code: "CORRUPT_DATA" }));
  });
});
