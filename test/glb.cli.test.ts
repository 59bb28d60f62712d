// `flowpin table` and `flowpin diff` with "algorithm": "glb" and "rendezvous", through the
// CLI driver (src/cli/run.ts) in-process.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import { GlbTable, Rendezvous } from "../src/index.js";
import { hex, loadVectors } from "./vectors.js";

const V = loadVectors("rendezvous").vectors as { id: string; inputs: any; expected: any }[];
const t0 = V.find((v) => v.id === "glb-cli-t0-draining0")!;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-glb-cli-"));

async function flowpin(args: string[]): Promise<{ code: number; out: Uint8Array; text: string; err: string }> {
  const chunks: Uint8Array[] = [];
  let err = "";
  const code = await run(args, {
    out: (d) => chunks.push(typeof d === "string" ? new TextEncoder().encode(d) : d),
    err: (t) => (err += t),
    stderrIsTTY: false,
    env: {},
  });
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return { code, out, text: new TextDecoder().decode(out), err };
}

function write(name: string, doc: unknown): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof doc === "string" || doc instanceof Uint8Array ? doc : JSON.stringify(doc));
  return p;
}

const glbConfig = {
  algorithm: "glb",
  seed: t0.inputs.seed_hex,
  hash_key: t0.inputs.hash_key_hex,
  backends: t0.inputs.backends.map((ip: string, i: number) => ({ ip, state: t0.inputs.states[i], healthy: t0.inputs.healthy[i] })),
  binds: [{ ip: "192.0.2.1", proto: "tcp", port: 443 }],
};

describe("flowpin table / diff, algorithm glb", () => {
  it("JSON rows match the vector (glb-cli-t0-draining0)", async () => {
    const r = await flowpin(["table", "--config", write("glb.json", glbConfig), "--format", "json"]);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.text);
    expect(doc.algorithm).toBe("glb");
    expect(doc.size).toBe(65536);
    expect(doc.backends).toEqual(t0.inputs.backends);
    for (const [row, want] of Object.entries(t0.expected.rows) as [string, any][]) expect(doc.rows[Number(row)]).toEqual([want.primary_idx, want.secondary_idx]);
  });

  it("--format bin is glb-director's file, the same bytes as GlbTable.toBytes()", async () => {
    const r = await flowpin(["table", "--config", write("glb2.json", glbConfig), "--format", "bin"]);
    expect(r.code, r.err).toBe(0);
    const t = new GlbTable({ seed: hex(glbConfig.seed), hashKey: hex(glbConfig.hash_key), backends: glbConfig.backends.map((b: any) => ({ address: b.ip, state: b.state, healthy: b.healthy })), binds: glbConfig.binds as never });
    expect(firstDiff(r.out, t.toBytes())).toBe(-1);
  });

  it("diff: draining backend 0 vs all active; config against the binary file and the JSON table", async () => {
    const active = write("active.json", { ...glbConfig, backends: glbConfig.backends.map((b: any) => ({ ...b, state: "active" })) });
    const draining = write("draining.json", glbConfig);
    const bin = path.join(dir, "draining.bin");
    fs.writeFileSync(bin, (await flowpin(["table", "--config", draining, "--format", "bin"])).out);
    const tableJson = write("draining.table.json", (await flowpin(["table", "--config", draining, "--format", "json"])).text);
    // Rows whose primary changes are exactly the rows backend 0 was primary in (glb-cli-t0-active).
    const expectedPrimary = V.find((v) => v.id === "glb-cli-t0-active")!.expected.primary_counts_over_65536["0"];
    for (const other of [draining, bin, tableJson]) {
      const r = await flowpin(["diff", active, other, "--format", "json"]);
      expect(r.code, r.err).toBe(0);
      const d = JSON.parse(r.text);
      expect(d.primaryChanged).toBe(expectedPrimary);
      // A swap changes both columns of the row; nothing else changes.
      expect(d.eitherChanged).toBe(expectedPrimary);
    }
  });

  it("text format: per-backend rows as primary and secondary", async () => {
    const r = await flowpin(["table", "--config", write("glb-text.json", glbConfig), "--format", "text"]);
    expect(r.code, r.err).toBe(0);
    expect(r.text).toMatch(/glb table: 65536 rows, 3 backends/);
    // Backend 0 drains: it is primary in no row (glb-cli-t0-draining0 pair counts).
    expect(r.text).toMatch(/1\.2\.3\.4\s+draining\s+0\s+0\.000%/);
  });

  it("bad configs: one line, exit 2", async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...glbConfig, seed: "1234" }, /seed/],
      [{ ...glbConfig, hash_key: undefined }, /hash_key/],
      [{ ...glbConfig, backends: [] }, /empty/],
      [{ ...glbConfig, backends: [{ ip: "1.2.3.4" }, { ip: "1.2.3.4" }] }, /1\.2\.3\.4/],
      [{ ...glbConfig, backends: [{ ip: "1.2.3.4", weight: 2 }] }, /weight/],
      [{ ...glbConfig, size: 65537 }, /65536/],
      [{ ...glbConfig, backends: Array.from({ length: 257 }, (_, i) => ({ ip: `10.0.${i >> 8}.${i & 255}` })) }, /256/],
    ];
    for (const [i, [doc, msg]] of cases.entries()) {
      const r = await flowpin(["table", "--config", write(`bad${i}.json`, doc), "--format", "json"]);
      expect(r.code, JSON.stringify(doc).slice(0, 80)).toBe(2);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).toMatch(msg);
    }
    const trunc = write("trunc.bin", (await flowpin(["table", "--config", write("ok.json", glbConfig), "--format", "bin"])).out.subarray(0, 1000));
    const r = await flowpin(["diff", trunc, trunc]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/glb-director/);
  });
});

