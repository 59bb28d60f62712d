// Every record of test/vectors/maglev.json, on every engine.
import { expect, it } from "vitest";
import { Maglev, hashes, type MaglevBackend } from "../src/index.js";
import { active } from "../src/engine/state.js";
import { cilium } from "../src/profiles/cilium.js";
import { ipvs, ipvsHashInput } from "../src/profiles/ipvs.js";
import { katran } from "../src/profiles/katran.js";
import type { NormalizedBackend } from "../src/profiles/maglev-profile.js";
import { forEachEngine } from "./engines.js";
import { hex, loadVectors } from "./vectors.js";

const V = loadVectors("maglev");
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const vec = (id: string): any => {
  const v = V.vectors.find((x: { id: string }) => x.id === id);
  if (!v) throw new Error(`vector ${id} missing`);
  return v;
};

function counts(t: ArrayLike<number>, n: number): number[] {
  const c = new Array<number>(n).fill(0);
  for (let i = 0; i < t.length; i++) c[t[i]!]!++;
  return c;
}

/** mkAddr(i) of Cilium's test: IPv4 from big-endian uint32(i), port i % 65535, TCP. */
function mkAddr(spec: string): { address: string; port: number } {
  const i = Number(/^mkAddr\((\d+)\)$/.exec(spec)![1]);
  return { address: `${i >>> 24}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`, port: i % 65535 };
}

/** The generators named by katran.derived_tables ring names (endpoints truncated in the file). */
function katranEndpoints(ring: { name: string; endpoints: { num: number; weight: number; hash: number }[]; endpoints_note?: string }) {
  if (!ring.endpoints_note) return ring.endpoints;
  const m = /^(\d+)_(.*)_ring\d+/.exec(ring.name)!;
  const n = Number(m[1]);
  const rule = m[2]!;
  const gen = Array.from({ length: n }, (_, i) => {
    if (rule === "w1_hash_i") return { num: i, weight: 1, hash: i };
    if (rule === "w211_hash_i") return { num: i, weight: i === 0 ? 2 : 1, hash: i };
    if (rule === "w_1plus_i_mod3_hash_10i_plus7") return { num: i, weight: 1 + (i % 3), hash: 10 * i + 7 };
    throw new Error(`no generator for ${ring.name}`);
  });
  // The listed prefix must agree with the generator read from the name.
  expect(gen.slice(0, ring.endpoints.length)).toEqual(ring.endpoints);
  return gen;
}

forEachEngine("maglev vectors: paper", () => {
  const v = vec("paper.table1");
  // Pseudocode 1 with the paper's (offset, skip) pairs, straight through the Wasm fill
  // (CONSECUTIVE schedule with one turn per round = unweighted Maglev).
  function fillWith(pairs: number[][], M: number): number[] {
    const e = active();
    const n = pairs.length;
    const stateBytes = (e.x.maglevStateBytes(n) + 15) & ~15;
    const region = e.alloc(stateBytes + 4 * M + e.x.maglevBitmapBytes(M));
    try {
      const w = new Uint32Array(e.x.memory.buffer, region, 7 * n);
      pairs.forEach(([o, s], i) => {
        w[i] = o!;
        w[n + i] = s!;
        w[2 * n + i] = i;
        w[3 * n + i] = 1;
        w[4 * n + i] = 1;
      });
      e.x.maglevFill(1, n, M, region, region + stateBytes, region + stateBytes + 4 * M, 1, 0);
      return Array.from(new Uint32Array(e.x.memory.buffer, region + stateBytes, M));
    } finally {
      e.release(region);
    }
  }
  it("table 1 before and after removing B1", () => {
    const { M, offset_skip: pairs } = v.inputs;
    expect(fillWith(pairs, M)).toEqual(v.expected.lookup_before);
    const removed = v.inputs.backends.indexOf(v.inputs.removed_after);
    const rest = pairs.filter((_: unknown, i: number) => i !== removed);
    const after = fillWith(rest, M).map((i) => (i >= removed ? i + 1 : i));
    expect(after).toEqual(v.expected.lookup_after_removing_B1);
  });
});

