// One public contract across the API (issue 13 "No surprises", items 2, 3, 5 and 6; issue 14
// "Ring hygiene"): unknown fields are refused everywhere with a suggestion, the tables answer
// the same questions by the same names, the same mistake gets the same code, disposed objects
// refuse to work, and a batch never hands back a stale high half.
import { buildSync } from "esbuild";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import {
  FlowBatch,
  FlowHasher,
  FlowpinError,
  GlbTable,
  Maglev,
  Rendezvous,
  Ring,
  type BackendTable,
  type Flow,
  type FlowHashFunction,
  type RendezvousHasher,
} from "../src/index.js";
import { expectCode } from "./bad-inputs.js";
import { forEachEngine } from "./engines.js";

const KEY8 = Uint8Array.from({ length: 8 }, (_, i) => i + 1);
const KEY16 = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const SEED16 = Uint8Array.from({ length: 16 }, (_, i) => 0x30 + i);
const IDS = ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80"];

/** n flows with distinct sources and ports (deterministic). */
function flows(n: number): Flow[] {
  return Array.from({ length: n }, (_, i) => ({ src: `198.51.${(i >> 8) & 255}.${i & 255}`, dst: "203.0.113.1", sport: 1024 + ((i * 7919) % 60000), dport: 443, proto: "tcp" as const }));
}

describe("unknown options and fields are INVALID_CONFIG, naming the field and the one meant", () => {
  const cases: [string, () => unknown, string, string | undefined][] = [
    ["FlowHasher profle", () => new FlowHasher({ profle: "katran", key: KEY8 } as never), "profle", "profile"],
    ["FlowHasher symetric", () => new FlowHasher({ key: KEY8, symetric: true } as never), "symetric", "symmetric"],
    ["FlowHasher katran.srcDstPorts", () => new FlowHasher({ profile: "katran", katran: { srcDstPorts: true } } as never), "srcDstPorts", "srcDstPort"],
    ["FlowHasher cilium.hashseed", () => new FlowHasher({ profile: "cilium", cilium: { hashseed: "JLfvgnHc2kaSUFaI" } } as never), "hashseed", "hashSeed"],
    ["FlowHasher cilium.seeds.v5", () => new FlowHasher({ profile: "cilium", cilium: { seeds: { v4: 1, v6: 2, v5: 3 } } } as never), "v5", undefined],
    ["FlowHasher glb.feilds", () => new FlowHasher({ profile: "glb", key: KEY16, glb: { feilds: ["src_addr"] } } as never), "feilds", "fields"],
    ["Rendezvous profil", () => new Rendezvous({ backends: IDS, profil: "envoy" } as never), "profil", "profile"],
    ["Rendezvous backend wieght", () => new Rendezvous({ backends: [{ id: "a", wieght: 2 }] } as never), "wieght", "weight"],
    ["Maglev backend wieght", () => new Maglev({ backends: [{ id: "a", wieght: 2 }] } as never), "wieght", "weight"],
    ["Maglev sise", () => new Maglev({ backends: [{ id: "a" }], sise: 7 } as never), "sise", "size"],
    ["Maglev cilium.hashseed", () => new Maglev({ profile: "cilium", cilium: { hashseed: "JLfvgnHc2kaSUFaI" }, backends: [{ id: "a", key: "k" }] } as never), "hashseed", "hashSeed"],
    ["Ring minRingsize", () => new Ring({ backends: IDS, minRingsize: 64 } as never), "minRingsize", "minRingSize"],
    ["Ring backend wieght", () => new Ring({ backends: [{ id: "a", wieght: 2 }] } as never), "wieght", "weight"],
    ["GlbTable hashfields", () => new GlbTable({ seed: SEED16, hashKey: KEY16, backends: ["10.0.0.1"], hashfields: ["src_addr"] } as never), "hashfields", "hashFields"],
    ["GlbTable backend helthy", () => new GlbTable({ seed: SEED16, hashKey: KEY16, backends: [{ address: "10.0.0.1", helthy: false }] } as never), "helthy", "healthy"],
    ["GlbTable bind prot", () => new GlbTable({ seed: SEED16, hashKey: KEY16, backends: ["10.0.0.1"], binds: [{ ip: "192.0.2.1", prot: "tcp", port: 80 }] } as never), "prot", "proto"],
  ];
  for (const [label, call, field, meant] of cases) {
    it(label, () => {
      expectCode(call, "INVALID_CONFIG", `"${field}"`);
      if (meant !== undefined) expectCode(call, "INVALID_CONFIG", `did you mean "${meant}"`);
    });
  }
  it("Maglev still names another profile's option as that profile's", () => {
    expectCode(() => new Maglev({ backends: [{ id: "a" }], version: "v2" } as never), "INVALID_CONFIG", /version belongs to the katran profile/);
  });
});

