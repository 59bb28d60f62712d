// Determinism: the same inputs give the same tables and hashes on every engine, on every
// repeated run (in this process, after unrelated work, and in a fresh process), and — where
// the profile sorts its backends (Envoy, Katran, Cilium Maglev; rendezvous and glb by
// construction) — whatever order the backends are listed in. IPVS walks backends in
// insertion order, as the kernel does, so its table may depend on the order: checked too.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FlowBatch, FlowHasher, GlbTable, Maglev, Rendezvous, engine, hashes, jump, useEngine, type EngineKind, type MaglevBackend, type MaglevProfileName } from "../../src/index.js";
import { buildPacket } from "../packet-build.js";
import { Rng } from "../rng.js";

const ENGINES: EngineKind[] = ["wasm-simd", "wasm", "js"];

/** FNV-1a over numbers (as u32 words) and bigints: a fingerprint of a run's outputs. */
class Print {
  h = 0x811c9dc5;
  n = 0;
  add(x: number | bigint): void {
    if (typeof x === "bigint") {
      this.add(Number(x & 0xffffffffn));
      this.add(Number(x >> 32n));
      return;
    }
    this.h = Math.imul(this.h ^ (x >>> 0), 0x01000193) >>> 0;
    this.n++;
  }
  all(xs: ArrayLike<number>): void {
    for (let i = 0; i < xs.length; i++) this.add(xs[i]!);
  }
  toString(): string {
    return `${this.h.toString(16).padStart(8, "0")}/${this.n}`;
  }
}

function backends(profile: MaglevProfileName, n: number, rng: Rng): MaglevBackend[] {
  return Array.from({ length: n }, (_, i) => {
    const address = `10.1.${i >> 8}.${i & 255}`;
    const weight = 1 + rng.int(4);
    if (profile === "katran") return { id: `k${i}`, hash: BigInt(rng.u32()) * 4294967296n + BigInt(rng.u32()), weight };
    if (profile === "envoy") return { id: `${address}:80`, weight };
    return { id: `${address}:80`, address, port: 80, weight };
  });
}

const CASES: [MaglevProfileName, number, number][] = [
  ["envoy", 65537, 100],
  ["envoy", 251, 7],
  ["katran", 65537, 100],
  ["cilium", 16381, 100],
  ["ipvs", 4093, 100],
];

