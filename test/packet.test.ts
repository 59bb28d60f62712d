// Raw packet hashing (IPv4 options, IPv6 extension headers, fragments, malformed packets),
// the pcap reader on captures this test writes itself (both byte orders, several link
// types), and the `flowpin hash` command, run in-process.
import { describe, expect, it } from "vitest";
import { FlowHasher, PacketStatus } from "../src/index.js";
import { run } from "../src/cli/run.js";
import type { Io } from "../src/cli/io.js";
import { readPcap } from "../src/pcap.js";
import { forEachEngine } from "./engines.js";
import { buildPacket } from "./packet-build.js";
import { refEnvoy, refFlowpin, type RefFlow } from "./reference/flow.js";
import { Rng } from "./rng.js";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const KEY = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
const v4: RefFlow = { src: Uint8Array.of(198, 51, 100, 7), dst: Uint8Array.of(203, 0, 113, 1), sport: 51512, dport: 443, proto: 6 };
const v6: RefFlow = { src: Uint8Array.of(0x20, 1, 0xd, 0xb8, ...new Array(11).fill(0), 1), dst: Uint8Array.of(0x20, 1, 0xd, 0xb8, ...new Array(11).fill(0), 2), sport: 40000, dport: 53, proto: 17 };
const noPorts = (f: RefFlow): RefFlow => ({ ...f, sport: 0, dport: 0 });

forEachEngine("packets", () => {
  const h = new FlowHasher({ key: KEY });
  for (const f of [v4, v6]) {
    const fam = f.src.length === 4 ? "IPv4" : "IPv6";
    it(`${fam}: options / extension headers of every length are skipped`, () => {
      const packets = Array.from({ length: 40 }, (_, seed) => buildPacket(f, { seed }));
      const r = h.hashPackets(packets);
      for (let i = 0; i < packets.length; i++) {
        expect(r.status[i], `seed ${i}`).toBe(PacketStatus.OK);
        expect(r.hashes[i], `seed ${i}`).toBe(refFlowpin(f, KEY));
      }
    });
    it(`${fam}: every fragment hashes on addresses and protocol only`, () => {
      const r = h.hashPackets([buildPacket(f, { fragment: "first", seed: 3 }), buildPacket(f, { fragment: "later", seed: 5 })]);
      expect(Array.from(r.status)).toEqual([PacketStatus.FRAGMENT, PacketStatus.FRAGMENT]);
      expect(r.hashes[0]).toBe(refFlowpin(noPorts(f), KEY));
      expect(r.hashes[1]).toBe(r.hashes[0]);
    });
    it(`${fam}: truncated anywhere is reported, the rest of the batch is hashed`, () => {
      const whole = buildPacket(f, { seed: 7 });
      const l4 = whole.length - 20; // where the TCP/UDP header starts
      const packets = [whole, ...Array.from({ length: l4 + 4 }, (_, n) => whole.subarray(0, n)), whole];
      const r = h.hashPackets(packets);
      expect(r.status[0]).toBe(PacketStatus.OK);
      for (let n = 0; n < l4 + 4; n++) {
        expect(r.status[1 + n], `length ${n}`).toBe(PacketStatus.TRUNCATED);
        expect(r.hashes[1 + n]).toBe(0);
      }
      expect(r.status[l4 + 5]).toBe(PacketStatus.OK);
      expect(r.hashes[l4 + 5]).toBe(r.hashes[0]);
    });
  }
  it("malformed headers", () => {
    const good = buildPacket(v4);
    const badVersion = good.slice();
    badVersion[0] = 0x55;
    const badIhl = good.slice();
    badIhl[0] = 0x44;
    const badTotal = good.slice();
    badTotal[2] = 0;
    badTotal[3] = 10;
    // 17 Destination Options headers: more than the chain limit.
    const g6 = buildPacket({ ...v6, proto: 60 });
    const chain = [...g6.subarray(0, 40)];
    chain[6] = 60;
    const payload: number[] = [];
    for (let i = 0; i < 17; i++) payload.push(i === 16 ? 17 : 60, 0, 1, 4, 0, 0, 0, 0);
    payload.push(0, 1, 0, 2, 0, 0, 0, 0);
    chain[4] = payload.length >> 8;
    chain[5] = payload.length & 0xff;
    const r = h.hashPackets([badVersion, badIhl, badTotal, Uint8Array.from([...chain, ...payload]), new Uint8Array(0), good]);
    expect(Array.from(r.status)).toEqual([PacketStatus.BAD_VERSION, PacketStatus.BAD_HEADER, PacketStatus.BAD_HEADER, PacketStatus.BAD_HEADER, PacketStatus.TRUNCATED, PacketStatus.OK]);
  });
  it("ICMP has no ports; a snap-length capture with the ports is enough", () => {
    const icmp = { ...v4, proto: 1 };
    const snap = buildPacket(v4).subarray(0, 24);
    const r = h.hashPackets([buildPacket(icmp), snap]);
    expect(Array.from(r.status)).toEqual([PacketStatus.NO_PORTS, PacketStatus.OK]);
    expect(r.hashes[0]).toBe(refFlowpin(noPorts(icmp), KEY));
    expect(r.hashes[1]).toBe(refFlowpin(v4, KEY));
  });
  it("64-bit profiles fill hashesHi", () => {
    const r = new FlowHasher({ profile: "envoy" }).hashPackets([buildPacket(v6)]);
    expect((BigInt(r.hashesHi![0]!) << 32n) | BigInt(r.hashes[0]!)).toBe(refEnvoy(v6));
  });
});

