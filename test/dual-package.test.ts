// One package in one process (issue 13 item 7): an application that imports flowpin while a
// dependency requires it loads both builds, dist/index.js (ESM) and dist/index.cjs (CJS),
// each with its own classes and its own engine. Objects of one copy must work with the other
// (brands through Symbol.for, as FlowpinError's), giving the results of either copy alone.
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

type Api = typeof import("../src/index.js");
const dist = fileURLToPath(new URL("../dist/", import.meta.url));

let esm: Api;
let cjs: Api;
beforeAll(async () => {
  esm = (await import(pathToFileURL(`${dist}index.js`).href)) as Api;
  cjs = createRequire(import.meta.url)(`${dist}index.cjs`) as Api;
});

const KEY8 = Uint8Array.from({ length: 8 }, (_, i) => i + 1);
const KEY16 = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const SEED16 = Uint8Array.from({ length: 16 }, (_, i) => 0x30 + i);
const flow = (i: number) => ({ src: `198.51.100.${i}`, dst: "203.0.113.1", sport: 40000 + i, dport: 443, proto: "tcp" as const });

describe("the ESM and CJS builds in one process", () => {
  it("are two copies (else this test proves nothing)", () => {
    expect(esm.FlowBatch).not.toBe(cjs.FlowBatch);
    expect(esm.Maglev).not.toBe(cjs.Maglev);
  });

  it("a FlowBatch of one copy is hashed by a FlowHasher of the other, as by its own", () => {
    for (const [made, hashing] of [[esm, cjs], [cjs, esm]] as const) {
      const batch = new made.FlowBatch(32);
      for (let i = 0; i < 32; i++) batch.set(i, flow(i));
      expect(batch instanceof hashing.FlowBatch).toBe(true);
      new hashing.FlowHasher({ key: KEY8 }).hashBatch(batch);
      const other = Array.from(batch.hashes);
      new made.FlowHasher({ key: KEY8 }).hashBatch(batch);
      expect(other).toEqual(Array.from(batch.hashes));
      expect(other.some((h) => h !== 0)).toBe(true);
      batch.dispose();
    }
  });

  it("Maglev.diff, Rendezvous.diff and GlbTable.diff/toBytes take tables of either copy", () => {
    const backends = ["a", "b", "c", "d"].map((id) => ({ id }));
    const a = new esm.Maglev({ backends, size: 251 });
    const b = new cjs.Maglev({ backends: backends.slice(1), size: 251 });
    expect(cjs.Maglev.diff(a, b)).toEqual(esm.Maglev.diff(new esm.Maglev({ backends, size: 251 }), new esm.Maglev({ backends: backends.slice(1), size: 251 })));
    expect(cjs.Maglev.diff(a, b).moved).toBeGreaterThan(0);

    const ra = new esm.Rendezvous({ backends: ["a", "b", "c"] });
    const rb = new cjs.Rendezvous({ backends: ["a", "b"] });
    expect(esm.Rendezvous.diff(ra, rb, 1000)).toEqual(cjs.Rendezvous.diff(new cjs.Rendezvous({ backends: ["a", "b", "c"] }), rb, 1000));

    const opts = { seed: SEED16, hashKey: KEY16, backends: ["10.0.0.1", "10.0.0.2", "::ffff:10.0.0.3"], binds: [{ ip: "192.0.2.0/24", proto: "tcp" as const, port: 80 }] };
    const ga = new esm.GlbTable(opts);
    const gb = new cjs.GlbTable({ ...opts, backends: opts.backends.slice(1) });
    expect(cjs.GlbTable.diff(ga, gb)).toEqual(esm.GlbTable.diff(ga, new esm.GlbTable({ ...opts, backends: opts.backends.slice(1) })));
    const file = cjs.GlbTable.toBytes([ga, gb]);
    const same = esm.GlbTable.toBytes([ga, new esm.GlbTable({ ...opts, backends: opts.backends.slice(1) })]);
    // Buffer.equals: vitest's toEqual walks 1 MB of typed array element by element (seconds).
    expect(file.length).toBe(same.length);
    expect(Buffer.from(file).equals(Buffer.from(same))).toBe(true);
  });

  it("errors of either copy are FlowpinErrors of both", () => {
    let thrown: unknown;
    try {
      new esm.Maglev({ backends: [] });
    } catch (e) {
      thrown = e;
    }
    expect(thrown instanceof cjs.FlowpinError).toBe(true);
  });
});
