import { hexBytes } from "../../encoding.js";
import { FlowHasher, type FlowHasherOptions, type FlowProfile, type GlbHashField } from "../../flow-hasher.js";
import type { Flow } from "../../flow.js";
import { hashed, PacketStatus } from "../../packet.js";
import { didYouMean } from "../../validate.js";
import type { Command, Values } from "../command.js";
import { at, fileRecords, forEachCaptureChunk, specRecords } from "../flows.js";
import { usage } from "../io.js";

const STATUS_WORD = Object.fromEntries(Object.entries(PacketStatus).map(([k, v]) => [v, k])) as Record<number, string>;
const packetStatusWord = (code: number): string => STATUS_WORD[code] ?? `STATUS_${code}`;

const FIELDS = ["src", "dst", "sport", "dport", "proto"];

/** A flow record (spec, CSV row, JSON line) as a Flow: exactly the five fields. */
function flowOf(record: Record<string, unknown>, where: string): Flow {
  for (const f of FIELDS) if (record[f] === undefined || record[f] === "") usage(`${where}missing field ${f} (need ${FIELDS.join(", ")})`);
  for (const k of Object.keys(record)) if (!FIELDS.includes(k)) usage(`${where}unknown field ${JSON.stringify(k)}${didYouMean(k, FIELDS)} (fields: ${FIELDS.join(", ")})`);
  for (const f of ["sport", "dport"]) if (typeof record[f] === "string") usage(`${where}${f} must be an integer in 0..65535, got ${JSON.stringify(record[f])}`);
  return record as unknown as Flow;
}

function options(values: Values): FlowHasherOptions {
  const profile = (values.profile as string | undefined) ?? "flowpin";
  const o: FlowHasherOptions = { profile: profile as FlowProfile };
  if (typeof values.key === "string") o.key = at("", () => hexBytes("--key", values.key, "INVALID_KEY"));
  // The library's message names its API (a Uint8Array, crypto.getRandomValues); here the
  // key is a flag.
  else if (profile === "flowpin") usage("the flowpin profile needs --key: 16 hex digits, the fleet's secret (e.g. from `openssl rand -hex 8`); an unkeyed flow hash lets clients aim flows at one backend");
  else if (profile === "glb") usage("the glb profile needs --key: the table's hash_key, 32 hex digits");
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

export const hash: Command = {
  name: "hash",
  summary: "hash flows (or a pcap's packets) with a flow-hash profile",
  help: `usage: flowpin hash --profile P [--key HEX] [--symmetric] [--no-ports]
                    (--flow "src=A,dst=B,sport=N,dport=N,proto=tcp" ... | --input FLOWS | --pcap FILE [--status])

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
                   icmp, icmpv6); IPv4 or IPv6 in any RFC 4291 text form; repeat for several
  --input FILE     CSV with the header src,dst,sport,dport,proto, or JSON Lines (one
                   flow object per line); - reads standard input
  --pcap FILE      every frame of a pcap or pcapng capture (Ethernet, raw IP, Linux SLL,
                   loopback), read in chunks: one line per frame, in order; a frame not
                   hashed prints "-" and why (NOT_IP, TRUNCATED, BAD_VERSION, BAD_HEADER),
                   and the counts go to stderr
  --status         with --pcap: every line also gives the packet's status (OK, FRAGMENT:
                   hashed without ports, NO_PORTS, ...)
`,
  options: {
    profile: { type: "string" },
    key: { type: "string" },
    symmetric: { type: "boolean" },
    "no-ports": { type: "boolean" },
    "katran-flags": { type: "string" },
    "cilium-seed": { type: "string" },
    "glb-fields": { type: "string" },
    flow: { type: "string", multiple: true },
    input: { type: "string" },
    pcap: { type: "string" },
    status: { type: "boolean" },
  },
  positionals: [0, 0],
  run(values, _positionals, io) {
    const sources = ["flow", "input", "pcap"].filter((k) => values[k] !== undefined);
    if (sources.length !== 1) usage("give exactly one of --flow, --input or --pcap (--flow may repeat)");
    const hasher = new FlowHasher(options(values));

    if (values.pcap === undefined) {
      const records = values.flow !== undefined ? specRecords(values.flow) : fileRecords(values.input as string, FIELDS);
      // Every flow is hashed before the first line is written: a bad line fails whole.
      const out = records.map(({ where, record }) => render(at(where, () => hasher.hash(flowOf(record, where)))));
      io.out(out.length ? `${out.join("\n")}\n` : "");
      return;
    }

    // One line per frame, in order, so lines match packets: the hash, or "-" and the reason
    // it was not hashed; --status adds the status to every line.
    const status = values.status === true;
    const failed = new Map<string, number>();
    forEachCaptureChunk(values.pcap as string, (packets) => {
      const ip = packets.filter((p) => p.ip !== undefined);
      const r = hasher.hashPackets(ip.map((p) => p.ip!));
      const lines: string[] = [];
      let k = 0;
      for (const p of packets) {
        let word: string;
        let line: string;
        if (p.ip === undefined) {
          word = "NOT_IP";
          line = "-";
        } else {
          const st = r.status[k]!;
          word = packetStatusWord(st);
          line = hashed(st) ? render(r.hashesHi ? (BigInt(r.hashesHi[k]!) << 32n) | BigInt(r.hashes[k]!) : r.hashes[k]!) : "-";
          k++;
        }
        if (line === "-") failed.set(word, (failed.get(word) ?? 0) + 1);
        lines.push(status || line === "-" ? `${line}\t${word}` : line);
      }
      io.out(`${lines.join("\n")}\n`);
    });
    if (failed.size) io.err(`flowpin hash: not hashed: ${[...failed].map(([w, n]) => `${n} ${w}`).join(", ")}\n`);
  },
};