/** A classic pcap file, written here from the format description (not by src/). */
function writePcap(frames: Uint8Array[], linkType: number, le: boolean, nano = false): Uint8Array {
  const size = 24 + frames.reduce((s, f) => s + 16 + f.length, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, nano ? 0xa1b23c4d : 0xa1b2c3d4, le);
  dv.setUint16(4, 2, le);
  dv.setUint16(6, 4, le);
  dv.setUint32(16, 65535, le);
  dv.setUint32(20, linkType, le);
  let at = 24;
  frames.forEach((f, i) => {
    dv.setUint32(at, 1700000000 + i, le);
    dv.setUint32(at + 8, f.length, le);
    dv.setUint32(at + 12, f.length, le);
    out.set(f, at + 16);
    at += 16 + f.length;
  });
  return out;
}

const ether = (ip: Uint8Array, vlan = false): Uint8Array => {
  const type = ip[0]! >> 4 === 4 ? [0x08, 0x00] : [0x86, 0xdd];
  return Uint8Array.from([...new Array(12).fill(0xaa), ...(vlan ? [0x81, 0x00, 0x00, 0x05] : []), ...type, ...ip]);
};

describe("pcap reader", () => {
  const ips = [buildPacket(v4, { seed: 2 }), buildPacket(v6, { seed: 6 })];
  for (const le of [true, false]) {
    it(`Ethernet (with a VLAN tag) and an ARP frame, ${le ? "little" : "big"}-endian`, () => {
      const arp = Uint8Array.from([...new Array(12).fill(0xff), 0x08, 0x06, ...new Array(28).fill(0)]);
      const cap = readPcap(writePcap([ether(ips[0]!), arp, ether(ips[1]!, true)], 1, le));
      expect(cap.byteOrder).toBe(le ? "little" : "big");
      expect(cap.packets.map((p) => p.ip?.length)).toEqual([ips[0]!.length, undefined, ips[1]!.length]);
      expect(Array.from(cap.packets[2]!.ip!)).toEqual(Array.from(ips[1]!));
    });
    it(`raw IP (101) and Linux SLL (113), nanosecond magic, ${le ? "little" : "big"}-endian`, () => {
      expect(readPcap(writePcap(ips, 101, le, true)).packets.map((p) => p.ip?.length)).toEqual(ips.map((p) => p.length));
      const sll = ips.map((ip) => Uint8Array.from([...new Array(14).fill(0), ...(ip[0]! >> 4 === 4 ? [8, 0] : [0x86, 0xdd]), ...ip]));
      expect(readPcap(writePcap(sll, 113, le)).packets.map((p) => p.ip?.length)).toEqual(ips.map((p) => p.length));
    });
  }
  it("corrupt files name the problem and the record", () => {
    const good = writePcap(ips, 101, true);
    expect(() => readPcap(good.subarray(0, 10))).toThrow(/shorter than the 24-byte global header/);
    expect(() => readPcap(good.subarray(0, good.length - 3))).toThrow(/packet 2: captured length \d+ runs past the end/);
    expect(() => readPcap(Uint8Array.from([...good, 1, 2, 3]))).toThrow(/packet 3: record header truncated/);
    const bad = good.slice();
    bad[0] = 0;
    expect(() => readPcap(bad)).toThrow(/bad magic number/);
    expect(() => readPcap(writePcap(ips, 147, true))).toThrow(expect.objectContaining({ code: "CORRUPT_DATA" }));
  });
});

// The CLI, in-process: run() is what dist/cli.js calls.
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = { out: (d) => (out += typeof d === "string" ? d : new TextDecoder().decode(d)), err: (t) => (err += t), stderrIsTTY: false, env: {} };
  const code = await run(args, io);
  return { code, out, err };
}