forEachEngine("maglev vectors: envoy", () => {
  for (const id of ["envoy.basic", "envoy.basic_with_hostname", "envoy.weighted"]) {
    it(id, () => {
      const v = vec(id);
      const keys: string[] = v.inputs.hash_keys_in_host_order;
      const backends = keys.map((key, i) => ({ id: `host${i}`, key, weight: v.inputs.host_weights[i] }));
      const lb = new Maglev({ size: v.inputs.table_size, backends });
      expect(Array.from(lb.table)).toEqual(v.expected.table_as_host_index);
      expect(Array.from(lb.table, (i) => lb.backends[i]!.key)).toEqual(v.expected.table_as_key);
      const s = lb.stats();
      expect([s.min, s.max]).toEqual([v.expected.stats.min_entries_per_host, v.expected.stats.max_entries_per_host]);
      // BasicStability: the same table whatever order the hosts arrive in.
      const shuffled = new Maglev({ size: v.inputs.table_size, backends: [...backends].reverse() });
      expect(Array.from(shuffled.table, (i) => shuffled.backends[i]!.id)).toEqual(Array.from(lb.table, (i) => lb.backends[i]!.id));
    });
  }

  for (const id of ["envoy.locality_same_weights", "envoy.locality_different_weights"]) {
    it(id, () => {
      const v = vec(id);
      const loc = v.inputs.locality;
      const localityWeights: Record<string, number> = {};
      const localityOf = new Map<string, string>();
      loc.hosts_per_locality.forEach((hosts: string[], l: number) => {
        localityWeights[`L${l}`] = loc.locality_weights[l];
        for (const h of hosts) localityOf.set(h, `L${l}`);
      });
      const keys: string[] = v.inputs.hash_keys_in_host_order;
      const backends = keys.map((key, i) => ({ id: key, weight: v.inputs.host_weights[i], locality: localityOf.get(key)! }));
      const lb = new Maglev({ size: v.inputs.table_size, backends, localityWeights });
      expect(Array.from(lb.table)).toEqual(v.expected.table_as_host_index);
      const c = counts(lb.table, backends.length).filter((x) => x > 0);
      expect([Math.min(...c), Math.max(...c)]).toEqual([v.expected.stats.min_entries_per_host, v.expected.stats.max_entries_per_host]);
    });
  }

  it("envoy.retry_host_predicate (u64 hashes)", () => {
    const v = vec("envoy.retry_host_predicate");
    const basic = vec("envoy.basic");
    const lb = new Maglev({ size: basic.inputs.table_size, backends: basic.inputs.hash_keys_in_host_order.map((id: string) => ({ id })) });
    // maglev_lb.cc chooseHost: attempt > 0 → hash ^= ~0ULL - attempt + 1.
    const retry = (h: bigint, attempt: number): bigint => (attempt > 0 ? h ^ ((0xffffffffffffffffn - BigInt(attempt) + 1n) & 0xffffffffffffffffn) : h);
    const h = BigInt(v.inputs.hash);
    expect(lb.lookupIndex(retry(h, 0))).toBe(v.expected.attempt0_host_index);
    expect(lb.lookupIndex(Number(retry(h, 0)))).toBe(v.expected.attempt0_host_index);
    expect(lb.lookupIndex(retry(h, 1))).toBe(v.expected["attempt1_host_index(reject host 1)"]);
    expect(lb.lookupIndex(retry(h, 2))).toBe(v.expected["last_checked_after_2_retries(all rejected)"]);
  });

  it("envoy.locality_lopsided_counts", () => {
    const v = vec("envoy.locality_lopsided_counts");
    const [wa, wb] = v.inputs.locality_weights;
    const backends = Array.from({ length: 1024 }, (_, i) => ({ id: `127.0.0.1:${i}`, locality: v.inputs.locality_A.includes(`127.0.0.1:${i}`) ? "A" : "B" }));
    const lb = new Maglev({ size: v.inputs.table_size, backends, localityWeights: { A: wa, B: wb } });
    const c = counts(lb.table, backends.length);
    expect(c[0]).toBe(v.expected.count_host0);
    expect(c.slice(1).every((x) => x === v.expected.count_each_other_host)).toBe(true);
    expect([lb.stats().min, lb.stats().max]).toEqual([v.expected.min_entries_per_host, v.expected.max_entries_per_host]);
  });

  it("envoy.doc_weight_example_counts", () => {
    const v = vec("envoy.doc_weight_example_counts");
    const backends = Object.entries(v.inputs.weights as Record<string, number>).map(([id, weight]) => ({ id, weight }));
    const lb = new Maglev({ size: v.inputs.table_size, backends });
    expect(counts(lb.table, 2)).toEqual([v.expected.entries_A, v.expected.entries_B]);
  });

  it("envoy.single_host_degenerate", () => {
    const v = vec("envoy.single_host_degenerate");
    const lb = new Maglev({ size: v.inputs.table_size, backends: v.inputs.hosts.map((id: string, i: number) => ({ id, weight: v.inputs.weights[i] })) });
    for (let h = 0; h < 100; h++) expect(lb.lookupIndex(h)).toBe(v.expected.every_hash_selects);
    expect(lb.lookupIndex(0xffffffffffffffffn)).toBe(v.expected.every_hash_selects);
  });
});

