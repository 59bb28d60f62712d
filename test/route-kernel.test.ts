// The route kernel (assembly/route.ts through src/engine/route-kernel.ts) on every engine:
// - its reduction is exactly h % M (BigInt) over edge values and random u32 and u64 hashes,
//   read back through an identity table (table[s] = s);
// - its flowpin, katran and cilium hashes equal the slow references on random IPv4 and IPv6
//   flows (odd batch sizes, so the 4-lane body and the scalar tail both run), from typed
//   arrays and from a FlowBatch, and out[i] = table[hash % M] or -1 where the reference says
//   the flow is not balanced.
import { describe, expect, it } from "vitest";
import { FlowBatch } from "../src/index.js";
import { lookupIndices, routeKernel, routeSpec, type RouteArrays, type RouteHash, type RouteMatch } from "../src/engine/route-kernel.js";
import { forEachEngine } from "./engines.js";
import { refCiliumHash, refSeeds } from "./reference/cilium.js";
import { refFlowpin, type RefFlow } from "./reference/flow.js";
import { refKatranRoute, type RefKatranVip } from "./reference/katran.js";
import { Rng } from "./rng.js";

const SEED = 20251208;

/** Table sizes at the edges of the reduction, and the sizes flowpin's tables use. */
const SIZES = [1, 2, 3, 7, 13, 251, 4093, 65521, 65536, 65537, 131071, 655373, 1 << 20, 5000011, (1 << 23) - 1, (1 << 26) - 5];

function identity(M: number): Uint32Array {
  const t = new Uint32Array(M);
  for (let i = 0; i < M; i++) t[i] = i;
  return t;
}

/** Hashes that sit on or next to multiples of M and the ends of the u32 range, then random ones. */
function edgeHashes(M: number, rng: Rng): number[] {
  const out = new Set<number>([0, 1, 2, M - 1, M, M + 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff]);
  const top = Math.floor(0xffffffff / M);
  for (const k of [1, 2, 3, top - 1, top]) for (const d of [-1, 0, 1]) out.add(k * M + d);
  for (let i = 0; i < 2000; i++) out.add(rng.u32());
  return [...out].filter((h) => h >= 0 && h <= 0xffffffff);
}

forEachEngine("route kernel reduction", () => {
  for (const M of SIZES) {
    it(`u32 and u64 hashes mod ${M} equal BigInt %`, () => {
      const rng = new Rng(SEED + M);
      const table = identity(M);
      const spec = routeSpec({ profile: "lookup" }, { size: M });
      const lo = Uint32Array.from(edgeHashes(M, rng));
      const out = lookupIndices(spec, table, lo, new Int32Array(lo.length));
      for (let i = 0; i < lo.length; i++) {
        if (out[i] !== Number(BigInt(lo[i]!) % BigInt(M))) expect.fail(`u32 ${lo[i]} mod ${M}: got ${out[i]}`);
      }
      // u64: high halves at the edges too (0, 1, 2^32 - 1, multiples of M) and random.
      const hiEdges = [0, 1, M - 1, M, 0xffffffff, 0x80000000];
      const hi = Uint32Array.from(lo, (_, i) => (i < hiEdges.length * 4 ? hiEdges[i % hiEdges.length]! : rng.u32()) >>> 0);
      const out64 = lookupIndices(spec, table, lo, new Int32Array(lo.length), hi);
      for (let i = 0; i < lo.length; i++) {
        const h = (BigInt(hi[i]!) << 32n) | BigInt(lo[i]!);
        if (out64[i] !== Number(h % BigInt(M))) expect.fail(`u64 ${h} mod ${M}: got ${out64[i]}`);
      }
    });
  }

  it("a u16 table is read as u16 entries", () => {
    const M = 65537;
    const table = new Uint16Array(M);
    for (let i = 0; i < M; i++) table[i] = (i * 7919) & 0xffff;
    const rng = new Rng(SEED);
    const lo = Uint32Array.from({ length: 999 }, () => rng.u32());
    const out = lookupIndices(routeSpec({ profile: "lookup" }, { size: M }), table, lo, new Int32Array(lo.length));
    lo.forEach((h, i) => expect(out[i]).toBe(table[h % M]));
  });
});

interface Flows {
  ref: RefFlow[];
  arrays: RouteArrays;
}

