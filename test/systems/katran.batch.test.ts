// routeBatch goes through the route kernel (one Wasm call for the flows of the VIP's family);
// it must give exactly what route() gives, input by input, on every engine: every vector
// case's flows, their packets interleaved, and flows the kernel hands back to route() (not
// TCP/UDP, the other family, another destination, port and protocol variations of port-0 VIPs).
import { describe, expect, it } from "vitest";
import { systems, type Flow } from "../../src/index.js";
import { forEachEngine } from "../engines.js";
import { hex, loadSystemVectors } from "../vectors.js";

interface VectorCase {
  id: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  config: any;
  flows: { flow: Flow & { proto: number }; packet: string }[];
}
const CASES: VectorCase[] = loadSystemVectors("katran").cases;

function variations(f: Flow & { proto: number }): Flow[] {
  return [
    f,
    { ...f, dport: 0 },
    { ...f, dport: (f.dport + 1) & 0xffff },
    { ...f, sport: 0 },
    { ...f, proto: f.proto === 6 ? 17 : 6 },
    { ...f, proto: 1 },
    { ...f, dst: f.src },
    { ...f, src: "::ffff:10.9.8.7", dst: String(f.dst).includes(":") ? f.dst : `::ffff:${String(f.dst)}` },
    { ...f, src: "2001:db8::7", dst: "2001:db8::1" },
    { ...f, src: "10.9.8.7", dst: "10.0.0.1" },
  ];
}

forEachEngine("katran routeBatch = route() input by input", () => {
  for (const c of CASES) {
    it(c.id, () => {
      const lb = systems.katran(c.config);
      const inputs: (Flow | Uint8Array)[] = [];
      for (const f of c.flows) inputs.push(...variations(f.flow), hex(f.packet));
      const batch = lb.routeBatch(inputs);
      expect(batch.length).toBe(inputs.length);
      let table = 0;
      inputs.forEach((x, i) => {
        expect(batch[i], `${c.id} input ${i} ${JSON.stringify(x instanceof Uint8Array ? "packet" : x)}`).toEqual(lb.route(x));
        if (batch[i]!.reason === "table") table++;
      });
      // Cases with a weighted real route some flows through the table (the kernel's path).
      if (c.flows.some((f) => lb.route(f.flow).reason === "table")) expect(table).toBeGreaterThan(0);
    });
  }
});

describe("katran routeBatch: a bad flow throws as route() does", () => {
  it("the first bad input's error", () => {
    const lb = systems.katran(CASES[0]!.config);
    const good = CASES[0]!.flows[0]!.flow;
    const bad = { ...good, sport: 70000 };
    let want: unknown;
    try {
      lb.route(bad);
    } catch (e) {
      want = e;
    }
    expect(want).toBeDefined();
    expect(() => lb.routeBatch([good, bad])).toThrow((want as Error).message);
  });
});
