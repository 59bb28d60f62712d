// The CLI as a Unix tool (issue 13 item 8): quiet on a closed pipe, standard input, repeated
// flags, refusals in the CLI's own words, sizes checked before parsing, aligned text.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { flowpin } from "./cli-run.js";
import { cliBadInput, runCli } from "./cli-inprocess.js";
import { refFlowpin, type RefFlow } from "./reference/flow.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-unix-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | object): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
};
const KEY = "0001020304050607";
const key8 = Uint8Array.from(KEY.match(/../g)!, (x) => parseInt(x, 16));
const hex8 = (n: number): string => n.toString(16).padStart(8, "0");
// Each flow as text for the CLI and as bytes for the reference (written out by hand).
const v6 = (last: number): Uint8Array => Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), last);
const flows = [
  { src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 443, proto: 6, ref: { src: Uint8Array.of(198, 51, 100, 7), dst: Uint8Array.of(203, 0, 113, 1), sport: 51512, dport: 443, proto: 6 } },
  { src: "2001:db8::1", dst: "2001:db8::2", sport: 1, dport: 65535, proto: 17, ref: { src: v6(1), dst: v6(2), sport: 1, dport: 65535, proto: 17 } },
];
type TextFlow = (typeof flows)[number];
const spec = (f: TextFlow): string => `src=${f.src},dst=${f.dst},sport=${f.sport},dport=${f.dport},proto=${f.proto}`;
const refHash = (f: { ref: RefFlow }): string => hex8(refFlowpin(f.ref, key8));
const fleet = file("fleet.json", { algorithm: "maglev", profile: "envoy", size: 65537, backends: [{ id: "a" }, { id: "b" }, { id: "c" }] });