forEachEngine("maglev vectors: cilium", () => {
  it("cilium.reproducible_m251 (hash strings and addresses)", () => {
    const v = vec("cilium.reproducible_m251");
    const byKey = v.inputs.backends.map((b: { hashString: string; weight: number; id: number }) => ({ id: String(b.id), key: b.hashString, weight: b.weight }));
    const a = new Maglev({ profile: "cilium", size: v.inputs.table_size, seed: v.inputs.hash_seed_b64, backends: byKey });
    expect(Array.from(a.table, (i) => Number(a.backends[i]!.id))).toEqual(v.expected.table);
    const byAddr = v.inputs.backends.map((b: { addr: string; weight: number; id: number }) => ({ id: String(b.id), ...mkAddr(b.addr), protocol: "TCP", weight: b.weight }));
    const b = new Maglev({ profile: "cilium", size: v.inputs.table_size, backends: byAddr });
    expect(b.backends.map((x) => x.key)).toEqual(v.inputs.backends.map((x: { hashString: string }) => x.hashString));
    expect(Array.from(b.table)).toEqual(Array.from(a.table));
  });

  it("cilium permutation parameters", () => {
    const v = vec("cilium.reproducible_m251");
    const bs = Object.keys(v.derived_for_debugging.offset_skip).map((key) => ({ id: key, key, weight: 1 }) as NormalizedBackend);
    const off = new Uint32Array(bs.length);
    const skip = new Uint32Array(bs.length);
    cilium.params(bs, bs.map((_, i) => i), v.inputs.table_size, { seed: v.inputs.hash_seed_b64 }, off, skip);
    expect(bs.map((_, i) => [off[i], skip[i]])).toEqual(Object.values(v.derived_for_debugging.offset_skip));
  });

  it("cilium.weighted_counts_m1021 and removal", () => {
    const v = vec("cilium.weighted_counts_m1021");
    const backends = v.inputs.backends.map((b: { addr: string; weight: number; id: number }) => ({ id: String(b.id), ...mkAddr(b.addr), weight: b.weight }));
    const lb = new Maglev({ profile: "cilium", size: v.inputs.table_size, seed: v.inputs.hash_seed_b64, backends });
    const c = counts(lb.table, backends.length);
    expect(Object.fromEntries(backends.map((b: MaglevBackend, i: number) => [b.id, c[i]]))).toEqual(v.expected.counts_by_id);
    const after = lb.withBackends(backends.filter((b: MaglevBackend) => b.id !== "1"));
    expect(Maglev.diff(lb, after).disruption.fraction * 100).toBeLessThan(v.expected.changed_existing_after_removing_id1_pct_lt);
  });
});

