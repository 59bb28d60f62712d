// An HTTP request as Envoy's router hands it to the load balancer: the downstream peer's
// address (as the accepted socket reports it), the request headers, and for requests no
// hash policy hashes, the value Random::random() returned.
import { flowpinError, show } from "../../errors.js";
import { hexBytes } from "../../encoding.js";
import { parsePort, parseProtocol, parseAddress } from "../../flow.js";
import { knownFields, object } from "../../validate.js";

/**
 * One request.
 *
 * @example
 * const req: EnvoyRequest = { src: "198.51.100.7", headers: [["x-user", "42"]] };
 * const mapped: EnvoyRequest = { src: "::ffff:198.51.100.7", family: "AF_INET6", v6only: false };
 */
export interface EnvoyRequest {
  /** The peer address text (IPv4, IPv6, or ::ffff:a.b.c.d from a dual-stack socket). */
  src: string;
  /** The accepted socket's family; default from `src` (":" means AF_INET6). */
  family?: "AF_INET" | "AF_INET6";
  /** The listener's IPV6_V6ONLY; default true (Envoy's ipv4_compat false). AF_INET6 only. */
  v6only?: boolean;
  /** Request headers in order, as [name, value] pairs or a name → value(s) object. */
  headers?: readonly (readonly [string, string])[] | Readonly<Record<string, string | readonly string[]>>;
  /**
   * What Random::random() returns for a request no policy hashes: 16 hex digits (0x allowed)
   * or a u64 bigint. Absent: a fresh random value, as Envoy's pick is random.
   */
  random?: string | bigint;
  /** Accepted so 5-tuple CSV input works; Envoy's hash policies modelled here do not read them. */
  dst?: string;
  sport?: number;
  dport?: number;
  proto?: number | string;
}

/** A checked request: headers as pairs, random as a bigint. */
export interface Request {
  readonly src: string;
  readonly family: "AF_INET" | "AF_INET6";
  readonly v6only: boolean;
  readonly headers: readonly (readonly [string, string])[];
  readonly random: bigint | undefined;
}

const FIELDS = ["src", "family", "v6only", "headers", "random", "dst", "sport", "dport", "proto"];
const NO_HEADERS: readonly (readonly [string, string])[] = Object.freeze([]);

function headerPairs(raw: unknown): readonly (readonly [string, string])[] {
  if (raw === undefined) return NO_HEADERS;
  if (Array.isArray(raw)) {
    for (let i = 0; i < raw.length; i++) {
      const p: unknown = raw[i];
      if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== "string" || typeof p[1] !== "string") {
        throw flowpinError("INVALID_TYPE", `headers[${i}] must be a [name, value] pair of strings, got ${show(p)}`);
      }
    }
    return raw as [string, string][];
  }
  const o = object("headers", raw);
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(o)) {
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) {
      if (typeof x !== "string") throw flowpinError("INVALID_TYPE", `headers[${JSON.stringify(k)}] must be a string or strings, got ${show(v)}`);
      out.push([k, x]);
    }
  }
  return out;
}

/** Validates a request; throws FlowpinError naming the field. */
export function checkRequest(raw: unknown): Request {
  const r = object("envoy request", raw);
  knownFields("envoy request", r, FIELDS);
  if (typeof r.src !== "string") throw flowpinError("INVALID_TYPE", `src must be the peer's IP address text, got ${show(r.src)}`);
  const family = r.family ?? (r.src.indexOf(":") >= 0 ? "AF_INET6" : "AF_INET");
  if (family !== "AF_INET" && family !== "AF_INET6") throw flowpinError("INVALID_CONFIG", `family must be "AF_INET" or "AF_INET6", got ${show(r.family)}`);
  if (r.v6only !== undefined) {
    if (typeof r.v6only !== "boolean") throw flowpinError("INVALID_TYPE", `v6only must be a boolean, got ${show(r.v6only)}`);
    if (family === "AF_INET") throw flowpinError("INVALID_CONFIG", "v6only applies to AF_INET6 peers only");
  }
  let random: bigint | undefined;
  if (r.random !== undefined) {
    if (typeof r.random === "bigint") {
      if (r.random < 0n || r.random > 0xffffffffffffffffn) throw flowpinError("OUT_OF_RANGE", `random must be in 0..2^64-1, got ${show(r.random)}`);
      random = r.random;
    } else {
      const b = hexBytes("random", r.random);
      if (b.length !== 8) throw flowpinError("INVALID_CONFIG", `random must be 16 hex digits (a u64), got ${show(r.random)}`);
      random = new DataView(b.buffer).getBigUint64(0, false);
    }
  }
  if (r.dst !== undefined) parseAddress(r.dst as string, "dst");
  if (r.sport !== undefined) parsePort(r.sport, "sport");
  if (r.dport !== undefined) parsePort(r.dport, "dport");
  if (r.proto !== undefined) parseProtocol(r.proto);
  return { src: r.src, family, v6only: (r.v6only as boolean | undefined) ?? true, headers: headerPairs(r.headers), random };
}
