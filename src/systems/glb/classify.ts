// glb-director's bind classifier (bind_classifier.c): which table a packet belongs to. Each
// bind becomes DPDK ACL rules: its protocol, destination prefix and destination port range;
// an ICMP error (v4 type 3 code 4, v6 type 2 code 0) whose outer destination and quoted
// source are in the prefix and whose quoted source port is in the range; and, unless the
// director config sets forward_icmp_ping_responses to false, an echo request (v4 8/0, v6
// 128/0) to an address in the prefix, whatever the bind's protocol and ports. Every rule has
// priority 1, and DPDK leaves the winner among equal-priority matches unspecified; flowpin
// takes the first table in file order (and its first matching bind), so overlapping binds
// give an answer that a real director may not.
import type { ParsedBind, ParsedTable } from "./config.js";
import type { Fields } from "./fields.js";

/** Whether `addr` (family `family`) is inside the bind's prefix. */
function inPrefix(b: ParsedBind, family: 4 | 6, addr: Uint8Array): boolean {
  if (b.family !== family) return false;
  const full = b.bits >> 3;
  for (let i = 0; i < full; i++) if (addr[i] !== b.bytes[i]) return false;
  const rest = b.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (addr[full]! & mask) === (b.bytes[full]! & mask);
}

function matches(b: ParsedBind, f: Fields, echo: boolean): boolean {
  switch (f.kind) {
    case 0:
      return b.proto === f.proto && inPrefix(b, f.family, f.outerDst) && f.classPort >= b.portStart && f.classPort <= b.portEnd;
    case 1: {
      const typeCode = f.family === 4 ? f.icmpType === 3 && f.icmpCode === 4 : f.icmpType === 2 && f.icmpCode === 0;
      // f.dst / f.dport are the quoted source and source port (swapped for hashing).
      return typeCode && inPrefix(b, f.family, f.outerDst) && inPrefix(b, f.family, f.dst) && f.dport >= b.portStart && f.dport <= b.portEnd;
    }
    case 2:
      return echo && inPrefix(b, f.family, f.outerDst);
    default:
      return false;
  }
}

/** The index of the table whose binds match `f`, or -1. */
export function classify(tables: readonly ParsedTable[], f: Fields, echo: boolean): number {
  for (let t = 0; t < tables.length; t++) {
    const binds = tables[t]!.binds;
    for (let i = 0; i < binds.length; i++) if (matches(binds[i]!, f, echo)) return t;
  }
  return -1;
}