describe("the same mistake, the same code", () => {
  const tables: [string, (b: unknown) => unknown][] = [
    ["Maglev", (b) => new Maglev({ backends: [b, { id: "z" }] } as never)],
    ["Rendezvous", (b) => new Rendezvous({ backends: [b, "z"] } as never)],
    ["Ring", (b) => new Ring({ backends: [b, "z"] } as never)],
  ];
  for (const [name, make] of tables) {
    it(`${name}: weight "x" is INVALID_TYPE, weight -1 INVALID_WEIGHT, key 5 INVALID_TYPE, key "" INVALID_KEY`, () => {
      expectCode(() => make({ id: "a", weight: "x" }), "INVALID_TYPE", "backends[0].weight");
      expectCode(() => make({ id: "a", weight: -1 }), "INVALID_WEIGHT", "backends[0].weight");
      expectCode(() => make({ id: "a", key: 5 }), "INVALID_TYPE", "backends[0].key");
      expectCode(() => make({ id: "a", key: "" }), "INVALID_KEY", "backends[0].key");
    });
  }
});

describe("one name per setting", () => {
  it("Maglev takes Cilium's seed as cilium.hashSeed, FlowHasher's name, and as seed", () => {
    const backends = [{ id: "a", address: "10.0.0.1", port: 80 }, { id: "b", address: "10.0.0.2", port: 80 }, { id: "c", address: "10.0.0.3", port: 80 }];
    const seed = "AAECAwQFBgcICQoL"; // bytes 0..11: not the default seed
    const bySeed = new Maglev({ profile: "cilium", size: 251, seed, backends });
    const byHashSeed = new Maglev({ profile: "cilium", size: 251, cilium: { hashSeed: seed }, backends } as never);
    const byDefault = new Maglev({ profile: "cilium", size: 251, backends });
    expect(Array.from(byHashSeed.table)).toEqual(Array.from(bySeed.table));
    expect(Array.from(byHashSeed.table)).not.toEqual(Array.from(byDefault.table));
    expectCode(() => new Maglev({ profile: "cilium", seed, cilium: { hashSeed: seed }, backends } as never), "INVALID_CONFIG", "not both");
  });
  it("FlowHasher takes glb's fields as hashFields, GlbTable's name, and as fields", () => {
    const f: Flow = { src: "198.51.100.7", dst: "192.0.2.1", sport: 51512, dport: 443, proto: "tcp" };
    const a = new FlowHasher({ profile: "glb", key: KEY16, glb: { hashFields: ["src_addr", "src_port"] } });
    const b = new FlowHasher({ profile: "glb", key: KEY16, glb: { fields: ["src_addr", "src_port"] } });
    const srcOnly = new FlowHasher({ profile: "glb", key: KEY16 });
    expect(a.hash(f)).toBe(b.hash(f));
    expect(a.hash(f)).not.toBe(srcOnly.hash(f));
    expectCode(() => new FlowHasher({ profile: "glb", key: KEY16, glb: { hashFields: ["src_addr"], fields: ["src_addr"] } }), "INVALID_CONFIG", "not both");
  });
  it("Ring's size is the README's name for minRingSize: ceil(size / N) points per backend", () => {
    const r = new Ring({ backends: ["a", "b", "c"], size: 300 });
    expect(r.size).toBe(300);
    expect(r.backends.map((b) => b.points)).toEqual([100, 100, 100]);
    expect(r.points()).toEqual(new Ring({ backends: ["a", "b", "c"], minRingSize: 300 }).points());
    expectCode(() => new Ring({ backends: ["a"], size: 64, minRingSize: 64 }), "INVALID_CONFIG", "not both");
    expectCode(() => new Ring({ backends: ["a"], size: 0 }), "OUT_OF_RANGE", "size");
  });
});

