// One connection, every way in: for each system, random connections to its frontend give the
// same decision (backend, hash, slot, reason) as a text flow through route(), through
// routeBatch(), through `flowpin route --input` CSV and, for the systems that see packets, as
// the IP packet (IPv4 options and IPv6 extension headers varied). IPv4-mapped clients follow
// each system's own rule, so that text and packet agree: Katran, Cilium and glb-director hash
// an IPv6 packet's 16 bytes (::ffff:a.b.c.d text is that IPv6 packet); IPVS takes the text as
// the packet its service family receives (an inet service sees IPv4); flowpin folds it to
// IPv4 (its canonical form). Addresses are made as bytes first and written as text here.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { systems } from "../../src/systems/index.js";
import { runCli } from "../cli-inprocess.js";
import { buildPacket } from "../packet-build.js";
import { Rng } from "../rng.js";
import { loadSystemVectors } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-inputs-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** IPv6 text (RFC 4291 forms, "::" and a trailing dotted quad allowed) to 16 bytes. */
function v6Bytes(text: string): Uint8Array {
  let t = text;
  const tail: number[] = [];
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(t);
  if (quad) {
    tail.push(...quad.slice(1, 5).map(Number));
    t = `${t.slice(0, quad.index)}0:0`;
  }
  const [head, rest] = t.includes("::") ? t.split("::") : [t, undefined];
  const a = head ? head.split(":") : [];
  const b = rest ? rest.split(":") : [];
  const groups = rest === undefined ? a : [...a, ...new Array(8 - a.length - b.length).fill("0"), ...b];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  if (quad) out.set(tail, 12);
  return out;
}
const bytesOf = (text: string): Uint8Array => (text.includes(":") ? v6Bytes(text) : Uint8Array.from(text.split(".").map(Number)));
const v4Text = (b: Uint8Array): string => Array.from(b).join(".");
const v6Text = (b: Uint8Array): string => Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16)).join(":");
const mapped = (b4: Uint8Array): Uint8Array => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...b4]);
const PROTO: Record<string, number> = { tcp: 6, udp: 17, TCP: 6, UDP: 17 };

interface Spec {
  system: "katran" | "cilium" | "ipvs" | "glb" | "flowpin";
  config: Any;
  /** A flow to the frontend (the vector's), whose dst/dport/proto the random flows keep. */
  to: { dst: string; dport: number; proto: number };
  /** How the system reads ::ffff:a.b.c.d text: as the IPv6 packet, or as the IPv4 one. */
  mappedAs: 6 | 4;
  packets: boolean;
  /**
   * Whether the parser walks IPv4 options and IPv6 extension headers to the ports (Cilium,
   * IPVS). Katran drops IPv4 packets with options and reads no extension header; glb-director
   * reads the ports 20 bytes past any IPv4 header start and the header after IPv6's fixed one:
   * their own packet tests cover those, here their packets are plain.
   */
  varied: boolean;
}

function specs(): Spec[] {
  const out: Spec[] = [];
  const pick = (name: "katran" | "cilium" | "ipvs" | "glb", mappedAs: (c: Any) => 4 | 6, varied: boolean): void => {
    // An IPv4 and an IPv6 frontend, each from the first case that balances a flow to one.
    for (const fam of [4, 6]) {
      const c = loadSystemVectors(name).cases.find((x: Any) => !x.config.director_conf?.alt_hash_fields && x.flows.some((f: Any) => f.backend && !f.flow.inverse && !f.flow.icmp && f.flow.dst.includes(":") === (fam === 6) && (PROTO[f.flow.proto] ?? f.flow.proto) !== 1));
      if (!c) continue;
      const f = c.flows.find((x: Any) => x.backend && !x.flow.inverse && !x.flow.icmp && x.flow.dst.includes(":") === (fam === 6)).flow;
      out.push({ system: name, config: c.config, to: { dst: f.dst, dport: f.dport, proto: PROTO[f.proto] ?? f.proto }, mappedAs: mappedAs(c.config), packets: true, varied });
    }
  };
  pick("katran", () => 6, false);
  pick("cilium", () => 6, true);
  pick("glb", () => 6, false);
  pick("ipvs", (c) => (c.service.family === "inet6" ? 6 : 4), true);
  out.push({
    system: "flowpin",
    config: { key: "0001020304050607", backends: Array.from({ length: 7 }, (_, i) => ({ id: `10.0.0.${i + 1}:80`, weight: 1 + (i % 3) })) },
    to: { dst: "203.0.113.1", dport: 443, proto: 6 },
    mappedAs: 4,
    packets: false,
    varied: false,
  });
  return out;
}

