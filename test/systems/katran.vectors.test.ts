// Every case of test/vectors/systems/katran.json (produced by Katran's own KatranLb, Vip and
// balancer.bpf.c code, and folly's IPAddress::hash) through the API on every engine: from the
// 5-tuple, from the IP packet Katran parsed, and in a batch. Also folly's hash of every
// address in the vectors' folly_ipaddress_hash section.
import { describe, expect, it } from "vitest";
import { systems } from "../../src/index.js";
import { follyAddress } from "../../src/systems/katran/address.js";
import { follyIPAddressHash } from "../../src/systems/katran/folly-hash.js";
import { forEachEngine } from "../engines.js";
import { hex, loadSystemVectors } from "../vectors.js";

interface VectorFlow {
  flow: { src: string; dst: string; sport: number; dport: number; proto: number };
  packet: string;
  hash?: string;
  slot?: number;
  backend: string | null;
}
interface VectorCase {
  id: string;
  what: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  config: any;
  flows: VectorFlow[];
}

const V = loadSystemVectors("katran");
const CASES: VectorCase[] = V.cases;

// The vectors' notes: a flow with no hash was passed (XDP_PASS: no VIP took it; every vector
// flow is TCP or UDP), one with a hash and no backend was dropped in get_packet_dst.
const expected = (f: VectorFlow) => ({
  backend: f.backend,
  hash: f.hash ?? null,
  slot: f.slot ?? null,
  reason: f.backend !== null ? "table" : f.hash !== undefined ? "no-backend" : "no-vip",
});
const got = (r: { backend: string | null; hash: string | null; slot: number | null; reason: string }) => ({ backend: r.backend, hash: r.hash, slot: r.slot, reason: r.reason });

describe("katran vectors: the file", () => {
  it("holds the 42 cases and about 2100 flows the issue names, each with its packet", () => {
    expect(CASES.length).toBe(42);
    const flows = CASES.reduce((n, c) => n + c.flows.length, 0);
    expect(flows).toBe(2100);
    for (const c of CASES) for (const f of c.flows) expect(typeof f.packet).toBe("string");
  });
});

describe("folly::IPAddress::hash() against folly's own values", () => {
  const entries: { address: string; hash: string; hash_hex: string; family: string }[] = V.folly_ipaddress_hash;
  it("has IPv4, IPv6 and IPv4-mapped entries", () => {
    expect(new Set(entries.map((e) => e.family))).toEqual(new Set(["v4", "v6", "v6mapped"]));
  });
  for (const e of entries) {
    it(`${e.address} (${e.family})`, () => {
      const a = follyAddress("address", e.address);
      expect(a.family).toBe(e.family === "v4" ? 4 : 6);
      expect(follyIPAddressHash(a.bytes)).toBe(BigInt(e.hash));
      expect(follyIPAddressHash(a.bytes).toString(16).padStart(16, "0")).toBe(e.hash_hex);
    });
  }
});

forEachEngine("katran system: every vector case", () => {
  for (const c of CASES) {
    it(`${c.id}: ${c.what}`, () => {
      const lb = systems.katran(c.config);
      const inputs = c.flows.map((f) => f.flow);
      const packets = c.flows.map((f) => hex(f.packet));
      const batch = lb.routeBatch(inputs);
      const packetBatch = lb.routeBatch(packets);
      c.flows.forEach((f, i) => {
        const where = `${c.id} flow ${i} ${JSON.stringify(f.flow)}`;
        expect(got(lb.route(f.flow)), `${where} (5-tuple)`).toEqual(expected(f));
        expect(got(lb.route(packets[i]!)), `${where} (packet)`).toEqual(expected(f));
        expect(got(batch[i]!), `${where} (batch)`).toEqual(expected(f));
        expect(got(packetBatch[i]!), `${where} (packet batch)`).toEqual(expected(f));
      });
    });
  }
});