/** Everything flowpin computes, from fixed inputs, as fingerprints by name. */
function run(): Record<string, string> {
  const out: Record<string, string> = {};
  const rng = new Rng(4242);
  for (const [profile, size, n] of CASES) {
    const p = new Print();
    p.all(new Maglev({ profile, size, backends: backends(profile, n, rng) }).table);
    out[`maglev ${profile} ${size}x${n}`] = p.toString();
  }
  const glb = new GlbTable({ seed: rng.bytes(16), hashKey: rng.bytes(16), backends: ["10.0.0.1", { address: "2001:db8::2", state: "draining" }, "10.0.0.3", { address: "10.0.0.4", healthy: false }] });
  const g = new Print();
  g.all(glb.rows());
  out.glb = g.toString();
  const hashesLo = Uint32Array.from({ length: 20000 }, () => rng.u32());
  for (const prof of ["flowpin", "envoy"] as const) {
    const r = new Print();
    r.all(new Rendezvous({ profile: prof, backends: Array.from({ length: 50 }, (_, i) => ({ id: `r${i}`, weight: 1 + (i % 5) })) }).pickBatch(hashesLo, new Uint32Array(hashesLo.length)));
    out[`rendezvous ${prof}`] = r.toString();
  }
  const j = new Print();
  for (let i = 0; i < 2000; i++) j.add(jump(BigInt(rng.u32()) * 4294967296n + BigInt(rng.u32()), 1 + rng.int(1000)));
  out.jump = j.toString();

  const hashers: [string, FlowHasher][] = [
    ["flowpin", new FlowHasher({ key: rng.bytes(8) })],
    ["flowpin symmetric", new FlowHasher({ key: rng.bytes(8), symmetric: true })],
    ["toeplitz", new FlowHasher({ profile: "toeplitz" })],
    ["katran", new FlowHasher({ profile: "katran" })],
    ["cilium", new FlowHasher({ profile: "cilium" })],
    ["envoy", new FlowHasher({ profile: "envoy" })],
    ["glb", new FlowHasher({ profile: "glb", key: rng.bytes(16), glb: { fields: ["src_addr", "src_port"] } })],
  ];
  const flows = Array.from({ length: 300 }, (_, i) => ({
    src: i % 3 === 0 ? `2001:db8::${i.toString(16)}` : `198.51.${i >> 8}.${i & 255}`,
    dst: i % 3 === 0 ? "2001:db8::1" : "203.0.113.1",
    sport: rng.int(65536),
    dport: 443,
    proto: i % 2 ? "tcp" : "udp",
  })) as { src: string; dst: string; sport: number; dport: number; proto: "tcp" | "udp" }[];
  const packets = flows.map((f, i) => buildPacket({ src: Uint8Array.from(f.src.includes(":") ? new Uint8Array(16).fill(i & 255) : [198, 51, 0, i & 255]), dst: new Uint8Array(f.src.includes(":") ? 16 : 4).fill(7), sport: f.sport, dport: f.dport, proto: f.proto === "tcp" ? 6 : 17 }, { seed: i }));
  for (const [name, h] of hashers) {
    const p = new Print();
    for (const f of flows) p.add(h.hash(f));
    const batch = new FlowBatch(flows.length);
    flows.forEach((f, i) => batch.set(i, f.src.includes(":") ? { ...f, src: "192.0.2.1", dst: "192.0.2.2" } : f));
    h.hashBatch(batch);
    p.all(batch.hashes);
    p.all(batch.hashesHi);
    batch.dispose();
    const r = h.hashPackets(packets);
    p.all(r.hashes);
    p.all(r.status);
    out[`flow hash ${name}`] = p.toString();
  }
  const data = rng.bytes(1000);
  const prim = new Print();
  for (let len = 0; len <= 200; len += 7) {
    const d = data.subarray(0, len);
    prim.add(hashes.xxh32(d, 1));
    prim.add(hashes.xxh64(d, 2n));
    prim.add(hashes.murmur3_32(d, 3));
    for (const x of hashes.murmur3_128(d, 4)) prim.add(x);
    prim.add(hashes.jhash(d, 5));
    prim.add(hashes.siphash24(d, data.subarray(0, 16)));
    prim.add(hashes.siphash13(d, data.subarray(16, 32)));
    prim.add(hashes.halfsiphash24(d, data.subarray(0, 8)));
    prim.add(hashes.halfsiphash13(d, data.subarray(8, 16)));
    prim.add(hashes.toeplitz(d.subarray(0, 36), data.subarray(0, 40)));
  }
  out.primitives = prim.toString();
  return out;
}

