// `flowpin route` for the ipvs system: every vector case from {"system": "ipvs", ...config} with
// its flows as JSON Lines (inverse headers included), the same cases from ipvsadm text (the
// vector's own ipvsadm command lines, and an ipvsadm-save -n file written here from the
// config), CSV input, --explain, and the error contract.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { cliBadInput, runCli } from "../cli-inprocess.js";
import { loadSystemVectors } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Case = any;
const cases: Case[] = loadSystemVectors("ipvs").cases;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-ipvs-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const PRIMES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071];

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const jsonLines = (c: Case): string => write(`${c.id}.jsonl`, c.flows.map((f: Case) => JSON.stringify(f.flow)).join("\n") + "\n");

interface CliRoute {
  backend: string | null;
  hash: string | null;
  slot: number | null;
  reason: string;
  hashInput: string | null;
  probes: number;
  slots?: number[];
  explain?: string[];
}

async function routeJson(args: string[]): Promise<CliRoute[]> {
  const r = await runCli(["route", ...args, "--format", "json"]);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(doc.system).toBe("ipvs");
  return doc.results;
}

function check(c: Case, results: CliRoute[]): void {
  expect(results).toHaveLength(c.flows.length);
  c.flows.forEach((f: Case, i: number) => {
    const r = results[i]!;
    expect({ backend: r.backend, hash: r.hash, slot: r.slot, hashInput: r.hashInput, probes: r.probes, slots: r.slots }, `${c.id} flow ${i}`).toEqual({
      backend: f.backend,
      hash: f.hash.replace(/^0x/, ""),
      slot: f.slot,
      hashInput: f.hash_input.replace(/^0x/, ""),
      probes: f.probes ?? 1,
      slots: f.slots,
    });
  });
}

const svcOpt = (s: Case): string => `${{ tcp: "-t", udp: "-u", sctp: "--sctp-service" }[s.protocol as "tcp"]} ${s.family === "inet6" ? `[${s.address}]` : s.address}:${s.port}`;
const rip = (o: Case): string => (o.address.includes(":") ? `[${o.address}]:${o.port}` : `${o.address}:${o.port}`);
const FWD: Record<string, string> = { droute: "-g", tunnel: "-i", masq: "-m" };
const tabComment = (c: Case): string => (c.config.table_size === 4093 ? "" : `# CONFIG_IP_VS_MH_TAB_INDEX=${PRIMES.indexOf(c.config.table_size) + 8}\n`);
const commandOnly = (c: Case): boolean => c.config.operations.every((o: Case) => o.op === "add" || o.op === "edit" || o.op === "delete");

/**
 * ipvsadm-restore input for a case: -A, then each operation as the ipvsadm command that sends
 * it (-a/-e/-d), in order. Only cases whose operations are all commands (overload is not one).
 */
function restoreText(c: Case): string {
  const s = c.config.service;
  const flags = s.flags.length ? ` -b ${s.flags.join(",")}` : "";
  const forward = new Map<string, string>();
  const out = [`${tabComment(c)}-A ${svcOpt(s)} -s mh${flags}`];
  for (const o of c.config.operations) {
    if (o.op === "add") forward.set(rip(o), o.forward);
    if (o.op === "delete") out.push(`-d ${svcOpt(s)} -r ${rip(o)}`);
    else out.push(`-${o.op === "add" ? "a" : "e"} ${svcOpt(s)} -r ${rip(o)} ${FWD[forward.get(rip(o))!]} -w ${o.weight}`);
  }
  return out.join("\n") + "\n";
}

/**
 * What `ipvsadm-save -n` prints after the case's adds, for cases with adds only: the service
 * line (mh flags as flag-1/flag-2, as ipvsadm 1.29 prints them) and one -a line per dest with
 * its weight, sorted by address then port (ipvs_cmp_dests). Restoring it re-adds the dests in
 * that order, so the table is the case's only when the case added them in that order.
 */