describe("flowpin as a Unix tool", () => {
  it("a reader that closes the pipe early (| head -c 50) ends it quietly with exit 0", () => {
    const cli = path.resolve(import.meta.dirname, "../dist/cli.js");
    const r = spawnSync("bash", ["-c", `"${process.execPath}" "${cli}" table --config "${fleet}" --format json | head -c 50 >/dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("0");
  });

  it("repeated --flow hashes every flow, in order", async () => {
    const r = await runCli(["hash", "--key", KEY, ...flows.flatMap((f) => ["--flow", spec(f)])]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(flows.map((f) => `${refHash(f)}\n`).join(""));
  });

  it("--input - reads standard input (CSV and JSON Lines), for hash and route", () => {
    const csv = `src,dst,sport,dport,proto\n${flows.map((f) => `${f.src},${f.dst},${f.sport},${f.dport},${f.proto}`).join("\n")}\n`;
    const jsonl = flows.map(({ ref: _, ...f }) => JSON.stringify(f)).join("\n");
    const want = flows.map((f) => `${refHash(f)}\n`).join("");
    expect(flowpin(["hash", "--key", KEY, "--input", "-"], csv).stdout).toBe(want);
    expect(flowpin(["hash", "--key", KEY, "--input", "-"], jsonl).stdout).toBe(want);
    const sys = file("sys.json", { system: "flowpin", key: KEY, backends: [{ id: "a" }, { id: "b" }] });
    const r = flowpin(["route", "--config", sys, "--input", "-", "--format", "json"], jsonl);
    expect(r.stderr).toBe("");
    const doc = JSON.parse(r.stdout);
    expect(doc.results.map((x: { hash: string }) => x.hash)).toEqual(flows.map(refHash));
  });

  it("a misspelled flag names the flag meant", async () => {
    expect(await cliBadInput(["hash", "--profle", "katran"])).toBe('flowpin hash: unknown option --profle (did you mean "--profile"?); see flowpin hash --help');
    expect(await cliBadInput(["table", "--confg", fleet])).toMatch(/unknown option --confg \(did you mean "--config"\?\)/);
  });

  it("messages speak CLI: the key is a flag of hex digits, not a Uint8Array", async () => {
    const line = await cliBadInput(["hash", "--flow", spec(flows[0]!)]);
    expect(line).toMatch(/needs --key: 16 hex digits/);
    expect(line).not.toMatch(/Uint8Array|getRandomValues/);
  });

  it("diff refuses Maglev tables of two profiles (different algorithms, not one fleet changing)", async () => {
    const katran = file("k.json", { algorithm: "maglev", profile: "katran", size: 65537, backends: [{ id: "a", hash: "1" }, { id: "b", hash: "2" }, { id: "c", hash: "3" }] });
    expect(await cliBadInput(["diff", fleet, katran])).toMatch(/profile envoy against one of profile katran/);
  });

  it("an oversized config is refused by its size, before it is read", async () => {
    const big = path.join(dir, "big.json");
    fs.writeFileSync(big, "{");
    fs.truncateSync(big, 65 * 1024 * 1024); // sparse: no 65 MB written
    const t = performance.now();
    expect(await cliBadInput(["table", "--config", big])).toMatch(/is 65\.0 MiB, over the 64 MiB/);
    expect(performance.now() - t).toBeLessThan(2000); // a parse of 65 MB would take seconds
  });

  it("simulate --backends 10 runs with its default churn (the steps that fit the fleet)", async () => {
    const r = await runCli(["simulate", "--backends", "10", "--sizes", "251", "--trials", "1", "--samples", "1000", "--algorithms", "maglev", "--format", "json", "--quiet"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.stringify(JSON.parse(r.stdout))).toMatch(/"churn"/);
  });

  it("text tables align names with wide and combining characters", async () => {
    const ids = ["东京-1", "e\u0301x", "plain"];
    const cfg = file("wide.json", { algorithm: "maglev", profile: "envoy", size: 251, backends: ids.map((id) => ({ id })) });
    const r = await runCli(["table", "--config", cfg, "--format", "text"]);
    // Column widths stated here: CJK two columns each, a combining accent none.
    const width: Record<string, number> = { "东京-1": 6, "e\u0301x": 2, plain: 5 };
    const rests = ids.map((id) => {
      const line = r.stdout.split("\n").find((l) => l.includes(id))!;
      const rest = line.slice(line.indexOf(id) + id.length);
      expect(rest.startsWith(" ".repeat(24 - width[id]!) + " "), line).toBe(true);
      return rest.length - (24 - width[id]!);
    });
    // What follows the padded name is ASCII: the same length on every line means aligned columns.
    expect(new Set(rests).size).toBe(1);
  });
});

describe("captures are streamed", () => {
  it("a 100 MB pcap is hashed within 100 MB above the process's baseline memory", () => {
    // ~1.2 M Ethernet frames of 70 bytes, written in 4 MB pieces (the test holds no 100 MB buffer).
    const big = path.join(dir, "big.pcap");
    const fd = fs.openSync(big, "w");
    const header = new Uint8Array(24);
    const h = new DataView(header.buffer);
    h.setUint32(0, 0xa1b2c3d4, true);
    h.setUint16(4, 2, true);
    h.setUint16(6, 4, true);
    h.setUint32(16, 65535, true);
    h.setUint32(20, 1, true);
    fs.writeSync(fd, header);
    const frame = new Uint8Array(16 + 70);
    const f = new DataView(frame.buffer);
    f.setUint32(8, 70, true);
    f.setUint32(12, 70, true);
    frame.set([0x08, 0x00], 16 + 12); // EtherType IPv4
    frame.set([0x45, 0, 0, 56, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 16 + 14);
    const piece = new Uint8Array(frame.length * 48_000);
    let written = 24;
    for (let i = 0; written < 100e6; i++) {
      for (let k = 0; k < 48_000; k++) {
        frame[16 + 14 + 20] = k & 0xff; // vary the source port
        frame[16 + 14 + 21] = i & 0xff;
        piece.set(frame, k * frame.length);
      }
      written += fs.writeSync(fd, piece);
    }
    fs.closeSync(fd);
    // A preload reports the peak resident set size when the process exits.
    const probe = path.join(dir, "maxrss.cjs");
    fs.writeFileSync(probe, `process.on("exit", () => require("node:fs").writeSync(2, "maxrss " + process.resourceUsage().maxRSS + "\\n"));`);
    const cli = path.resolve(import.meta.dirname, "../dist/cli.js");
    const peak = (args: string[]): number => {
      const r = spawnSync(process.execPath, ["--require", probe, cli, ...args], { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "ignore", "pipe"] });
      expect(r.status, r.stderr).toBe(0);
      return Number(/maxrss (\d+)/.exec(r.stderr)![1]) / 1024; // kB → MB
    };
    const baseline = peak(["hash", "--key", KEY, "--flow", spec(flows[0]!)]);
    const hashing = peak(["hash", "--key", KEY, "--pcap", big]);
    console.log(`100 MB pcap: peak RSS ${hashing.toFixed(0)} MB, baseline ${baseline.toFixed(0)} MB`);
    expect(hashing - baseline).toBeLessThan(100);
  });
});
