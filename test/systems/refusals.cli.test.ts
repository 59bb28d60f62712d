// A configuration its production system refuses is refused through the CLI, for every system
// and every command that reads system configs (route, table, diff): exit 2, one line, and the
// system's own reason. One row per system (Envoy: every refused cluster of its vector file,
// with Envoy's message from the file), in {"system": ...} JSON and, where the system has one,
// its native file.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliBadInput, runCli } from "../cli-inprocess.js";
import { loadSystemVectors } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-refusals-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(body: string | object): string {
  const p = path.join(dir, `f${n++}`);
  fs.writeFileSync(p, typeof body === "string" ? body : JSON.stringify(body));
  return p;
}
const first = (name: Parameters<typeof loadSystemVectors>[0]): Any => structuredClone(loadSystemVectors(name).cases[0].config);
const escape = (s: string): RegExp => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));

interface Row {
  what: string;
  /** The config file's text or object (JSON configs carry "system"). */
  config: string | object;
  /** Extra flags (--system for native files that need it). */
  args?: string[];
  reason: RegExp;
}

const glb = first("glb");
glb.forwarding_table.tables[0].binds[0] = { ip: "1.1.1.1", proto: "tcp", port_start: 90, port_end: 80 };
const ipvs = first("ipvs");
const nginx = structuredClone(loadSystemVectors("nginx").cases.find((c: Any) => c.id === "http-3-equal").config);

