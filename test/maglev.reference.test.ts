// Random fleets for every profile and engine, against the slow reference in
// test/reference/maglev.ts. A failure prints the seed and the input. The fleets and their
// reference tables are computed once (the BigInt reference of a 1000003-slot Katran ring takes
// seconds) and every engine is compared with them.
import { expect, it } from "vitest";
import { Maglev } from "../src/index.js";
import { forEachEngine } from "./engines.js";
import { refHashInput, refAddr } from "./reference/ipvs.js";
import { refCilium, refEnvoy, refIpvs, refKatran } from "./reference/maglev.js";
import { Rng } from "./rng.js";

const ROUNDS = 12;
const SMALL_PRIMES = [2, 3, 5, 7, 11, 13, 17, 31, 61, 127, 251, 509, 1021, 4099, 8191];
const LISTED = [251, 509, 1021, 2039, 4093];

function check(name: string, seed: number, input: unknown, got: ArrayLike<number>, want: readonly number[]): void {
  const g = Array.from(got);
  if (g.length !== want.length || g.some((x, i) => x !== want[i])) {
    const at = g.findIndex((x, i) => x !== want[i]);
    expect.fail(`${name} seed ${seed}: first difference at slot ${at} (got ${g[at]}, want ${want[at]}); input ${JSON.stringify(input, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))}`);
  }
}

/** A weight: mostly small, sometimes 0, sometimes large. */
function weight(r: Rng, max: number): number {
  const k = r.int(10);
  if (k === 0) return 0;
  if (k === 1) return 1 + r.int(max);
  return 1 + r.int(5);
}

function key(r: Rng): string {
  const kinds = [
    () => `10.${r.int(256)}.${r.int(256)}.${r.int(256)}:${r.int(65536)}`,
    () => `host-${r.int(1e6)}.example`,
    // Non-ASCII keys: UTF-8 byte order differs from UTF-16 order for some of these.
    () => `é${String.fromCodePoint(0xe000 + r.int(0x1000))}${r.int(100)}`,
    () => `x${String.fromCodePoint(0x10000 + r.int(0x1000))}${r.int(100)}`,
  ];
  return kinds[r.int(kinds.length)]!();
}

interface Case {
  name: string;
  seed: number;
  input: unknown;
  build: () => ArrayLike<number>;
  want: readonly number[];
}

/** Computes once, on first use (each engine's describe block asks for the same cases). */
function once<T>(f: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= f());
}

const envoyCases = once((): Case[] => {
  const out: Case[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const seed = 1000 + round;
    const r = new Rng(seed);
    const size = SMALL_PRIMES[r.int(SMALL_PRIMES.length)]!;
    const n = 1 + r.int(Math.min(size, 40));
    const keys = new Set<string>();
    while (keys.size < n) keys.add(key(r));
    const hosts = [...keys].map((k) => ({ key: k, weight: weight(r, 1000), locality: `L${r.int(3)}` }));
    if (hosts.every((h) => h.weight === 0)) hosts[0]!.weight = 1;
    const backends = hosts.map((h, i) => ({ id: `b${i}`, key: h.key, weight: h.weight, locality: h.locality }));
    out.push({ name: "envoy", seed, input: { size, hosts }, build: () => new Maglev({ size, backends: backends.map(({ locality: _l, ...b }) => b) }).table, want: refEnvoy(hosts, size) });
    const localityWeights = { L0: r.int(4), L1: 1 + r.int(100), L2: r.int(3) };
    const included = hosts.some((h) => h.weight > 0 && localityWeights[h.locality as keyof typeof localityWeights] > 0);
    if (included) out.push({ name: "envoy-locality", seed, input: { size, hosts, localityWeights }, build: () => new Maglev({ size, backends, localityWeights }).table, want: refEnvoy(hosts, size, localityWeights) });
  }
  return out;
});

