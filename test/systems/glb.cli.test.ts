// Every glb vector case through `flowpin route`: the config as a {"system": "glb", ...} file,
// the TCP/UDP flows as JSON Lines of their 5-tuples, every packet (ICMP errors and echoes,
// IPv4 options included) as a classic pcap (raw IP, link type 101), compared per flow with the
// vector. glb-director's own forwarding_table.json is read as it is (--system glb, and found
// without it), and `flowpin table` builds it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliBadInput, runCli } from "../cli-inprocess.js";
import { buildPcap } from "../fuzz/pcap-build.js";
import { hex, loadSystemVectors } from "../vectors.js";

interface VectorFlow {
  table: number;
  flow: { src: string; dst: string; sport: number; dport: number; proto: number };
  packet: string;
  hash: string;
  slot: number;
  backend: string | null;
  secondary: string | null;
  hops: string[];
  gue_udp_sport: number;
  icmp?: unknown;
  ip_options?: string;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const CASES: { id: string; config: any; flows: VectorFlow[] }[] = loadSystemVectors("glb").cases;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-glb-cli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));


function write(name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

interface CliRoute {
  backend: string | null;
  secondary: string | null;
  hash: string | null;
  slot: number | null;
  table: number | null;
  hops: string[];
  gue_udp_sport: number | null;
  reason: string;
}

async function routeJson(args: string[]): Promise<{ system: string; results: CliRoute[] }> {
  const r = await runCli(["route", ...args, "--format", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

function expectVector(results: CliRoute[], flows: VectorFlow[], what: string): void {
  expect(results.length, what).toBe(flows.length);
  flows.forEach((f, i) => {
    const r = results[i]!;
    expect({ backend: r.backend, secondary: r.secondary, hash: r.hash, slot: r.slot, table: r.table, hops: r.hops, gue_udp_sport: r.gue_udp_sport }, `${what} flow ${i} ${JSON.stringify(f.flow)}`).toEqual({
      backend: f.backend,
      secondary: f.secondary,
      hash: f.hash,
      slot: f.slot,
      table: f.table,
      hops: f.hops,
      gue_udp_sport: f.gue_udp_sport,
    });
  });
}

const usesDirectorHashFields = (c: (typeof CASES)[number]): boolean => c.config.director_conf?.hash_fields !== undefined || c.config.director_conf?.alt_hash_fields !== undefined;

describe("flowpin route --system glb: every vector case", () => {
  for (const c of CASES) {
    describe(c.id, () => {
      const config = write(`${c.id}.json`, JSON.stringify({ system: "glb", ...c.config }));
      const plain = c.flows.filter((f) => !f.icmp && !f.ip_options);

      it(`routes the ${plain.length} TCP/UDP flows read as JSON Lines`, async () => {
        const input = write(`${c.id}.jsonl`, plain.map((f) => JSON.stringify(f.flow)).join("\n") + "\n");
        const out = await routeJson(["--config", config, "--input", input]);
        expect(out.system).toBe("glb");
        expectVector(out.results, plain, `${c.id} jsonl`);
      });

      it(`routes all ${c.flows.length} packets read from a pcap`, async () => {
        const file = write(`${c.id}.pcap`, buildPcap(c.flows.map((f) => hex(f.packet))));
        expectVector((await routeJson(["--config", config, "--pcap", file])).results, c.flows, `${c.id} pcap`);
      });

      if (!usesDirectorHashFields(c)) {
        it("reads glb-director's forwarding_table.json as written, with --system glb and without", async () => {
          const native = write(`${c.id}.forwarding_table.json`, JSON.stringify(c.config.forwarding_table, null, 2));
          const file = write(`${c.id}.native.pcap`, buildPcap(c.flows.map((f) => hex(f.packet))));
          expectVector((await routeJson(["--config", native, "--system", "glb", "--pcap", file])).results, c.flows, `${c.id} native --system`);
          const found = await routeJson(["--config", native, "--pcap", file]);
          expect(found.system).toBe("glb");
          expectVector(found.results, c.flows, `${c.id} native detected`);
        });
      }
    });
  }
});

describe("flowpin route --system glb: the director's config and bad input", () => {
  const c = CASES.find((x) => x.id === "upstream-hash-fields-migration")!;

  it("takes the director config beside the forwarding table ({forwarding_table, director_conf})", async () => {
    const combined = write("combined.json", JSON.stringify({ forwarding_table: c.config.forwarding_table, director_conf: c.config.director_conf }));
    const file = write("combined.pcap", buildPcap(c.flows.map((f) => hex(f.packet))));
    expectVector((await routeJson(["--config", combined, "--system", "glb", "--pcap", file])).results, c.flows, "combined");
  });

  it("--explain shows the table, the hash input, the row and the GUE port", async () => {
    const f = c.flows[0]!;
    const config = write("explain.json", JSON.stringify({ system: "glb", ...c.config }));
    const r = await runCli(["route", "--config", config, "--flow", `src=${f.flow.src},dst=${f.flow.dst},sport=${f.flow.sport},dport=${f.flow.dport},proto=tcp`, "--explain", "--format", "text"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(f.backend!);
    expect(r.stdout).toContain("table 0");
    expect(r.stdout).toContain(f.hash);
    expect(r.stdout).toContain(`row = hash & 0xffff = ${f.slot}`);
    expect(r.stdout).toContain(`= ${f.gue_udp_sport}`);
  });

  it("a flow no bind serves: no backend, reason no-bind", async () => {
    const config = write("nobind.json", JSON.stringify({ system: "glb", ...c.config }));
    const out = await routeJson(["--config", config, "--flow", "src=10.0.0.1,dst=1.1.1.1,sport=1000,dport=22,proto=tcp"]);
    expect(out.results[0]).toMatchObject({ backend: null, hash: null, slot: null, reason: "no-bind" });
  });

  it("refuses an unknown director config field with the field meant (exit 2, one line)", async () => {
    const bad = write("bad-director.json", JSON.stringify({ system: "glb", forwarding_table: c.config.forwarding_table, director_conf: { hash_feilds: { src_addr: true } } }));
    const line = await cliBadInput(["route", "--config", bad, "--flow", "src=10.0.0.1,dst=1.1.1.1,sport=1,dport=80,proto=tcp"]);
    expect(line).toContain("hash_feilds");
    expect(line).toContain('did you mean "hash_fields"');
  });

  it("refuses a malformed forwarding table with glb-director-cli's reason", async () => {
    const table = structuredClone(c.config.forwarding_table);
    table.tables[1].backends[2].state = "up";
    const bad = write("bad-table.json", JSON.stringify(table));
    const line = await cliBadInput(["route", "--config", bad, "--system", "glb", "--flow", "src=10.0.0.1,dst=1.1.1.1,sport=1,dport=80,proto=tcp"]);
    expect(line).toContain("forwarding_table.tables[1].backends[2].state");
    expect(line).toContain("Bad backend state!");
  });

  it("refuses --name: the binds pick the table", async () => {
    const native = write("name.json", JSON.stringify(c.config.forwarding_table));
    const line = await cliBadInput(["route", "--config", native, "--system", "glb", "--name", "api", "--flow", "src=10.0.0.1,dst=1.1.1.1,sport=1,dport=80,proto=tcp"]);
    expect(line).toContain("binds");
  });
});
