// An IP packet parsed as Katran's XDP program parses it (katran/lib/bpf/pckt_parsing.h
// parse_l3_headers, parse_tcp, parse_udp; handle_icmp.h parse_icmp, parse_icmpv6), into the
// same scratch words a 5-tuple fills. Katran reads ports at fixed offsets: an IPv4 header with
// options and IPv6 fragments are dropped, other extension headers are not walked.
import { be32 } from "../bytes.js";

/** Scratch layout shared by packet and 5-tuple input: family, src[4], dst[4], sport, dport, proto. */
export const W_FAMILY = 0;
export const W_SRC = 1;
export const W_DST = 5;
export const W_SPORT = 9;
export const W_DPORT = 10;
export const W_PROTO = 11;
export const W_LENGTH = 12;

/** Route reasons for packets Katran does not balance (see index.ts for all reasons). */
export const PASS_NOT_IP = "not-ip";
export const PASS_NOT_TCP_UDP = "not-tcp-udp";
export const PASS_ICMP = "icmp-pass";
export const TX_ICMP_ECHO = "icmp-echo";
export const DROP_TRUNCATED = "truncated";
export const DROP_IP_OPTIONS = "ip-options";
export const DROP_FRAGMENT = "fragment";

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_FRAGMENT = 44;
const IPPROTO_ICMPV6 = 58;
const ICMP_ECHO = 8;
const ICMP_DEST_UNREACH = 3;
const ICMPV6_DEST_UNREACH = 1;
const ICMPV6_PKT_TOOBIG = 2;
const ICMPV6_ECHO_REQUEST = 128;
/** balancer_consts.h PCKT_FRAGMENTED (0xff3f read little-endian): MF or a fragment offset. */
const FRAGMENTED = 0x3fff;

const word = be32;

function copyAddress(p: Uint8Array, at: number, v6: boolean, w: Uint32Array, to: number): void {
  if (v6) {
    for (let k = 0; k < 4; k++) w[to + k] = word(p, at + 4 * k);
  } else {
    w[to] = word(p, at);
    w[to + 1] = 0;
    w[to + 2] = 0;
    w[to + 3] = 0;
  }
}

/**
 * Fills `w` from the packet `p` (starting at its IP header) and returns "" when Katran goes on
 * to the VIP lookup, or the reason it stops: passes the packet to the kernel, answers it
 * itself (ICMP echo) or drops it. The IP version nibble stands in for the Ethernet type
 * Katran dispatches on. No allocation.
 */
export function parseKatranPacket(p: Uint8Array, w: Uint32Array): string {
  if (p.length < 1) return DROP_TRUNCATED;
  const version = p[0]! >>> 4;
  if (version !== 4 && version !== 6) return PASS_NOT_IP;
  const v6 = version === 6;
  const l3 = v6 ? 40 : 20;
  if (p.length < l3) return DROP_TRUNCATED;
  let icmp = false;
  let proto: number;
  if (v6) {
    proto = p[6]!;
    if (proto === IPPROTO_FRAGMENT) return DROP_FRAGMENT;
  } else {
    if ((p[0]! & 0x0f) !== 5) return DROP_IP_OPTIONS;
    if ((((p[6]! << 8) | p[7]!) & FRAGMENTED) !== 0) return DROP_FRAGMENT;
    proto = p[9]!;
  }
  if (proto === (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP)) {
    // handle_if_icmp: echo requests are answered (XDP_TX); "destination unreachable" (and
    // IPv6 "packet too big") are routed as the quoted packet, endpoints swapped, so the
    // error reaches the real that owns the connection; any other ICMP goes to the kernel.
    if (p.length < l3 + 8) return DROP_TRUNCATED;
    const type = p[l3]!;
    if (type === (v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO)) return TX_ICMP_ECHO;
    if (v6 ? type !== ICMPV6_PKT_TOOBIG && type !== ICMPV6_DEST_UNREACH : type !== ICMP_DEST_UNREACH) return PASS_ICMP;
    const inner = l3 + 8;
    if (p.length < inner + l3) return DROP_TRUNCATED;
    if (!v6 && (p[inner]! & 0x0f) !== 5) return DROP_IP_OPTIONS;
    proto = p[inner + (v6 ? 6 : 9)]!;
    copyAddress(p, inner + (v6 ? 24 : 16), v6, w, W_SRC);
    copyAddress(p, inner + (v6 ? 8 : 12), v6, w, W_DST);
    icmp = true;
  } else {
    copyAddress(p, v6 ? 8 : 12, v6, w, W_SRC);
    copyAddress(p, v6 ? 24 : 16, v6, w, W_DST);
  }
  if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) return PASS_NOT_TCP_UDP;
  // pckt_parsing.h calc_offset: the transport header sits right after the fixed headers.
  const l4 = icmp ? l3 + 8 + l3 : l3;
  if (p.length < l4 + (proto === IPPROTO_TCP ? 20 : 8)) return DROP_TRUNCATED;
  const a = (p[l4]! << 8) | p[l4 + 1]!;
  const b = (p[l4 + 2]! << 8) | p[l4 + 3]!;
  w[W_FAMILY] = v6 ? 6 : 4;
  // A quoted packet went from the VIP to the client: its source port is the VIP's port.
  w[W_SPORT] = icmp ? b : a;
  w[W_DPORT] = icmp ? a : b;
  w[W_PROTO] = proto;
  return "";
}
