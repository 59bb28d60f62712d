// Every case of test/vectors/systems/cilium.json (produced by Cilium's own pkg/maglev and its
// datapath C) through the API, on every engine: each flow as a 5-tuple and as the IP packet the
// datapath parsed, and the agent's state (seeds, hash strings, slots per backend, svc count).
import { describe, expect, test } from "vitest";
import { systems } from "../../src/index.js";
import { forEachEngine } from "../engines.js";
import { hex, loadSystemVectors } from "../vectors.js";
import { refCiliumHash } from "../reference/cilium.js";

const vectors = loadSystemVectors("cilium");
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Case = any;
const cases: Case[] = vectors.cases;

const expected = (f: Case) => ({ backend: f.backend, hash: f.hash ?? null, slot: f.slot ?? null });
const got = (r: { backend: string | null; hash: string | null; slot: number | null }) => ({ backend: r.backend, hash: r.hash, slot: r.slot });

describe("cilium vectors: the file", () => {
  test("holds 42 cases over both versions", () => {
    expect(vectors.system).toBe("cilium");
    expect(cases).toHaveLength(42);
    expect(new Set(cases.map((c) => c.config.version))).toEqual(new Set(["1.16", "1.17+"]));
  });

  // The reference hash (written from the notes, not from src/) agrees with every hashed flow:
  // the vectors and the reference check each other before either checks flowpin.
  test("the reference flow hash reproduces every recorded hash", () => {
    let n = 0;
    for (const c of cases) {
      for (const f of c.flows) {
        if (f.hash === undefined) continue;
        const src = hex(f.packet).subarray(f.flow.src.includes(":") ? 8 : 12, f.flow.src.includes(":") ? 24 : 16);
        const h = refCiliumHash(c.config.version, c.config.service.session_affinity, src, f.flow.sport, f.flow.dport, f.flow.proto, c.config.maglev.hash_seed);
        expect(h.toString(16).padStart(8, "0"), `${c.id} ${JSON.stringify(f.flow)}`).toBe(f.hash);
        n++;
      }
    }
    expect(n).toBeGreaterThan(3000);
  });
});

forEachEngine("cilium vectors", () => {
  for (const c of cases) {
    test(`${c.id}: ${c.what}`, () => {
      const svc = systems.cilium(c.config);
      const s = c.cilium_state;
      const state = svc.state();
      expect(state.hashStrings).toEqual(s.hash_strings);
      expect(state.slotsPerBackend).toEqual(s.slots_per_backend);
      expect(`0x${state.seeds.jhash0.toString(16).padStart(8, "0")}`).toBe(s.seed_jhash0);
      expect(`0x${state.seeds.jhash1.toString(16).padStart(8, "0")}`).toBe(s.seed_jhash1);
      expect(state.serviceKeyProto).toBe(s.service_key_proto);
      expect(state.count).toBe(s.svc_count);
      expect(state.flags).toBe(s.svc_flags);

      const flows = c.flows.map((f: Case) => f.flow);
      const packets = c.flows.map((f: Case) => hex(f.packet));
      const byFlow = svc.routeBatch(flows);
      const byPacket = svc.routeBatch(packets);
      c.flows.forEach((f: Case, i: number) => {
        const where = `${c.id} flow ${i} ${JSON.stringify(f.flow)}`;
        expect(got(svc.route(f.flow)), where).toEqual(expected(f));
        expect(got(byFlow[i]!), where).toEqual(expected(f));
        expect(got(byPacket[i]!), `${where} as a packet`).toEqual(expected(f));
        // A backend always comes from the table; no backend says why.
        expect(byFlow[i]!.reason === "table", where).toBe(f.backend !== null);
        expect(byPacket[i]!.reason, where).toBe(byFlow[i]!.reason);
      });
    });
  }
});
