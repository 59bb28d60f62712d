// An IP packet as IPVS reads it before scheduling (ip_vs_core.c ip_vs_fill_iph_skb, ip_vs_in,
// ip_vs_in_icmp / ip_vs_in_icmp_v6): the addresses, protocol and ports of a TCP, UDP or SCTP
// packet (IPv4 options and IPv6 extension headers skipped), or, for an ICMP error, the header
// it quotes, scheduled as an inverse header (with net.ipv4.vs.schedule_icmp=1). Addresses stay
// as the bytes the packet carries, so an IPv6 packet is an IPv6 flow even when its addresses are
// IPv4-mapped. What IPVS would not schedule is a `skip` with the reason.
import type { IpvsFlow } from "./index.js";

export type IpvsPacket = { flow: IpvsFlow; skip?: undefined } | { flow?: undefined; skip: string };

const PORTED = new Set([6, 17, 132]);
// ICMP errors ip_vs_in_icmp handles: destination unreachable, source quench, time exceeded.
const ICMP_ERRORS = new Set([3, 4, 11]);
// ICMPv6 errors ip_vs_in_icmp_v6 handles: destination unreachable, packet too big, time exceeded.
const ICMP6_ERRORS = new Set([1, 2, 3]);
// IPv6 extension headers ipv6_find_hdr walks past.
const EXTENSIONS = new Set([0, 43, 44, 51, 60]);

interface Header {
  src: Uint8Array;
  dst: Uint8Array;
  proto: number;
  /** Offset of the transport header. */
  l4: number;
  /** A non-first fragment (no transport header). */
  fragment: boolean;
}

function header(b: Uint8Array, at: number): Header | string {
  if (b.length < at + 1) return "truncated";
  const version = b[at]! >> 4;
  if (version === 4) {
    const ihl = (b[at]! & 15) * 4;
    if (ihl < 20 || b.length < at + ihl) return ihl < 20 ? "IPv4 header length below 20" : "truncated IPv4 header";
    const fragment = (((b[at + 6]! & 0x1f) << 8) | b[at + 7]!) !== 0;
    return { src: b.slice(at + 12, at + 16), dst: b.slice(at + 16, at + 20), proto: b[at + 9]!, l4: at + ihl, fragment };
  }
  if (version === 6) {
    if (b.length < at + 40) return "truncated IPv6 header";
    let next = b[at + 6]!;
    let off = at + 40;
    let fragment = false;
    for (let n = 0; EXTENSIONS.has(next); n++) {
      if (n > 16 || b.length < off + 8) return "truncated or overlong IPv6 extension header chain";
      const following = b[off]!;
      if (next === 44) {
        fragment = fragment || (((b[off + 2]! << 8) | b[off + 3]!) & 0xfff8) !== 0;
        off += 8;
      } else off += next === 51 ? (b[off + 1]! + 2) * 4 : (b[off + 1]! + 1) * 8;
      next = following;
    }
    return { src: b.slice(at + 8, at + 24), dst: b.slice(at + 24, at + 40), proto: next, l4: off, fragment };
  }
  return `IP version ${version}`;
}

function ports(b: Uint8Array, h: Header): [number, number] | string {
  if (h.fragment) return "a non-first fragment (the kernel reassembles fragments before IPVS sees them)";
  if (b.length < h.l4 + 4) return "truncated transport header";
  return [(b[h.l4]! << 8) | b[h.l4 + 1]!, (b[h.l4 + 2]! << 8) | b[h.l4 + 3]!];
}

/** The flow IPVS schedules for one IP packet (no link header), or why it schedules none. */
export function ipvsPacket(b: Uint8Array): IpvsPacket {
  const h = header(b, 0);
  if (typeof h === "string") return { skip: h };
  if (PORTED.has(h.proto)) {
    const p = ports(b, h);
    if (typeof p === "string") return { skip: p };
    return { flow: { src: h.src, dst: h.dst, sport: p[0], dport: p[1], proto: h.proto } };
  }
  const v6 = h.src.length === 16;
  if (h.proto !== (v6 ? 58 : 1)) return { skip: `protocol ${h.proto}: IPVS schedules TCP, UDP and SCTP only` };
  if (h.fragment || b.length < h.l4 + 8) return { skip: "truncated or fragmented ICMP message" };
  const type = b[h.l4]!;
  if (!(v6 ? ICMP6_ERRORS : ICMP_ERRORS).has(type)) return { skip: `ICMP${v6 ? "v6" : ""} type ${type} is not an error IPVS schedules` };
  const inner = header(b, h.l4 + 8);
  if (typeof inner === "string") return { skip: `the quoted packet: ${inner}` };
  if ((inner.src.length === 16) !== v6) return { skip: "the quoted packet is of the other IP version" };
  if (!PORTED.has(inner.proto)) return { skip: `the quoted packet is protocol ${inner.proto}, not TCP, UDP or SCTP` };
  const p = ports(b, inner);
  if (typeof p === "string") return { skip: `the quoted packet: ${p}` };
  return { flow: { src: inner.src, dst: inner.dst, sport: p[0], dport: p[1], proto: inner.proto, inverse: true } };
}
