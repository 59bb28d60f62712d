// `flowpin simulate`: balance and disruption of each algorithm and policy under backend churn,
// and bounded load's effect per balance factor. Flag parsing and validation live here; the
// simulation is src/simulate/.
import fs from "node:fs";
import path from "node:path";
import { flowpinError, show } from "../../errors.js";
import type { MaglevProfileName, MaglevProfileOptions } from "../../profiles/maglev-profile.js";
import { ALGORITHMS, CONSISTENT, isConsistent, type AlgorithmName, type SimBackend } from "../simulate/algorithms.js";
import { toCsv, toJson, toText } from "../simulate/format.js";
import { addressOf, simulate, type FleetSource } from "../simulate/simulate.js";
import { disruptionSvg, loadSvg } from "../simulate/svg.js";
import type { Command, Values } from "../command.js";
import { hexBytes, maglevSeedOption, parseJson, toFleetConfig } from "../config.js";
import { readInput, usage } from "../io.js";
import { progressBar } from "../progress.js";

export const DEFAULTS = {
  algorithms: [...ALGORITHMS] as AlgorithmName[],
  sizes: [65537],
  backends: 1000,
  churn: [1, 10, 30],
  trials: 3,
  seed: 1,
  samples: 32768,
};

const MAX_SIZE = 5000011; // Envoy's largest Maglev table; rings of up to this many points
const MAX_BACKENDS = 100000;
const MAGLEV_FIELDS = new Set(["id", "weight", "key", "locality", "hash", "address", "port", "protocol", "internal"]);

/** A decimal integer flag value in [min, max]; nothing else (no signs, hex or exponents). */
function intValue(flag: string, text: string, min: number, max: number): number {
  const n = /^[0-9]{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) usage(`--${flag} must be an integer in ${min}..${max}, got ${JSON.stringify(text)}`);
  return n;
}

/** A comma-separated list flag: no empty items, no repeats. */
function listValue(flag: string, text: string): string[] {
  const items = text.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) usage(`--${flag} must be a comma-separated list without empty items, got ${JSON.stringify(text)}`);
  const dup = items.find((s, i) => items.indexOf(s) !== i);
  if (dup !== undefined) usage(`--${flag} lists ${JSON.stringify(dup)} twice`);
  return items;
}

function algorithmName(a: string): AlgorithmName {
  if (!(ALGORITHMS as readonly string[]).includes(a)) usage(`--algorithms: unknown algorithm ${JSON.stringify(a)} (known: ${ALGORITHMS.join(", ")})`);
  return a as AlgorithmName;
}

/**
 * A balance factor c: a number ≥ 1 with at most two decimals, since Envoy's hash_balance_factor
 * is an integer percentage ≥ 100.
 */
function factorValue(text: string): number {
  const c = /^[0-9]{1,7}(\.[0-9]{1,2})?$/.test(text) ? Number(text) : NaN;
  if (!(c >= 1)) usage(`--balance-factor must be numbers ≥ 1 with at most two decimals (Envoy's hash_balance_factor / 100, e.g. 1.25), got ${JSON.stringify(text)}`);
  return c;
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** The fleet of a config file: ids, weights, addresses, and what Maglev and glb read from it. */
function fleetFromConfig(file: string): FleetSource {
  const doc = toFleetConfig(parseJson(new TextDecoder().decode(readInput(file, "--config file")), file), file);
  if (doc.backends.length < 2) throw flowpinError("NO_BACKENDS", `${file}: a simulation needs at least 2 backends, got ${doc.backends.length}`);
  const seen = new Set<string>();
  const backends = doc.backends.map((b, i): SimBackend => {
    const id = b.id ?? b.ip;
    if (typeof id !== "string" || id === "") throw flowpinError("INVALID_CONFIG", `${file}: backends[${i}].id must be a non-empty string, got ${show(id)}`);
    if (seen.has(id)) throw flowpinError("DUPLICATE_BACKEND", `${file}: backends[${i}].id ${show(id)} appears twice`);
    seen.add(id);
    const weight = b.weight ?? 1;
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight <= 0) {
      throw flowpinError("INVALID_WEIGHT", `${file}: backends[${i}].weight must be a positive number to simulate, got ${show(b.weight)}`);
    }
    const spec: Record<string, unknown> = { id, weight };
    if (doc.algorithm === "maglev") {
      for (const [k, v] of Object.entries(b)) if (MAGLEV_FIELDS.has(k)) spec[k] = k === "hash" && typeof v === "string" && /^[0-9]{1,20}$/.test(v) ? BigInt(v) : v;
    }
    const address = addressOf(id) ?? (typeof b.address === "string" ? b.address : undefined);
    return { id, weight, address, spec: spec as never };
  });
  let profile: MaglevProfileName | undefined;
  let profileOptions: MaglevProfileOptions | undefined;
  if (doc.algorithm === "maglev") {
    profile = doc.profile as MaglevProfileName | undefined;
    const o: Record<string, unknown> = {};
    if (doc.version !== undefined) o.version = doc.version;
    if (doc.localityWeights !== undefined) o.localityWeights = doc.localityWeights;
    if (typeof doc.seed === "string") o.seed = maglevSeedOption(doc.seed);
    profileOptions = o as MaglevProfileOptions;
  }
  const glb = doc.algorithm === "glb";
  const key16 = (v: unknown, what: string): Uint8Array | undefined => {
    if (v === undefined) return undefined;
    const b = typeof v === "string" ? hexBytes(v, what) : undefined;
    if (!b || b.length !== 16) throw flowpinError("INVALID_KEY", `${file}: ${what} must be 32 hex digits, got ${show(v)}`);
    return b;
  };
  return {
    kind: "config",
    path: file,
    backends,
    profile,
    profileOptions,
    glbSeed: glb ? key16(doc.seed, "seed") : undefined,
    glbHashKey: glb ? key16(doc.hash_key ?? doc.hashKey, "hash_key") : undefined,
  };
}