forEachEngine("maglev vectors: katran", () => {
  const katranLb = (eps: { weight: number; hash: number | string }[], size: number, version: "v1" | "v2") =>
    new Maglev({ profile: "katran", version, size, backends: eps.map((e, i) => ({ id: `ep${i}`, weight: e.weight, hash: BigInt(e.hash) })) });

  it("katran.maglevhash_small_rings", () => {
    const v = vec("katran.maglevhash_small_rings");
    const v1 = katranLb(v.inputs.endpoints, v.inputs.ring_size, "v1");
    const v2 = katranLb(v.inputs.endpoints, v.inputs.ring_size, "v2");
    expect(counts(v1.table, 2)).toEqual(v.expected["V1_counts(comment)"]);
    expect(counts(v2.table, 2)).toEqual(v.expected["V2_counts(comment)"]);
    expect(Array.from(v1.table)).toEqual(v.derived_for_debugging.V1_table);
    expect(Array.from(v2.table)).toEqual(v.derived_for_debugging.V2_table);
    const single = katranLb([v.inputs.endpoints[0]], v.inputs.ring_size, "v1");
    expect(Array.from(single.table).every((x) => x === 0)).toBe(true);
  });

  it("katran.chhelpers_assertions", () => {
    const v = vec("katran.chhelpers_assertions");
    const M = v.inputs.ring_size;
    const spread = (t: ArrayLike<number>, n: number) => {
      const c = counts(t, n);
      return Math.max(...c) - Math.min(...c);
    };
    for (const [name, claim] of Object.entries(v.expected as Record<string, string>)) {
      const m = /\((V1|V2), (\d+) eps,? (?:w=1|weights \[([\d,]+)\]|w=.*=(\d+))\)$/.exec(name)!;
      const version = m[1] === "V1" ? "v1" : "v2";
      const n = Number(m[2]);
      const weights = m[3] ? m[3].split(",").map(Number) : new Array<number>(n).fill(m[4] ? Number(m[4]) : 1);
      const lb = katranLb(weights.map((weight, i) => ({ weight, hash: i })), M, version);
      const diff = /max-min == (\d+)/.exec(claim);
      if (diff) expect(spread(lb.table, n), name).toBe(Number(diff[1]));
      if (/min > 0/.test(claim)) expect(Math.min(...counts(lb.table, n)), name).toBeGreaterThan(0);
      const each = /freq\[num\] == (\d+) for num<(\d+); num (\d+) > 0; num>\d+ == 0/.exec(claim);
      if (each) {
        const c = counts(lb.table, n);
        const k = Number(each[2]);
        expect(c.slice(0, k).every((x) => x === Number(each[1])), name).toBe(true);
        expect(c[Number(each[3])]!, name).toBeGreaterThan(0);
        expect(c.slice(k + 1).every((x) => x === 0), name).toBe(true);
      }
      expect(diff || each, `unparsed claim ${name}`).toBeTruthy();
    }
  });

  it("katran permutation parameters (MurmurHash3_x64_64, rings 7 and 65537)", () => {
    const v = vec("katran.derived_tables");
    for (const row of v.murmur3_x64_64) {
      const b = [{ id: "x", weight: 1, hash: BigInt(row.A) } as NormalizedBackend];
      for (const [size, key] of [[7, "ring7"], [65537, "ring65537"]] as const) {
        const off = new Uint32Array(1);
        const skip = new Uint32Array(1);
        katran.params(b, [0], size, {}, off, skip);
        expect([off[0], skip[0]], `A=${row.A} M=${size}`).toEqual(row[key]);
      }
    }
  });

  for (const ring of vec("katran.derived_tables").rings) {
    it(`katran.derived_tables ${ring.name} ${ring.algo}`, () => {
      const eps = katranEndpoints(ring);
      const lb = katranLb(eps, ring.ring_size, ring.algo === "MaglevHashV2" ? "v2" : "v1");
      const c = counts(lb.table, eps.length);
      expect(c.slice(0, ring.counts_by_num.length)).toEqual(ring.counts_by_num);
      if (ring.table) expect(Array.from(lb.table)).toEqual(ring.table);
      if (ring.table_first_32) expect(Array.from(lb.table.subarray(0, 32))).toEqual(ring.table_first_32);
      // table_csv_fnv1a64 is not checked: no table reproduces it from its stated recipe
      // (FNV-1a-64 of the table joined by ','), not even one on which this build and
      // test/reference/maglev.ts agree slot for slot; the first 32 slots and counts are checked.
    });
  }
});

