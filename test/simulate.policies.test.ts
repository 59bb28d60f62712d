// `flowpin simulate` over the Balancer's stateful policies and bounded load, against facts that
// follow from their definitions rather than from the code:
// - smooth weighted round robin (nginx) gives each backend exactly its weight in every cycle of
//   total-weight picks, and least connections always takes a least-loaded backend: with flows
//   only arriving, both are exactly even when the flow count is a multiple of the backend count;
// - power of two choices keeps the maximum within ln ln n / ln 2 + O(1) of the mean (Azar,
//   Broder, Karlin & Upfal 1994; Berenbrink et al. 2006 for the heavily loaded case), far
//   better than one random choice;
// - churn is the same flows replayed on the changed fleet: what had to move is exactly the
//   removed backends' flows (or the added backends' share) when the policy is exactly even;
// - bounded load (Envoy's hash_balance_factor): a backend is kept while active ≤ slots, slots =
//   ceil(ceil(c · (active + 1)) / N) for equal weights, before the new flow counts, so after F
//   flows no backend holds more than ceil(c · F / N) + 1 (Mirrokni et al.'s ⌈c·m/n⌉, plus the
//   one flow Envoy's "at most 1" test admits at the bound); with c ≥ N no backend can reach
//   its slots, so bounded load is the plain table itself.
import { describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";

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

type Disruption = { change: string; k: number; moved: number; hadToMove: number; needless: number; extraMoved: number | null };
type Result = { algorithm: string; kind: string; balanceFactor: number | null; size: number | null; measure: { kind: string; points: number }; balance: { method: string; maxOverMean: number; maxOverMeanWorst: number; load: Record<string, number>; samplingNoise: number | null; displaced: number | null }; disruption: Disruption[] };

async function json(args: string[]): Promise<{ results: Result[]; params: Record<string, unknown> }> {
  const r = await cli([...args, "--format", "json"]);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out);
}

const find = (doc: { results: Result[] }, name: string, c: number | null = null) => {
  const r = doc.results.find((x) => x.algorithm === name && x.balanceFactor === c);
  if (!r) throw new Error(`${name} c=${c} missing`);
  return r;
};

