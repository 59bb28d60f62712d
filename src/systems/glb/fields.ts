// What glb-director reads from a packet before it hashes (glb-hashing/packet_parsing.h,
// extract_packet_fields_ipv4/_ipv6) and what its bind classifier matches on
// (bind_classifier.c), from an IP packet or from a flow given as text.
//
// The director's quirks, kept:
// - Ports are read at a fixed offset after the fixed-size IP header (packet_parsing.h:222,
//   sizeof(struct pdnet_ipv4_hdr)): an IPv4 packet with options hashes option bytes as ports.
//   IPv6 extension headers are not walked either (next header is the L4 protocol).
// - ICMPv4 type 3 and ICMPv6 type 2 are hashed on the quoted header with source and
//   destination swapped (the packet was the server's reply), so the error follows the client's
//   own flow; other ICMP messages hash their own addresses with ports 0.
// - The GUE source port hint is the client's source port (after the swap), the IPv4
//   identification for other ICMPv4, and the low 16 bits of the flow label for other ICMPv6.
// The classifier matches a TCP/UDP packet by destination, protocol and destination port, an
// ICMP error (v4 3/4, v6 2/0) by the outer destination and the quoted source address and
// source port, an echo request (v4 8/0, v6 128/0) by its destination alone
// (bind_classifier.c:90-94). For the destination port of a TCP/UDP packet with IPv4 options,
// flowpin reads the real transport header (IHL), as the vectors' `table` does; the DPDK ACL
// rules (bind_classifier_rules.h) read it at the same fixed offset as the hash, so a DPDK
// director would classify such a packet by its option bytes instead.
import { packetWords } from "../address.js";
import { putBe32 } from "../bytes.js";
import { flowpinError, show } from "../../errors.js";
import { parsePort, parseProtocol, type Flow } from "../../flow.js";
import { object, knownFields } from "../../validate.js";

/** A flow for the glb system: a 5-tuple, and for ICMP what the packet would say. */
export interface GlbFlow extends Flow {
  /**
   * ICMP (proto 1 or 58): the message type and code, the header an error quotes (v4 type 3,
   * v6 type 2: the server's reply, as sent), and for echo requests the IPv4 identification or
   * IPv6 flow label (the GUE source port hint; without it `gue_udp_sport` is null).
   */
  icmp?: { type: number; code: number; quoted?: Flow; id?: number };
}

/** Why a packet was not routed before any table was looked at. */
export type ParseFailure = "not-ip" | "truncated";

/** The parsed view, reused between calls (no allocation per flow). */
export class Fields {
  family: 4 | 6 = 4;
  /** Hashed source and destination (16 bytes each; IPv4 uses the first 4). */
  readonly src = new Uint8Array(16);
  readonly dst = new Uint8Array(16);
  /** Hashed ports, host order. */
  sport = 0;
  dport = 0;
  /** The GUE source port hint, or -1 where the input does not carry it. */
  hint = -1;
  /** What the classifier sees: 0 TCP/UDP/other, 1 ICMP error, 2 ICMP echo, 3 other ICMP. */
  kind: 0 | 1 | 2 | 3 = 0;
  /** Outer IP protocol. */
  proto = 0;
  /** The outer destination (the classifier's address for every kind). */
  readonly outerDst = new Uint8Array(16);
  /** TCP/UDP: the destination port the classifier matches. */
  classPort = 0;
  icmpType = 0;
  icmpCode = 0;
}

const words = new Uint32Array(4);

/** Address bytes as glb-director sees a packet's: text with ':' stays 16 bytes (::ffff:a.b.c.d too). */
function addressInto(value: unknown, out: Uint8Array, name: string): 4 | 6 {
  const fam = packetWords(value, words, 0, name);
  for (let k = 0; k < (fam === 4 ? 1 : 4); k++) putBe32(out, 4 * k, words[k]!);
  return fam;
}

const isMapped = (b: Uint8Array): boolean => b[10] === 0xff && b[11] === 0xff && b.subarray(0, 10).every((x) => x === 0);
const tmpSrc = new Uint8Array(16);
const tmpDst = new Uint8Array(16);