function saveText(c: Case): string | undefined {
  const s = c.config.service;
  if (!c.config.operations.every((o: Case) => o.op === "add")) return undefined;
  const words = (a: string): bigint => {
    if (!a.includes(":")) return a.split(".").reduce((x, p) => x * 256n + BigInt(p), 0n);
    const [h, t] = a.split("::");
    const g = (x: string | undefined): bigint[] => (x ? x.split(":").map((v) => BigInt(`0x${v}`)) : []);
    const head = g(h);
    const tail = g(t);
    return [...head, ...new Array(8 - head.length - tail.length).fill(0n), ...tail].reduce((x, v) => x * 65536n + v, 0n);
  };
  const key = (o: Case): [bigint, number] => [words(o.address), o.port];
  const ops = c.config.operations;
  const sorted = [...ops].sort((a: Case, b: Case) => {
    const [x, p] = key(a);
    const [y, q] = key(b);
    return x < y ? -1 : x > y ? 1 : p - q;
  });
  if (sorted.some((o: Case, i: number) => o !== ops[i])) return undefined;
  const flags = s.flags.map((f: string) => ({ "mh-fallback": "flag-1", "mh-port": "flag-2" })[f]).join(",");
  const lines = [`-A ${svcOpt(s)} -s mh${flags ? ` -b ${flags}` : ""}`, ...ops.map((o: Case) => `-a ${svcOpt(s)} -r ${rip(o)} ${FWD[o.forward]} -w ${o.weight}`)];
  return tabComment(c) + lines.join("\n") + "\n";
}

describe("flowpin route, ipvs: every vector case from JSON config and JSON Lines", () => {
  for (const c of cases) {
    test(c.id, async () => {
      const config = write(`${c.id}.json`, JSON.stringify({ system: "ipvs", ...c.config }));
      check(c, await routeJson(["--config", config, "--input", jsonLines(c)]));
    });
  }
});

describe("flowpin route, ipvs: the vector's own ipvsadm command lines as the config file", () => {
  const usable = cases.filter(commandOnly);
  test("most cases are expressible as commands", () => expect(usable.length).toBeGreaterThanOrEqual(25));
  for (const c of usable) {
    test(c.id, async () => {
      const file = write(`${c.id}.ipvsadm`, tabComment(c) + c.ipvsadm.join("\n") + "\n");
      check(c, await routeJson(["--config", file, "--input", jsonLines(c)]));
    });
  }
});

describe("flowpin route, ipvs: ipvsadm-restore text written from the config (-A, -a, -e, -d)", () => {
  for (const c of cases.filter(commandOnly)) {
    test(c.id, async () => {
      const file = write(`${c.id}.restore`, restoreText(c));
      check(c, await routeJson(["--config", file, "--system", "ipvs", "--input", jsonLines(c)]));
    });
  }
});

describe("flowpin route, ipvs: ipvsadm-save -n output written from the config", () => {
  const saved = cases.map((c) => [c, saveText(c)] as const).filter(([, t]) => t !== undefined);
  test("several cases have a save file that restores their table", () => expect(saved.length).toBeGreaterThanOrEqual(10));
  for (const [c, text] of saved) {
    test(c.id, async () => {
      check(c, await routeJson(["--config", write(`${c.id}.save`, text!), "--input", jsonLines(c)]));
    });
  }
});

