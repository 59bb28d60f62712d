// Address helpers more than one system needs. flow.ts stays the only parser: these only
// rewrite what it returns or format bytes.
//
// Per-system rules that differ stay with their system: IPVS reads ::ffff:a.b.c.d text by the
// service's family (an inet service only receives IPv4 packets: ipvs/index.ts), flowpin and
// nginx fold it to IPv4 or keep the listener's view (nginx/key.ts), nginx prints IPv6 with
// its own ngx_inet6_ntop (nginx/text.ts), Cilium with Go's netip (cilium/config.ts).
import { addressWords, formatAddress } from "../flow.js";

/**
 * Big-endian words of an address as an IP packet carries it, into out[at..at+4): like
 * flow.ts's addressWords, except that ::ffff:a.b.c.d text (or 16 mapped bytes) stays IPv6,
 * words (0, 0, 0xffff, a.b.c.d): an IPv6 packet from an IPv4-mapped address carries those 16
 * bytes, and Katran, Cilium and glb-director hash them as they are (flowpin's canonical form
 * folds them to IPv4). IPv4 fills word `at` and zeroes the other three. Returns the family.
 * @example packetWords("::ffff:198.51.100.7", w, 0, "src") // 6; w = [0, 0, 0xffff, 0xc6336407]
 */
export function packetWords(value: unknown, out: Uint32Array, at: number, name: string): 4 | 6 {
  const family = addressWords(value, out, at, name);
  if (family === 6) return 6;
  const form6 = typeof value === "string" ? value.indexOf(":") >= 0 : value instanceof Uint8Array && value.length === 16;
  if (!form6) {
    out[at + 1] = 0;
    out[at + 2] = 0;
    out[at + 3] = 0;
    return 4;
  }
  // addressWords folded it: put the mapped prefix back.
  out[at + 3] = out[at]!;
  out[at] = 0;
  out[at + 1] = 0;
  out[at + 2] = 0xffff;
  return 6;
}

/**
 * glibc inet_ntop(AF_INET6) text of 16 bytes, as Envoy names hosts and the kernel (ipvsadm)
 * prints IPVS addresses: RFC 5952 (formatAddress), except that ::ffff:a.b.c.d and ::a.b.c.d
 * keep their dotted low 32 bits (inet_ntop6 prints them dotted when the best zero run starts
 * at group 0 and is 6 groups long with group 6 non-zero, or 5 long followed by ffff).
 * @example inetNtop6(Uint8Array.of(0,0,0,0,0,0,0,0,0,0,0xff,0xff,10,0,0,7)) // "::ffff:10.0.0.7"
 */
export function inetNtop6(b: Uint8Array): string {
  let zeros = 0;
  while (zeros < 12 && b[zeros] === 0) zeros++;
  const dotted = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  if (zeros >= 10 && b[10] === 0xff && b[11] === 0xff) return `::ffff:${dotted}`;
  if (zeros === 12 && (b[12] !== 0 || b[13] !== 0)) return `::${dotted}`;
  return formatAddress(b);
}
