// `flowpin route` with {"system": "cilium", ...config}: every vector case with its flows as JSON
// Lines, two cases from a classic pcap written from the vectors' packets, --explain, and the
// error contract for configs Cilium refuses.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { buildPcap } from "../fuzz/pcap-build.js";
import { cliBadInput, runCli } from "../cli-inprocess.js";
import { hex, loadSystemVectors } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Case = any;
const cases: Case[] = loadSystemVectors("cilium").cases;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-cilium-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeConfig(c: Case, name = c.id): string {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ system: "cilium", ...c.config }));
  return file;
}

function writeJsonLines(c: Case, name = c.id): string {
  const file = path.join(dir, `${name}.jsonl`);
  fs.writeFileSync(file, c.flows.map((f: Case) => JSON.stringify(f.flow)).join("\n") + "\n");
  return file;
}

/** A classic pcap of raw IP packets (test/fuzz/pcap-build.ts), written to the test's folder. */
function writePcap(packets: Uint8Array[], name: string): string {
  const file = path.join(dir, `${name}.pcap`);
  fs.writeFileSync(file, buildPcap(packets, { linkType: 101 }));
  return file;
}

interface CliRoute {
  backend: string | null;
  hash: string | null;
  slot: number | null;
  reason: string;
  explain?: string[];
}

async function routeJson(args: string[]): Promise<CliRoute[]> {
  const r = await runCli(["route", ...args, "--format", "json"]);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(doc.system).toBe("cilium");
  return doc.results;
}

const check = (c: Case, results: CliRoute[]): void => {
  expect(results).toHaveLength(c.flows.length);
  c.flows.forEach((f: Case, i: number) => {
    const r = results[i]!;
    expect({ backend: r.backend, hash: r.hash, slot: r.slot }, `${c.id} flow ${i}`).toEqual({ backend: f.backend, hash: f.hash ?? null, slot: f.slot ?? null });
  });
};

describe("flowpin route, cilium: every vector case from JSON Lines", () => {
  for (const c of cases) {
    test(c.id, async () => {
      check(c, await routeJson(["--config", writeConfig(c), "--input", writeJsonLines(c)]));
    });
  }
});

describe("flowpin route, cilium: --pcap", () => {
  for (const id of ["v117p-v4-tcp-otherproto-m251", "v116-v6-udp-affinity-m1021-seed"]) {
    test(id, async () => {
      const c = cases.find((x) => x.id === id)!;
      const pcap = writePcap(c.flows.map((f: Case) => hex(f.packet)), id);
      check(c, await routeJson(["--config", writeConfig(c), "--pcap", pcap]));
    });
  }

  test("CSV input routes as JSON Lines do", async () => {
    const c = cases.find((x) => x.id === "v116-v6-udp-affinity-m1021-seed")!;
    const file = path.join(dir, "flows.csv");
    fs.writeFileSync(file, ["src,dst,sport,dport,proto", ...c.flows.map((f: Case) => [f.flow.src, f.flow.dst, f.flow.sport, f.flow.dport, f.flow.proto].join(","))].join("\n"));
    check(c, await routeJson(["--config", writeConfig(c), "--input", file]));
  });

  test("the vectors' packets as JSON Lines ({\"packet\": hex}) route alike", async () => {
    const c = cases.find((x) => x.id === "v117p-v6-tcp-noncanon-m1021")!;
    const file = path.join(dir, "packets.jsonl");
    fs.writeFileSync(file, c.flows.map((f: Case) => JSON.stringify({ packet: f.packet })).join("\n"));
    check(c, await routeJson(["--config", writeConfig(c), "--input", file]));
  });
});

describe("flowpin route, cilium: --explain and text", () => {
  test("--explain names the service, the swapped port word, the hash and the slot", async () => {
    const c = cases.find((x) => x.id === "v117p-v4-tcp-affinity-weights-m65521")!;
    const f = c.flows.find((x: Case) => x.backend !== null);
    const spec = `src=${f.flow.src},dst=${f.flow.dst},sport=${f.flow.sport},dport=${f.flow.dport},proto=${f.flow.proto}`;
    const [r] = await routeJson(["--config", writeConfig(c), "--flow", spec, "--explain"]);
    expect(r!.backend).toBe(f.backend);
    const text = r!.explain!.join("\n");
    expect(text).toContain(c.config.service.frontend);
    expect(text).toContain("session affinity zeroes the client port");
    expect(text).toContain(f.hash);
    expect(text).toContain(`mod ${c.config.maglev.table_size} = ${f.slot}`);
  });

  test("--explain says why a flow to another port gets no backend", async () => {
    const c = cases.find((x) => x.id === "v117p-v4-tcp-3be-m251")!;
    const [r] = await routeJson(["--config", writeConfig(c), "--flow", "src=198.51.100.7,dst=203.0.113.10,sport=40000,dport=80,proto=tcp", "--explain"]);
    expect(r).toMatchObject({ backend: null, hash: null, slot: null, reason: "no-service" });
    expect(r!.explain!.join(" ")).toMatch(/destination port 80 is not the frontend's/);
  });

  test("text output: one line per flow and a per-backend summary", async () => {
    const c = cases.find((x) => x.id === "v116-v4-tcp-3be-m251")!;
    const r = await runCli(["route", "--config", writeConfig(c), "--input", writeJsonLines(c), "--format", "text"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.filter((l) => /^\d+\t/.test(l))).toHaveLength(c.flows.length);
    for (const name of Object.keys(c.cilium_state.slots_per_backend)) expect(r.stdout).toContain(name);
    expect(r.stdout).toContain("(none)");
  });
});

describe("flowpin route, cilium: bad input is exit 2 and one line", () => {
  const base = cases.find((x) => x.id === "v117p-v4-tcp-3be-m251")!;
  const variant = (name: string, edit: (config: Case) => void): string => {
    const config = structuredClone(base.config);
    edit(config);
    return writeConfig({ config }, name);
  };
  const flow = ["--flow", "src=198.51.100.7,dst=203.0.113.10,sport=40000,dport=443,proto=tcp"];

  test("a table size Cilium refuses", async () => {
    const line = await cliBadInput(["route", "--config", variant("m257", (c) => (c.maglev.table_size = 257)), ...flow]);
    expect(line).toMatch(/table_size.*251, 509, 1021.*got 257/);
  });

  test("a seed that is not base64 of 12 bytes", async () => {
    const line = await cliBadInput(["route", "--config", variant("seed", (c) => (c.maglev.hash_seed = "JLfvgnHc2ka=")), ...flow]);
    expect(line).toMatch(/hash_seed/);
  });

  test("an unknown field, with the one meant", async () => {
    const line = await cliBadInput(["route", "--config", variant("typo", (c) => (c.backends[0].wieght = 1)), ...flow]);
    expect(line).toMatch(/unknown field "wieght" \(did you mean "weight"\?\)/);
  });

  test("a flow line with an unknown field", async () => {
    const file = path.join(dir, "typo.jsonl");
    fs.writeFileSync(file, `${JSON.stringify({ src: "198.51.100.7", dst: "203.0.113.10", sport: 1, dport: 443, proto: 6, dprot: 1 })}\n`);
    const line = await cliBadInput(["route", "--config", writeConfig(base), "--input", file]);
    expect(line).toMatch(/line 1: .*unknown field "dprot"/);
  });
});