describe("determinism", () => {
  it("every engine, and every repeated run, gives the same tables and hashes", () => {
    const before = engine();
    const runs: Record<string, Record<string, string>> = {};
    try {
      for (const k of ENGINES) {
        useEngine(k);
        runs[k] = run();
        // Unrelated work in between must not matter (scratch reuse, parameter caches).
        new Maglev({ backends: backends("envoy", 300, new Rng(9), ), size: 4093 }).withBackends([{ id: "x" }]);
        runs[`${k} again`] = run();
      }
    } finally {
      useEngine(before);
    }
    const first = runs["wasm-simd"]!;
    for (const [name, r] of Object.entries(runs)) expect(r, name).toEqual(first);
    const outputs = Object.values(first).reduce((s, v) => s + Number(v.split("/")[1]), 0);
    console.log(`determinism: ${Object.keys(first).length} computations (${outputs} output words) identical on ${ENGINES.join(", ")}, twice each`);
  });

  it("a fresh process computes the same tables (nothing depends on time, addresses or state)", () => {
    const script = `
      import { Maglev, GlbTable } from ${JSON.stringify(path.resolve(import.meta.dirname, "../../dist/index.js"))};
      const ids = Array.from({ length: 100 }, (_, i) => ({ id: "10.1.0." + i + ":80", weight: 1 + (i % 3) }));
      const t = new Maglev({ backends: ids }).table;
      let h = 0x811c9dc5; for (const x of t) h = Math.imul(h ^ x, 0x01000193) >>> 0;
      const g = new GlbTable({ seed: new Uint8Array(16).fill(1), hashKey: new Uint8Array(16).fill(2), backends: ["10.0.0.1", "10.0.0.2", "10.0.0.3"] }).rows();
      for (const x of g) h = Math.imul(h ^ x, 0x01000193) >>> 0;
      console.log(h);`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(child.status, child.stderr).toBe(0);
    let h = 0x811c9dc5;
    const ids = Array.from({ length: 100 }, (_, i) => ({ id: `10.1.0.${i}:80`, weight: 1 + (i % 3) }));
    for (const x of new Maglev({ backends: ids }).table) h = Math.imul(h ^ x, 0x01000193) >>> 0;
    for (const x of new GlbTable({ seed: new Uint8Array(16).fill(1), hashKey: new Uint8Array(16).fill(2), backends: ["10.0.0.1", "10.0.0.2", "10.0.0.3"] }).rows()) h = Math.imul(h ^ x, 0x01000193) >>> 0;
    expect(Number(child.stdout.trim())).toBe(h);
  });

  it("backend order does not matter where the profile sorts (envoy, katran, cilium; rendezvous, glb)", () => {
    const rng = new Rng(31337);
    const shuffle = <T,>(a: readonly T[]): T[] => {
      const b = a.slice();
      for (let i = b.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [b[i], b[j]] = [b[j]!, b[i]!];
      }
      return b;
    };
    const ids = (lb: Maglev): string[] => Array.from(lb.table, (i) => lb.backends[i]!.id);
    let compared = 0;
    const ipvsDiffers: number[] = [];
    for (const [profile, size, n] of CASES) {
      const list = backends(profile, n, rng);
      const base = ids(new Maglev({ profile, size, backends: list }));
      for (let t = 0; t < 3; t++) {
        const other = ids(new Maglev({ profile, size, backends: shuffle(list) }));
        if (profile === "ipvs") {
          ipvsDiffers.push(other.reduce((s, id, i) => s + (id === base[i] ? 0 : 1), 0));
          continue;
        }
        expect(other, `${profile} ${size}x${n}, shuffle ${t}`).toEqual(base);
        compared++;
      }
    }
    // IPVS takes destinations in insertion order (the kernel's list), so order shows.
    expect(Math.max(...ipvsDiffers)).toBeGreaterThan(0);

    const rdvList = Array.from({ length: 40 }, (_, i) => ({ id: `r${i}`, weight: 1 + (i % 4) }));
    const sample = Uint32Array.from({ length: 20000 }, () => rng.u32());
    const pickIds = (r: Rendezvous): string[] => Array.from(r.pickBatch(sample, new Uint32Array(sample.length)), (i) => r.backends[i]!.id);
    const rdvBase = pickIds(new Rendezvous({ backends: rdvList }));
    for (let t = 0; t < 3; t++) expect(pickIds(new Rendezvous({ backends: shuffle(rdvList) }))).toEqual(rdvBase);

    const glbList = ["10.0.0.1", "10.0.0.2", "2001:db8::3", "10.0.0.4", "10.0.0.5", "10.0.0.6"];
    const glbIds = (t: GlbTable): string[] => Array.from(t.rows(), (i) => t.backends[i]!.address);
    const opts = { seed: new Uint8Array(16).fill(5), hashKey: new Uint8Array(16).fill(6) };
    const glbBase = glbIds(new GlbTable({ ...opts, backends: glbList }));
    for (let t = 0; t < 3; t++) expect(glbIds(new GlbTable({ ...opts, backends: shuffle(glbList) }))).toEqual(glbBase);
    console.log(`determinism: ${compared} shuffled Maglev fleets (envoy, katran, cilium) gave identical tables by id; rendezvous 3 x 20000 picks and glb 3 x 65536 rows identical; ipvs tables differ by up to ${Math.max(...ipvsDiffers)} slots under reordering (insertion order, as the kernel)`);
  });
});