/**
 * Both addresses of a text flow, in one family. A packet from ::ffff:a.b.c.d to an IPv6 VIP is
 * IPv6 (16 bytes hashed); an IPv4-mapped address beside an IPv4 one can only be an IPv4 packet.
 */
function pair(src: unknown, dst: unknown, outSrc: Uint8Array, outDst: Uint8Array, what: string): 4 | 6 {
  const fs = addressInto(src, tmpSrc, `${what}src`);
  const fd = addressInto(dst, tmpDst, `${what}dst`);
  let fam: 4 | 6 = fs;
  if (fs !== fd) {
    const v6 = fs === 6 ? tmpSrc : tmpDst;
    if (!isMapped(v6)) throw flowpinError("MIXED_FAMILIES", `${what}src and ${what}dst must be the same address family, got ${show(src)} and ${show(dst)}`);
    v6.copyWithin(0, 12, 16);
    fam = 4;
  }
  outSrc.set(tmpSrc);
  outDst.set(tmpDst);
  return fam;
}

const FLOW_FIELDS = ["src", "dst", "sport", "dport", "proto", "icmp"];
const ICMP_FIELDS = ["type", "code", "quoted", "id"];
const QUOTED_FIELDS = ["src", "dst", "sport", "dport", "proto"];

function byte(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 255 || Object.is(value, -0)) throw flowpinError("OUT_OF_RANGE", `${name} must be an integer in 0..255, got ${show(value)}`);
  return value;
}

/** Fills `f` from a text flow; fields are read once each. */
export function fieldsFromFlow(flow: GlbFlow, f: Fields): void {
  const o = object("flow", flow);
  knownFields("flow", o, FLOW_FIELDS);
  const proto = parseProtocol(o.proto, "proto");
  const sport = parsePort(o.sport, "sport");
  const dport = parsePort(o.dport, "dport");
  f.family = pair(o.src, o.dst, f.src, f.dst, "");
  f.outerDst.set(f.dst);
  f.proto = proto;
  f.sport = sport;
  f.dport = dport;
  f.classPort = dport;
  f.hint = sport;
  f.kind = 0;
  const icmpProto = f.family === 4 ? 1 : 58;
  if (o.icmp === undefined) {
    if (proto === icmpProto) {
      // Without type and code the classifier's ICMP rules cannot be applied: no table.
      f.kind = 3;
      f.icmpType = -1;
      f.hint = -1;
    }
    return;
  }
  if (proto !== icmpProto) throw flowpinError("INVALID_CONFIG", `flow.icmp is given but proto is ${proto}, not ${icmpProto} (ICMP${f.family === 6 ? "v6" : ""})`);
  const icmp = object("flow.icmp", o.icmp);
  knownFields("flow.icmp", icmp, ICMP_FIELDS);
  f.icmpType = byte("flow.icmp.type", icmp.type);
  f.icmpCode = byte("flow.icmp.code", icmp.code);
  f.sport = 0;
  f.dport = 0;
  const error = f.family === 4 ? f.icmpType === 3 : f.icmpType === 2;
  if (error) {
    if (icmp.quoted === undefined) throw flowpinError("INVALID_CONFIG", `flow.icmp.quoted is required for an ICMP error (type ${f.icmpType}): glb-director hashes the quoted header`);
    const q = object("flow.icmp.quoted", icmp.quoted);
    knownFields("flow.icmp.quoted", q, QUOTED_FIELDS);
    const qsport = parsePort(q.sport, "flow.icmp.quoted.sport");
    const qdport = parsePort(q.dport, "flow.icmp.quoted.dport");
    parseProtocol(q.proto, "flow.icmp.quoted.proto");
    // The quoted header was sent by the server: swapped, it is the client's flow.
    const fam = pair(q.dst, q.src, f.src, f.dst, "flow.icmp.quoted.");
    if (fam !== f.family) throw flowpinError("MIXED_FAMILIES", `flow.icmp.quoted is IPv${fam} inside an IPv${f.family} ICMP error`);
    f.sport = qdport;
    f.dport = qsport;
    f.hint = qdport;
    f.kind = 1;
  } else {
    f.kind = (f.family === 4 ? f.icmpType === 8 : f.icmpType === 128) && f.icmpCode === 0 ? 2 : 3;
    f.hint = icmp.id === undefined ? -1 : parsePort(icmp.id, "flow.icmp.id");
  }
}

