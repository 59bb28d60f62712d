// routeBatch and routeIndices of the flowpin and cilium systems (one Wasm call per batch
// through the route kernel) give exactly what route() gives flow by flow, on every engine:
// random flows of both families (IPv4-mapped among them) for flowpin, and every cilium vector
// case (flows and packets, mixed in one batch) plus random flows to its frontend for cilium.
import { expect, it } from "vitest";
import { FlowBatch, systems, type Flow } from "../src/index.js";
import { forEachEngine } from "./engines.js";
import { hex, loadSystemVectors } from "./vectors.js";
import { Rng } from "./rng.js";

const SEED = 77031;

function ipv4(x: number): string {
  return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
}

function ipv6(rng: Rng): string {
  const g = Array.from({ length: 8 }, () => (rng.int(3) === 0 ? 0 : rng.int(65536)).toString(16));
  return g.join(":");
}

function randomFlows(rng: Rng, n: number, families: "4" | "6" | "mixed"): Flow[] {
  return Array.from({ length: n }, () => {
    const fam = families === "mixed" ? (rng.int(2) === 0 ? 4 : 6) : Number(families);
    const mapped = fam === 6 && rng.int(8) === 0;
    const addr = () => (fam === 4 ? ipv4(rng.u32()) : mapped ? `::ffff:${ipv4(rng.u32())}` : ipv6(rng));
    const src = addr();
    return { src, dst: rng.int(16) === 0 ? src : addr(), sport: rng.int(65536), dport: rng.int(65536), proto: ["tcp", "udp", 6, 17, 1][rng.int(5)]! };
  });
}

const strip = (r: { backend: string | null; hash: string | null; slot: number | null; reason: string }) => ({ backend: r.backend, hash: r.hash, slot: r.slot, reason: r.reason });

forEachEngine("flowpin system: routeBatch and routeIndices = route()", () => {
  const configs = [
    { name: "maglev 65537", config: { key: "000102030405060a", backends: Array.from({ length: 37 }, (_, i) => ({ id: `10.0.0.${i}:80`, weight: 1 + (i % 3) })) } },
    { name: "maglev 251 symmetric, draining and weight 0", config: { key: "0f1e2d3c4b5a6978", symmetric: true, size: 251, backends: [{ id: "a", state: "draining" as const }, { id: "b" }, { id: "c", weight: 0 }, { id: "d", weight: 3 }] } },
    { name: "rendezvous", config: { key: "0001020304050607", algorithm: "rendezvous" as const, backends: [{ id: "a" }, { id: "b", weight: 2 }, { id: "c" }] } },
    { name: "no usable backend", config: { key: "0001020304050607", backends: [{ id: "a", state: "down" as const }] } },
  ];
  for (const { name, config } of configs) {
    for (const fam of ["4", "6", "mixed"] as const) {
      it(`${name}, IPv${fam} flows`, () => {
        const rng = new Rng(SEED + name.length + fam.length);
        const fleet = systems.flowpin(config);
        const flows = randomFlows(rng, 523, fam);
        const one = flows.map((f) => strip(fleet.route(f)));
        expect(fleet.routeBatch(flows).map(strip)).toEqual(one);
        if (fam === "mixed") return;
        // Columns of numbers and a FlowBatch: the index of route()'s backend, or -1.
        const family = Number(fam) as 4 | 6;
        const batch = new FlowBatch(flows.length, { family });
        try {
          const canonical = flows.filter((f) => !(family === 6 && String(f.src).startsWith("::ffff:")));
          canonical.forEach((f, i) => batch.set(i, f));
          batch.length = canonical.length;
          const want = canonical.map((f) => {
            const b = fleet.route(f).backend;
            return b === null ? -1 : fleet.backendIds.indexOf(b);
          });
          const hashes = new Uint32Array(canonical.length);
          expect(Array.from(fleet.routeIndices(batch, undefined, hashes))).toEqual(want);
          expect(Array.from(hashes, (h) => h.toString(16).padStart(8, "0"))).toEqual(canonical.map((f) => fleet.route(f).hash));
          const cols = { family, src: batch.src.slice(), dst: batch.dst.slice(), sport: batch.sport.slice(), dport: batch.dport.slice(), proto: batch.proto.slice(), n: canonical.length };
          expect(Array.from(fleet.routeIndices(cols))).toEqual(want);
        } finally {
          batch.dispose();
        }
      });
    }
  }

  it("routeBatch refuses a bad flow as route() does, and a non-array", () => {
    const fleet = systems.flowpin(configs[0]!.config);
    const bad = [{ src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2, proto: "tcp" }, { src: "10.0.0.300", dst: "10.0.0.2", sport: 1, dport: 2, proto: "tcp" }];
    expect(() => fleet.routeBatch(bad)).toThrow(/10\.0\.0\.300/);
    expect(() => fleet.routeBatch("x" as never)).toThrow(/must be an array/);
    expect(() => fleet.routeIndices({} as never)).toThrow(/FlowBatch/);
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Case = any;
const cilium = loadSystemVectors("cilium");

forEachEngine("cilium system: routeBatch and routeIndices = route()", () => {
  it(`every vector case (${cilium.cases.length}), flows and packets mixed in one batch`, () => {
    let flows = 0;
    for (const c of cilium.cases as Case[]) {
      const svc = systems.cilium(c.config);
      const inputs = c.flows.flatMap((f: Case) => [f.flow, hex(f.packet)]);
      const batch = svc.routeBatch(inputs).map(strip);
      expect(batch, c.id).toEqual(inputs.map((x: Case) => strip(svc.route(x))));
      c.flows.forEach((f: Case, i: number) => {
        expect({ backend: batch[2 * i]!.backend, hash: batch[2 * i]!.hash, slot: batch[2 * i]!.slot }, `${c.id} flow ${i}`).toEqual({ backend: f.backend, hash: f.hash ?? null, slot: f.slot ?? null });
      });
      flows += c.flows.length;
    }
    expect(flows).toBeGreaterThan(3000);
  });

  it("random flows to each vector frontend: routeBatch and routeIndices", () => {
    const rng = new Rng(SEED);
    for (const c of cilium.cases as Case[]) {
      const svc = systems.cilium(c.config);
      const fe = String(c.config.service.frontend);
      const m = /^\[?([^\]]+?)\]?:(\d+)\/(\w+)$/.exec(fe);
      if (!m) throw new Error(`frontend ${fe}`);
      const [, addr, port] = m;
      const v6 = addr!.includes(":");
      const inputs: Flow[] = Array.from({ length: 203 }, () => ({
        src: v6 ? ipv6(rng) : ipv4(rng.u32()),
        dst: rng.int(4) === 0 ? (v6 ? ipv6(rng) : ipv4(rng.u32())) : addr!,
        sport: rng.int(65536),
        dport: rng.int(4) === 0 ? rng.int(65536) : Number(port),
        proto: ["tcp", "udp", "icmp", 132][rng.int(4)]!,
      }));
      const one = inputs.map((x) => strip(svc.route(x)));
      expect(svc.routeBatch(inputs).map(strip), c.id).toEqual(one);
      const family = v6 ? 6 : 4;
      const batch = new FlowBatch(inputs.length, { family });
      try {
        inputs.forEach((f, i) => batch.set(i, f));
        const idx = svc.routeIndices(batch);
        expect(Array.from(idx, (b) => (b < 0 ? null : svc.backendNames[b])), c.id).toEqual(one.map((r) => r.backend));
      } finally {
        batch.dispose();
      }
    }
  });
});
