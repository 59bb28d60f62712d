// Backend addresses for the cilium and ipvs profiles: parsed by flowpin's one address parser
// (src/flow.ts), kept as written (an IPv4-mapped IPv6 backend stays IPv6: Cilium and the
// kernel store it so), and formatted as Go's netip does, which Cilium's hash string embeds.
import { addressWords, formatAddress } from "../flow.js";

const W = new Uint32Array(4);

/**
 * Text only (a backend address is configuration, not a packet field: no u32s or bytes), parsed
 * by src/flow.ts (RFC 4291 text, dotted IPv4 without leading zeros, no zones) into W. "mapped"
 * is IPv4-mapped IPv6 text, which the parser folds to IPv4 (W[0]) but a backend keeps as IPv6.
 */
function parseText(s: unknown): 4 | 6 | "mapped" | undefined {
  if (typeof s !== "string") return undefined;
  let family: 4 | 6;
  try {
    family = addressWords(s, W, 0, "address");
  } catch {
    return undefined;
  }
  return family === 4 && s.includes(":") ? "mapped" : family;
}

/** Dotted-quad IPv4 as a u32 (host order), or undefined. */
export function parseIPv4(s: string): number | undefined {
  return parseText(s) === 4 ? W[0] : undefined;
}

/** IPv6 (RFC 4291 text, optional embedded IPv4 tail) as eight 16-bit groups, or undefined. */
export function parseIPv6(s: string): number[] | undefined {
  const kind = parseText(s);
  if (kind === "mapped") return [0, 0, 0, 0, 0, 0xffff, W[0]! >>> 16, W[0]! & 0xffff];
  if (kind !== 6) return undefined;
  return Array.from(W).flatMap((w) => [w >>> 16, w & 0xffff]);
}

/**
 * Go's netip.Addr.String() for an IPv6 address: IPv4-mapped as "::ffff:a.b.c.d", otherwise
 * RFC 5952 (lowercase, no leading zeros, the longest run of two or more zero groups, the
 * first one on a tie, written as "::").
 */
export function formatIPv6(g: readonly number[]): string {
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return `::ffff:${g[6]! >>> 8}.${g[6]! & 0xff}.${g[7]! >>> 8}.${g[7]! & 0xff}`;
  }
  // Otherwise RFC 5952, which is flowpin's own canonical text (src/flow.ts formatAddress).
  const bytes = new Uint8Array(16);
  g.forEach((x, k) => {
    bytes[2 * k] = x >>> 8;
    bytes[2 * k + 1] = x & 0xff;
  });
  return formatAddress(bytes);
}

export function formatIPv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/**
 * The canonical text of a backend address (dotted IPv4, or IPv6 as Go's netip prints it), or
 * undefined. IPv4 text that parses is already canonical (four decimal parts, no leading
 * zeros), so it is returned as given: no allocation for the common case.
 */
export function addressText(s: unknown): string | undefined {
  const kind = parseText(s);
  if (kind === 4) return s as string;
  if (kind === undefined) return undefined;
  return formatIPv6(kind === "mapped" ? [0, 0, 0, 0, 0, 0xffff, W[0]! >>> 16, W[0]! & 0xffff] : Array.from(W).flatMap((w) => [w >>> 16, w & 0xffff]));
}

/** A parsed backend address: its canonical text and the family. */
export type Address = { family: 4; text: string; v4: number } | { family: 6; text: string; groups: number[] };

export function parseAddress(s: string): Address | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { family: 4, text: formatIPv4(v4), v4 };
  const g = parseIPv6(s);
  if (g) return { family: 6, text: formatIPv6(g), groups: g };
  return undefined;
}
