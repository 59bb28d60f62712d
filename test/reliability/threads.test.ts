// Threads: worker_threads readers look up flows in a Maglev table held in a
// SharedArrayBuffer (Maglev({ shared: true }), toShared() / Maglev.fromShared()) while the
// main thread rebuilds the fleet and publishes a new table as fast as it can. Every lookup
// must name a backend of the table it used (the old or the new one, never an out-of-range
// or torn entry), and no published table may change afterwards: readers checksum each table
// on arrival and again when it is replaced; the main thread re-checks the tables it built.
// Readers run test/workers/maglev-reader.mjs on dist/ (npm run build first).
import path from "node:path";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { Maglev, type MaglevBackend } from "../../src/index.js";
import { Rng } from "../rng.js";

const SECONDS = Number(process.env.FLOWPIN_THREADS_SECONDS ?? 3);
const READERS = 2;
const SIZE = 16381;
const worker = path.resolve(import.meta.dirname, "../workers/maglev-reader.mjs");

interface ReaderResult {
  lookups: number;
  swaps: number;
  mutated: number;
  bad: string[];
}

function checksum(t: Uint16Array | Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t[i]!, 0x01000193);
  return h >>> 0;
}

describe("threads", () => {
  it(`${READERS} readers look up while the main thread swaps tables for ${SECONDS} s`, { timeout: SECONDS * 1000 + 60_000 }, async () => {
    const rng = new Rng(77);
    let serial = 0;
    const fleet = (): MaglevBackend[] => Array.from({ length: 50 + rng.int(50) }, () => ({ id: `10.${serial >> 16}.${(serial >> 8) & 255}.${serial++ & 255}:80`, weight: 1 + rng.int(3) }));
    let lb = new Maglev({ backends: fleet(), size: SIZE, shared: true });
    expect(lb.table.buffer).toBeInstanceOf(SharedArrayBuffer);

    const readers = Array.from({ length: READERS }, (_, k) => new Worker(worker, { workerData: { seed: 1000 + k } }));
    const results = readers.map(
      (w) =>
        new Promise<ReaderResult>((resolve, reject) => {
          w.once("message", resolve);
          w.once("error", reject);
          w.once("exit", (code) => reject(new Error(`reader exited with ${code} before reporting`)));
        }),
    );
    for (const w of readers) w.postMessage(lb.toShared());

    // Swap: drop a few backends, add a few, change some weights; publish the finished table.
    const kept: { table: Uint16Array | Uint32Array; sum: number }[] = [];
    let swaps = 0;
    const end = performance.now() + SECONDS * 1000;
    while (performance.now() < end) {
      const list = lb.backends.filter(() => rng.int(10) !== 0).map((b) => ({ id: b.id, weight: rng.int(8) === 0 ? 1 + rng.int(3) : b.weight }));
      const next = lb.withBackends([...list, ...fleet().slice(0, 1 + rng.int(5))]);
      expect(next.table.buffer).toBeInstanceOf(SharedArrayBuffer);
      for (const w of readers) w.postMessage(next.toShared());
      if (swaps % 50 === 0) kept.push({ table: next.table, sum: checksum(next.table) });
      lb = next;
      swaps++;
      // Let the workers' message queues drain now and then.
      if (swaps % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    for (const w of readers) w.postMessage("stop");
    const got = await Promise.all(results);
    await Promise.all(readers.map((w) => w.terminate()));

    const lookups = got.reduce((s, r) => s + r.lookups, 0);
    console.log(
      `threads: ${swaps} tables built and published (size ${SIZE}, 50-100 backends, ${(swaps / SECONDS).toFixed(0)}/s); ` +
        `${READERS} readers did ${lookups} lookups (${got.map((r) => r.lookups).join(" + ")}), saw ${got.map((r) => r.swaps).join(" / ")} tables; ` +
        `bad answers ${got.reduce((s, r) => s + r.bad.length, 0)}, tables changed after publication ${got.reduce((s, r) => s + r.mutated, 0)}`,
    );
    for (const r of got) {
      expect(r.bad).toEqual([]);
      expect(r.mutated).toBe(0);
      expect(r.lookups).toBeGreaterThan(0);
      // Each reader saw the initial table and at least some of the swaps.
      expect(r.swaps).toBeGreaterThan(1);
    }
    expect(swaps).toBeGreaterThan(10);
    // Building later tables never wrote into earlier ones.
    for (const k of kept) expect(checksum(k.table)).toBe(k.sum);
  });
});
