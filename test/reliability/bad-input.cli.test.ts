// Bad input to every CLI command: bad flags, configs, flow specs, CSV and pcap files, table
// files. Each must exit 2 with exactly one stderr line that names the problem and no stack
// trace. The cases run in-process through the CLI's driver (cliBadInput: run(argv, io), ~0.1 ms
// a case instead of a ~70 ms process spawn); the built executable is still run once below.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Maglev } from "../../src/index.js";
import { badInput, flowpin } from "../cli-run.js";
import { cliBadInput } from "../cli-inprocess.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-badcli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
}
const json = (name: string, doc: unknown): string => file(name, typeof doc === "string" ? doc : JSON.stringify(doc));

const okConfig = json("ok.json", { algorithm: "maglev", size: 251, backends: [{ id: "10.0.0.1:80" }, { id: "10.0.0.2:80" }] });
const okOther = json("ok-257.json", { algorithm: "maglev", size: 257, backends: [{ id: "10.0.0.1:80" }] });
const okBin = file("ok.bin", new Maglev({ size: 251, backends: [{ id: "a" }, { id: "b" }] }).toBytes());
const flippedBin = file("flipped.bin", (() => {
  const b = fs.readFileSync(okBin);
  b[b.length - 10]! ^= 0x04;
  return b;
})());
const FLOW = "src=198.51.100.7,dst=203.0.113.1,sport=51512,dport=443,proto=tcp";
const KEY = "0001020304050607";

/** [what, argv, text the one line must contain] */
type CliCase = readonly [label: string, args: string[], mentions: string];

