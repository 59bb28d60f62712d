// systems.ipvs against test/vectors/systems/ipvs.json (decisions of the kernel's own ip_vs_mh.c,
// driven as ip_vs_ctl.c drives it): every case and flow on every engine — backend, hash, slot,
// the hash input, and for fallback walks the slots read and how many.
import { describe, expect, test } from "vitest";
import { systems } from "../../src/index.js";
import { forEachEngine } from "../engines.js";
import { loadSystemVectors } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Case = any;
const vectors = loadSystemVectors("ipvs");
const cases: Case[] = vectors.cases;
const strip = (h: string): string => h.replace(/^0x/, "");

/** What the vector says of one flow, in the Route's terms. */
function expected(f: Case): Record<string, unknown> {
  return {
    backend: f.backend,
    hash: strip(f.hash),
    slot: f.slot,
    hashInput: strip(f.hash_input),
    probes: f.probes ?? 1,
    slots: f.slots,
  };
}

describe("ipvs vectors file", () => {
  test("is the kernel's, with 43 cases", () => {
    expect(vectors.system).toBe("ipvs");
    expect(cases).toHaveLength(43);
  });
});

forEachEngine("systems.ipvs vectors", () => {
  for (const c of cases) {
    test(`${c.id}: ${c.what}`, () => {
      const svc = systems.ipvs(c.config);
      c.flows.forEach((f: Case, i: number) => {
        const r = svc.route(f.flow);
        const got = { backend: r.backend, hash: r.hash, slot: r.slot, hashInput: r.hashInput, probes: r.probes, slots: r.slots };
        expect(got, `${c.id} flow ${i} ${JSON.stringify(f.flow)}`).toEqual(expected(f));
        expect(r.reason).toEqual(r.backend === null ? expect.stringMatching(/^(unavailable|empty-slot|fallback-exhausted)$/) : r.probes > 1 ? "fallback" : "table");
      });
      // routeBatch gives the same decisions in order.
      const batch = svc.routeBatch(c.flows.map((f: Case) => f.flow));
      expect(batch.map((r) => r.backend)).toEqual(c.flows.map((f: Case) => f.backend));
    });
  }
});
