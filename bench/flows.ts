// Flow hashing: 1M-flow batches (IPv4 and IPv6, flowpin profile, keyed), one numeric call
// per IPv4 flow, and one call per flow from strings (parsing included), on every engine,
// against a scalar native C HalfSipHash-1-3 over the same 13-byte tuples. hz is flows per
// second everywhere: a batch op hashes 1,048,576 flows and a single-call op loops over
// 1024 flows, and BenchCase.per scales benchmark.js's ops/s to flows/s.
import { FlowBatch, FlowHasher, engines, useEngine, engine, type Flow } from "../src/index.js";
import type { BenchCase, Suite } from "./harness.js";
import { words } from "./inputs.js";

const BATCH = 1 << 20;
const SINGLE = 1024;
const KEY = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]);


function fill(batch: FlowBatch, seed: number): void {
  const w = batch.family === 4 ? 1 : 4;
  batch.src.set(words(w * batch.capacity, seed));
  batch.dst.set(words(w * batch.capacity, seed + 1));
  const p = words(batch.capacity, seed + 2);
  const sport = batch.sport;
  const dport = batch.dport;
  const proto = batch.proto;
  for (let i = 0; i < batch.capacity; i++) {
    sport[i] = p[i]! & 0xffff;
    dport[i] = p[i]! >>> 16;
    proto[i] = p[i]! % 3 === 0 ? 17 : 6;
  }
  // Random IPv6 words can spell ::ffff:a.b.c.d only with probability 2^-96: no fix-up needed.
}

const ipv4 = (x: number): string => `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;

export const flows: Suite = {
  name: "flows",
  description: "flow hashing: 1M-flow batches (IPv4, IPv6), single numeric and string calls; hz = flows/s",
  cases() {
    const out: BenchCase[] = [];
    const previous = engine();
    const src = words(SINGLE, 11);
    const dst = words(SINGLE, 12);
    const ports = words(SINGLE, 13);
    const strings: Flow[] = Array.from({ length: SINGLE }, (_, i) => ({
      src: ipv4(src[i]!),
      dst: ipv4(dst[i]!),
      sport: ports[i]! & 0xffff,
      dport: ports[i]! >>> 16,
      proto: "tcp",
    }));
    try {
      for (const e of engines()) {
        // A batch lives in the memory of the engine active when it is made.
        useEngine(e);
        const hasher = new FlowHasher({ key: KEY });
        const b4 = new FlowBatch(BATCH);
        fill(b4, 1);
        const b6 = new FlowBatch(BATCH, { family: 6 });
        fill(b6, 5);
        out.push(
          { name: `flow-hash-batch-ipv4 ${e}`, group: "flow-hash-batch-ipv4", engine: e, per: BATCH, fn: () => (hasher.hashBatch(b4), b4.hashes[BATCH - 1]) },
          { name: `flow-hash-batch-ipv6 ${e}`, group: "flow-hash-batch-ipv6", engine: e, per: BATCH, fn: () => (hasher.hashBatch(b6), b6.hashes[BATCH - 1]) },
          {
            name: `flow-hash-single-ipv4 ${e}`,
            group: "flow-hash-single-ipv4",
            engine: e,
            per: SINGLE,
            fn: () => {
              let x = 0;
              for (let i = 0; i < SINGLE; i++) x ^= hasher.hashV4(src[i]!, dst[i]!, ports[i]! & 0xffff, ports[i]! >>> 16, 6) as number;
              return x;
            },
          },
          {
            name: `flow-hash-single-string ${e}`,
            group: "flow-hash-single-string",
            engine: e,
            per: SINGLE,
            fn: () => {
              let x = 0;
              for (let i = 0; i < SINGLE; i++) x ^= hasher.hash(strings[i]!) as number;
              return x;
            },
          },
        );
      }
    } finally {
      useEngine(previous);
    }
    return out;
  },
  native: [{ source: "bench/native/flows.c", args: [], group: "flow-hash-batch-ipv4" }],
};