const katranCases = once((): Case[] => {
  const out: Case[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const seed = 2000 + round;
    const r = new Rng(seed);
    // Some rounds on a ring where the uint32 walk wraps: next * skip passes 2^32 once a
    // backend has probed ~2^32 / skip (~8600 on average) times.
    const big = round % 6 === 5;
    const size = big ? 1000003 : SMALL_PRIMES[r.int(SMALL_PRIMES.length)]!;
    const n = big ? 2 + r.int(20) : 1 + r.int(Math.min(size, 30));
    const hashes = new Set<bigint>();
    while (hashes.size < n) hashes.add(r.next64());
    const eps = [...hashes].map((hash) => ({ hash, weight: weight(r, 300) }));
    if (eps.every((e) => e.weight === 0)) eps[0]!.weight = 1;
    const backends = eps.map((e, i) => ({ id: `e${i}`, hash: e.hash, weight: e.weight }));
    for (const version of ["v1", "v2"] as const) {
      out.push({ name: `katran-${version}`, seed, input: { size, eps }, build: () => new Maglev({ profile: "katran", version, size, backends }).table, want: refKatran(eps, size, version) });
    }
  }
  return out;
});

const ciliumCases = once((): Case[] => {
  const out: Case[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const seed = 3000 + round;
    const r = new Rng(seed);
    const size = LISTED[r.int(LISTED.length)]!;
    const n = 1 + r.int(30);
    const keys = new Set<string>();
    while (keys.size < n) keys.add(`[10.0.${r.int(256)}.${r.int(256)}:${r.int(65536)}/TCP,State:active]`);
    // Half the rounds weights 0..2 (Cilium then ignores weights: sum / n <= 1).
    const backends = [...keys].map((k, i) => ({ id: `c${i}`, key: k, weight: round % 2 ? r.int(3) : weight(r, 65535) }));
    if (backends.every((b) => b.weight === 0)) backends[0]!.weight = 1;
    const want = refCilium(backends.map((b) => ({ hashString: b.key, weight: b.weight })), size, 0x24b7ef82);
    out.push({ name: "cilium", seed, input: { size, backends }, build: () => new Maglev({ profile: "cilium", size, backends }).table, want });
  }
  return out;
});

const ipvsCases = once((): Case[] => {
  const out: Case[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const seed = 4000 + round;
    const r = new Rng(seed);
    const tabIndex = 8 + r.int(5);
    const size = [251, 509, 1021, 2039, 4093][tabIndex - 8]!;
    const n = 1 + r.int(30);
    const seen = new Set<string>();
    const backends: { id: string; address: string; port: number; weight: number }[] = [];
    while (backends.length < n) {
      const address = r.int(4) === 0 ? `2001:db8::${r.int(65536).toString(16)}` : `10.1.${r.int(256)}.${r.int(256)}`;
      const port = r.int(65536);
      if (seen.has(`${address}|${port}`)) continue;
      seen.add(`${address}|${port}`);
      // Multiples of a common factor exercise the gcd; big weights exercise the shift.
      backends.push({ id: `d${backends.length}`, address, port, weight: round % 2 ? 4 * weight(r, 10000) : weight(r, 1 << 20) });
    }
    if (backends.every((b) => b.weight === 0)) backends[0]!.weight = 3;
    // Kernel list order: last inserted first. Each dest folded by its own family (the profile's
    // default: a service of the dest's family), by the reference's own parser and fold.
    const list = [...backends].reverse().map((b) => {
      const a = refAddr(b.address);
      return { v: refHashInput(a.v6, a, b.port, 0), weight: b.weight };
    });
    const want = refIpvs(list, tabIndex).map((li) => n - 1 - li);
    out.push({ name: "ipvs", seed, input: { size, backends }, build: () => new Maglev({ profile: "ipvs", size, backends }).table, want });
  }
  return out;
});

forEachEngine("maglev vs reference", () => {
  const run = (cases: Case[]) => {
    for (const c of cases) check(c.name, c.seed, c.input, c.build(), c.want);
  };
  it("envoy (flat and locality weights)", () => run(envoyCases()));
  it("katran v1 and v2 (including uint32 wrap)", () => run(katranCases()));
  it("cilium (weighted and round robin)", () => run(ciliumCases()));
  it("ipvs (insertion order, gcd and shift turns)", () => run(ipvsCases()));
});
