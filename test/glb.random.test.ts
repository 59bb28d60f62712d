// GlbTable against the slow reference (test/reference/glb.ts) on random fleets, the
// removal property, agreement of whole tables across engines, and bad fleets.
import { describe, expect, it } from "vitest";
import { GlbTable, useEngine, engine, type GlbBackendInput, type GlbState } from "../src/index.js";
import { ENGINES, forEachEngine } from "./engines.js";
import { expectCode, type ArgumentCode } from "./bad-inputs.js";
import { refRow, type RefBackend } from "./reference/glb.js";
import { Rng } from "./rng.js";

const STATES: GlbState[] = ["filling", "active", "draining", "inactive"];

interface Fleet {
  seed: Uint8Array;
  inputs: GlbBackendInput[];
  ref: RefBackend[];
}

function randomFleet(rng: Rng, n: number, family: "v4" | "v6" | "mixed", churn: boolean): Fleet {
  const inputs: GlbBackendInput[] = [];
  const ref: RefBackend[] = [];
  const seen = new Set<string>();
  while (inputs.length < n) {
    const v6 = family === "v6" || (family === "mixed" && rng.int(2) === 1);
    const address = rng.bytes(v6 ? 16 : 4);
    const k = address.join(",");
    if (seen.has(k)) continue;
    seen.add(k);
    const state = churn ? STATES[rng.int(4)]! : "active";
    const healthy = churn ? rng.int(4) !== 0 : true;
    inputs.push({ address, state, healthy });
    ref.push({ address, state, healthy });
  }
  if (ref.every((b) => b.state === "inactive")) {
    inputs[0] = { ...inputs[0]!, state: "active" };
    ref[0] = { ...ref[0]!, state: "active" };
  }
  return { seed: rng.bytes(16), inputs, ref };
}

const SAMPLED: [string, number, "v4" | "v6" | "mixed", boolean][] = [
  ["2 IPv4 active", 2, "v4", false],
  ["5 IPv4 with states and health", 5, "v4", true],
  ["16 IPv4 active", 16, "v4", false],
  ["3 IPv6 with states", 3, "v6", true],
  ["7 mixed families with states", 7, "mixed", true],
  ["1 backend", 1, "v4", false],
];

interface Sampled {
  seed: number;
  fleets: { fleet: Fleet; rows: number[]; want: [number, number][] }[];
}

// The fleets and their reference rows (BigInt SipHash) are computed once, on first use, and
// every engine's tables are compared with them.
const sampled = new Map<string, Sampled>();
function sample(n: number, family: "v4" | "v6" | "mixed", churn: boolean, swap: "glb-director" | "corrected"): Sampled {
  const seed = 1000 + n * 7 + (swap === "corrected" ? 1 : 0) + (churn ? 2 : 0);
  const id = `${seed}/${family}/${swap}`;
  let s = sampled.get(id);
  if (!s) {
    const rng = new Rng(seed);
    const fleets = Array.from({ length: 3 }, () => {
      const fleet = randomFleet(rng, n, family, churn);
      const rows = [0, 1, 65535, ...Array.from({ length: 120 }, () => rng.int(65536))];
      return { fleet, rows, want: rows.map((r) => refRow(fleet.seed, fleet.ref, r, swap)) };
    });
    s = { seed, fleets };
    sampled.set(id, s);
  }
  return s;
}