forEachEngine("one lookup contract", () => {
  describe("Maglev, Rendezvous, Ring, GlbTable", () => {
    const fs = flows(300);
    const envoy = new FlowHasher({ profile: "envoy" });
    const glbHasher = new FlowHasher({ profile: "glb", key: KEY16 });
    const tables: [string, BackendTable<object>, FlowHashFunction<Flow>][] = [
      ["Maglev", new Maglev({ backends: IDS.map((id) => ({ id })), size: 251 }), envoy],
      ["Rendezvous", new Rendezvous({ backends: IDS }), envoy],
      ["Ring", new Ring({ backends: IDS, minRingSize: 64 }), envoy],
      ["GlbTable", new GlbTable({ seed: SEED16, hashKey: KEY16, backends: ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"] }), glbHasher],
    ];
    for (const [name, t, hasher] of tables) {
      it(`${name}: pick(flow, hasher) = pick(hash) = backends[pickIndex(hash)] = backends[pickBatch(...)[i]]`, () => {
        const batch = new FlowBatch(fs.length);
        fs.forEach((f, i) => batch.set(i, f));
        (hasher as FlowHasher).hashBatch(batch);
        const out = t.pickBatch(batch.hashes, new Uint32Array(fs.length), batch.hashesHi);
        const seen = new Set<number>();
        fs.forEach((f, i) => {
          const h = hasher.hash(f);
          const index = t.pickIndex(h);
          seen.add(index);
          expect(t.pick(h), `flow ${i}`).toBe(t.backends[index]);
          expect(t.pick(f, hasher), `flow ${i}`).toBe(t.backends[index]);
          expect(out[i], `flow ${i}`).toBe(index);
        });
        // 300 flows over 4 backends: a table that answers with one backend is broken.
        expect(seen.size).toBeGreaterThan(2);
        batch.dispose();
      });
    }
    it("Maglev's documented lookup names are the same methods", () => {
      const lb = tables[0]![1] as Maglev;
      for (const h of [0, 1, 250, 0xffffffff, 2 ** 40, 0xdeadbeefcafef00dn]) {
        expect(lb.lookupIndex(h)).toBe(lb.pickIndex(h));
        expect(lb.lookup(h)).toBe(lb.pick(h));
      }
      const hashes = Uint32Array.from({ length: 64 }, (_, i) => (i * 2654435761) >>> 0);
      expect(lb.lookupBatch(hashes, new Uint32Array(64))).toEqual(lb.pickBatch(hashes, new Uint32Array(64)));
    });
  });
});

describe("one hasher interface", () => {
  it("RendezvousHasher is FlowHashFunction, and a FlowHasher is one", () => {
    const h: FlowHashFunction<Flow> = new FlowHasher({ key: KEY8 });
    const r: RendezvousHasher<Flow> = h;
    const back: FlowHashFunction<Flow> = r;
    expect(back).toBe(h);
  });
});

describe("disposal: dispose() and [Symbol.dispose] on everything that holds Wasm memory", () => {
  const f: Flow = { src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 443, proto: "tcp" };
  const objects: [string, () => { dispose(): void }, (o: never) => unknown][] = [
    ["FlowHasher", () => new FlowHasher({ key: KEY8 }), (h: FlowHasher) => h.hash(f)],
    ["FlowHasher (hashV4)", () => new FlowHasher({ key: KEY8 }), (h: FlowHasher) => h.hashV4(1, 2, 3, 4, 6)],
    ["FlowHasher (hashBatch)", () => new FlowHasher({ key: KEY8 }), (h: FlowHasher) => h.hashBatch(new FlowBatch(4))],
    ["FlowHasher (hashPackets)", () => new FlowHasher({ key: KEY8 }), (h: FlowHasher) => h.hashPackets([new Uint8Array(20)])],
    ["FlowBatch", () => new FlowBatch(4), (b: FlowBatch) => b.hashes],
    ["Rendezvous (pick)", () => new Rendezvous({ backends: IDS }), (r: Rendezvous) => r.pick(5)],
    ["Rendezvous (topK)", () => new Rendezvous({ backends: IDS }), (r: Rendezvous) => r.topK(5, 2)],
    ["Rendezvous (pickBatch)", () => new Rendezvous({ backends: IDS }), (r: Rendezvous) => r.pickBatch(new Uint32Array(4), new Uint32Array(4))],
    ["GlbTable (pick)", () => new GlbTable({ seed: SEED16, hashKey: KEY16, backends: ["10.0.0.1", "10.0.0.2"] }), (t: GlbTable) => t.pick(f)],
    ["GlbTable (entry)", () => new GlbTable({ seed: SEED16, hashKey: KEY16, backends: ["10.0.0.1", "10.0.0.2"] }), (t: GlbTable) => t.entry(0)],
    // Maglev holds Wasm copies of its table for the one-call picks and batch lookups.
    ["Maglev (lookup)", () => new Maglev({ backends: IDS.map((id) => ({ id })) }), (m: Maglev) => m.lookup(5)],
    ["Maglev (pick with a FlowHasher)", () => new Maglev({ backends: IDS.map((id) => ({ id })) }), (m: Maglev) => m.pick(f, new FlowHasher({ key: KEY8 }))],
    ["Maglev (pickV4)", () => new Maglev({ backends: IDS.map((id) => ({ id })) }), (m: Maglev) => m.pickV4(new FlowHasher({ key: KEY8 }), 1, 2, 3, 4, 6)],
    ["Maglev (lookupBatch)", () => new Maglev({ backends: IDS.map((id) => ({ id })) }), (m: Maglev) => m.lookupBatch(new Uint32Array(4096), new Uint32Array(4096))],
  ];
  for (const [name, make, use] of objects) {
    it(`${name}: works, then throws FlowpinError DISPOSED after dispose(), which may be called twice`, () => {
      const o = make();
      use(o as never); // used (memory allocated) before disposal
      o.dispose();
      o.dispose();
      expectCode(() => use(o as never), "DISPOSED", "disposed");
    });
    it(`${name}: [Symbol.dispose] disposes it`, () => {
      const o = make() as { dispose(): void; [Symbol.dispose]?: () => void };
      expect(typeof o[Symbol.dispose]).toBe("function");
      o[Symbol.dispose]!();
      expectCode(() => use(o as never), "DISPOSED", "disposed");
    });
  }
  it("`using` disposes a FlowHasher at the end of its block", () => {
    let escaped: FlowHasher | undefined;
    {
      // The runtime method exists (installed by engine/regions.ts disposable()); declaring it
      // in the published types is issue 13 item 4's, hence the cast.
      using h = new FlowHasher({ key: KEY8 }) as FlowHasher & Disposable;
      expect(typeof h.hash(f)).toBe("number");
      escaped = h;
    }
    expectCode(() => escaped!.hash(f), "DISPOSED");
  });
  it("where the host has no Symbol.dispose, importing and constructing still work", () => {
    // Node defines Symbol.dispose non-configurably in its main realm; a fresh vm realm has none
    // (as Deno, Bun and browsers before explicit resource management). The package is bundled
    // from src and run there.
    const code = buildSync({ entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))], bundle: true, format: "cjs", platform: "neutral", target: "es2022", write: false, logLevel: "silent" }).outputFiles[0]!.text;
    const sandbox = { module: { exports: {} as Record<string, unknown> }, outerEncoder: new TextEncoder(), TextDecoder, atob, btoa, console };
    const realm = vm.createContext(sandbox);
    // A vm realm has no TextEncoder: one whose encode() returns that realm's Uint8Array.
    vm.runInContext("globalThis.TextEncoder = class { encode(s) { return new Uint8Array(outerEncoder.encode(s)); } encodeInto(s, d) { return outerEncoder.encodeInto(s, d); } };", realm);
    expect(vm.runInContext("typeof Symbol.dispose", realm)).toBe("undefined");
    vm.runInContext(`(function (module, exports) {${code}\n})(module, module.exports);`, realm);
    const fresh = sandbox.module.exports as unknown as typeof import("../src/index.js");
    // That realm's own Uint8Array (ours is another realm's class there).
    const bytes = (a: Uint8Array): Uint8Array => vm.runInContext(`new Uint8Array([${Array.from(a).join(",")}])`, realm) as Uint8Array;
    const h = new fresh.FlowHasher({ key: bytes(KEY8) });
    const rdv = new fresh.Rendezvous({ backends: IDS });
    const b = new fresh.FlowBatch(4);
    const t = new fresh.GlbTable({ seed: bytes(SEED16), hashKey: bytes(KEY16), backends: ["10.0.0.1", "10.0.0.2"] });
    expect(typeof h.hash(f)).toBe("number");
    expect(rdv.pick(1).id).toBe(new Rendezvous({ backends: IDS }).pick(1).id);
    h.hashBatch(b);
    t.pick(f);
    for (const o of [h, rdv, b, t]) o.dispose();
    expect(() => h.hash(f)).toThrow(/disposed/);
  });
});

