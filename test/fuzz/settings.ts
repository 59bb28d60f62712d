// fast-check settings shared by the fuzz tests: a fixed seed and a small run count in
// `npm test`; `npm run fuzz` (FLOWPIN_FUZZ=1) multiplies the runs and takes a fresh seed
// unless FLOWPIN_FUZZ_SEED pins one. fast-check prints the seed and the shrunk path of any
// counterexample; replay it with FLOWPIN_FUZZ_SEED=<seed> (and `path` in the failing call).
import fc from "fast-check";

export const LONG = process.env.FLOWPIN_FUZZ === "1";
const envSeed = process.env.FLOWPIN_FUZZ_SEED;
export const SEED = envSeed !== undefined ? Number(envSeed) : LONG ? (Date.now() ^ (Math.random() * 2 ** 31)) | 0 : 0x0f10a9;
const MULTIPLIER = Number(process.env.FLOWPIN_FUZZ_MULTIPLIER ?? 100);

/** Runs tried per property, summed for the report line. */
export const tried = new Map<string, number>();

/** fc.assert with the shared seed; `runs` is the npm test count (× MULTIPLIER under fuzz). */
export function check<Ts extends [unknown, ...unknown[]]>(name: string, runs: number, property: fc.IProperty<Ts>): void {
  const numRuns = LONG ? runs * MULTIPLIER : runs;
  fc.assert(property, { seed: SEED, numRuns, endOnFailure: false });
  tried.set(name, (tried.get(name) ?? 0) + numRuns);
}

export function report(what: string): void {
  const total = [...tried.values()].reduce((a, b) => a + b, 0);
  console.log(`${what}: seed ${SEED}, ${total} inputs over ${tried.size} properties (${[...tried].map(([k, n]) => `${k} ${n}`).join(", ")})`);
}