forEachEngine("glb random fleets", () => {
  for (const [name, n, family, churn] of SAMPLED) {
    for (const swap of ["glb-director", "corrected"] as const) {
      it(`${name}, swap ${swap}: sampled rows match the reference`, () => {
        const { seed, fleets } = sample(n, family, churn, swap);
        fleets.forEach(({ fleet, rows, want }, f) => {
          const t = new GlbTable({ seed: fleet.seed, hashKey: new Uint8Array(16), backends: fleet.inputs, swap });
          rows.forEach((r, i) => {
            expect(t.entry(r), `seed ${seed} fleet ${f} row ${r} states ${fleet.ref.map((b) => `${b.state}/${b.healthy}`).join(" ")}`).toEqual(want[i]);
          });
        });
      });
    }
  }

  it("removing one active backend changes only the rows it was in: its primary rows go to their secondary", () => {
    const rng = new Rng(4242);
    const fleet = randomFleet(rng, 9, "v4", false);
    const t = new GlbTable({ seed: fleet.seed, hashKey: new Uint8Array(16), backends: fleet.inputs });
    const gone = 4;
    const smaller = t.withBackends(fleet.inputs.filter((_, i) => i !== gone));
    const after = (i: number): number => (i < gone ? i : i + 1); // index in the smaller list -> original
    let asPrimary = 0;
    for (let r = 0; r < 65536; r++) {
      const [p, s] = t.entry(r);
      const [p2, s2] = smaller.entry(r).map(after) as [number, number];
      if (p === gone) {
        asPrimary++;
        expect(p2, `row ${r}`).toBe(s);
      } else {
        expect(p2, `row ${r}`).toBe(p);
        if (s !== gone) expect(s2, `row ${r}`).toBe(s);
      }
    }
    const d = GlbTable.diff(t, smaller);
    expect(d.primaryChanged).toBe(asPrimary);
    expect(d.eitherChanged).toBe(t.stats().primary[gone]! + t.stats().secondary[gone]!);
  });

  it("a backend's list position does not change which address a row routes to", () => {
    const rng = new Rng(99);
    const fleet = randomFleet(rng, 6, "mixed", false);
    const t = new GlbTable({ seed: fleet.seed, hashKey: new Uint8Array(16), backends: fleet.inputs });
    const rev = t.withBackends([...fleet.inputs].reverse());
    expect(GlbTable.diff(t, rev)).toEqual({ rows: 65536, primaryChanged: 0, eitherChanged: 0 });
  });

  describe("bad fleets", () => {
    const seed = new Uint8Array(16);
    const hashKey = new Uint8Array(16);
    const bad: [string, () => unknown, ArgumentCode][] = [
      ["no backends", () => new GlbTable({ seed, hashKey, backends: [] }), "NO_BACKENDS"],
      ["all inactive", () => new GlbTable({ seed, hashKey, backends: [{ address: "10.0.0.1", state: "inactive" }] }), "NO_BACKENDS"],
      ["duplicate address", () => new GlbTable({ seed, hashKey, backends: ["10.0.0.1", "10.0.0.2", "10.0.0.1"] }), "DUPLICATE_BACKEND"],
      ["duplicate as bytes", () => new GlbTable({ seed, hashKey, backends: ["10.0.0.1", { address: new Uint8Array([10, 0, 0, 1]) }] }), "DUPLICATE_BACKEND"],
      ["duplicate IPv6 spelled differently", () => new GlbTable({ seed, hashKey, backends: ["2001:db8::1", "2001:DB8:0::0:1"] }), "DUPLICATE_BACKEND"],
      ["seed of 15 bytes", () => new GlbTable({ seed: new Uint8Array(15), hashKey, backends: ["10.0.0.1"] }), "INVALID_KEY"],
      ["hash key of 8 bytes", () => new GlbTable({ seed, hashKey: new Uint8Array(8), backends: ["10.0.0.1"] }), "INVALID_KEY"],
      ["257 backends", () => new GlbTable({ seed, hashKey, backends: Array.from({ length: 257 }, (_, i) => `10.0.${i >> 8}.${i & 255}`) }), "OUT_OF_RANGE"],
      ["bad state", () => new GlbTable({ seed, hashKey, backends: [{ address: "10.0.0.1", state: "up" as GlbState }] }), "INVALID_CONFIG"],
      ["bad address", () => new GlbTable({ seed, hashKey, backends: ["10.0.0.256"] }), "INVALID_ADDRESS"],
      ["healthy not boolean", () => new GlbTable({ seed, hashKey, backends: [{ address: "10.0.0.1", healthy: 1 as unknown as boolean }] }), "INVALID_TYPE"],
      ["bind port out of range", () => new GlbTable({ seed, hashKey, backends: ["10.0.0.1"], binds: [{ ip: "192.0.2.1", proto: "tcp", port: 70000 }] }), "INVALID_PORT"],
      ["bind prefix too long", () => new GlbTable({ seed, hashKey, backends: ["10.0.0.1"], binds: [{ ip: "192.0.2.0/33", proto: "tcp", port: 80 }] }), "INVALID_ADDRESS"],
      ["bind protocol", () => new GlbTable({ seed, hashKey, backends: ["10.0.0.1"], binds: [{ ip: "192.0.2.1", proto: "sctp" as "tcp", port: 80 }] }), "INVALID_PROTOCOL"],
      ["swap rule", () => new GlbTable({ seed, hashKey, backends: ["10.0.0.1"], swap: "fixed" as "corrected" }), "INVALID_CONFIG"],
      ["hash field", () => new GlbTable({ seed, hashKey, backends: ["10.0.0.1"], hashFields: ["proto" as "src_addr"] }), "INVALID_CONFIG"],
      ["row out of range", () => new GlbTable({ seed, hashKey, backends: ["10.0.0.1"] }).entry(65536), "OUT_OF_RANGE"],
    ];
    for (const [name, fn, code] of bad) it(name, () => expectCode(fn, code));
  });
});

describe("glb whole tables agree across engines", () => {
  it("16 IPv4, 5 IPv6 and a mixed fleet with states: identical rows on wasm-simd, wasm and js", () => {
    const rng = new Rng(31337);
    const fleets = [randomFleet(rng, 16, "v4", false), randomFleet(rng, 5, "v6", true), randomFleet(rng, 11, "mixed", true), randomFleet(rng, 3, "v4", true)];
    const before = engine();
    try {
      for (const f of fleets) {
        const results = ENGINES.map((k) => {
          useEngine(k);
          return new GlbTable({ seed: f.seed, hashKey: new Uint8Array(16), backends: f.inputs }).rows();
        });
        expect(firstDiff(results[1]!, results[0]!)).toBe(-1);
        expect(firstDiff(results[2]!, results[0]!)).toBe(-1);
      }
    } finally {
      useEngine(before);
    }
  });
});

/** Index of the first difference (or of the shorter length), -1 if equal; fast on 131072 entries. */
function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