forEachEngine("maglev vectors: linux ipvs", () => {
  it("linux.hsiphash_kunit: hsiphash (64-bit) = low 32 bits of SipHash-1-3", () => {
    const v = vec("linux.hsiphash_kunit");
    const [k0, k1] = v.inputs["key_64bit(BITS_PER_LONG==64, SipHash-1-3)"].map((s: string) => BigInt(s));
    const key = new Uint8Array(16);
    new DataView(key.buffer).setBigUint64(0, k0, true);
    new DataView(key.buffer).setBigUint64(8, k1, true);
    v.expected.hsiphash_64bit.forEach((want: string, i: number) => {
      const msg = Uint8Array.from({ length: i }, (_, j) => j);
      expect(Number(hashes.siphash13(msg, key) & 0xffffffffn), `len ${i}`).toBe(Number(BigInt(want)));
    });
  });

  it("linux.ipvs_mh_derived_example", () => {
    const v = vec("linux.ipvs_mh_derived_example");
    const list = v.inputs.dests_in_list_order as { ip: string; port: number; weight: number }[];
    // The kernel adds each new destination at the head of its list: insertion order is the
    // list order reversed.
    const inserted = [...list].reverse();
    const backends = inserted.map((d) => ({ id: `${d.ip}:${d.port}`, address: d.ip, port: d.port, weight: d.weight }));
    const lb = new Maglev({ profile: "ipvs", size: v.inputs.M, backends });
    const listIndex = (i: number) => list.length - 1 - i;
    expect(Array.from(lb.table, listIndex)).toEqual(v.expected.table_as_dest_index);
    expect(counts(Array.from(lb.table, listIndex), list.length)).toEqual(v.expected.counts);
    const nb = list.map((d, i) => ({ id: String(i), weight: d.weight, address: d.ip, port: d.port }) as NormalizedBackend);
    const off = new Uint32Array(nb.length);
    const skip = new Uint32Array(nb.length);
    ipvs.params(nb, nb.map((_, i) => i), v.inputs.M, {}, off, skip);
    const plan = ipvs.plan([...nb].reverse(), {}, v.inputs.M);
    expect(nb.map((_, i) => [off[i], skip[i], plan.a![i]])).toEqual(v.expected.offset_skip_turns);
    expect(ipvsHashInput("10.0.0.1", 80)).toBe(0x0a000001 + 80);
  });
});

forEachEngine("maglev vectors: paper figure 12 baseline (katran v1, equal weights)", () => {
  const v = vec("paper.fig12_style_baseline");
  for (const [size, r] of Object.entries(v.results as Record<string, { min_entries: number; max_entries: number; max_over_avg: number }>)) {
    it(`M=${size}`, () => {
      const backends = Array.from({ length: 1000 }, (_, i) => ({ id: `e${i}`, hash: (BigInt(i) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn }));
      const lb = new Maglev({ profile: "katran", size: Number(size), backends });
      const s = lb.stats();
      expect([s.min, s.max]).toEqual([r.min_entries, r.max_entries]);
      expect(s.max / s.mean).toBeCloseTo(r.max_over_avg, 5);
    });
  }
});
