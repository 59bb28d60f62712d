// The tuple Cilium's datapath reads from an IP packet (lb4_extract_tuple / lb6_extract_tuple in
// bpf/lib/lb.h, ipv6_hdrlen_offset in bpf/lib/ipv6.h), without the link header.
// Each system keeps its own parser although their shapes look alike: what is dropped, skipped
// or walked differs (Cilium walks up to four IPv6 extension headers and takes IPv4 options;
// Katran drops options and walks none; IPVS walks any chain and reads ICMP-quoted headers;
// glb-director reads ports 20 bytes past any IPv4 header), and those differences decide.
import { be16, be32 } from "../bytes.js";

/** What extraction found. */
export const TupleStatus = {
  /** TCP or UDP with its ports. */
  OK: 0,
  /** Another protocol (ICMP, SCTP without --enable-sctp, ...): lbX_extract_tuple refuses it. */
  NOT_LB: 1,
  /** A fragment the stateless datapath cannot take ports from (see `extractTuple`). */
  FRAGMENT: 2,
  /** Not an IPv4/IPv6 packet, truncated, or an extension header chain Cilium refuses. */
  INVALID: 3,
} as const;

export interface Tuple {
  /** src words at 0..3, dst words at 4..7 (big-endian words; IPv4 uses words 0 and 4). */
  words: Uint32Array;
  family: 4 | 6;
  sport: number;
  dport: number;
  proto: number;
  /** For INVALID / FRAGMENT: why. */
  why: string;
}

// IPv6 extension headers ipv6_hdrlen_offset walks (NEXTHDR_HOP, ROUTING, AUTH, DEST).
const HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTH = 51;
const NONE = 59;
const DEST = 60;
/** IPV6_MAX_HEADERS: the loop looks at four next-header values at most. */
const MAX_HEADERS = 4;

const u32 = be32;
const u16 = be16;

/**
 * Reads the tuple of one IP packet into `t`; returns a TupleStatus.
 *
 * Fragments: a later IPv4 fragment carries no ports. Cilium with its default
 * --enable-ipv4-fragment-tracking takes them from the datagram's first fragment (state a
 * stateless router does not have), and without it 1.18+ drops the packet (DROP_FRAG_NOSUPPORT):
 * it is reported as FRAGMENT. The first fragment has its ports and is routed. An IPv6 Fragment
 * header makes 1.16/1.17's ipv6_hdrlen_offset return DROP_FRAG_NOSUPPORT: FRAGMENT too.
 */
export function extractTuple(p: Uint8Array, t: Tuple): number {
  const w = t.words;
  t.sport = 0;
  t.dport = 0;
  t.proto = 0;
  if (p.length < 1) return invalid(t, "empty packet");
  const version = p[0]! >> 4;
  let l4: number;
  if (version === 4) {
    t.family = 4;
    if (p.length < 20) return invalid(t, `IPv4 header needs 20 bytes, got ${p.length}`);
    const ihl = (p[0]! & 0x0f) * 4;
    if (ihl < 20 || p.length < ihl) return invalid(t, `IPv4 header length ${ihl} does not fit the packet (${p.length} bytes)`);
    t.proto = p[9]!;
    w[0] = u32(p, 12);
    w[4] = u32(p, 16);
    l4 = ihl;
    if (t.proto !== 6 && t.proto !== 17) return TupleStatus.NOT_LB;
    const offset = u16(p, 6) & 0x1fff;
    if (offset !== 0) {
      t.why = `IPv4 fragment at offset ${offset * 8}: its ports are in the datagram's first fragment`;
      return TupleStatus.FRAGMENT;
    }
  } else if (version === 6) {
    t.family = 6;
    if (p.length < 40) return invalid(t, `IPv6 header needs 40 bytes, got ${p.length}`);
    for (let k = 0; k < 4; k++) {
      w[k] = u32(p, 8 + 4 * k);
      w[4 + k] = u32(p, 24 + 4 * k);
    }
    let nh = p[6]!;
    l4 = 40;
    let found = false;
    for (let i = 0; i < MAX_HEADERS && !found; i++) {
      if (nh === NONE) return invalid(t, "IPv6 No Next Header (DROP_INVALID_EXTHDR)");
      if (nh === FRAGMENT) {
        t.proto = nh;
        t.why = "IPv6 Fragment header (ipv6_hdrlen_offset: DROP_FRAG_NOSUPPORT)";
        return TupleStatus.FRAGMENT;
      }
      if (nh === HOP || nh === ROUTING || nh === AUTH || nh === DEST) {
        if (p.length < l4 + 2) return invalid(t, "truncated IPv6 extension header");
        const len = nh === AUTH ? (p[l4 + 1]! + 2) * 4 : (p[l4 + 1]! + 1) * 8;
        nh = p[l4]!;
        l4 += len;
      } else found = true;
    }
    if (!found) return invalid(t, `more than ${MAX_HEADERS - 1} IPv6 extension headers (DROP_INVALID_EXTHDR)`);
    t.proto = nh;
    if (nh !== 6 && nh !== 17) return TupleStatus.NOT_LB;
  } else {
    t.family = 4;
    return invalid(t, `IP version ${version}`);
  }
  // l4_load_ports: the first four bytes of the L4 header.
  if (p.length < l4 + 4) return invalid(t, "truncated before the L4 ports (DROP_CT_INVALID_HDR)");
  t.sport = u16(p, l4);
  t.dport = u16(p, l4 + 2);
  return TupleStatus.OK;
}

function invalid(t: Tuple, why: string): number {
  t.why = why;
  return TupleStatus.INVALID;
}
