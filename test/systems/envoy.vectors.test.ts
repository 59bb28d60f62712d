// Every case of test/vectors/systems/envoy.json (Envoy's own load balancer code, driven end
// to end) through systems.envoy on every engine: backend, hash, slot / point index, priority,
// the table's own pick under bounded load; clusters Envoy refuses are refused with its reason.
import { describe, expect, it } from "vitest";
import { FlowpinError, systems } from "../../src/index.js";
import { forEachEngine } from "../engines.js";
import { loadSystemVectors } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const vectors: any = loadSystemVectors("envoy");
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Case = { id: string; config: any; flows: any[]; error?: string };
const cases: Case[] = vectors.cases;
const routed = cases.filter((c) => c.error === undefined);
const refused = cases.filter((c) => c.error !== undefined);

/** "0x…" of the vectors as the 16 hex digits route() reports. */
const hex16 = (s: string): string => s.replace(/^0x/, "").padStart(16, "0");

describe("envoy vectors: the file", () => {
  it("has 55 cases, 3 of them refused, and flows for every other", () => {
    expect(cases).toHaveLength(55);
    expect(refused.map((c) => c.id).sort()).toEqual(["error-ring-min-gt-max", "error-table-not-prime", "error-weight-sum"]);
    for (const c of routed) expect(c.flows.length, c.id).toBeGreaterThan(0);
  });
});

forEachEngine("envoy vectors", () => {
  for (const c of routed) {
    it(`${c.id} (${c.flows.length} flows)`, () => {
      const cluster = systems.envoy(c.config);
      let n = 0;
      for (const f of c.flows) {
        const r = cluster.route(f.flow);
        const where = `${c.id} flow ${n++} ${JSON.stringify(f.flow)}`;
        expect(r.backend, where).toBe(f.backend);
        expect(r.hash, where).toBe(f.hash === null ? null : hex16(f.hash));
        if (f.flow.random !== undefined) expect(r.random, where).toBe(hex16(f.flow.random));
        if ("address_as_string" in f) expect(r.address, where).toBe(f.address_as_string);
        if ("slot" in f) expect(r.slot, where).toBe(f.slot);
        if ("point_index" in f) {
          expect(r.slot, where).toBe(f.point_index);
          expect(r.point, where).toBe(hex16(f.point));
        }
        if (!("slot" in f) && !("point_index" in f)) expect(r.slot, where).toBeNull();
        if ("priority" in f) expect(r.priority, where).toBe(f.priority);
        if ("unbounded_backend" in f) expect(r.unboundedBackend, where).toBe(f.unbounded_backend);
        expect(r.reason, where).toBe(
          f.backend === null
            ? "no-healthy-upstream"
            : "unbounded_backend" in f && f.unbounded_backend !== f.backend
              ? "bounded-load"
              : { MAGLEV: "maglev", RING_HASH: "ring", RENDEZVOUS_HASH: "rendezvous" }[c.config.lb_policy as string],
        );
      }
    });
  }

  for (const c of refused) {
    it(`${c.id}: refused with Envoy's reason`, () => {
      let thrown: unknown;
      try {
        systems.envoy(c.config);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(FlowpinError);
      expect((thrown as Error).message).toContain(c.error!);
    });
  }

  it("routeBatch gives route() for each input, in order", () => {
    const c = routed.find((x) => x.id === "maglev-two-policies")!;
    const cluster = systems.envoy(c.config);
    const flows = c.flows.map((f) => f.flow);
    expect(cluster.routeBatch(flows).map((r) => r.backend)).toEqual(c.flows.map((f) => f.backend));
  });
});
