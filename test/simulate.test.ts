// `flowpin simulate`, in-process: the Maglev paper's figures as bounds (section 5.3: max/mean
// below 1.01 at M = 65537, N = 1000, figure 11; about 0.5 % of flows moving needlessly for one
// removal and 2-3 % for 10-30, figure 12), consistency properties that follow from each
// algorithm's definition, stable JSON, CSV and text, and a fleet config.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-simulate-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]) {
  let out = "";
  let err = "";
  const code = await run(["simulate", ...args], {
    out: (d) => (out += typeof d === "string" ? d : new TextDecoder().decode(d)),
    err: (t) => (err += t),
    stderrIsTTY: false,
    env: {},
  });
  return { code, out, err };
}

async function json(args: string[]) {
  const r = await cli([...args, "--format", "json"]);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out);
}

type Disruption = { change: string; k: number; selection: string; moved: number; hadToMove: number; needless: number; needlessWorst: number; extraMoved: number | null };
type Result = { algorithm: string; kind: string; balanceFactor: number | null; size: number | null; backends: number; measure: { kind: string; points: number }; balance: any; disruption: Disruption[] };

const find = (doc: { results: Result[] }, name: string, size: number | null = null) => {
  const r = doc.results.find((x) => x.algorithm === name && (size === null || x.size === size));
  if (!r) throw new Error(`${name} missing from ${JSON.stringify(doc.results.map((x) => x.algorithm))}`);
  return r;
};
const at = (r: Result, change: string, k: number) => r.disruption.find((d) => d.change === change && d.k === k)!;

describe("flowpin simulate: Maglev at M = 65537, N = 1000 against the paper", async () => {
  // Reduced from the defaults (3 trials, 32768 samples) to keep the suite quick.
  const doc = await json(["--algorithms", "maglev,rendezvous,ring", "--trials", "2", "--samples", "8192"]);
  const maglev = find(doc, "maglev", 65537);

  it("has max/mean below 1.01 (figure 11)", () => {
    expect(maglev.balance.method).toBe("slots");
    expect(maglev.measure).toEqual({ kind: "slots", points: 65537 });
    expect(maglev.balance.maxOverMean).toBeLessThan(1.01);
    expect(maglev.balance.maxOverMeanWorst).toBeLessThan(1.01);
    // 65537 slots over 1000 backends: 65 or 66 each, so no backend is below 65/65.537.
    expect(maglev.balance.load.min).toBeGreaterThanOrEqual(65 / 65.537 - 1e-6);
  });

  it("moves about 0.5 % of flows needlessly for k = 1 and 2-3 % for k = 10-30 removals (figure 12)", () => {
    expect(at(maglev, "remove", 1).needless).toBeGreaterThan(0.003);
    expect(at(maglev, "remove", 1).needless).toBeLessThan(0.008);
    for (const k of [10, 30]) {
      expect(at(maglev, "remove", k).needless, `k = ${k}`).toBeGreaterThan(0.015);
      expect(at(maglev, "remove", k).needless, `k = ${k}`).toBeLessThan(0.035);
    }
  });

  it("removing k backends moves at least the k/N share that had to move", () => {
    for (const r of doc.results as Result[]) {
      for (const d of r.disruption) {
        const label = `${r.algorithm} ${d.change} ${d.k}`;
        expect(d.moved, label).toBeGreaterThanOrEqual(d.hadToMove);
        expect(Math.abs(d.moved - d.hadToMove - d.needless), label).toBeLessThan(1e-5);
      }
    }
    // Exact over slots: what had to move is the removed backends' slots, k/N times their load.
    for (const k of [1, 10, 30]) {
      const d = at(maglev, "remove", k);
      expect(d.hadToMove).toBeGreaterThanOrEqual((k / 1000) * maglev.balance.load.min - 1e-6);
      expect(d.hadToMove).toBeLessThanOrEqual((k / 1000) * maglev.balance.load.max + 1e-6);
    }
  });

  it("shows rendezvous and the ring beside it", () => {
    const rdv = find(doc, "rendezvous");
    const ring = find(doc, "ring", 65537);
    expect(rdv.measure).toEqual({ kind: "flows", points: 8192 });
    expect(rdv.balance.method).toBe("sample");
    expect(rdv.balance.samplingNoise).toBeGreaterThan(1);
    expect(ring.balance.method).toBe("arcs");
    // Highest random weight: a flow's winner among the backends that stay cannot change, so
    // nothing moves needlessly, and about k/N of the flows had to (binomial bounds, 8192 flows).
    for (const d of rdv.disruption) {
      expect(d.needless, `${d.change} ${d.k}`).toBe(0);
      const p = d.change === "remove" ? d.k / 1000 : d.k / (1000 + d.k);
      expect(Math.abs(d.hadToMove - p), `${d.change} ${d.k}`).toBeLessThan(5 * Math.sqrt(p / 8192) + 0.002);
    }
    // ~66 points per backend: arcs spread far more than Maglev's slots.
    expect(ring.balance.maxOverMean).toBeGreaterThan(1.1);
    expect(ring.balance.maxOverMean).toBeGreaterThan(maglev.balance.maxOverMean);
  });
});

