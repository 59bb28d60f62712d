// Envoy's request hash (source/common/http/hash_policy.cc, HashPolicyImpl::generateHash):
// each policy may produce a 64-bit hash; hashes combine as rotl64(previous, 1) XOR new; a
// terminal policy stops the list once a hash exists (its own or an earlier one's).
// - header: the name lower-cased (LowerCaseString); every value of that header, sorted
//   bytewise and concatenated without separator, hashed as one XXH64 (seed 0); an absent
//   header gives no hash, an empty value XXH64("").
// - connection_properties.source_ip: XXH64 of the downstream peer's address text, no port.
import { flowpinError, show } from "../../errors.js";
import { xxh64 } from "../../hashes.js";
import { compareUtf8 } from "../../profiles/maglev-profile.js";
import { knownFields, object } from "../../validate.js";

/** A compiled policy: a lower-cased header name, or the source IP (name null). */
export interface HashStep {
  readonly header: string | null;
  readonly terminal: boolean;
}

const MASK = 0xffffffffffffffffn;
const utf8 = new TextEncoder();
// Address text is at most 45 ASCII characters ("ffff:...:255.255.255.255" plus a scope).
const scratch = new Uint8Array(256);

/** ASCII lower case (absl::AsciiStrToLower), leaving other characters as they are. */
export function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

/** Validates RouteAction.hash_policy (the modelled kinds) into steps. */
export function compileHashPolicy(raw: unknown): HashStep[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw flowpinError("INVALID_TYPE", `hash_policy must be an array, got ${show(raw)}`);
  const steps: HashStep[] = [];
  raw.forEach((item: unknown, i: number) => {
    const name = `hash_policy[${i}]`;
    const p = object(name, item);
    for (const kind of ["cookie", "query_parameter", "filter_state"]) {
      if (kind in p) throw flowpinError("INVALID_CONFIG", `${name}.${kind}: only header and connection_properties hash policies are modelled`);
    }
    knownFields(name, p, ["header", "connection_properties", "terminal"]);
    const terminal = p.terminal ?? false;
    if (typeof terminal !== "boolean") throw flowpinError("INVALID_TYPE", `${name}.terminal must be a boolean, got ${show(terminal)}`);
    if ((p.header === undefined) === (p.connection_properties === undefined)) {
      throw flowpinError("INVALID_CONFIG", `${name} must hold exactly one of header, connection_properties`);
    }
    if (p.header !== undefined) {
      const h = object(`${name}.header`, p.header);
      if ("regex_rewrite" in h) throw flowpinError("INVALID_CONFIG", `${name}.header.regex_rewrite is not modelled`);
      knownFields(`${name}.header`, h, ["header_name"]);
      // route_components.proto: header_name is a non-empty, well-formed header name.
      if (typeof h.header_name !== "string" || h.header_name === "") throw flowpinError("INVALID_CONFIG", `${name}.header.header_name must be a non-empty string, got ${show(h.header_name)}`);
      steps.push({ header: asciiLower(h.header_name), terminal });
      return;
    }
    const cp = object(`${name}.connection_properties`, p.connection_properties);
    knownFields(`${name}.connection_properties`, cp, ["source_ip"]);
    if (typeof cp.source_ip !== "boolean") throw flowpinError("INVALID_TYPE", `${name}.connection_properties.source_ip must be a boolean, got ${show(cp.source_ip)}`);
    // HashPolicyImpl adds an IpHashMethod only when source_ip is true.
    if (cp.source_ip) steps.push({ header: null, terminal });
  });
  return steps;
}

/** XXH64 (seed 0) of a string's UTF-8 bytes. */
export function xxh64Text(text: string): bigint {
  if (text.length <= 64) {
    const { written } = utf8.encodeInto(text, scratch);
    if (written < scratch.length) return xxh64(scratch.subarray(0, written));
  }
  return xxh64(utf8.encode(text));
}

/** The header hash: undefined when the request has no such header. */
export function headerHash(headers: readonly (readonly [string, string])[], lowerName: string): bigint | undefined {
  let first: string | undefined;
  let values: string[] | undefined;
  for (const [k, v] of headers) {
    if (asciiLower(k) !== lowerName) continue;
    if (first === undefined) first = v;
    else (values ??= [first]).push(v);
  }
  if (first === undefined) return undefined;
  if (!values) return xxh64Text(first);
  values.sort(compareUtf8);
  return xxh64Text(values.join(""));
}

/** rotl64(previous, 1) XOR next, or next for the first hash. */
export function combine(previous: bigint | undefined, next: bigint): bigint {
  if (previous === undefined) return next;
  return (((previous << 1n) | (previous >> 63n)) & MASK) ^ next;
}