const be = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** n random flows; `dst` (bytes) replaces the destination of about half of them. */
function randomFlows(rng: Rng, n: number, family: 4 | 6, dst?: Uint8Array, dport?: number): Flows {
  const w = family === 4 ? 1 : 4;
  const a: RouteArrays = { family, src: new Uint32Array(w * n), dst: new Uint32Array(w * n), sport: new Uint16Array(n), dport: new Uint16Array(n), proto: new Uint8Array(n) };
  const ref: RefFlow[] = [];
  for (let i = 0; i < n; i++) {
    const s = rng.bytes(4 * w);
    const d = dst && rng.int(2) === 0 ? dst.slice() : rng.bytes(4 * w);
    // Equal addresses and ports now and then, so symmetric mode's tie rules run.
    if (rng.int(16) === 0) d.set(s);
    const sp = rng.int(65536);
    const dp = dport !== undefined && rng.int(2) === 0 ? dport : rng.int(16) === 0 ? sp : rng.int(65536);
    const pr = [6, 17, 6, 17, 1, 132, rng.int(256)][rng.int(7)]!;
    for (let k = 0; k < w; k++) {
      a.src[w * i + k] = be(s, 4 * k);
      a.dst[w * i + k] = be(d, 4 * k);
    }
    a.sport[i] = sp;
    a.dport[i] = dp;
    a.proto[i] = pr;
    ref.push({ src: s, dst: d, sport: sp, dport: dp, proto: pr });
  }
  return { ref, arrays: a };
}

function randomTable(rng: Rng, M: number, wide: boolean): Uint16Array | Uint32Array {
  const t = wide ? new Uint32Array(M) : new Uint16Array(M);
  for (let i = 0; i < M; i++) t[i] = rng.int(wide ? 100000 : 1000);
  return t;
}

/** Runs the kernel from arrays and from a FlowBatch; both must give `expected`. */
function check(hash: RouteHash, match: RouteMatch | undefined, table: Uint16Array | Uint32Array | null, M: number, flows: Flows, expected: (i: number) => { hash: number | null; index: number }): void {
  const n = flows.ref.length;
  const spec = routeSpec(hash, { size: M, match });
  const out = new Int32Array(n);
  const hashes = new Uint32Array(n);
  routeKernel(spec, table, flows.arrays, out, hashes);
  const batch = new FlowBatch(n, { family: flows.arrays.family });
  try {
    batch.src.set(flows.arrays.src);
    batch.dst.set(flows.arrays.dst);
    batch.sport.set(flows.arrays.sport);
    batch.dport.set(flows.arrays.dport);
    batch.proto.set(flows.arrays.proto);
    const hashes2 = new Uint32Array(n);
    const out2 = routeKernel(spec, table, batch, new Int32Array(n), hashes2);
    for (let i = 0; i < n; i++) {
      const e = expected(i);
      const f = flows.ref[i]!;
      const at = `flow ${i} (${Buffer.from(f.src).toString("hex")} → ${Buffer.from(f.dst).toString("hex")} ${f.sport}/${f.dport}/${f.proto})`;
      if (e.hash !== null && hashes[i] !== e.hash) expect.fail(`${at}: hash ${hashes[i]} ≠ reference ${e.hash}`);
      if (out[i] !== e.index) expect.fail(`${at}: index ${out[i]} ≠ ${e.index}`);
      if (hashes2[i] !== hashes[i] || out2[i] !== e.index) expect.fail(`${at}: the FlowBatch path gave ${hashes2[i]} / ${out2[i]}`);
    }
  } finally {
    batch.dispose();
  }
}