/** Fills `f` from an IP packet (starting at its IP header); returns why it cannot, or undefined. */
export function fieldsFromPacket(p: Uint8Array, f: Fields): ParseFailure | undefined {
  if (p.length < 1) return "truncated";
  const version = p[0]! >> 4;
  if (version === 4) {
    if (p.length < 20) return "truncated";
    f.family = 4;
    f.proto = p[9]!;
    f.outerDst.set(p.subarray(16, 20));
    if (f.proto === 1) {
      if (p.length < 28) return "truncated";
      f.icmpType = p[20]!;
      f.icmpCode = p[21]!;
      if (f.icmpType === 3) {
        // Quoted IPv4 header at 28 (its IHL ignored too), its ports at 48.
        if (p.length < 52) return "truncated";
        f.src.set(p.subarray(44, 48));
        f.dst.set(p.subarray(40, 44));
        f.sport = (p[50]! << 8) | p[51]!;
        f.dport = (p[48]! << 8) | p[49]!;
        f.hint = f.sport;
        f.kind = 1;
      } else {
        f.src.set(p.subarray(12, 16));
        f.dst.set(p.subarray(16, 20));
        f.sport = 0;
        f.dport = 0;
        f.hint = (p[4]! << 8) | p[5]!;
        f.kind = f.icmpType === 8 && f.icmpCode === 0 ? 2 : 3;
      }
      return undefined;
    }
    if (p.length < 24) return "truncated";
    f.src.set(p.subarray(12, 16));
    f.dst.set(p.subarray(16, 20));
    f.sport = (p[20]! << 8) | p[21]!;
    f.dport = (p[22]! << 8) | p[23]!;
    f.hint = f.sport;
    f.kind = 0;
    const l4 = (p[0]! & 0x0f) * 4;
    f.classPort = l4 >= 20 && p.length >= l4 + 4 ? (p[l4 + 2]! << 8) | p[l4 + 3]! : -1;
    return undefined;
  }
  if (version === 6) {
    if (p.length < 40) return "truncated";
    f.family = 6;
    f.proto = p[6]!;
    f.outerDst.set(p.subarray(24, 40));
    if (f.proto === 58) {
      if (p.length < 44) return "truncated";
      f.icmpType = p[40]!;
      f.icmpCode = p[41]!;
      if (f.icmpType === 2) {
        // ICMPv6 header (4) and the MTU (4), then the quoted IPv6 header and its ports.
        if (p.length < 92) return "truncated";
        f.src.set(p.subarray(72, 88));
        f.dst.set(p.subarray(56, 72));
        f.sport = (p[90]! << 8) | p[91]!;
        f.dport = (p[88]! << 8) | p[89]!;
        f.hint = f.sport;
        f.kind = 1;
      } else {
        f.src.set(p.subarray(8, 24));
        f.dst.set(p.subarray(24, 40));
        f.sport = 0;
        f.dport = 0;
        // ntohs(flow label & 0xffff): the label's low 16 bits, bytes 2-3 of the header.
        f.hint = (p[2]! << 8) | p[3]!;
        f.kind = f.icmpType === 128 && f.icmpCode === 0 ? 2 : 3;
      }
      return undefined;
    }
    if (p.length < 44) return "truncated";
    f.src.set(p.subarray(8, 24));
    f.dst.set(p.subarray(24, 40));
    f.sport = (p[40]! << 8) | p[41]!;
    f.dport = (p[42]! << 8) | p[43]!;
    f.classPort = f.dport;
    f.hint = f.sport;
    f.kind = 0;
    return undefined;
  }
  return "not-ip";
}
