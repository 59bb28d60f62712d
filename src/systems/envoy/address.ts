// The address text Envoy hashes and names hosts by (source/common/network/address_impl.cc):
// - an IPv4 address is its dotted quad; glibc inet_pton accepts exactly the canonical form
//   (four decimal parts, no leading zeros), which flow.ts's parser also demands, so the text
//   as configured and the canonical text are the same;
// - an IPv6 address is glibc's inet_ntop text: RFC 5952 compression (lower case, the first
//   longest run of two or more zero groups as "::"), except that ::ffff:a.b.c.d and
//   ::a.b.c.d keep their dotted low 32 bits (inet_ntop6's "encapsulated IPv4" branch);
// - an endpoint is "a.b.c.d:port" or "[inet_ntop text]:port" (Ipv6Instance::asString).
// flow.ts is the only address parser; this file only formats.
import { flowpinError, show } from "../../errors.js";
import { parseAddress } from "../../flow.js";
import { inetNtop6 } from "../address.js";

/** 16 bytes of an IPv6 text address, IPv4-mapped ones included (flow.ts folds those to 4 bytes). */
export function ipv6Bytes(text: string, name: string): Uint8Array {
  const b = parseAddress(text, name);
  if (b.length === 16) return b;
  // parseAddress folds ::ffff:a.b.c.d to a.b.c.d; Envoy keeps the IPv6 form.
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(b, 12);
  return out;
}

/** Whether 16 bytes are an IPv4-mapped IPv6 address (::ffff:0:0/96). */
export function isMapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** The host's address()->asString(): "a.b.c.d:port" or "[v6]:port". */
export function endpointText(address: unknown, port: number, name: string): string {
  if (typeof address !== "string") throw flowpinError("INVALID_TYPE", `${name} must be an IP address string, got ${show(address)}`);
  if (address.indexOf(":") < 0) {
    parseAddress(address, name);
    return `${address}:${port}`;
  }
  return `[${inetNtop6(ipv6Bytes(address, name))}]:${port}`;
}

/**
 * The downstream peer's addressAsString() as IpHashMethod hashes it. A peer from an AF_INET6
 * socket whose listener is dual-stack (v6only false) and whose address is IPv4-mapped
 * becomes an IPv4 address (addressFromSockAddr); with v6only it stays "::ffff:a.b.c.d".
 */
export function peerText(src: string, family: "AF_INET" | "AF_INET6", v6only: boolean): string {
  if (family === "AF_INET") {
    if (src.indexOf(":") >= 0) throw flowpinError("INVALID_ADDRESS", `src ${show(src)} is an IPv6 address but family is AF_INET`);
    parseAddress(src, "src");
    return src;
  }
  if (src.indexOf(":") < 0) throw flowpinError("INVALID_ADDRESS", `src ${show(src)} is an IPv4 address but family is AF_INET6 (write it ::ffff:${src})`);
  const b = ipv6Bytes(src, "src");
  if (!v6only && isMapped(b)) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  return inetNtop6(b);
}
