// Katran's reals changing under a VIP (KatranLb::modifyRealsForVip ADD / DEL): the vectors
// note that adding reals one by one reaches the state of one batch, and Katran's source
// (Vip::calculateHashRing writes nothing without a weighted real; decreaseRefCountForReal
// leaves the BPF reals entry) keeps the previous ring when none is left.
import { describe, expect, it } from "vitest";
import { systems } from "../../src/index.js";
import { expectCode } from "../bad-inputs.js";
import { loadSystemVectors } from "../vectors.js";

interface VectorFlow {
  flow: { src: string; dst: string; sport: number; dport: number; proto: number };
  hash?: string;
  slot?: number;
  backend: string | null;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const CASES: { id: string; config: any; flows: VectorFlow[] }[] = loadSystemVectors("katran").cases;
const byId = (id: string) => CASES.find((c) => c.id === id)!;
const pick = (r: { backend: string | null; hash: string | null; slot: number | null }) => ({ backend: r.backend, hash: r.hash, slot: r.slot });
const want = (f: VectorFlow) => ({ backend: f.backend, hash: f.hash ?? null, slot: f.slot ?? null });

describe("katran modifyReals", () => {
  for (const id of ["katran-default-v4-tcp80", "duplicate-reals-r251", "v6-tcp-port0-noflags-r65537", "more-reals-than-slots-v2-r13"]) {
    it(`${id}: the reals added one by one reach the vector's decisions`, () => {
      const c = byId(id);
      let lb = systems.katran({ ...c.config, reals: [] });
      for (const r of c.config.reals) lb = lb.modifyReals("add", [r]);
      for (const f of c.flows) expect(pick(lb.route(f.flow)), JSON.stringify(f.flow)).toEqual(want(f));
    });
  }

  it("a batch added to a smaller VIP reaches the vector's decisions", () => {
    const c = byId("v4-tcp443-mixed-v2-r65537");
    const lb = systems.katran({ ...c.config, reals: c.config.reals.slice(0, 7) }).modifyReals("add", c.config.reals.slice(7));
    for (const f of c.flows) expect(pick(lb.route(f.flow))).toEqual(want(f));
  });

  it("deleting reals equals a VIP built without them; only their connections and Maglev's few others move", () => {
    const c = byId("katran-default-v4-tcp80");
    const full = systems.katran(c.config);
    const gone = c.config.reals.filter((r: { weight: number }) => r.weight > 0).slice(0, 3);
    const goneSet = new Set(gone.map((r: { address: string }) => r.address));
    const less = full.modifyReals("del", gone.map((r: { address: string }) => ({ address: r.address })));
    const rebuilt = systems.katran({ ...c.config, reals: c.config.reals.filter((r: { address: string }) => !goneSet.has(r.address)) });
    const flows = c.flows.map((f) => f.flow);
    expect(less.routeBatch(flows).map(pick)).toEqual(rebuilt.routeBatch(flows).map(pick));
    const d = full.diff(less, flows);
    const onGone = c.flows.filter((f) => f.backend !== null && goneSet.has(f.backend)).length;
    expect(d.moved).toBeGreaterThanOrEqual(onGone);
    for (const ch of d.changes) expect(ch.to === null || !goneSet.has(ch.to)).toBe(true);
    expect(less.config.reals.length).toBe(c.config.reals.length - 3);
  });

  it("a real written in its other spelling is the same real: its first spelling stays, its weight changes", () => {
    const lb = systems.katran({ vip: { address: "192.0.2.1", port: 80, proto: 6 }, reals: [{ address: "10.0.0.1", weight: 1 }, { address: "10.0.0.2", weight: 1 }] });
    const next = lb.modifyReals("add", [{ address: "::ffff:10.0.0.1", weight: 5 }]);
    expect(next.config.reals).toEqual([{ address: "10.0.0.1", weight: 5 }, { address: "10.0.0.2", weight: 1 }]);
    const removed = lb.modifyReals("del", [{ address: "::FFFF:10.0.0.2" }, { address: "10.9.9.9" }]);
    expect(removed.config.reals).toEqual([{ address: "10.0.0.1", weight: 1 }]);
  });

  it("no weighted real left: Katran keeps the previous ring (stale-ring) until a weighted real comes back", () => {
    const c = byId("v4-tcp443-noflags-r13");
    const lb = systems.katran(c.config);
    const flows = c.flows.map((f) => f.flow);
    const before = lb.routeBatch(flows);
    for (const dark of [lb.modifyReals("del", c.config.reals), lb.modifyReals("add", c.config.reals.map((r: { address: string }) => ({ address: r.address, weight: 0 })))]) {
      expect(dark.config.reals.filter((r) => r.weight > 0)).toEqual([]);
      dark.routeBatch(flows).forEach((r, i) => {
        expect(pick(r)).toEqual(pick(before[i]!));
        expect(r.reason).toBe(before[i]!.reason === "table" ? "stale-ring" : before[i]!.reason);
      });
      const back = dark.modifyReals("add", [{ address: "10.1.1.1", weight: 3 }]);
      for (const r of back.routeBatch(flows)) if (r.hash !== null) expect([r.backend, r.reason]).toEqual(["10.1.1.1", "table"]);
    }
    // A VIP that never had a weighted real drops (the vectors' all-weights-zero case).
    const never = systems.katran({ ...c.config, reals: [] }).modifyReals("add", [{ address: "10.1.1.1", weight: 0 }]);
    expect(never.route(c.flows.find((f) => f.backend !== null)!.flow).reason).toBe("no-backend");
  });

  it("bad changes", () => {
    const lb = systems.katran(byId("v4-tcp443-noflags-r13").config);
    expectCode(() => lb.modifyReals("remove" as never, []), "INVALID_CONFIG", /action.*"remove"/);
    expectCode(() => lb.modifyReals("add", "10.0.0.1" as never), "INVALID_TYPE", "reals");
    expectCode(() => lb.modifyReals("add", [{ address: "10.0.0.300", weight: 1 }]), "INVALID_ADDRESS", /reals\[0\].address.*10\.0\.0\.300/);
    expectCode(() => lb.modifyReals("add", [{ address: "10.0.0.3" } as never]), "INVALID_TYPE", "reals[0].weight");
    expectCode(() => lb.modifyReals("del", [{ adress: "10.0.0.3" } as never]), "INVALID_CONFIG", /did you mean "address"/);
  });
});
