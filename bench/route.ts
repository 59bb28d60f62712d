// Batch routing: hash + table lookup of 1,048,576 IPv4 flows in one call (the route kernel,
// src/engine/route-kernel.ts) for the flowpin, katran and cilium systems, on every engine,
// beside native C doing the same hash then `table[h % M]` over the same struct of arrays
// (bench/native/route.c: scalar and 4-lane SSE HalfSipHash; Katran's and Cilium's jhash with
// their compile-time table sizes). hz = flows/s. The flows are addressed to the katran VIP and
// the cilium frontend (TCP to port 443), so every one of them is balanced.
//
// katran goes through the kernel directly with the parameters its system's routeBatch uses
// for a port-0 VIP (routeBatch itself takes flow objects, not a FlowBatch):
// jhash_2words(src, ports, MAX_VIPS·RING_SIZE) with the dport zeroed, over a katran-profile
// Maglev table of 1000 reals. "hashBatch + lookupBatch" is the two-call path: both calls in
// Wasm, the hashes written to the batch and read back from it.
import { FlowBatch, FlowHasher, Maglev, engines, engine, systems, useEngine } from "../src/index.js";
import { routeKernel, routeSpec } from "../src/engine/route-kernel.js";
import type { BenchCase, Suite } from "./harness.js";
import { words } from "./inputs.js";

const BATCH = 1 << 20;
const KEY = "0001020304050607";
const VIP = 0xcb00710a; // 203.0.113.10
const BACKENDS = 1000;


function batchOnActiveEngine(): FlowBatch {
  const b = new FlowBatch(BATCH);
  b.src.set(words(BATCH, 21));
  b.dst.fill(VIP);
  const p = words(BATCH, 22);
  for (let i = 0; i < BATCH; i++) b.sport[i] = p[i]! & 0xffff;
  b.dport.fill(443);
  b.proto.fill(6);
  return b;
}

export const route: Suite = {
  name: "route",
  description: "routeBatch: hash + lookup of 1M IPv4 flows in one call (flowpin, katran, cilium) vs native C; hz = flows/s",
  cases() {
    const out: BenchCase[] = [];
    const previous = engine();
    const ids = Array.from({ length: BACKENDS }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const fleet = systems.flowpin({ key: KEY, backends: ids.map((id) => ({ id: `${id}:80` })) });
    const katranTable = new Maglev({ profile: "katran", version: "v2", backends: ids.map((id, i) => ({ id, hash: BigInt(i + 1) * 0x9e3779b97f4a7c15n & 0xffffffffffffffffn })) });
    const katranSpec = routeSpec({ profile: "katran", seed: (512 * katranTable.size) >>> 0, zeroDport: true }, { size: katranTable.size, match: { dst: [VIP], proto: 6 } });
    const svc = systems.cilium({
      version: "1.17+",
      service: { frontend: "203.0.113.10:443/TCP", session_affinity: false, scope: "external" },
      maglev: { table_size: 16381, hash_seed: "JLfvgnHc2kaSUFaI" },
      backends: ids.map((address) => ({ address, port: 8443, protocol: "TCP", weight: 100, state: "active" })),
    });
    try {
      for (const e of engines()) {
        useEngine(e);
        const b = batchOnActiveEngine();
        const idx = new Int32Array(BATCH);
        out.push(
          { name: `route-batch flowpin ${e}`, group: "route-batch flowpin", engine: e, per: BATCH, fn: () => fleet.routeIndices(b, idx)[BATCH - 1] },
          { name: `route-batch katran ${e}`, group: "route-batch katran", engine: e, per: BATCH, fn: () => routeKernel(katranSpec, katranTable.table, b, idx)[BATCH - 1] },
          { name: `route-batch cilium ${e}`, group: "route-batch cilium", engine: e, per: BATCH, fn: () => svc.routeIndices(b, idx)[BATCH - 1] },
        );
        if (e === "wasm-simd") {
          // The two-call path the kernel replaces: hashBatch into the batch, then lookupBatch.
          const hasher = new FlowHasher({ key: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]) });
          const lb = new Maglev({ backends: ids.map((id) => ({ id: `${id}:80` })) });
          const u16 = new Uint16Array(BATCH);
          out.push({ name: `route-batch flowpin hashBatch + lookupBatch ${e}`, group: "route-batch flowpin", engine: e, per: BATCH, fn: () => (hasher.hashBatch(b), lb.lookupBatch(b.hashes, u16))[BATCH - 1] });
        }
      }
    } finally {
      useEngine(previous);
    }
    return out;
  },
  native: [{ source: "bench/native/route.c", args: [] }],
};