describe("stateful policies: 100 backends, 10000 flows", async () => {
  const doc = await json(["--algorithms", "round-robin,random,least-connections,power-of-two,rendezvous", "--backends", "100", "--samples", "10000", "--churn", "1,25", "--trials", "2"]);

  it("round robin and least connections are exactly even (max/mean = min/mean = 1)", () => {
    for (const name of ["round-robin", "least-connections"]) {
      const r = find(doc, name);
      expect(r.kind).toBe("stateful");
      expect(r.balance.method).toBe("assigned");
      expect(r.measure).toEqual({ kind: "flows", points: 10000 });
      expect(r.balance.maxOverMean, name).toBe(1);
      expect(r.balance.maxOverMeanWorst, name).toBe(1);
      expect(r.balance.load.min, name).toBe(1);
    }
  });

  it("power of two choices stays within a few flows of the mean; one random choice does not", () => {
    const p2 = find(doc, "power-of-two").balance.maxOverMeanWorst;
    const rnd = find(doc, "random").balance.maxOverMean;
    // Mean 100 flows: ln ln 100 / ln 2 ≈ 2.2 above it, plus a small constant.
    expect(p2).toBeLessThanOrEqual(1.08);
    // One choice: the maximum of 100 Binomial(10000, 1/100) draws is about mean + 2.5 sd = 125.
    expect(rnd).toBeGreaterThan(1.15);
  });

  it("churn: what had to move is exactly the removed backends' flows, or the added backends' share", () => {
    for (const name of ["round-robin", "least-connections"]) {
      const r = find(doc, name);
      for (const d of r.disruption) {
        // 10000 is a multiple of 100 - k and of 100 + k for k = 25: even before and after.
        const exact = d.change === "remove" ? d.k / 100 : d.k / (100 + d.k);
        if (d.k === 25 || d.change === "remove") expect(d.hadToMove, `${name} ${d.change} ${d.k}`).toBeCloseTo(exact, 10);
        expect(Math.abs(d.moved - d.hadToMove - d.needless)).toBeLessThan(1e-5);
      }
    }
  });

  it("a stateful policy re-deals most flows on any change; a consistent table moves only what had to", () => {
    for (const name of ["round-robin", "least-connections", "power-of-two"]) {
      for (const d of find(doc, name).disruption) expect(d.moved, `${name} ${d.change} ${d.k}`).toBeGreaterThan(0.5);
    }
    for (const d of find(doc, "random").disruption) expect(d.needless).toBeGreaterThan(0.2);
    for (const d of find(doc, "rendezvous").disruption) expect(d.needless).toBe(0);
  });

  it("weighted round robin gives each backend exactly its weight share", async () => {
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-policies-"));
    try {
      const file = path.join(dir, "fleet.json");
      const backends = Array.from({ length: 40 }, (_, i) => ({ id: `10.9.0.${i + 1}:80`, weight: i < 20 ? 1 : 3 }));
      fs.writeFileSync(file, JSON.stringify({ algorithm: "maglev", backends }));
      // Total weight 80: 8000 flows are 100 cycles, 100 flows per unit of weight.
      const w = await json(["--config", file, "--algorithms", "round-robin,least-connections", "--samples", "8000", "--churn", "1", "--trials", "1", "--sizes", "4093"]);
      for (const name of ["round-robin", "least-connections"]) {
        expect(find(w, name).balance.maxOverMean, name).toBe(1);
        expect(find(w, name).balance.load.min, name).toBe(1);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("bounded load: 100 backends, 10000 flows", async () => {
  const factors = [1.01, 1.25, 2, 100];
  const doc = await json(["--algorithms", "maglev,rendezvous,ring,jump,glb", "--backends", "100", "--samples", "10000", "--churn", "1,10", "--trials", "2", "--sizes", "4093", "--balance-factor", factors.join(",")]);
  const names = ["maglev", "rendezvous", "ring", "jump", "glb"];

  it("adds one result per consistent algorithm and c, measured over the assigned flows", () => {
    expect(doc.params.balanceFactors).toEqual(factors);
    for (const name of names) {
      for (const c of factors) {
        const r = find(doc, name, c);
        expect(r.kind).toBe("bounded");
        expect(r.balance.method).toBe("assigned");
        expect(r.measure).toEqual({ kind: "flows", points: 10000 });
      }
    }
  });

  it("no backend ever holds more than ceil(c · mean) + 1 flows", () => {
    for (const name of names) {
      for (const c of factors) {
        const bound = (Math.ceil((c * 10000) / 100 - 1e-9) + 1) / 100;
        expect(find(doc, name, c).balance.maxOverMeanWorst, `${name} c=${c}`).toBeLessThanOrEqual(bound + 1e-9);
      }
    }
  });

  it("with c ≥ N it is the plain table: nothing displaced, no extra moves, the same balance", () => {
    for (const name of names) {
      const r = find(doc, name, 100);
      expect(r.balance.displaced, name).toBe(0);
      for (const d of r.disruption) expect(d.extraMoved, `${name} ${d.change} ${d.k}`).toBe(0);
    }
    // Rendezvous and jump are measured over the same flow sample: identical loads.
    for (const name of ["rendezvous", "jump"]) {
      const plain = find(doc, name);
      const bounded = find(doc, name, 100);
      expect(bounded.balance.load, name).toEqual(plain.balance.load);
      expect(bounded.balance.maxOverMean, name).toBe(plain.balance.maxOverMean);
    }
  });

  it("a tighter bound displaces more flows and moves more on a change; c = 1 + ε caps the maximum near the mean", () => {
    for (const name of names) {
      const d = (c: number) => find(doc, name, c).balance.displaced!;
      expect(d(1.01), name).toBeGreaterThan(d(1.25));
      expect(d(1.25), name).toBeGreaterThan(d(2));
      const extra = (c: number) => find(doc, name, c).disruption.reduce((s, x) => s + x.extraMoved!, 0);
      expect(extra(1.25), name).toBeGreaterThan(extra(2));
      expect(find(doc, name, 1.01).balance.maxOverMeanWorst, name).toBeLessThanOrEqual(1.03);
    }
  });
});

describe("bad input", () => {
  async function bad(args: string[]): Promise<string> {
    const r = await cli(args);
    expect(r.code, r.err).toBe(2);
    expect(r.out).toBe("");
    const lines = r.err.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    return lines[0]!;
  }
  const cases: [string[], RegExp][] = [
    [["--balance-factor", "0.99"], /--balance-factor.*"0.99"/],
    [["--balance-factor", "1.255"], /--balance-factor.*"1.255"/],
    [["--balance-factor", "1e2"], /--balance-factor.*"1e2"/],
    [["--balance-factor", "1.25,,2"], /--balance-factor.*"1.25,,2"/],
    [["--balance-factor", "2,2"], /--balance-factor.*"2" twice/],
    [["--balance-factor", "1.5", "--algorithms", "round-robin,random"], /--balance-factor bounds a consistent table/],
    [["--balance-factor", "2000", "--samples", "4194304"], /--balance-factor 2000: .*overflows Envoy's uint32/],
    [["--algorithms", "round-robin,least-conn"], /unknown algorithm "least-conn"/],
  ];
  for (const [args, msg] of cases) it(args.join(" "), async () => expect(await bad(args)).toMatch(msg));
});
