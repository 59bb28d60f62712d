// The maglev table kind of `flowpin table` / `flowpin diff`, in-process (the lead's spawn
// tests cover dist/cli.js).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Maglev } from "../src/index.js";
import { run } from "../src/cli/run.js";
import { KINDS } from "../src/cli/table-kinds.js";
import type { FleetConfig } from "../src/cli/config.js";
import { loadVectors } from "./vectors.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-maglev-cli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, data: string | Uint8Array): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; bytes: Uint8Array; err: string }> {
  const chunks: Uint8Array[] = [];
  let err = "";
  const io = {
    out: (d: string | Uint8Array) => void chunks.push(typeof d === "string" ? new TextEncoder().encode(d) : d),
    err: (t: string) => void (err += t),
    stderrIsTTY: false,
    env: {},
  };
  const code = await run(argv, io);
  const bytes = Uint8Array.from(chunks.flatMap((c) => Array.from(c)));
  return { code, out: new TextDecoder().decode(bytes), bytes, err };
}

const V = loadVectors("maglev");
const basic = V.vectors.find((v: { id: string }) => v.id === "envoy.basic");
const config: FleetConfig = {
  algorithm: "maglev",
  profile: "envoy",
  size: basic.inputs.table_size,
  backends: basic.inputs.hash_keys_in_host_order.map((id: string) => ({ id, weight: 1 })),
};

describe("maglev table kind", () => {
  const kind = KINDS.maglev!;

  it("is registered and builds the JSON the CLI contract names", () => {
    const built = kind.fromConfig(config);
    expect(built.json()).toEqual({
      algorithm: "maglev",
      profile: "envoy",
      size: 7,
      backends: basic.inputs.hash_keys_in_host_order,
      table: basic.expected.table_as_host_index,
    });
  });

  it("text shows shares and a compact view; bin is Maglev.toBytes()", () => {
    const built = kind.fromConfig(config);
    const text = built.text();
    expect(text).toMatch(/profile envoy, size 7, 6 backends/);
    expect(text).toMatch(/127\.0\.0\.1:90\s+1\s+2\s+28\.571%\s+16\.667%/);
    expect(text).toContain(basic.expected.table_as_host_index.join(""));
    const back = kind.fromBytes!(built.bin!())!;
    expect(back.json()).toEqual(built.json());
    expect(kind.fromBytes!(new Uint8Array([1, 2, 3, 4, 5]))).toBeUndefined();
  });

  it("profile fields and options from the config (katran string hashes, cilium hex seed, unhealthy backends)", () => {
    const k = kind.fromConfig({ algorithm: "maglev", profile: "katran", version: "v2", size: 7, backends: [{ id: "a", weight: 2, hash: "1000" }, { id: "b", hash: 2000 }] });
    const ref = new Maglev({ profile: "katran", version: "v2", size: 7, backends: [{ id: "a", weight: 2, hash: 1000n }, { id: "b", hash: 2000n }] });
    expect((k.json() as { table: number[] }).table).toEqual(Array.from(ref.table));
    // 24 hex digits = the 12 bytes of Cilium's default base64 seed JLfvgnHc2kaSUFaI.
    const hexSeed = Array.from(atob("JLfvgnHc2kaSUFaI"), (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
    const c1 = kind.fromConfig({ algorithm: "maglev", profile: "cilium", size: 251, seed: hexSeed, backends: [{ id: "a", address: "10.0.0.1", port: 80 }, { id: "b", address: "10.0.0.2", port: 80 }] });
    const c2 = kind.fromConfig({ algorithm: "maglev", profile: "cilium", size: 251, backends: [{ id: "a", address: "10.0.0.1", port: 80 }, { id: "b", address: "10.0.0.2", port: 80 }] });
    expect(c1.json()).toEqual(c2.json());
    const drained = kind.fromConfig({ ...config, backends: config.backends.map((b, i) => ({ ...b, ...(i === 0 ? { healthy: false } : i === 1 ? { state: "draining" } : {}) })) });
    const t = (drained.json() as { table: number[] }).table;
    expect(t).not.toContain(0);
    expect(t).not.toContain(1);
  });

  it("diff: configs, JSON tables and binary tables", () => {
    const a = kind.fromConfig(config);
    const b = kind.fromConfig({ ...config, backends: config.backends.slice(1) });
    const d = a.diff(b).json() as { moved: number; backends: { id: string; status: string; lost: number }[] };
    const removed = d.backends.find((x) => x.id === config.backends[0]!.id)!;
    expect(removed.status).toBe("removed");
    expect(d.moved).toBeGreaterThanOrEqual(removed.lost);
    const fromJson = kind.fromJson!(a.json() as Record<string, unknown>);
    expect(fromJson.diff(b).json()).toEqual(d);
    expect(a.diff(b).text()).toMatch(/slots moved: \d+ of 7/);
  });

  it("bad configs fail naming the field", () => {
    const bad = (c: Partial<FleetConfig>, msg: RegExp) => expect(() => kind.fromConfig({ ...config, ...c } as FleetConfig)).toThrow(msg);
    bad({ backends: [{ id: "a", wieght: 2 }] }, /backends\[0\]\.wieght is not a maglev backend field/);
    bad({ backends: [{ id: "a", weight: -1 }] }, /backends\[0\]\.weight/);
    bad({ size: 8 }, /size must be a prime/);
    bad({ profile: "nginx" }, /profile must be one of/);
    bad({ backends: [{ id: "a", healthy: "yes" }] }, /backends\[0\]\.healthy/);
    expect(() => kind.fromJson!({ algorithm: "maglev", profile: "envoy", size: 3, backends: ["a"], table: [0, 1, 0] })).toThrow(/table\[1\]/);
  });
});

describe("flowpin table / diff with algorithm maglev (in-process)", () => {
  it("table --format json|text|bin and diff", async () => {
    const cfg = file("fleet.json", JSON.stringify(config));
    const json = await cli("table", "--config", cfg, "--format", "json");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out).table).toEqual(basic.expected.table_as_host_index);
    const text = await cli("table", "--config", cfg, "--format", "text");
    expect(text.out).toMatch(/maglev table/);
    const bin = await cli("table", "--config", cfg, "--format", "bin");
    expect(Array.from(Maglev.fromBytes(bin.bytes).table)).toEqual(basic.expected.table_as_host_index);
    const next = file("next.json", JSON.stringify({ ...config, backends: config.backends.slice(1) }));
    const old = file("old.bin", bin.bytes);
    const diff = await cli("diff", old, next, "--format", "json");
    expect(diff.code, diff.err).toBe(0);
    expect(JSON.parse(diff.out).backends.find((b: { id: string }) => b.id === "127.0.0.1:90").status).toBe("removed");
  });

  it("a bad config exits 2 with one line naming the field", async () => {
    const cfg = file("bad.json", JSON.stringify({ ...config, backends: [{ id: "a", weight: "heavy" }] }));
    const r = await cli("table", "--config", cfg, "--format", "json");
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/backends\[0\]\.weight.*"heavy"/);
  });
});
