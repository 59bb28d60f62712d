// Packets as IPVS reads them: every vector flow built as an IP packet (IPv4 options and IPv6
// extension headers varied; inverse flows as the ICMP error quoting the server's reply) routes
// as the vector says, through the API on every engine and through `flowpin route --pcap`; what
// IPVS does not schedule is not scheduled; and text, CSV, bytes and packet input agree for one
// connection, IPv4-mapped addresses included.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { buildPcap } from "../fuzz/pcap-build.js";
import { parseAddress, systems } from "../../src/index.js";
import { runCli } from "../cli-inprocess.js";
import { forEachEngine } from "../engines.js";
import { buildPacket } from "../packet-build.js";
import { Rng } from "../rng.js";
import { loadSystemVectors } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const cases: Any[] = loadSystemVectors("ipvs").cases;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-ipvs-pcap-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Address bytes without flow.ts's IPv4-mapped folding (a packet carries 16 bytes). */
function raw(a: string): Uint8Array {
  const b = parseAddress(a);
  if (b.length === 16 || !a.includes(":")) return b;
  const out = new Uint8Array(16);
  out.set([0xff, 0xff], 10);
  out.set(b, 12);
  return out;
}

/** The packet for a vector flow; an inverse flow is the ICMP error that quotes it. */
function packetOf(flow: Any, seed: number): Uint8Array {
  const inner = buildPacket({ src: raw(flow.src), dst: raw(flow.dst), sport: flow.sport, dport: flow.dport, proto: flow.proto }, { seed });
  if (!flow.inverse) return inner;
  const v6 = inner[0]! >> 4 === 6;
  // Destination unreachable, fragmentation needed (ICMPv6: packet too big), from a router to the VIP.
  const icmp = Uint8Array.from([v6 ? 2 : 3, v6 ? 0 : 4, 0, 0, 0, 0, 0x05, 0xdc, ...inner]);
  const outer = buildPacket({ src: v6 ? raw("2001:db8:99::1") : raw("192.0.2.99"), dst: raw(flow.src), sport: 0, dport: 0, proto: v6 ? 58 : 1 }, { seed: 0 });
  const headerLength = v6 ? 40 : 20;
  const h = outer.slice(0, headerLength);
  if (v6) {
    h[4] = icmp.length >> 8;
    h[5] = icmp.length & 0xff;
  } else {
    h[2] = (headerLength + icmp.length) >> 8;
    h[3] = (headerLength + icmp.length) & 0xff;
  }
  return Uint8Array.from([...h, ...icmp]);
}

/** A classic pcap of raw IP packets (test/fuzz/pcap-build.ts), written to the test's folder. */
function writePcap(packets: Uint8Array[], name: string): string {
  const file = path.join(dir, `${name}.pcap`);
  fs.writeFileSync(file, buildPcap(packets, { linkType: 101 }));
  return file;
}

const want = (f: Any) => ({ backend: f.backend, hash: f.hash.replace(/^0x/, ""), slot: f.slot, probes: f.probes ?? 1 });

forEachEngine("systems.ipvs: every vector flow as a packet", () => {
  for (const c of cases) {
    test(c.id, () => {
      const svc = systems.ipvs(c.config);
      c.flows.forEach((f: Any, i: number) => {
        const r = svc.route(packetOf(f.flow, i));
        expect({ backend: r.backend, hash: r.hash, slot: r.slot, probes: r.probes }, `${c.id} flow ${i}`).toEqual(want(f));
      });
    });
  }
});

describe("flowpin route --pcap, ipvs", () => {
  for (const id of ["size-1021-v4-udp-port", "size-32749-v6-sctp-port-fallback", "reply-direction-v4", "reply-direction-v6", "mixed-v4-service-both-flags"]) {
    test(id, async () => {
      const c = cases.find((x) => x.id === id)!;
      const config = path.join(dir, `${id}.json`);
      fs.writeFileSync(config, JSON.stringify({ system: "ipvs", ...c.config }));
      const pcap = writePcap(c.flows.map((f: Any, i: number) => packetOf(f.flow, i)), id);
      const r = await runCli(["route", "--config", config, "--pcap", pcap, "--format", "json"]);
      expect(r.code, r.stderr).toBe(0);
      const results = JSON.parse(r.stdout).results;
      expect(results.map((x: Any) => ({ backend: x.backend, hash: x.hash, slot: x.slot, probes: x.probes }))).toEqual(c.flows.map(want));
    });
  }
});

