// Every glb vector case (test/vectors/systems/glb.json, produced by glb-director's own
// glb-director-cli and glb_calculate_packet_route / glb_encapsulate_packet) through the API on
// every engine: the rows read from the .bin glb-director-cli wrote, and every flow as the IP
// packet the director parsed and, where a 5-tuple says everything the packet does, as text.
import { beforeAll, describe, expect, it } from "vitest";
import { engine, systems, type GlbRoute } from "../../src/index.js";
import type { GlbSystem } from "../../src/systems/glb/index.js";
import { forEachEngine } from "../engines.js";
import { hex, loadSystemVectors } from "../vectors.js";

interface VectorFlow {
  table: number;
  flow: { src: string; dst: string; sport: number; dport: number; proto: number };
  packet: string;
  hash: string;
  slot: number;
  backend: string | null;
  secondary: string | null;
  hops: string[];
  gue_udp_sport: number;
  alt?: { hash: string; slot: number; backend: string | null; secondary: string | null };
  icmp?: { type: number; code: number; quoted?: VectorFlow["flow"] };
  ip_options?: string;
}
interface VectorCase {
  id: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  config: any;
  rows: { table: number; row: number; primary_index: number; secondary_index: number; primary: string | null; secondary: string | null }[];
  flows: VectorFlow[];
}
const VECTORS = loadSystemVectors("glb");
const CASES: VectorCase[] = VECTORS.cases;

/** What the vector says for a flow, in the route's shape. */
function expected(f: VectorFlow, gue: boolean = true): Partial<GlbRoute> {
  return {
    backend: f.backend,
    secondary: f.secondary,
    hash: f.hash,
    slot: f.slot,
    table: f.table,
    hops: f.hops,
    ...(gue ? { gue_udp_sport: f.gue_udp_sport } : {}),
    ...(f.alt ? { alt: { backend: f.alt.backend, secondary: f.alt.secondary, hash: f.alt.hash, slot: f.alt.slot } } : {}),
  };
}

function actual(r: GlbRoute, gue: boolean = true): Partial<GlbRoute> {
  return {
    backend: r.backend,
    secondary: r.secondary,
    hash: r.hash,
    slot: r.slot,
    table: r.table,
    hops: r.hops,
    ...(gue ? { gue_udp_sport: r.gue_udp_sport } : {}),
    ...(r.alt ? { alt: r.alt } : {}),
  };
}

describe("glb vectors: the file", () => {
  it("holds the 38 cases and 4000 flows these suites route", () => {
    expect(VECTORS.system).toBe("glb");
    expect(CASES).toHaveLength(38);
    expect(CASES.reduce((n, c) => n + c.flows.length, 0)).toBe(4000);
  });
});

forEachEngine("glb vectors", (kind) => {
  for (const c of CASES) {
    describe(c.id, () => {
      // Built inside the engine's suite: the rows come from that engine's Wasm (or JS) kernel.
      let glb: GlbSystem;
      beforeAll(() => {
        expect(engine()).toBe(kind);
        glb = systems.glb(c.config);
      });

      it("writes glb-director-cli's rows", () => {
        expect(c.rows.length).toBeGreaterThan(0);
        for (const r of c.rows) {
          expect(glb.entry(r.table, r.row), `table ${r.table} row ${r.row}`).toEqual([r.primary_index, r.secondary_index]);
        }
      });

      it("routes every packet as the director does", () => {
        for (const f of c.flows) {
          const r = glb.route(hex(f.packet));
          expect(actual(r), `${JSON.stringify(f.flow)} ${f.packet}`).toEqual(expected(f));
          // Primary and secondary are the rows' entries, by index.
          expect(glb.entry(f.table, f.slot)).toEqual([(f as unknown as { primary_index: number }).primary_index, (f as unknown as { secondary_index: number }).secondary_index]);
        }
      });

      const plain = c.flows.filter((f) => !f.icmp && !f.ip_options);
      if (plain.length) {
        it(`routes the ${plain.length} TCP/UDP flows given as text alike`, () => {
          for (const f of plain) expect(actual(glb.route(f.flow)), JSON.stringify(f.flow)).toEqual(expected(f));
        });
      }

      const icmp = c.flows.filter((f) => f.icmp);
      if (icmp.length) {
        it(`routes the ${icmp.length} ICMP flows given as text with their type, code and quoted header`, () => {
          for (const f of icmp) {
            const r = glb.route({ ...f.flow, icmp: f.icmp! });
            // An echo's GUE port hint is the packet's IPv4 id / IPv6 flow label, not in the text.
            const error = f.icmp!.quoted !== undefined;
            expect(actual(r, error), JSON.stringify(f)).toEqual(expected(f, error));
            if (!error) expect(r.gue_udp_sport).toBeNull();
          }
        });
      }
    });
  }
});