forEachEngine("batches never return stale data", () => {
  describe("FlowBatch hashesHi", () => {
    it("a 32-bit hash after a 64-bit one clears hashesHi: lookupBatch(hashes, out, hashesHi) is the 32-bit lookup", () => {
      const fs = flows(200);
      const lb = new Maglev({ backends: IDS.map((id) => ({ id })), size: 251 });
      const envoy = new FlowHasher({ profile: "envoy" });
      const katran = new FlowHasher({ profile: "katran" });
      const batch = new FlowBatch(fs.length);
      fs.forEach((f, i) => batch.set(i, f));
      envoy.hashBatch(batch);
      // The 64-bit hash wrote high halves (a sanity check that the sequence tests something).
      expect(batch.hashesHi.some((x) => x !== 0)).toBe(true);
      katran.hashBatch(batch);
      expect(Array.from(batch.hashesHi.subarray(0, fs.length)).every((x) => x === 0)).toBe(true);
      const out = lb.lookupBatch(batch.hashes, new Uint32Array(fs.length), batch.hashesHi);
      fs.forEach((f, i) => expect(out[i], `flow ${i}`).toBe(lb.lookupIndex(katran.hash(f))));
      // And back to 64 bits: the high halves are written again.
      envoy.hashBatch(batch);
      const out64 = lb.lookupBatch(batch.hashes, new Uint32Array(fs.length), batch.hashesHi);
      fs.forEach((f, i) => expect(out64[i], `flow ${i}`).toBe(lb.lookupIndex(envoy.hash(f))));
      batch.dispose();
    });
    it("a shorter 32-bit batch after a longer 64-bit one clears every high half written", () => {
      const fs = flows(64);
      const batch = new FlowBatch(fs.length);
      fs.forEach((f, i) => batch.set(i, f));
      new FlowHasher({ profile: "envoy" }).hashBatch(batch);
      batch.length = 10;
      new FlowHasher({ key: KEY8 }).hashBatch(batch);
      expect(Array.from(batch.hashesHi).every((x) => x === 0)).toBe(true);
      batch.dispose();
    });
  });
});