describe("packets IPVS does not schedule", () => {
  const c = cases.find((x) => x.id === "flags-v4-fallback-port")!;
  const svc = systems.ipvs(c.config);
  const f = c.flows[0].flow;
  const skip = (p: Uint8Array, why: RegExp): void => {
    const r = svc.route(p, { explain: true });
    expect(r).toMatchObject({ backend: null, hash: null, slot: null, reason: "no-service", probes: 0 });
    expect(r.explain!.join(" ")).toMatch(why);
  };
  test("a later fragment, ICMP echo, other protocols, truncated packets, other versions", () => {
    skip(buildPacket({ src: raw(f.src), dst: raw(f.dst), sport: f.sport, dport: f.dport, proto: 6 }, { fragment: "later" }), /fragment/);
    skip(buildPacket({ src: raw(f.src), dst: raw(f.dst), sport: 0, dport: 0, proto: 1 }), /ICMP type 8/);
    skip(buildPacket({ src: raw(f.src), dst: raw(f.dst), sport: 0, dport: 0, proto: 50 }), /protocol 50/);
    skip(packetOf(f, 0).slice(0, 22), /truncated/);
    skip(Uint8Array.of(0x50, 0, 0, 0), /IP version 5/);
  });
  test("the first fragment carries the ports and is scheduled", () => {
    const p = buildPacket({ src: raw(f.src), dst: raw(f.dst), sport: f.sport, dport: f.dport, proto: 6 }, { fragment: "first" });
    expect(svc.route(p).backend).toBe(c.flows[0].backend);
  });
});

describe("one connection, every input form", () => {
  test("text, CSV, numbers, bytes and packets agree (random flows, both families)", async () => {
    const r = new Rng(1414);
    for (const id of ["flags-v4-fallback-port", "flags-v6-fallback-port"]) {
      const c = cases.find((x) => x.id === id)!;
      const svc = systems.ipvs(c.config);
      const s = c.config.service;
      const flows = Array.from({ length: 200 }, (_, i) => {
        const client = s.family === "inet" ? `${1 + r.int(223)}.${r.int(256)}.${r.int(256)}.${r.int(256)}` : Array.from({ length: 8 }, () => r.int(65536).toString(16)).join(":");
        const cport = r.int(65536);
        return i % 4 === 0 ? { src: s.address, dst: client, sport: s.port, dport: cport, proto: 6, inverse: true } : { src: client, dst: s.address, sport: cport, dport: s.port, proto: 6 };
      });
      const text = flows.map((f) => svc.route(f));
      flows.forEach((f, i) => {
        expect(svc.route({ ...f, src: raw(f.src), dst: raw(f.dst) }), `bytes ${JSON.stringify(f)}`).toEqual(text[i]);
        expect(svc.route(packetOf(f, i)), `packet ${JSON.stringify(f)}`).toEqual(text[i]);
      });
      const config = path.join(dir, `${id}-forms.json`);
      fs.writeFileSync(config, JSON.stringify({ system: "ipvs", ...c.config }));
      const csv = path.join(dir, `${id}.csv`);
      fs.writeFileSync(csv, ["src,dst,sport,dport,proto,inverse", ...flows.map((f) => `${f.src},${f.dst},${f.sport},${f.dport},tcp,${f.inverse === true}`)].join("\n") + "\n");
      const out = await runCli(["route", "--config", config, "--input", csv, "--format", "json"]);
      expect(out.code, out.stderr).toBe(0);
      expect(JSON.parse(out.stdout).results).toEqual(text);
      const pcap = writePcap(flows.map((f, i) => packetOf(f, i)), `${id}-forms`);
      const fromPcap = await runCli(["route", "--config", config, "--pcap", pcap, "--format", "json"]);
      expect(JSON.parse(fromPcap.stdout).results).toEqual(text);
    }
  });

  test("IPv4-mapped clients: an inet6 service hashes the 16 bytes in text and in packets; an inet service takes the text as IPv4 and never sees an IPv6 packet", () => {
    const v6 = systems.ipvs(cases.find((x) => x.id === "flags-v6-port")!.config);
    const f = { src: "::ffff:198.51.100.7", dst: "2001:db8:ffff::10", sport: 40000, dport: 443, proto: 6 };
    const t = v6.route(f);
    expect(t.backend).not.toBeNull();
    expect(v6.route(packetOf(f, 3))).toEqual(t);
    expect(t.hashInput).toBe((((0xffff ^ 0xc6336407) >>> 0) + 40000).toString(16).padStart(8, "0"));
    const v4 = systems.ipvs(cases.find((x) => x.id === "flags-v4-port")!.config);
    const g = { src: "::ffff:198.51.100.7", dst: "::ffff:203.0.113.10", sport: 40000, dport: 80, proto: 6 };
    expect(v4.route(g)).toEqual(v4.route({ ...g, src: "198.51.100.7", dst: "203.0.113.10" }));
    expect(v4.route(packetOf(g, 1))).toMatchObject({ backend: null, reason: "no-service" });
  });
});