function strip(r: Any): Any {
  return { backend: r.backend, hash: r.hash, slot: r.slot, reason: r.reason };
}

describe("text, CSV, batch and packet input give one decision per connection", () => {
  for (const s of specs()) {
    const fam = s.to.dst.includes(":") ? 6 : 4;
    it(`${s.system}, IPv${fam} frontend ${s.to.dst} port ${s.to.dport}`, async () => {
      const rng = new Rng(fam * 1000 + s.system.length);
      const sys: Any = (systems as Any)[s.system](s.config);
      const dst = bytesOf(s.to.dst);
      const flows: Any[] = [];
      const packets: Uint8Array[] = [];
      for (let i = 0; i < 150; i++) {
        const src = rng.bytes(fam === 4 ? 4 : 16);
        if (fam === 6) src[0] = 0x20; // a global address, not IPv4-mapped
        const sport = 1024 + rng.int(64000);
        flows.push({ src: fam === 4 ? v4Text(src) : v6Text(src), dst: s.to.dst, sport, dport: s.to.dport, proto: s.to.proto });
        packets.push(buildPacket({ src, dst, sport, dport: s.to.dport, proto: s.to.proto }, { seed: s.varied ? i : 0 }));
      }
      // IPv4-mapped clients to the IPv4 frontend, as text and as the packet the system reads.
      if (fam === 4) {
        for (let i = 0; i < 50; i++) {
          const src4 = rng.bytes(4);
          const sport = 1024 + rng.int(64000);
          flows.push({ src: `::ffff:${v4Text(src4)}`, dst: `::ffff:${s.to.dst}`, sport, dport: s.to.dport, proto: s.to.proto });
          const ref = s.mappedAs === 6 ? { src: mapped(src4), dst: mapped(dst) } : { src: src4, dst };
          packets.push(buildPacket({ ...ref, sport, dport: s.to.dport, proto: s.to.proto }, { seed: s.varied ? i : 0 }));
        }
      }
      const byText = flows.map((f) => strip(sys.route(f)));
      expect(byText.filter((r) => r.backend !== null).length, "flows balanced").toBeGreaterThan(100);
      expect(sys.routeBatch(flows).map(strip)).toEqual(byText);
      if (s.packets) {
        packets.forEach((p, i) => expect(strip(sys.route(p)), `${JSON.stringify(flows[i])}`).toEqual(byText[i]));
      }
      if (s.mappedAs === 4 && fam === 4) {
        // Folded: the mapped text is the IPv4 connection.
        flows.slice(150).forEach((f, i) => expect(strip(sys.route({ ...f, src: f.src.slice(7), dst: f.dst.slice(7) }))).toEqual(byText[150 + i]));
      }
      const config = path.join(dir, `${s.system}-${fam}.json`);
      fs.writeFileSync(config, JSON.stringify({ system: s.system, ...s.config }));
      const csv = path.join(dir, `${s.system}-${fam}.csv`);
      fs.writeFileSync(csv, `src,dst,sport,dport,proto\n${flows.map((f) => [f.src, f.dst, f.sport, f.dport, f.proto].join(",")).join("\n")}\n`);
      const r = await runCli(["route", "--config", config, "--input", csv, "--format", "json"]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).results.map(strip)).toEqual(byText);
    });
  }
});