forEachEngine("route kernel profiles", () => {
  const KEY = Uint8Array.from([0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78]);

  for (const family of [4, 6] as const) {
    for (const [symmetric, noPorts] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`flowpin IPv${family}${symmetric ? " symmetric" : ""}${noPorts ? " no ports" : ""}`, () => {
        const rng = new Rng(SEED + family + (symmetric ? 10 : 0) + (noPorts ? 20 : 0));
        const M = 65537;
        const flows = randomFlows(rng, 1031, family);
        const table = randomTable(rng, M, family === 6);
        check({ profile: "flowpin", key: KEY, symmetric, noPorts }, undefined, table, M, flows, (i) => {
          const h = refFlowpin(flows.ref[i]!, KEY, symmetric, noPorts);
          return { hash: h, index: table[h % M]! };
        });
      });
    }
  }

  for (const family of [4, 6] as const) {
    for (const port of [0, 443]) {
      for (const [noSrcPort, dportOnly, srcDstPort] of [[false, false, false], [true, false, false], [false, true, false], [false, false, true], [true, true, false]] as const) {
        it(`katran IPv${family} VIP port ${port}${noSrcPort ? " F_HASH_NO_SRC_PORT" : ""}${dportOnly ? " F_HASH_DPORT_ONLY" : ""}${srcDstPort ? " F_HASH_SRC_DST_PORT" : ""}`, () => {
          const rng = new Rng(SEED + 100 * family + port + (noSrcPort ? 1 : 0) + (dportOnly ? 2 : 0) + (srcDstPort ? 4 : 0));
          const ringSize = [65537, 13, 4099][rng.int(3)]!;
          const vipBytes = rng.bytes(family === 4 ? 4 : 16);
          const key = new Uint8Array(16);
          key.set(vipBytes);
          const vip: RefKatranVip = { key, port, proto: 6, noSrcPort, dportOnly, srcDstPort };
          const flows = randomFlows(rng, 1029, family, vipBytes, port || undefined);
          const table = randomTable(rng, ringSize, false);
          const words = Array.from({ length: family === 4 ? 1 : 4 }, (_, k) => be(vipBytes, 4 * k));
          const ring = Array.from(table);
          check(
            { profile: "katran", seed: (512 * ringSize) >>> 0, noSrcPort, dportOnly, zeroDport: port === 0 && !dportOnly && !srcDstPort },
            { dst: words, proto: 6, ...(port === 0 ? {} : { dport: port }) },
            table,
            ringSize,
            flows,
            (i) => {
              const f = flows.ref[i]!;
              const pad = (b: Uint8Array) => { const x = new Uint8Array(16); x.set(b); return x; };
              const r = refKatranRoute(vip, ringSize, ring, { v6: family === 6, src: pad(f.src), dst: pad(f.dst), sport: f.sport, dport: f.dport, proto: f.proto });
              // Not balanced (no VIP): Katran does not hash it; only the -1 is checked.
              if (r === null) return { hash: null, index: -1 };
              return { hash: r.hash, index: r.real! };
            },
          );
        });
      }
    }
  }

  for (const family of [4, 6] as const) {
    for (const [version, affinity] of [["1.16", false], ["1.16", true], ["1.17+", false], ["1.17+", true]] as const) {
      it(`cilium ${version} IPv${family}${affinity ? " session affinity" : ""}`, () => {
        const rng = new Rng(SEED + 1000 * family + (version === "1.16" ? 0 : 7) + (affinity ? 3 : 0));
        const hashSeed = Buffer.from(rng.bytes(12)).toString("base64");
        const seeds = refSeeds(hashSeed);
        const M = [16381, 251, 131071][rng.int(3)]!;
        const fe = rng.bytes(family === 4 ? 4 : 16);
        const fePort = 1 + rng.int(65535);
        const feProto = version === "1.16" ? -1 : 6;
        const flows = randomFlows(rng, 1027, family, fe, fePort);
        const table = randomTable(rng, M, false);
        const words = Array.from({ length: family === 4 ? 1 : 4 }, (_, k) => be(fe, 4 * k));
        check(
          { profile: "cilium", seed: family === 4 ? seeds.jhash0 : seeds.jhash1, swapped: version !== "1.16", affinity },
          { tcpUdpOnly: true, dst: words, dport: fePort, ...(feProto < 0 ? {} : { proto: feProto }) },
          table,
          M,
          flows,
          (i) => {
            const f = flows.ref[i]!;
            const h = refCiliumHash(version, affinity, f.src, f.sport, f.dport, f.proto, hashSeed);
            const balanced = (f.proto === 6 || f.proto === 17) && Buffer.compare(Buffer.from(f.dst), Buffer.from(fe)) === 0 && f.dport === fePort && (feProto < 0 || f.proto === feProto);
            return { hash: h, index: balanced ? table[h % M]! : -1 };
          },
        );
      });
    }
  }

  it("a batch of several kernel chunks (40000 flows) equals the reference", () => {
    const rng = new Rng(SEED + 9);
    const M = 4093;
    const flows = randomFlows(rng, 40000, 4);
    const table = randomTable(rng, M, false);
    check({ profile: "flowpin", key: KEY, symmetric: true }, undefined, table, M, flows, (i) => {
      const h = refFlowpin(flows.ref[i]!, KEY, true);
      return { hash: h, index: table[h % M]! };
    });
  });

  it("no table: every flow gets -1, hashes are still written", () => {
    const rng = new Rng(SEED + 5);
    const flows = randomFlows(rng, 37, 4);
    check({ profile: "flowpin", key: KEY }, undefined, null, 65537, flows, (i) => ({ hash: refFlowpin(flows.ref[i]!, KEY), index: -1 }));
  });
});

describe("route kernel arguments", () => {
  it("refuses a table whose length is not the spec's size", () => {
    const spec = routeSpec({ profile: "lookup" }, { size: 7 });
    expect(() => lookupIndices(spec, new Uint16Array(11), new Uint32Array(1), new Int32Array(1))).toThrow(/11 slots/);
  });
  it("refuses sizes outside 1..2^26", () => {
    for (const size of [0, -1, 1.5, 2 ** 26 + 1]) expect(() => routeSpec({ profile: "lookup" }, { size })).toThrow(/table size/);
  });
});