const ROWS: Row[] = [
  { what: "flowpin: one backend id twice", config: { system: "flowpin", key: "0001020304050607", backends: [{ id: "a" }, { id: "a" }] }, reason: /backends\[1\]\.id "a" appears twice/ },
  { what: "katran: a ring size that is not prime (MaglevHash could loop forever)", config: { system: "katran", ...first("katran"), ring_size: 65536 }, reason: /ring_size must be a prime .*got 65536/ },
  { what: "cilium: a Maglev table size Cilium does not support", config: { system: "cilium", ...first("cilium"), maglev: { table_size: 1000 } }, reason: /Cilium's supported Maglev table sizes\), got 1000/ },
  { what: "ipvs: a destination added twice (EEXIST)", config: { system: "ipvs", ...ipvs, operations: [...ipvs.operations, ipvs.operations[0]] }, reason: /already a destination of the service \(the kernel answers EEXIST\)/ },
  { what: "ipvs: ipvsadm-save adding a server twice (EEXIST)", config: "-A -t 203.0.113.10:80 -s mh\n-a -t 203.0.113.10:80 -r 10.0.0.1:80 -g -w 1\n-a -t 203.0.113.10:80 -r 10.0.0.1:80 -g -w 1\n", reason: /EEXIST/ },
  ...loadSystemVectors("envoy")
    .cases.filter((c: Any) => c.flows.length === 0)
    .map((c: Any): Row => ({ what: `envoy: ${c.id}`, config: { system: "envoy", ...c.config }, reason: escape(c.error) })),
  { what: "glb: a bind whose port range is empty", config: { system: "glb", ...glb }, reason: /port_start 90 is above port_end 80/ },
  { what: "glb: the same in forwarding_table.json", config: glb.forwarding_table, reason: /port_start 90 is above port_end 80/ },
  { what: "nginx: weight=0 (nginx: invalid parameter)", config: "upstream app {\n    hash $remote_addr consistent;\n    server 10.0.0.1:80 weight=0;\n    server 10.0.0.2:80;\n}\n", args: ["--system", "nginx"], reason: /invalid parameter "weight=0"/ },
  { what: "nginx: backup after hash (nginx: balancing method does not support parameter)", config: "upstream app {\n    hash $remote_addr consistent;\n    server 10.0.0.1:80;\n    server 10.0.0.2:80 backup;\n}\n", args: ["--system", "nginx"], reason: /balancing method does not support parameter "backup"/ },
  { what: "nginx: JSON config with weight 0", config: { system: "nginx", ...nginx, upstream_text: undefined, servers: nginx.servers.map((s: Any, i: number) => (i ? s : { ...s, weight: 0 })) }, reason: /servers\[0\]\.weight must be an integer in 1\.\./ },
  { what: "haproxy: a server id used twice", config: "backend be\n    mode tcp\n    balance source\n    hash-type consistent\n    server s1 127.0.0.1:9001 id 3\n    server s2 127.0.0.1:9002 id 3\n", args: ["--system", "haproxy"], reason: /id 3/ },
];

describe("what a system refuses, the CLI refuses with its reason (exit 2, one line)", () => {
  for (const row of ROWS) {
    it(row.what, async () => {
      const config = file(typeof row.config === "string" ? row.config : JSON.parse(JSON.stringify(row.config)));
      const args = row.args ?? [];
      expect(await cliBadInput(["route", "--config", config, ...args, "--flow", "src=198.51.100.7,dst=203.0.113.10,sport=40000,dport=80,proto=tcp"])).toMatch(row.reason);
      expect(await cliBadInput(["table", "--config", config, ...args])).toMatch(row.reason);
      expect(await cliBadInput(["diff", config, config, ...args])).toMatch(row.reason);
    });
  }

  it("and the same files without the fault are accepted", async () => {
    const ok = file("upstream app {\n    hash $remote_addr consistent;\n    server 10.0.0.1:80 weight=2;\n    server 10.0.0.2:80;\n}\n");
    const r = await runCli(["table", "--config", ok, "--system", "nginx", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).size).toBe(3 * 160);
  });
});

describe("--resolve and --table-size reach the file formats that need them", () => {
  const upstream = "upstream app {\n    hash $remote_addr consistent;\n    server backend-a:80;\n    server backend-b:80;\n}\n";

  it("--resolve gives a host name its addresses (one peer each), named in the route", async () => {
    const conf = file(upstream);
    const r = await runCli(["route", "--config", conf, "--system", "nginx", "--resolve", "backend-a=10.0.0.5,10.0.0.6", "--resolve", "backend-b=10.0.0.7", "--format", "json",
      ...Array.from({ length: 40 }, (_, i) => ["--flow", `src=198.51.100.${i},dst=203.0.113.1,sport=4000,dport=80,proto=tcp`]).flat()]);
    expect(r.code, r.stderr).toBe(0);
    const results: Any[] = JSON.parse(r.stdout).results;
    const seen = new Set(results.map((x) => x.backend));
    for (const b of seen) expect(["10.0.0.5:80", "10.0.0.6:80", "10.0.0.7:80"]).toContain(b);
    expect(seen.size).toBe(3);
    expect(results.every((x) => x.resolved === "caller")).toBe(true);
    // The ring hashes the server text, not the address: other addresses, the same table.
    const t1 = JSON.parse((await runCli(["table", "--config", conf, "--system", "nginx", "--resolve", "backend-a=10.0.0.5", "--resolve", "backend-b=10.0.0.7"])).stdout);
    const t2 = JSON.parse((await runCli(["table", "--config", conf, "--system", "nginx", "--resolve", "backend-a=192.0.2.1", "--resolve", "backend-b=192.0.2.2"])).stdout);
    expect(t1.backends).toEqual(["backend-a:80", "backend-b:80"]);
    expect(t2).toEqual(t1);
  });

  it("--resolve and --table-size are refused where they would be ignored, and bad values named", async () => {
    const conf = file(upstream);
    expect(await cliBadInput(["table", "--config", conf, "--system", "nginx", "--resolve", "backend-a"])).toMatch(/--resolve must be NAME=IP/);
    expect(await cliBadInput(["table", "--config", conf, "--system", "nginx", "--resolve", "backend-a=not-an-ip", "--resolve", "backend-b=10.0.0.7"])).toMatch(/not-an-ip/);
    expect(await cliBadInput(["table", "--config", conf, "--system", "nginx", "--resolve", "backend-a=10.0.0.5", "--resolve", "backend-b=10.0.0.7", "--table-size", "251"])).toMatch(/--table-size applies to ipvsadm-save files/);
    const save = file("-A -t 203.0.113.10:80 -s mh\n-a -t 203.0.113.10:80 -r 10.0.0.1:80 -g -w 1\n");
    expect(await cliBadInput(["table", "--config", save, "--resolve", "a=10.0.0.1"])).toMatch(/--resolve applies to nginx.conf files/);
    expect(await cliBadInput(["table", "--config", save, "--table-size", "1000"])).toMatch(/tableSize must be one of 251, 509/);
    expect(await cliBadInput(["table", "--config", file({ system: "ipvs", ...first("ipvs") }), "--table-size", "251"])).toMatch(/--table-size applies to ipvsadm-save files/);
  });

  it("--table-size sizes the mh table of an ipvsadm-save file, as CONFIG_IP_VS_MH_TAB_INDEX would", async () => {
    const sized = loadSystemVectors("ipvs").cases.filter((x: Any) => x.ipvsadm && x.config.operations.every((o: Any) => o.op === "add") && x.config.table_size !== undefined && x.config.table_size !== 4093);
    expect(sized.length).toBeGreaterThan(3);
    for (const c of sized) {
      const save = file(`${c.ipvsadm.map((l: string) => l.replace(/^ipvsadm /, "")).join("\n")}\n`);
      const flows = c.flows.filter((f: Any) => !f.flow.inverse).slice(0, 20);
      const spec = flows.flatMap((f: Any) => ["--flow", `src=${f.flow.src},dst=${f.flow.dst},sport=${f.flow.sport},dport=${f.flow.dport},proto=${f.flow.proto}`]);
      const r = await runCli(["route", "--config", save, "--table-size", String(c.config.table_size), "--format", "json", ...spec]);
      expect(r.code, r.stderr).toBe(0);
      const results: Any[] = JSON.parse(r.stdout).results;
      expect(results).toHaveLength(flows.length);
      results.forEach((x, i) => {
        expect(x.backend, c.id).toBe(flows[i].backend);
        expect(x.slot, c.id).toBe(flows[i].slot);
      });
    }
  });
});
