import { FlowpinError } from "../../errors.js";
import { FlowHasher, type FlowHasherOptions, type FlowProfile, type GlbHashField } from "../../flow-hasher.js";
import type { Flow } from "../../flow.js";
import { hashed, packetStatusName } from "../../packet.js";
import { readPcap } from "../../pcap.js";
import type { Command, Values } from "../command.js";
import { readInput, usage } from "../io.js";

const FIELDS = ["src", "dst", "sport", "dport", "proto"] as const;

function hexKey(s: string): Uint8Array {
  const h = s.startsWith("0x") ? s.slice(2) : s;
  if (!/^([0-9a-fA-F]{2})+$/.test(h)) usage(`--key must be an even number of hex digits, got ${JSON.stringify(s)}`);
  return Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16));
}

/** A port or protocol from text: decimal digits become numbers; names stay strings. */
function num(field: string, v: string, where: string): number | string {
  if (/^\d+$/.test(v)) return Number(v);
  if (field === "proto") return v;
  usage(`${where}${field} must be an integer in 0..65535, got ${JSON.stringify(v)}`);
}

function flowOf(parts: Record<string, string>, where: string): Flow {
  for (const f of FIELDS) if (parts[f] === undefined || parts[f] === "") usage(`${where}missing field ${f} (need ${FIELDS.join(", ")})`);
  return {
    src: parts.src!,
    dst: parts.dst!,
    sport: num("sport", parts.sport!, where) as number,
    dport: num("dport", parts.dport!, where) as number,
    proto: num("proto", parts.proto!, where) as Flow["proto"],
  };
}

function options(values: Values): FlowHasherOptions {
  const profile = (values.profile as string | undefined) ?? "flowpin";
  const o: FlowHasherOptions = { profile: profile as FlowProfile };
  if (typeof values.key === "string") o.key = hexKey(values.key);
  if (values.symmetric === true) o.symmetric = true;
  if (values["no-ports"] === true) o.noPorts = true;
  if (typeof values["cilium-seed"] === "string") o.cilium = { hashSeed: values["cilium-seed"] };
  if (typeof values["glb-fields"] === "string") o.glb = { fields: values["glb-fields"].split(",").map((s) => s.trim()) as GlbHashField[] };
  if (typeof values["katran-flags"] === "string") {
    const k: NonNullable<FlowHasherOptions["katran"]> = {};
    for (const f of values["katran-flags"].split(",").map((s) => s.trim())) {
      if (f === "F_HASH_SRC_DST_PORT") k.srcDstPort = true;
      else if (f === "F_HASH_NO_SRC_PORT") k.noSrcPort = true;
      else if (f === "F_HASH_DPORT_ONLY") k.dportOnly = true;
      else usage(`--katran-flags takes F_HASH_SRC_DST_PORT, F_HASH_NO_SRC_PORT, F_HASH_DPORT_ONLY, got ${JSON.stringify(f)}`);
    }
    o.katran = k;
  }
  return o;
}

const render = (h: number | bigint): string => (typeof h === "bigint" ? h.toString(16).padStart(16, "0") : h.toString(16).padStart(8, "0"));

/** Prefixes a FlowpinError from one input line with its place; other errors pass through. */
function at<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FlowpinError) usage(`${where}${e.message}`);
    throw e;
  }
}

