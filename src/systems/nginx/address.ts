/**
 * The `server` argument of an upstream block as ngx_parse_url reads it (src/core/ngx_inet.c):
 * "unix:PATH", "[IPv6]:PORT", "IPv4:PORT" or "NAME:PORT", the port optional in http (80,
 * src/http/ngx_http_upstream.c ngx_http_upstream_server: u.default_port = 80) and required in
 * stream (ngx_stream_upstream_server: "no port in upstream"). And peer addresses as nginx
 * names them ($upstream_addr: ngx_sock_ntop with the port).
 * @module
 */
import { flowpinError, show } from "../../errors.js";
import { parseAddress } from "../../flow.js";
import { v6Text } from "./text.js";

/** What a `server` argument names before any host name is resolved. */
export type ServerTarget =
  | { kind: "unix"; path: string }
  | { kind: "ip"; address: string; port: number }
  | { kind: "name"; host: string; port: number };

function badServer(server: string, why: string): Error {
  return flowpinError("INVALID_ADDRESS", `server ${JSON.stringify(server)}: ${why}`);
}

/** Port text as ngx_parse_inet_url accepts it: decimal 1..65535. */
function port(server: string, text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw badServer(server, `invalid port ${JSON.stringify(text)} (nginx: invalid port)`);
  return Number(text);
}

/** Reads a `server` argument; `module` decides whether a missing port is 80 or an error. */
export function serverTarget(server: string, module: "http" | "stream"): ServerTarget {
  if (server.slice(0, 5).toLowerCase() === "unix:") {
    if (server.length === 5) throw badServer(server, "no path after unix: (nginx: no path in the unix domain socket)");
    return { kind: "unix", path: server.slice(5) };
  }
  const noPort = (): number => {
    if (module === "stream") throw badServer(server, "no port (nginx: no port in upstream; the stream module has no default port)");
    return 80;
  };
  if (server.startsWith("[")) {
    const close = server.indexOf("]");
    if (close < 0) throw badServer(server, "no closing ']' (nginx: invalid IPv6 address)");
    const host = server.slice(1, close);
    const rest = server.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) throw badServer(server, `unexpected ${JSON.stringify(rest)} after ']'`);
    const b = parseAddress(host, `server ${JSON.stringify(server)}`);
    return { kind: "ip", address: `[${v6Text(b.length === 16 ? b : mappedBytes(b))}]`, port: rest === "" ? noPort() : port(server, rest.slice(1)) };
  }
  if (server.includes("/")) throw badServer(server, "a URI is not a server address (nginx: invalid host)");
  const colon = server.indexOf(":");
  const host = colon < 0 ? server : server.slice(0, colon);
  const p = colon < 0 ? noPort() : port(server, server.slice(colon + 1));
  if (host === "") throw badServer(server, "no host (nginx: no host)");
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return { kind: "ip", address: parseAddress(host, `server ${JSON.stringify(server)}`).join("."), port: p };
  return { kind: "name", host, port: p };
}

function mappedBytes(v4: Uint8Array): Uint8Array {
  const b = new Uint8Array(16);
  b[10] = 0xff;
  b[11] = 0xff;
  b.set(v4, 12);
  return b;
}

/** An IP address (text) and port as nginx names the peer: "a.b.c.d:p" or "[v6]:p". */
export function peerName(ip: string, portNumber: number, name = "address"): string {
  const bracketed = ip.startsWith("[") && ip.endsWith("]");
  const b = parseAddress(bracketed ? ip.slice(1, -1) : ip, name);
  if (b.length === 4 && !bracketed && !ip.includes(":")) return `${b.join(".")}:${portNumber}`;
  return `[${v6Text(b.length === 16 ? b : mappedBytes(b))}]:${portNumber}`;
}

/**
 * A peer address as the config gives it ("127.0.0.1:9001", "[::1]:9001", "unix:/path"),
 * checked and written as nginx writes it.
 */
export function normalizePeer(name: string, value: unknown): string {
  if (typeof value !== "string") throw flowpinError("INVALID_TYPE", `${name} must be an address string like "127.0.0.1:9001", "[::1]:9001" or "unix:/path", got ${show(value)}`);
  if (value.slice(0, 5).toLowerCase() === "unix:") {
    if (value.length === 5) throw flowpinError("INVALID_ADDRESS", `${name}: no path after unix: in ${show(value)}`);
    return `unix:${value.slice(5)}`;
  }
  const colon = value.lastIndexOf(":");
  const close = value.lastIndexOf("]");
  if (colon < 0 || colon < close || (value.startsWith("[") && close !== colon - 1)) {
    throw flowpinError("INVALID_ADDRESS", `${name} must be ADDRESS:PORT (IPv6 in brackets), got ${show(value)}`);
  }
  const portText = value.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw flowpinError("INVALID_PORT", `${name}: port must be 1..65535, got ${show(value)}`);
  }
  const ip = value.slice(0, colon);
  if (!ip.startsWith("[") && ip.includes(":")) throw flowpinError("INVALID_ADDRESS", `${name}: an IPv6 address needs brackets, got ${show(value)}`);
  return peerName(ip, Number(portText), name);
}
