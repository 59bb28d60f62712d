// The Balancer: pick with and without the connection table (hit and miss), from a flow object
// and from numbers (lookupV4); the connection table's lookup+insert mix against lru-cache and
// a plain Map keyed by the tuple string at equal capacity (with bytes per entry in the notes);
// batch lookup over 1M flows; and the flood test's established-flow survival (a note).
import { LRUCache } from "lru-cache";
import { Balancer, ConnTable, FlowBatch } from "../src/index.js";
import type { BenchCase, Suite } from "./harness.js";

const KEY = "5eed0f1a2b3c4d5e";
const CAP = 1 << 16;
const N = 1 << 17; // flows in the mix: twice the capacity, so about half the lookups miss
const backends = Array.from({ length: 16 }, (_, i) => ({ id: `10.0.0.${i + 1}:80` }));
const src = new Uint32Array(N).map((_, i) => (0xc6330000 + i) >>> 0);
const sport = new Uint16Array(N).map((_, i) => 1024 + (i % 60000));
const flows = Array.from({ length: 4096 }, (_, i) => ({ src: `198.51.${(i >> 8) & 255}.${i & 255}`, dst: "203.0.113.1", sport: 1024 + i, dport: 443, proto: "tcp" as const }));

// Holds a filled structure while the heap is measured, so it cannot be collected early.
const kept: unknown[] = [];

function heapPerEntry(fill: () => unknown): number {
  const g = globalThis as { gc?: () => void };
  g.gc?.();
  const before = process.memoryUsage().heapUsed;
  kept.push(fill());
  g.gc?.();
  const after = process.memoryUsage().heapUsed;
  kept.length = 0;
  return (after - before) / CAP;
}

export const balancer: Suite = {
  name: "balancer",
  description: "Balancer pick with/without the connection table, connection table vs lru-cache and Map, batch lookup, flood survival",
  cases() {
    const out: BenchCase[] = [];
    const plain = new Balancer({ key: KEY, backends });
    const pinned = new Balancer({ key: KEY, backends, connections: { capacity: CAP } });
    for (const f of flows) pinned.pickId(f);
    let k = 0;
    out.push(
      { name: "pick (table only)", group: "pick", fn: () => plain.pickId(flows[k++ & 4095]!) },
      { name: "pick (connection table hit)", group: "pick", fn: () => pinned.pickId(flows[k++ & 4095]!) },
      { name: "pick (string key, table only)", group: "pick", fn: () => plain.pickId(`user-${k++ & 4095}`) },
    );
    // Misses: a fresh table of new flows every call (each pick inserts).
    const missing = new Balancer({ key: KEY, backends, connections: { capacity: CAP } });
    let m = 0;
    out.push({ name: "pick (connection table miss + insert)", group: "pick", fn: () => missing.pickId({ src: (0x0a000000 + m++) >>> 0, dst: 0xcb007101, sport: 1234, dport: 443, proto: 6 }) });

    // The lookup+insert mix at equal capacity, flows from numbers.
    const ct = new ConnTable({ capacity: CAP, maxBackends: 16 });
    const lru = new LRUCache<string, number>({ max: CAP });
    const map = new Map<string, number>();
    let i = 0;
    out.push(
      {
        name: "conntrack lookup+insert (Wasm, numbers)",
        group: "mix",
        fn: () => {
          const j = i++ & (N - 1);
          const b = ct.lookupV4(src[j]!, 0xcb007101, sport[j]!, 443, 6);
          return b >= 0 ? b : ct.insertV4(src[j]!, 0xcb007101, sport[j]!, 443, 6, j & 15);
        },
      },
      {
        name: "lru-cache lookup+insert (tuple string)",
        group: "mix",
        fn: () => {
          const j = i++ & (N - 1);
          const key = `${src[j]}|${0xcb007101}|${sport[j]}|443|6`;
          const b = lru.get(key);
          if (b === undefined) lru.set(key, j & 15);
          return b;
        },
      },
      {
        name: "Map lookup+insert (tuple string, FIFO bound)",
        group: "mix",
        fn: () => {
          const j = i++ & (N - 1);
          const key = `${src[j]}|${0xcb007101}|${sport[j]}|443|6`;
          const b = map.get(key);
          if (b === undefined) {
            map.set(key, j & 15);
            if (map.size > CAP) map.delete(map.keys().next().value!);
          }
          return b;
        },
      },
    );

    // Batch lookup over 1M flows (half of them present).
    const BATCH = 1 << 20;
    const big = new ConnTable({ capacity: 1 << 20, maxBackends: 16 });
    const batch = new FlowBatch(BATCH);
    for (let q = 0; q < BATCH; q++) {
      batch.src[q] = (0x0b000000 + q) >>> 0;
      batch.dst[q] = 0xcb007101;
      batch.sport[q] = q & 0xffff;
      batch.dport[q] = 443;
      batch.proto[q] = 6;
      if (q & 1) big.insertV4(batch.src[q]!, 0xcb007101, q & 0xffff, 443, 6, q & 15);
    }
    const res = new Uint32Array(BATCH);
    out.push({ name: "conntrack batch lookup (1M flows)", group: "batch", per: BATCH, fn: () => big.lookupBatch(batch, res) });

    // Memory per entry at equal capacity (heap growth; run node with --expose-gc for exact figures).
    const fillLru = () => {
      const c = new LRUCache<string, number>({ max: CAP });
      for (let q = 0; q < CAP; q++) c.set(`${src[q]}|${0xcb007101}|${sport[q]}|443|6`, q & 15);
      return c;
    };
    const fillMap = () => {
      const c = new Map<string, number>();
      for (let q = 0; q < CAP; q++) c.set(`${src[q]}|${0xcb007101}|${sport[q]}|443|6`, q & 15);
      return c;
    };
    const lruBytes = heapPerEntry(fillLru);
    const mapBytes = heapPerEntry(fillMap);
    // The flood: 100× capacity of one-packet flows; 500 established flows send every 1500.
    const fct = new ConnTable({ capacity: 1000, maxBackends: 16 });
    for (let q = 0; q < 500; q++) fct.insertV4(q, 1, 1, 1, 17, q & 15);
    for (let q = 0; q < 500; q++) fct.lookupV4(q, 1, 1, 1, 17);
    let lost = 0;
    let checks = 0;
    for (let f = 0; f < 100_000; f++) {
      if (fct.lookupV4(1_000_000 + f, 1, 1, 1, 17) < 0) fct.insertV4(1_000_000 + f, 1, 1, 1, 17, 0);
      if (f % 1500 === 1499) for (let q = 0; q < 500; q++, checks++) if (fct.lookupV4(q, 1, 1, 1, 17) !== (q & 15)) (lost++, fct.insertV4(q, 1, 1, 1, 17, q & 15));
    }
    // The harness has no per-suite notes hook: these figures go to stderr.
    for (const line of [
      `memory per entry at capacity ${CAP}: connection table ${ct.bytesPerEntry.toFixed(1)} B (Wasm, fixed), lru-cache ${lruBytes.toFixed(0)} B, Map ${mapBytes.toFixed(0)} B (JS heap growth${(globalThis as { gc?: unknown }).gc ? "" : ", without --expose-gc: approximate"})`,
      `flood: 100000 one-packet flows through a 1000-entry table; established flows survived ${checks - lost} of ${checks} checks`,
    ]) process.stderr.write(`balancer: ${line}\n`);
    return out;
  },
};