describe("flowpin hash", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-hash-"));
  const hex8 = (n: number): string => n.toString(16).padStart(8, "0");
  const flowText = "src=198.51.100.7,dst=203.0.113.1,sport=51512,dport=443,proto=tcp";

  it("--flow prints 8 hex digits (16 for envoy)", async () => {
    const r = await cli(["hash", "--key", "0102030405060708", "--flow", flowText]);
    expect(r).toEqual({ code: 0, out: `${hex8(refFlowpin(v4, KEY))}\n`, err: "" });
    const e = await cli(["hash", "--profile", "envoy", "--flow", flowText]);
    expect(e.out).toBe(`${refEnvoy(v4).toString(16).padStart(16, "0")}\n`);
    const sym = await cli(["hash", "--key", "0102030405060708", "--symmetric", "--flow", "src=203.0.113.1,dst=198.51.100.7,sport=443,dport=51512,proto=6"]);
    expect(sym.out).toBe(`${hex8(refFlowpin(v4, KEY, true))}\n`);
  });

  it("--input: one line per flow, in order", async () => {
    const rng = new Rng(77);
    const flows: RefFlow[] = Array.from({ length: 50 }, () => ({ src: rng.bytes(4), dst: rng.bytes(4), sport: rng.int(65536), dport: rng.int(65536), proto: [6, 17, 132][rng.int(3)]! }));
    const names: Record<number, string> = { 6: "tcp", 17: "udp", 132: "sctp" };
    const csv = ["src,dst,sport,dport,proto", ...flows.map((f, i) => `${f.src.join(".")},${f.dst.join(".")},${f.sport},${f.dport},${i % 2 ? names[f.proto] : f.proto}`)].join("\r\n") + "\r\n";
    const file = path.join(dir, "flows.csv");
    fs.writeFileSync(file, csv);
    const r = await cli(["hash", "--key", "0102030405060708", "--input", file]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(flows.map((f) => hex8(refFlowpin(f, KEY))).join("\n") + "\n");
  });

  it("--pcap: one line per frame in order, '-' and the reason for frames not hashed (non-IP included)", async () => {
    const trunc = buildPacket(v4).subarray(0, 21);
    const arp = new Uint8Array(42);
    arp[12] = 0x08;
    arp[13] = 0x06; // EtherType ARP: not IP
    const file = path.join(dir, "cap.pcap");
    fs.writeFileSync(file, writePcap([ether(buildPacket(v4)), arp, ether(trunc), ether(buildPacket(v6), true)], 1, false));
    const r = await cli(["hash", "--key", "0102030405060708", "--pcap", file]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${hex8(refFlowpin(v4, KEY))}\n-\tNOT_IP\n-\tTRUNCATED\n${hex8(refFlowpin(v6, KEY))}\n`);
    expect(r.err).toBe("flowpin hash: not hashed: 1 NOT_IP, 1 TRUNCATED\n");
    const s = await cli(["hash", "--key", "0102030405060708", "--pcap", file, "--status"]);
    expect(s.out).toBe(`${hex8(refFlowpin(v4, KEY))}\tOK\n-\tNOT_IP\n-\tTRUNCATED\n${hex8(refFlowpin(v6, KEY))}\tOK\n`);
  });

  const bad = async (args: string[], msg: RegExp): Promise<void> => {
    const r = await cli(["hash", ...args]);
    expect(r.code, r.err).toBe(2);
    expect(r.err.split("\n").filter(Boolean)).toHaveLength(1);
    expect(r.err).toMatch(msg);
  };
  it("bad input: exit 2, one line naming the field (and line)", async () => {
    await bad(["--flow", flowText], /the flowpin profile needs --key: 16 hex digits/);
    await bad(["--key", "01020304050607", "--flow", flowText], /key must be 8 bytes.*got 7/);
    await bad(["--key", "zz", "--flow", flowText], /--key must be an even number of hex digits, got "zz"/);
    await bad(["--key", "0102030405060708", "--flow", "src=1.2.3.4,dst=5.6.7.8,sport=1,dport=2"], /missing field proto/);
    await bad(["--key", "0102030405060708", "--flow", flowText.replace("51512", "70000")], /--flow: sport must be an integer in 0\.\.65535, got 70000/);
    await bad(["--key", "0102030405060708", "--flow", flowText.replace("proto=tcp", "proto=tpc")], /proto .*"tpc"/);
    await bad(["--key", "0102030405060708", "--flow", flowText.replace("203.0.113.1", "::1")], /MIXED|same address family/);
    await bad(["--profile", "nope", "--flow", flowText], /profile must be one of/);
    await bad(["--key", "0102030405060708"], /exactly one of --flow, --input or --pcap/);
    const file = path.join(dir, "bad.csv");
    fs.writeFileSync(file, "src,dst,sport,dport,proto\n10.0.0.1,10.0.0.2,1,2,tcp\n10.0.0.1,10.0.0.300,1,2,tcp\n");
    await bad(["--key", "0102030405060708", "--input", file], /bad\.csv line 3: dst .*"10\.0\.0\.300"/);
    fs.writeFileSync(file, "a,b\n");
    await bad(["--key", "0102030405060708", "--input", file], /line 1: the header must be src,dst,sport,dport,proto/);
    fs.writeFileSync(file, "src,dst,sport,dport,proto\n10.0.0.1,10.0.0.2,1,x,tcp\n");
    await bad(["--key", "0102030405060708", "--input", file], /line 2: dport must be an integer in 0\.\.65535, got "x"/);
    const pcap = path.join(dir, "bad.pcap");
    fs.writeFileSync(pcap, new Uint8Array(30));
    await bad(["--key", "0102030405060708", "--pcap", pcap], /bad magic number/);
  });
});