describe("ring hygiene (issue 14): a ring is never fed a 32-bit hash by accident", () => {
  const ring = new Ring({ backends: IDS });
  const f: Flow = { src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 443, proto: "tcp" };
  it("a number hash, or a 32-bit hasher, is INVALID_TYPE", () => {
    expectCode(() => ring.pick(0x12345678), "INVALID_TYPE", "u64 bigint");
    expectCode(() => ring.pickIndex(7), "INVALID_TYPE", "u64 bigint");
    expectCode(() => ring.pick(f, new FlowHasher({ key: KEY8 })), "INVALID_TYPE", "64-bit");
    // A custom hasher without `bits` that returns numbers is caught at the hash.
    expectCode(() => ring.pick(f, { hash: () => 5 }), "INVALID_TYPE", "u64 bigint");
    expectCode(() => ring.pickBatch(new Uint32Array(4), new Uint32Array(4)), "INVALID_TYPE", "hashesHi");
  });
  it("the default 64-bit route (FlowHasher profile envoy) spreads flows over the backends", () => {
    const envoy = new FlowHasher({ profile: "envoy" });
    const counts = new Map<string, number>();
    for (const fl of flows(2000)) {
      const id = ring.pick(fl, envoy).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(counts.size).toBe(IDS.length);
    for (const c of counts.values()) expect(c).toBeGreaterThan(2000 / IDS.length / 3);
  });
  it("errors are FlowpinErrors", () => {
    expect(() => ring.pick(1)).toThrow(FlowpinError as never);
  });
});