describe("flowpin table / diff, algorithm rendezvous", () => {
  const cfg = { algorithm: "rendezvous", size: 4096, backends: [{ id: "a", weight: 1 }, { id: "b", weight: 2 }, { id: "c", weight: 1 }, { id: "d", state: "draining" }] };

  it("JSON table is the pick for flow hashes 0..size-1", async () => {
    const r = await flowpin(["table", "--config", write("rdv.json", cfg), "--format", "json"]);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.text);
    expect(doc.backends).toEqual(["a", "b", "c", "d"]);
    expect(doc.weights).toEqual([1, 2, 1, 0]);
    const rdv = new Rendezvous({ backends: [{ id: "a" }, { id: "b", weight: 2 }, { id: "c" }, { id: "d", weight: 0 }] });
    expect(doc.table).toHaveLength(4096);
    for (const h of [0, 1, 77, 4095]) expect(doc.table[h]).toBe(rdv.pickIndex(h));
  });

  it("diff: removing a backend moves only its hashes", async () => {
    const a = write("rdv-a.json", cfg);
    const b = write("rdv-b.json", { ...cfg, backends: cfg.backends.filter((x) => x.id !== "b") });
    const r = await flowpin(["diff", a, b, "--format", "json"]);
    expect(r.code, r.err).toBe(0);
    const d = JSON.parse(r.text);
    const before = JSON.parse((await flowpin(["table", "--config", a, "--format", "json"])).text).table as number[];
    expect(d.moved).toBe(before.filter((i) => i === 1).length);
    expect(d.disruption.moved).toBe(0);
  });

  it("text format", async () => {
    const r = await flowpin(["table", "--config", write("rdv2.json", cfg), "--format", "text"]);
    expect(r.code, r.err).toBe(0);
    expect(r.text).toMatch(/rendezvous: profile flowpin, 4 backends/);
  });
});

/** Index of the first difference between two typed arrays (or their lengths), -1 if equal: a
 * fast comparison with a readable failure, where toEqual on 0.5 MB arrays takes seconds. */
function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