describe("flowpin simulate: jump and glb", async () => {
  const doc = await json(["--algorithms", "jump,glb", "--backends", "100", "--churn", "1,5", "--trials", "2", "--samples", "4096"]);

  it("jump removes the last k buckets and moves nothing needlessly", () => {
    const jump = find(doc, "jump");
    for (const d of jump.disruption) {
      expect(d.selection).toBe(d.change === "remove" ? "last" : "new");
      expect(d.needless, `${d.change} ${d.k}`).toBe(0);
      expect(d.hadToMove).toBeGreaterThan(0);
    }
  });

  it("glb (rendezvous per row) moves nothing needlessly, measured over its 65536 rows", () => {
    const glb = find(doc, "glb");
    expect(glb.measure).toEqual({ kind: "rows", points: 65536 });
    for (const d of glb.disruption) expect(d.needless, `${d.change} ${d.k}`).toBe(0);
    expect(glb.balance.maxOverMean).toBeLessThan(1.2);
  });

  it("glb is skipped, with the reason, when the fleet outgrows 256 backends", async () => {
    const big = await json(["--algorithms", "glb,jump", "--backends", "250", "--churn", "10", "--trials", "1", "--samples", "1000"]);
    expect(big.results.map((r: Result) => r.algorithm)).toEqual(["jump"]);
    expect(big.skipped).toEqual([{ algorithm: "glb", reason: expect.stringContaining("256") }]);
  });
});

describe("flowpin simulate output", () => {
  const small = ["--algorithms", "maglev,jump", "--backends", "50", "--sizes", "251,1009", "--churn", "1,3", "--trials", "2", "--samples", "2000"];

  it("JSON is stable: the same options print the same bytes, another seed other numbers", async () => {
    const a = await cli([...small, "--format", "json"]);
    const b = await cli([...small, "--format", "json"]);
    expect(a.out).toBe(b.out);
    const c = await cli([...small, "--format", "json", "--seed", "2"]);
    expect(c.out).not.toBe(a.out);
    const doc = JSON.parse(a.out);
    expect(Object.keys(doc)).toEqual(["schema", "params", "results", "skipped"]);
    expect(doc.schema).toBe("flowpin-simulate/2");
    expect(doc.params).toEqual({ backends: 50, config: null, algorithms: ["maglev", "jump"], sizes: [251, 1009], churn: [1, 3], trials: 2, seed: 1, samples: 2000, balanceFactors: [] });
    expect(doc.results.map((r: Result) => [r.algorithm, r.size])).toEqual([["maglev", 251], ["maglev", 1009], ["jump", null]]);
    for (const r of doc.results) {
      expect(Object.keys(r)).toEqual(["algorithm", "kind", "balanceFactor", "profile", "size", "backends", "measure", "balance", "disruption"]);
      expect([r.kind, r.balanceFactor, r.balance.displaced]).toEqual(["consistent", null, null]);
      expect(Object.keys(r.balance.load)).toEqual(["min", "p1", "p50", "p99", "max"]);
      for (const d of r.disruption) expect(d.extraMoved).toBeNull();
      expect(r.disruption.map((d: Disruption) => `${d.change} ${d.k}`)).toEqual(["remove 1", "remove 3", "add 1", "add 3"]);
    }
  });

  it("a larger table balances better (figure 11's trend)", async () => {
    const doc = JSON.parse((await cli([...small, "--format", "json"])).out);
    expect(find(doc, "maglev", 1009).balance.maxOverMean).toBeLessThan(find(doc, "maglev", 251).balance.maxOverMean);
  });

  it("CSV has a header and one row per algorithm, size, change and k", async () => {
    const r = await cli([...small, "--format", "csv"]);
    const lines = r.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^algorithm,kind,balance_factor,profile,size,backends,measure,points,max_over_mean,.*,displaced,change,.*,extra_moved$/);
    expect(lines).toHaveLength(1 + 3 * 2 * 2);
    const cols = lines[0]!.split(",").length;
    for (const l of lines) expect(l.split(",")).toHaveLength(cols);
  });

  it("text prints both tables and marks jump's last-k removals", async () => {
    const r = await cli(small);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Balance:");
    expect(r.out).toContain("Churn:");
    expect(r.out).toMatch(/jump\s+-\s+1†/);
    expect(r.err).toBe("");
  });

  it("reads backends and weights from a fleet config; weightless algorithms are skipped", async () => {
    const backends = Array.from({ length: 40 }, (_, i) => ({ id: `10.9.0.${i + 1}:8080`, weight: i < 20 ? 1 : 3 }));
    const file = path.join(dir, "fleet.json");
    fs.writeFileSync(file, JSON.stringify({ algorithm: "maglev", profile: "envoy", backends }));
    const doc = await json(["--config", file, "--algorithms", "maglev,rendezvous,jump,glb", "--sizes", "4093", "--churn", "2", "--trials", "1", "--samples", "4000"]);
    expect(doc.params.backends).toBe(40);
    expect(doc.params.config).toBe(file);
    expect(doc.results.map((r: Result) => r.algorithm)).toEqual(["maglev", "rendezvous"]);
    expect(doc.skipped.map((s: { algorithm: string }) => s.algorithm)).toEqual(["jump", "glb"]);
    // Load is measured against each backend's weight share: a weighted Maglev still balances.
    expect(find(doc, "maglev").balance.maxOverMean).toBeLessThan(1.05);
  });
});