export const hash: Command = {
  name: "hash",
  summary: "hash flows (or a pcap's packets) with a flow-hash profile",
  help: `usage: flowpin hash --profile P [--key HEX] [--symmetric] [--no-ports]
                    (--flow "src=A,dst=B,sport=N,dport=N,proto=tcp" | --input FLOWS.csv | --pcap FILE)

Prints each flow's hash as 8 hex digits (16 for the 64-bit envoy and glb profiles), one
per line in input order.

  --profile P      flowpin (default; keyed HalfSipHash-1-3, needs --key of 8 bytes),
                   toeplitz (RSS; default key: Microsoft's verification key), katran,
                   cilium, envoy (XXH64 of the source address text), glb (SipHash-2-4,
                   needs --key of 16 bytes)
  --key HEX        the profile's key (flowpin: 16 hex digits; glb: 32; toeplitz: >= 24)
  --symmetric      both directions of a connection hash alike (flowpin; toeplitz uses
                   the 6d5a key)
  --no-ports       hash without ports (flowpin: ports 0; toeplitz: 2-tuple input)
  --katran-flags L comma list of F_HASH_SRC_DST_PORT, F_HASH_NO_SRC_PORT, F_HASH_DPORT_ONLY
  --cilium-seed S  Cilium's --bpf-lb-maglev-hash-seed (default JLfvgnHc2kaSUFaI)
  --glb-fields L   comma list of src_addr, dst_addr, src_port, dst_port (default src_addr)
  --flow SPEC      one flow: src=,dst=,sport=,dport=,proto= (a number or tcp, udp, sctp,
                   icmp, icmpv6); IPv4 or IPv6 in any RFC 4291 text form
  --input FILE     CSV with the header src,dst,sport,dport,proto, one flow per line
  --pcap FILE      every IPv4/IPv6 packet of a classic pcap file (Ethernet, raw IP,
                   Linux SLL, loopback); a packet that cannot be parsed prints "-" and
                   is counted on stderr
`,
  options: {
    profile: { type: "string" },
    key: { type: "string" },
    symmetric: { type: "boolean" },
    "no-ports": { type: "boolean" },
    "katran-flags": { type: "string" },
    "cilium-seed": { type: "string" },
    "glb-fields": { type: "string" },
    flow: { type: "string" },
    input: { type: "string" },
    pcap: { type: "string" },
  },
  positionals: [0, 0],
  run(values, _positionals, io) {
    const sources = ["flow", "input", "pcap"].filter((k) => values[k] !== undefined);
    if (sources.length !== 1) usage("give exactly one of --flow, --input or --pcap");
    const hasher = new FlowHasher(options(values));

    if (typeof values.flow === "string") {
      const parts: Record<string, string> = {};
      for (const item of values.flow.split(",")) {
        const eq = item.indexOf("=");
        const k = (eq < 0 ? item : item.slice(0, eq)).trim();
        if (eq < 0 || !(FIELDS as readonly string[]).includes(k)) usage(`--flow: expected field=value with fields ${FIELDS.join(", ")}, got ${JSON.stringify(item)}`);
        if (parts[k] !== undefined) usage(`--flow: field ${k} given twice`);
        parts[k] = item.slice(eq + 1).trim();
      }
      io.out(`${render(at("--flow: ", () => hasher.hash(flowOf(parts, "--flow: "))))}\n`);
      return;
    }

    if (typeof values.input === "string") {
      const file = values.input;
      const lines = new TextDecoder().decode(readInput(file, "flows file")).split(/\r?\n/);
      const header = lines[0]!.split(",").map((s) => s.trim());
      if (header.join(",") !== FIELDS.join(",")) usage(`${file} line 1: the header must be ${FIELDS.join(",")}, got ${JSON.stringify(lines[0])}`);
      const out: string[] = [];
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!;
        if (line.trim() === "") continue;
        const where = `${file} line ${i + 1}: `;
        const cells = line.split(",").map((s) => s.trim());
        if (cells.length !== FIELDS.length) usage(`${where}expected ${FIELDS.length} fields, got ${cells.length}`);
        const parts = Object.fromEntries(FIELDS.map((f, k) => [f, cells[k]!]));
        out.push(render(at(where, () => hasher.hash(flowOf(parts, where)))));
      }
      io.out(out.length ? `${out.join("\n")}\n` : "");
      return;
    }

    const file = values.pcap as string;
    const cap = at(`${file}: `, () => readPcap(readInput(file, "pcap file")));
    const ip = cap.packets.filter((p) => p.ip !== undefined);
    const r = hasher.hashPackets(ip.map((p) => p.ip!));
    const lines: string[] = [];
    const failed = new Map<string, number>();
    for (let i = 0; i < ip.length; i++) {
      const st = r.status[i]!;
      if (!hashed(st)) {
        lines.push("-");
        const name = packetStatusName(st);
        failed.set(name, (failed.get(name) ?? 0) + 1);
        continue;
      }
      lines.push(render(r.hashesHi ? (BigInt(r.hashesHi[i]!) << 32n) | BigInt(r.hashes[i]!) : r.hashes[i]!));
    }
    io.out(lines.length ? `${lines.join("\n")}\n` : "");
    const skipped = cap.packets.length - ip.length;
    const notes: string[] = [];
    if (skipped) notes.push(`${skipped} non-IP frame${skipped === 1 ? "" : "s"} skipped`);
    if (failed.size) notes.push(`not hashed: ${[...failed].map(([k, n]) => `${n} ${k}`).join(", ")}`);
    if (notes.length) io.err(`flowpin hash: ${notes.join("; ")}\n`);
  },
};
