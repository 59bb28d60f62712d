// A worker_threads reader for test/reliability/threads.test.ts: looks up random hashes in
// the current shared Maglev table while the main thread publishes new ones. Every answer
// must be a backend of the table it came from; a table must never change after it was
// published (a checksum taken on arrival is taken again when the table is replaced).
// Runs on the built package (dist/): workers cannot load the TypeScript sources.
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { Maglev } from "../../dist/index.js";

function checksum(t) {
  let h = 0x811c9dc5;
  for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t[i], 0x01000193);
  return h >>> 0;
}

let current;
let currentSum = 0;
let currentIds;
let lookups = 0;
let swaps = 0;
let mutated = 0;
const bad = [];
let x = workerData.seed >>> 0 || 1;
let stop = false;

function take(msg) {
  if (msg === "stop") {
    stop = true;
    return;
  }
  if (current && checksum(current.table) !== currentSum) mutated++;
  current = Maglev.fromShared(msg); // validates every entry against the backend count
  if (!(current.table.buffer instanceof SharedArrayBuffer)) bad.push("table arrived as a copy, not shared memory");
  currentSum = checksum(current.table);
  currentIds = new Set(msg.backends.map((b) => b.id));
  swaps++;
}

// Wait for the first table, then look up until told to stop, polling for new tables
// between short runs without giving up the thread.
parentPort.once("message", (first) => {
  take(first);
  while (!stop) {
    for (let k = 0; k < 2000; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const hash = x >>> 0;
      const i = current.lookupIndex(hash);
      if (!(i >= 0 && i < current.backends.length) || !currentIds.has(current.backends[i].id)) {
        if (bad.length < 5) bad.push(`hash ${hash} -> index ${i} of ${current.backends.length}`);
      }
      lookups++;
    }
    for (let m = receiveMessageOnPort(parentPort); m; m = receiveMessageOnPort(parentPort)) take(m.message);
  }
  if (current && checksum(current.table) !== currentSum) mutated++;
  parentPort.postMessage({ lookups, swaps, mutated, bad });
});