function str(values: Values, name: string): string | undefined {
  return values[name] as string | undefined;
}

export const simulateCommand: Command = {
  name: "simulate",
  summary: "balance and churn per algorithm and policy, bounded load per c (Maglev paper figures 11-12)",
  help: `usage: flowpin simulate [--config fleet.json | --backends N] [--algorithms LIST] [--sizes LIST]
                        [--churn LIST] [--balance-factor LIST] [--trials N] [--seed S]
                        [--samples N] [--format text|json|csv] [--svg DIR] [--quiet]

For each algorithm or policy (and size), builds the fleet's table and reports:
  balance     each backend's load over its fair share: max/mean (the Maglev paper's figure 11)
              and the distribution over backends (min, p1, p50, p99, max);
  churn       for each k, the fraction of flows that moved when k random backends are removed,
              and when k new ones are added (figure 12), split into flows that had to move (of
              a removed backend, or to an added one) and flows that moved needlessly (between
              backends present before and after);
averaged over trials; each trial draws a new fleet and new churn from the seed.

Consistent tables (maglev, rendezvous, ring, jump, glb) map a flow's hash to a backend with no
state: every node agrees, and churn is what the mapping changes. Maglev and glb are measured
exactly over every table slot / row; rendezvous, ring and jump over a fixed sample of random
64-bit flow hashes (--samples; ring balance uses exact arc lengths).
Stateful policies (the Balancer's round-robin, random, least-connections, power-of-two) look
at loads, not at the flow: the --samples flows arrive one by one (none leave) and each goes
where the policy sends it. Their churn: replay the same flows, in the same order and from the
same seed, on the changed fleet, and count the flows that land elsewhere: what a node without
a connection table (restarted, or another node of the fleet) would do with existing flows.
Bounded load (--balance-factor c, Envoy's hash_balance_factor / 100; Mirrokni, Thorup and
Zadimoghaddam): over each consistent table, the --samples flows arrive one by one; a flow keeps
its table pick while that backend holds at most its slots, ceil(ceil(c·(active+1))·weight share),
else a probe seeded by the flow's hash picks another (src/bounded-load.ts, as the Balancer and
the envoy system); so no backend ends above ceil(c·mean) + 1. Reported per c: max load, the
flows displaced from their table pick, and churn (replayed like a policy's) with the extra
moves over the plain table on the same flows.

Jump hash numbers its buckets and can only lose the last ones: its removals are of the last k.
The ring is Envoy's ring_hash: ceil(size / N) points per backend, so when N changes every
backend gains or loses points and flows move between backends that stayed.
glb-director tables hold at most 256 backends; jump and glb have no weights.

  --config FILE      backends (ids, weights) from a fleet config; maglev configs also give
                     the profile, glb configs the seed and hash_key (default: N generated
                     backends 10.x.y.z:80, profile envoy)
  --backends N       generated backends (default ${DEFAULTS.backends})
  --algorithms LIST  from ${CONSISTENT.join(",")} (consistent)
                     and ${ALGORITHMS.filter((a) => !isConsistent(a)).join(",")}
                     (stateful) (default all)
  --sizes LIST       Maglev table sizes (primes) and ring sizes (minimum ring points, as Envoy's
                     minimum_ring_size) (default ${DEFAULTS.sizes.join(",")}; the paper also uses 655373)
  --churn LIST       numbers of backends removed / added at once (default ${DEFAULTS.churn.join(",")})
  --balance-factor LIST
                     bounded load's c values, each ≥ 1 with two decimals at most (e.g.
                     1.25,1.5,2), applied to every consistent algorithm given (default none)
  --trials N         trials to average (default ${DEFAULTS.trials})
  --seed S           seed, 0..4294967295 (default ${DEFAULTS.seed}); same seed, same output
  --samples N        random flow hashes for the sampled algorithms, and flows for the policies
                     and bounded load (default ${DEFAULTS.samples})
  --format F         text (default), json (schema flowpin-simulate/2) or csv
  --svg DIR          also write DIR/load.svg and DIR/disruption.svg
  --quiet            no progress bar (it shows only on a terminal, for runs over a second)

Defaults took 16 s on 2 busy shared cores (the five consistent algorithms alone 10.6 s there,
8.5 s idle); most of it is rendezvous (1000 scores per flow) and the policies that look at
every backend per flow (round-robin, least-connections). Each --balance-factor value replays
the flows over every consistent table (1000 backends, 1.25,1.5,2: 55 s there in all).
`,
  options: {
    config: { type: "string" },
    algorithms: { type: "string" },
    sizes: { type: "string" },
    backends: { type: "string" },
    churn: { type: "string" },
    "balance-factor": { type: "string" },
    trials: { type: "string" },
    seed: { type: "string" },
    samples: { type: "string" },
    format: { type: "string" },
    svg: { type: "string" },
    quiet: { type: "boolean" },
  },
  positionals: [0, 0],
  run(values, _positionals, io) {
    const format = str(values, "format") ?? "text";
    if (format !== "text" && format !== "json" && format !== "csv") usage(`--format must be text, json or csv, got ${JSON.stringify(format)}`);
    const algorithms = values.algorithms === undefined ? DEFAULTS.algorithms : listValue("algorithms", str(values, "algorithms")!).map(algorithmName);
    if (values.config !== undefined && values.backends !== undefined) usage("give --config or --backends, not both");
    const trials = values.trials === undefined ? DEFAULTS.trials : intValue("trials", str(values, "trials")!, 1, 1000);
    const seed = values.seed === undefined ? DEFAULTS.seed : intValue("seed", str(values, "seed")!, 0, 0xffffffff);
    const samples = values.samples === undefined ? DEFAULTS.samples : intValue("samples", str(values, "samples")!, 1000, 1 << 22);
    const backendsFlag = values.backends === undefined ? DEFAULTS.backends : intValue("backends", str(values, "backends")!, 2, MAX_BACKENDS);
    const sizes = values.sizes === undefined ? DEFAULTS.sizes : listValue("sizes", str(values, "sizes")!).map((s) => intValue("sizes", s, 1, MAX_SIZE));
    const svgDir = str(values, "svg");
    if (svgDir === "") usage("--svg needs a directory");
    const fleet: FleetSource = values.config !== undefined ? fleetFromConfig(str(values, "config")!) : { kind: "generated", backends: backendsFlag };
    const n = fleet.kind === "generated" ? fleet.backends : fleet.backends.length;
    // The default churn list keeps the steps that fit the fleet (--backends 10 → 1); a list
    // given by hand is checked as given.
    const churn = values.churn === undefined ? DEFAULTS.churn.filter((k) => k < n) : listValue("churn", str(values, "churn")!).map((k) => intValue("churn", k, 1, MAX_BACKENDS));
    for (const k of churn) if (k >= n) usage(`--churn ${k} must be smaller than the ${n} backends`);
    const maxAdded = Math.max(...churn);
    const balanceFactors = values["balance-factor"] === undefined ? [] : listValue("balance-factor", str(values, "balance-factor")!).map(factorValue);
    if (balanceFactors.length > 0 && !algorithms.some(isConsistent)) usage(`--balance-factor bounds a consistent table: --algorithms needs one of ${CONSISTENT.join(", ")}`);
    for (const c of balanceFactors) {
      // Envoy computes the total slots ((active + 1) · factor + 99) / 100 in uint32: past 2^32 it
      // wraps and every backend reads as overloaded, which is not what c means.
      if ((samples + 1) * Math.round(c * 100) + 99 > 0xffffffff) usage(`--balance-factor ${c}: (${samples} flows + 1) × ${Math.round(c * 100)} overflows Envoy's uint32 slot count; use a smaller c or fewer --samples`);
    }
    if (algorithms.includes("maglev")) {
      for (const s of sizes) {
        if (!isPrime(s)) usage(`--sizes ${s} is not prime (Maglev table sizes are primes such as 65537 or 655373)`);
        if (s < n + maxAdded) usage(`--sizes ${s} is smaller than the ${n} + ${maxAdded} backends a Maglev table must hold`);
      }
    }
    if (svgDir !== undefined) {
      try {
        fs.mkdirSync(svgDir, { recursive: true });
      } catch (e) {
        usage(`cannot create --svg directory ${JSON.stringify(svgDir)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    }
    const bar = progressBar(io, values.quiet !== true);
    const result = simulate({ algorithms, sizes, fleet, churn, balanceFactors, trials, seed, samples, onProgress: (d, t, l) => bar.update(d, t, l) });
    bar.end();
    if (svgDir !== undefined) {
      for (const [file, svg] of [["load.svg", loadSvg(result)], ["disruption.svg", disruptionSvg(result)]] as const) {
        const p = path.join(svgDir, file);
        try {
          fs.writeFileSync(p, svg);
        } catch (e) {
          usage(`cannot write ${JSON.stringify(p)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        }
      }
    }
    if (format === "json") io.out(`${JSON.stringify(toJson(result), null, 2)}\n`);
    else if (format === "csv") io.out(toCsv(result));
    else {
      io.out(toText(result));
      if (svgDir !== undefined) io.out(`\ncharts: ${path.join(svgDir, "load.svg")}, ${path.join(svgDir, "disruption.svg")}\n`);
    }
  },
};