describe("flowpin route, ipvs: other inputs and outputs", () => {
  const c = cases.find((x) => x.id === "flags-v4-fallback-port")!;
  const config = () => write("one.json", JSON.stringify({ system: "ipvs", ...c.config }));

  test("CSV input gives the JSON Lines decisions", async () => {
    const csv = ["src,dst,sport,dport,proto", ...c.flows.map((f: Case) => `${f.flow.src},${f.flow.dst},${f.flow.sport},${f.flow.dport},${f.flow.proto}`)].join("\n");
    check(c, await routeJson(["--config", config(), "--input", write("flows.csv", csv + "\n")]));
  });

  test("--flow specs, including inverse=true", async () => {
    const rc = cases.find((x) => x.id === "reply-direction-v4")!;
    const file = write("reply.json", JSON.stringify({ system: "ipvs", ...rc.config }));
    const inv = rc.flows.filter((f: Case) => f.flow.inverse).slice(0, 3);
    const specs = inv.flatMap((f: Case) => ["--flow", `src=${f.flow.src},dst=${f.flow.dst},sport=${f.flow.sport},dport=${f.flow.dport},proto=${f.flow.proto},inverse=true`]);
    const results = await routeJson(["--config", file, ...specs]);
    expect(results.map((r) => r.backend)).toEqual(inv.map((f: Case) => f.backend));
  });

  test("--explain shows the hash input, the hash, the slot and the fallback walk", async () => {
    const walk = c.flows.find((f: Case) => (f.probes ?? 1) > 1);
    const [r] = await routeJson(["--config", config(), "--explain", "--flow", `src=${walk.flow.src},dst=${walk.flow.dst},sport=${walk.flow.sport},dport=${walk.flow.dport},proto=${walk.flow.proto}`]);
    const text = r!.explain!.join("\n");
    expect(text).toContain(walk.hash_input.replace(/^0x/, ""));
    expect(text).toContain(walk.hash.replace(/^0x/, ""));
    expect(text).toContain(`slot ${walk.slot} →`);
    expect(text).toMatch(/re-hash offset/);
    expect(text).toContain(walk.backend);
  });

  test("text output: one line per flow and a per-backend summary", async () => {
    const r = await runCli(["route", "--config", config(), "--input", jsonLines(c), "--format", "text"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`ipvs: ${c.flows.length} flows`);
    expect(r.stdout.split("\n")[0]).toContain(c.flows[0].backend ?? "(none)");
  });

  test("--name picks one service of a file with several; without it the names are listed", async () => {
    const a = cases.find((x) => x.id === "size-251-v4-tcp")!;
    const b = cases.find((x) => x.id === "size-509-v6-tcp")!;
    const text = [restoreText(a), restoreText(b).replace(/^#.*\n/, "")].join("# the second service\n");
    // Both cases in one file: the 509-slot one needs its own size, so only the first is routed here.
    const file = write("two.save", text);
    const results = await routeJson(["--config", file, "--name", "tcp 203.0.113.10:80", "--input", jsonLines(a)]);
    check(a, results);
    const line = await cliBadInput(["route", "--config", file, "--input", jsonLines(a)]);
    expect(line).toContain("2 services");
    expect(line).toContain("tcp 203.0.113.10:80");
    expect(line).toContain("tcp [2001:db8:ffff::10]:443");
    const near = await cliBadInput(["route", "--config", file, "--name", "tcp 203.0.113.10:8", "--input", jsonLines(a)]);
    expect(near).toContain('did you mean "tcp 203.0.113.10:80"');
  });
});

describe("flowpin route, ipvs: refused configs exit 2 with one line naming the problem", () => {
  const base = cases.find((x) => x.id === "gcd-weights-1-2-3-5")!;
  const flows = () => jsonLines(base);
  const bad = async (name: string, text: string, ...mentions: string[]): Promise<void> => {
    const line = await cliBadInput(["route", "--config", write(name, text), "--system", "ipvs", "--input", flows()]);
    for (const m of mentions) expect(line).toContain(m);
  };
  const json = (patch: (c: Case) => void): string => {
    const c = structuredClone(base.config);
    patch(c);
    return JSON.stringify({ system: "ipvs", ...c });
  };

  test("unknown config field, with did-you-mean", () => bad("u.json", json((c) => (c.tabel_size = 4093)), 'unknown field "tabel_size"', 'did you mean "table_size"'));
  test("duplicate destination (EEXIST)", () => bad("dup.json", json((c) => c.operations.push({ ...c.operations[0] })), "already a destination", "10.0.41.1:80"));
  test("deleting a missing destination (ENOENT)", () => bad("del.json", json((c) => c.operations.push({ op: "delete", address: "10.9.9.9", port: 80 })), "no such destination", "10.9.9.9:80"));
  test("a scheduler module that does not exist", () => bad("s.json", json((c) => (c.service.scheduler = "mhh")), "ip_vs_mhh", 'did you mean "mh"'));
  test("table size out of range", () => bad("t.json", json((c) => (c.table_size = 4096)), "table_size", "4096"));
  test("ipvsadm-save: unknown option with did-you-mean", () => bad("o.save", "-A -t 203.0.113.10:80 -s mh --sched-flag flag-1\n", "line 1", '"--sched-flags"'));
  test("ipvsadm-save: a server before its service", () => bad("x.save", "-a -t 203.0.113.10:80 -r 10.0.0.1:80 -g -w 1\n-A -t 203.0.113.10:80 -s mh\n", "line 1", "no service tcp 203.0.113.10:80"));
  test("ipvsadm-save: a service with another scheduler", () => bad("rr.save", "-A -t 203.0.113.10:80 -s rr\n-a -t 203.0.113.10:80 -r 10.0.0.1:80 -g -w 1\n", "scheduler \"rr\"", "mh"));
  test("ipvsadm-save: an impossible table size comment", () => bad("ts.save", "# CONFIG_IP_VS_MH_TAB_INDEX=18\n-A -t 203.0.113.10:80 -s mh\n", "CONFIG_IP_VS_MH_TAB_INDEX", "8..17"));
});
