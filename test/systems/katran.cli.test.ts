// Every katran vector case through `flowpin route`: the config as a {"system": "katran", ...}
// file, the flows as JSON Lines, the packets as a classic pcap (raw IP, link type 101; one
// case also as Ethernet frames), compared per flow with the vector.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliBadInput, runCli } from "../cli-inprocess.js";
import { buildPcap, ethernet } from "../fuzz/pcap-build.js";
import { hex, loadSystemVectors } from "../vectors.js";

interface VectorFlow {
  flow: { src: string; dst: string; sport: number; dport: number; proto: number };
  packet: string;
  hash?: string;
  slot?: number;
  backend: string | null;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const CASES: { id: string; config: any; flows: VectorFlow[] }[] = loadSystemVectors("katran").cases;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-katran-cli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));



function writeConfig(id: string, config: unknown): string {
  const file = path.join(dir, `${id}.json`);
  fs.writeFileSync(file, JSON.stringify({ system: "katran", ...(config as object) }));
  return file;
}

async function routeJson(args: string[]): Promise<{ system: string; results: { backend: string | null; hash: string | null; slot: number | null; reason: string; explain?: string[] }[] }> {
  const r = await runCli(["route", ...args, "--format", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

function expectVector(results: { backend: string | null; hash: string | null; slot: number | null }[], flows: VectorFlow[], what: string): void {
  expect(results.length, what).toBe(flows.length);
  flows.forEach((f, i) => {
    expect({ backend: results[i]!.backend, hash: results[i]!.hash, slot: results[i]!.slot }, `${what} flow ${i} ${JSON.stringify(f.flow)}`).toEqual({
      backend: f.backend,
      hash: f.hash ?? null,
      slot: f.slot ?? null,
    });
  });
}

describe("flowpin route: katran vectors", () => {
  for (const c of CASES) {
    it(`${c.id}: JSON Lines and a raw-IP pcap`, async () => {
      const config = writeConfig(c.id, c.config);
      const jsonl = path.join(dir, `${c.id}.jsonl`);
      fs.writeFileSync(jsonl, c.flows.map((f) => JSON.stringify(f.flow)).join("\n") + "\n");
      const fromFlows = await routeJson(["--config", config, "--input", jsonl]);
      expect(fromFlows.system).toBe("katran");
      expectVector(fromFlows.results, c.flows, `${c.id} --input`);
      const cap = path.join(dir, `${c.id}.pcap`);
      fs.writeFileSync(cap, buildPcap(c.flows.map((f) => hex(f.packet)), { linkType: 101 }));
      expectVector((await routeJson(["--config", config, "--pcap", cap])).results, c.flows, `${c.id} --pcap`);
    });
  }

  it("an Ethernet pcap, CSV input and JSON lines carrying the packet hex give the same routes", async () => {
    const c = CASES.find((x) => x.id === "v6-tcp-port0-noflags-r65537")!;
    const config = writeConfig(`${c.id}-eth`, c.config);
    const cap = path.join(dir, `${c.id}-eth.pcap`);
    fs.writeFileSync(cap, buildPcap(c.flows.map((f) => ethernet(hex(f.packet))), { linkType: 1 }));
    expectVector((await routeJson(["--config", config, "--pcap", cap])).results, c.flows, "ethernet pcap");
    const csv = path.join(dir, `${c.id}.csv`);
    fs.writeFileSync(csv, `src,dst,sport,dport,proto\n${c.flows.map((f) => [f.flow.src, f.flow.dst, f.flow.sport, f.flow.dport, f.flow.proto].join(",")).join("\n")}\n`);
    expectVector((await routeJson(["--config", config, "--input", csv])).results, c.flows, "csv");
    const packets = path.join(dir, `${c.id}-packets.jsonl`);
    fs.writeFileSync(packets, c.flows.map((f) => JSON.stringify({ packet: f.packet })).join("\n"));
    expectVector((await routeJson(["--config", config, "--input", packets])).results, c.flows, "packet lines");
  });

  it("--flow and --explain show the steps, the seed from the ring size among them", async () => {
    const c = CASES.find((x) => x.id === "v4-udp-port0-noflags-r251")!;
    const config = writeConfig(`${c.id}-explain`, c.config);
    const f = c.flows.find((x) => x.backend !== null && x.flow.dport !== 0)!;
    const spec = `src=${f.flow.src},dst=${f.flow.dst},sport=${f.flow.sport},dport=${f.flow.dport},proto=${f.flow.proto}`;
    const out = await routeJson(["--config", config, "--flow", spec, "--explain"]);
    expectVector(out.results, [f], "--flow");
    const steps = out.results[0]!.explain!.join("\n");
    expect(steps).toContain("port-0 VIP");
    expect(steps).toContain(`seed ${512 * 251}`);
    const text = await runCli(["route", "--config", config, "--flow", spec, "--format", "text"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(f.backend!);
  });

  it("a config Katran refuses is exit 2 with one line naming the field", async () => {
    const c = CASES[0]!;
    const bad = writeConfig("bad-ring", { ...c.config, ring_size: 65536 });
    expect(await cliBadInput(["route", "--config", bad, "--flow", "src=1.2.3.4,dst=192.0.2.10,sport=1,dport=443,proto=6"])).toMatch(/ring_size.*prime.*65536/);
    const typo = writeConfig("bad-field", { ...c.config, ring_sise: 13 });
    expect(await cliBadInput(["route", "--config", typo, "--flow", "src=1.2.3.4,dst=192.0.2.10,sport=1,dport=443,proto=6"])).toMatch(/ring_sise.*did you mean "ring_size"/);
  });
});