const cases: CliCase[] = [
  // global
  ["unknown command", ["frobnicate"], '"frobnicate"'],
  // table
  ["table: unknown flag", ["table", "--bogus"], "--bogus"],
  ["table: flag without value", ["table", "--config"], "--config"],
  ["table: no --config", ["table"], "--config"],
  ["table: positional argument", ["table", "x.json"], "argument"],
  ["table: missing file", ["table", "--config", path.join(dir, "none.json")], "no such file"],
  ["table: a directory", ["table", "--config", dir], "EISDIR"],
  ["table: --format xml", ["table", "--config", okConfig, "--format", "xml"], "xml"],
  ["table: empty file", ["table", "--config", file("empty.json", "")], "JSON"],
  ["table: random bytes", ["table", "--config", file("random.bin", Uint8Array.from({ length: 300 }, (_, i) => (i * 73 + 11) & 255))], "JSON"],
  ["table: not JSON", ["table", "--config", json("bad.json", '{"algorithm": "maglev",\n "backends": [,]}')], "line 2"],
  // The position is where the text ends, not "line 1, column 1" (a recursive scan overflowed).
  ["table: 1e6 nested brackets", ["table", "--config", file("deep.json", "[".repeat(1_000_000))], "line 1, column 1000001: unexpected end of input"],
  ["table: 1e6 nested brackets, then a bad token", ["table", "--config", file("deep2.json", `${"[".repeat(1_000_000)}\n}`)], 'line 2, column 1: unexpected "}"'],
  ["table: JSON null", ["table", "--config", json("null.json", "null")], "object"],
  ["table: JSON array", ["table", "--config", json("arr.json", [])], "object"],
  ["table: JSON string", ["table", "--config", json("str.json", '"maglev"')], "object"],
  ["table: no algorithm", ["table", "--config", json("noalg.json", { backends: [] })], '"algorithm"'],
  ["table: unknown algorithm", ["table", "--config", json("alg.json", { algorithm: "quantum", backends: [] })], '"quantum"'],
  ["table: algorithm __proto__", ["table", "--config", json("proto.json", { algorithm: "__proto__", backends: [] })], "__proto__"],
  ["table: algorithm toString", ["table", "--config", json("tostring.json", { algorithm: "toString", backends: [] })], "toString"],
  ["table: algorithm constructor", ["table", "--config", json("ctor.json", { algorithm: "constructor", backends: [] })], '"constructor"'],
  ["diff: table JSON with algorithm __proto__", ["diff", okConfig, json("tproto.json", { algorithm: "__proto__", table: [] })], "__proto__"],
  ["table: backends object", ["table", "--config", json("bobj.json", { algorithm: "maglev", backends: {} })], '"backends"'],
  ["table: backends[0] number", ["table", "--config", json("bnum.json", { algorithm: "maglev", backends: [5] })], "backends[0]"],
  ["table: no backends", ["table", "--config", json("none-b.json", { algorithm: "maglev", backends: [] })], "backends"],
  ["table: duplicate ids", ["table", "--config", json("dup.json", { algorithm: "maglev", backends: [{ id: "a" }, { id: "a" }] })], "backends[1]"],
  ["table: weight -1", ["table", "--config", json("w.json", { algorithm: "maglev", backends: [{ id: "a", weight: -1 }] })], "weight"],
  ["table: weight \"1\"", ["table", "--config", json("ws.json", { algorithm: "maglev", backends: [{ id: "a", weight: "1" }] })], "weight"],
  ["table: weight 1e400 (Infinity)", ["table", "--config", json("winf.json", '{"algorithm":"maglev","backends":[{"id":"a","weight":1e400}]}')], "weight"],
  ["table: all weights 0", ["table", "--config", json("w0.json", { algorithm: "maglev", backends: [{ id: "a", weight: 0 }] })], "weight"],
  ["table: size not prime", ["table", "--config", json("s.json", { algorithm: "maglev", size: 65536, backends: [{ id: "a" }] })], "65536"],
  ["table: size string", ["table", "--config", json("ss.json", { algorithm: "maglev", size: "251", backends: [{ id: "a" }] })], '"size"'],
  ["table: size 2**53", ["table", "--config", json("s53.json", { algorithm: "maglev", size: 2 ** 53, backends: [{ id: "a" }] })], "size"],
  ["table: size below backend count", ["table", "--config", json("s2.json", { algorithm: "maglev", size: 2, backends: [{ id: "a" }, { id: "b" }, { id: "c" }] })], "size"],
  ["table: unknown profile", ["table", "--config", json("p.json", { algorithm: "maglev", profile: "haproxy", backends: [{ id: "a" }] })], '"haproxy"'],
  ["table: unknown backend field", ["table", "--config", json("f.json", { algorithm: "maglev", backends: [{ id: "a", wieght: 2 }] })], "wieght"],
  ["table: katran hash not decimal", ["table", "--config", json("k.json", { algorithm: "maglev", profile: "katran", backends: [{ id: "a", hash: "0x10" }] })], "hash"],
  ["table: katran hash 2**64", ["table", "--config", json("k64.json", { algorithm: "maglev", profile: "katran", backends: [{ id: "a", hash: "18446744073709551616" }] })], "hash"],
  ["table: cilium seed bad", ["table", "--config", json("c.json", { algorithm: "maglev", profile: "cilium", seed: "!!", backends: [{ id: "a", key: "k" }] })], "seed"],
  ["table: ipvs bad address", ["table", "--config", json("i.json", { algorithm: "maglev", profile: "ipvs", backends: [{ id: "a", address: "10.0.0.256", port: 80 }] })], "address"],
  ["table: healthy \"no\"", ["table", "--config", json("h.json", { algorithm: "maglev", backends: [{ id: "a", healthy: "no" }] })], "healthy"],
  ["table: --output into a missing directory", ["table", "--config", okConfig, "--output", path.join(dir, "no", "such", "dir", "t.json")], path.join(dir, "no", "such", "dir", "t.json")],
  ["table: --output is a directory", ["table", "--config", okConfig, "--output", dir], "EISDIR"],
  // hash
  ["hash: no source", ["hash", "--key", KEY], "--flow"],
  ["hash: two sources", ["hash", "--key", KEY, "--flow", FLOW, "--input", okConfig], "exactly one"],
  ["hash: unknown profile", ["hash", "--profile", "md5", "--flow", FLOW], '"md5"'],
  ["hash: flowpin without key", ["hash", "--flow", FLOW], "key"],
  ["hash: key not hex", ["hash", "--key", "zz", "--flow", FLOW], "--key"],
  ["hash: key odd length", ["hash", "--key", "abc", "--flow", FLOW], "--key"],
  ["hash: key 7 bytes", ["hash", "--key", "00010203040506", "--flow", FLOW], "8 bytes"],
  ["hash: glb key 8 bytes", ["hash", "--profile", "glb", "--key", KEY, "--flow", FLOW], "16 bytes"],
  ["hash: key for katran", ["hash", "--profile", "katran", "--key", KEY, "--flow", FLOW], "key"],
  ["hash: --symmetric for katran", ["hash", "--profile", "katran", "--symmetric", "--flow", FLOW], "symmetric"],
  ["hash: --flow missing field", ["hash", "--key", KEY, "--flow", "src=1.2.3.4,dst=1.2.3.5,sport=1,dport=2"], "proto"],
  ["hash: --flow unknown field", ["hash", "--key", KEY, "--flow", `${FLOW},ttl=5`], "ttl"],
  ["hash: --flow field twice", ["hash", "--key", KEY, "--flow", `${FLOW},sport=1`], "twice"],
  ["hash: --flow no '='", ["hash", "--key", KEY, "--flow", "198.51.100.7"], "field=value"],
  ["hash: --flow bad src", ["hash", "--key", KEY, "--flow", FLOW.replace("198.51.100.7", "198.51.100")], "src"],
  ["hash: --flow IPv4 src, IPv6 dst", ["hash", "--key", KEY, "--flow", FLOW.replace("203.0.113.1", "2001:db8::1")], "dst"],
  ["hash: --flow sport 70000", ["hash", "--key", KEY, "--flow", FLOW.replace("51512", "70000")], "sport"],
  ["hash: --flow sport -1", ["hash", "--key", KEY, "--flow", FLOW.replace("51512", "-1")], "sport"],
  ["hash: --flow sport 1e3", ["hash", "--key", KEY, "--flow", FLOW.replace("51512", "1e3")], "sport"],
  ["hash: --flow sport 99999999999999999999", ["hash", "--key", KEY, "--flow", FLOW.replace("51512", "99999999999999999999")], "sport"],
  ["hash: --flow proto xyz", ["hash", "--key", KEY, "--flow", FLOW.replace("tcp", "xyz")], "proto"],
  ["hash: --flow proto 256", ["hash", "--key", KEY, "--flow", FLOW.replace("tcp", "256")], "proto"],
  ["hash: --katran-flags bogus", ["hash", "--profile", "katran", "--katran-flags", "F_BOGUS", "--flow", FLOW], "F_BOGUS"],
  ["hash: --cilium-seed bad", ["hash", "--profile", "cilium", "--cilium-seed", "short", "--flow", FLOW], "hashSeed"],
  ["hash: --glb-fields bogus", ["hash", "--profile", "glb", "--key", KEY + KEY, "--glb-fields", "src_mac", "--flow", FLOW], "src_mac"],
  ["hash: --input missing", ["hash", "--key", KEY, "--input", path.join(dir, "none.csv")], "no such file"],
  ["hash: --input bad header", ["hash", "--key", KEY, "--input", file("h.csv", "a,b,c\n")], "line 1"],
  ["hash: --input short line", ["hash", "--key", KEY, "--input", file("short.csv", "src,dst,sport,dport,proto\n1.2.3.4,1.2.3.5,1,2\n")], "line 2"],
  ["hash: --input bad address on line 3", ["hash", "--key", KEY, "--input", file("addr.csv", "src,dst,sport,dport,proto\n1.2.3.4,1.2.3.5,1,2,tcp\n1.2.3,1.2.3.5,1,2,tcp\n")], "line 3"],
  ["hash: --input binary garbage", ["hash", "--key", KEY, "--input", file("garbage.csv", Uint8Array.from({ length: 200 }, (_, i) => (i * 151) & 255))], "line 1"],
  ["hash: --pcap missing", ["hash", "--key", KEY, "--pcap", path.join(dir, "none.pcap")], "no such file"],
  ["hash: --pcap empty", ["hash", "--key", KEY, "--pcap", file("empty.pcap", "")], "24-byte"],
  ["hash: --pcap pcapng", ["hash", "--key", KEY, "--pcap", file("ng.pcap", Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, ...new Array(28).fill(0)))], "pcapng"],
  ["hash: --pcap truncated record", ["hash", "--key", KEY, "--pcap", file("trunc.pcap", Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0, 1, 2, 3))], "packet 1"],
  ["hash: --pcap record length past the end", ["hash", "--key", KEY, "--pcap", file("long.pcap", Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0, ...new Array(8).fill(0), 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0))], "past the end"],
  ["hash: --pcap link type 147", ["hash", "--key", KEY, "--pcap", file("lt.pcap", Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 147, 0, 0, 0))], "link type"],
  // diff
  ["diff: one argument", ["diff", okConfig], "2 arguments"],
  ["diff: three arguments", ["diff", okConfig, okConfig, okConfig], "2 arguments"],
  ["diff: missing file", ["diff", okConfig, path.join(dir, "none.json")], "no such file"],
  ["diff: --format xml", ["diff", okConfig, okConfig, "--format", "xml"], "xml"],
  ["diff: sizes 251 and 257", ["diff", okConfig, okOther], "size"],
  ["diff: unknown binary file", ["diff", okConfig, file("unknown.bin", Uint8Array.of(1, 2, 3, 4, 5))], "neither"],
  ["diff: table file with a bit flipped", ["diff", okBin, flippedBin], "checksum"],
  ["diff: table file truncated", ["diff", okBin, file("trunc.bin", fs.readFileSync(okBin).subarray(0, 100))], "truncated"],
  ["diff: table JSON with an out-of-range slot", ["diff", okConfig, json("tj.json", { algorithm: "maglev", profile: "envoy", size: 3, backends: ["a"], table: [0, 0, 7] })], "table[2]"],
  ["diff: table JSON size mismatch", ["diff", okConfig, json("tj2.json", { algorithm: "maglev", profile: "envoy", size: 5, backends: ["a"], table: [0, 0] })], '"table"'],
  // bench, demo
  ["bench: --format xml", ["bench", "--format", "xml"], "xml"],
  ["bench: unknown suite", ["bench", "--suite", "nope", "--quick"], '"nope"'],
  ["bench: bad --filter regex", ["bench", "--filter", "(", "--quick"], "--filter"],
  ["bench: unknown flag", ["bench", "--bogus"], "--bogus"],
  ["demo: unknown flag", ["demo", "--bogus"], "--bogus"],
  ["demo: positional argument", ["demo", "x"], "argument"],
];

describe("CLI bad input: exit 2, one line naming the problem", () => {
  it(`${cases.length} cases over ${new Set(cases.map((c) => c[1][0])).size} commands`, async () => {
    const failures: string[] = [];
    for (const [label, args, mentions] of cases) {
      try {
        // bench loads dist/bench.js beside the executable: only the built CLI can find it.
        const line = args[0] === "bench" ? badInput(args) : await cliBadInput(args);
        if (!line.includes(mentions)) failures.push(`${label}: line does not mention ${JSON.stringify(mentions)}: ${line}`);
      } catch (e) {
        failures.push(`${label}: ${(e as Error).message.split("\n").slice(0, 3).join(" | ")}`);
      }
    }
    console.log(`CLI bad input: ${cases.length} cases tried, ${cases.length - failures.length} exited 2 with one line naming the problem`);
    expect(failures).toEqual([]);
  });

  it("a good config still works after all that (the fixtures are valid)", () => {
    const r = flowpin(["table", "--config", okConfig, "--format", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).table).toHaveLength(251);
  });
});
