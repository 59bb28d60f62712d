// The fleet config file shared by `table`, `diff` and `simulate`:
//   {"algorithm": "maglev" | "rendezvous" | "glb", "profile": "...", "size": 65537,
//    "seed": "hex", "backends": [{"id": "10.0.0.1:80", "weight": 1, ...}], ...profile options}
// Only the generic shape is checked here; each table kind validates its own fields.
import { flowpinError, show } from "../errors.js";
import { hexBytes as decodeHex } from "../encoding.js";
import { jsonErrorOffset } from "./json-position.js";

export interface FleetConfig {
  algorithm: string;
  profile?: string;
  size?: number;
  seed?: string;
  backends: Record<string, unknown>[];
  [option: string]: unknown;
}

/** Parses JSON text; a syntax error names the line and column. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const offset = jsonErrorOffset(text);
    const before = text.slice(0, Math.max(offset, 0));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    const near = offset >= text.length ? "unexpected end of input" : `unexpected ${JSON.stringify(text.slice(offset, offset + 12))}`;
    throw flowpinError("INVALID_CONFIG", `${what} is not valid JSON at line ${line}, column ${column}: ${near}`);
  }
}

/** Checks the generic shape of a parsed fleet config. */
export function toFleetConfig(doc: unknown, what: string): FleetConfig {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw flowpinError("INVALID_CONFIG", `${what} must be a JSON object, got ${show(doc)}`);
  }
  const c = doc as Record<string, unknown>;
  if (typeof c.algorithm !== "string") {
    throw flowpinError("INVALID_CONFIG", `${what}: "algorithm" must be a string, got ${show(c.algorithm)}`);
  }
  if (c.profile !== undefined && typeof c.profile !== "string") {
    throw flowpinError("INVALID_CONFIG", `${what}: "profile" must be a string, got ${show(c.profile)}`);
  }
  if (c.size !== undefined && typeof c.size !== "number") {
    throw flowpinError("INVALID_CONFIG", `${what}: "size" must be a number, got ${show(c.size)}`);
  }
  if (c.seed !== undefined && typeof c.seed !== "string") {
    throw flowpinError("INVALID_CONFIG", `${what}: "seed" must be a hex string, got ${show(c.seed)}`);
  }
  if (!Array.isArray(c.backends)) {
    throw flowpinError("INVALID_CONFIG", `${what}: "backends" must be an array, got ${show(c.backends)}`);
  }
  c.backends.forEach((b, i) => {
    if (typeof b !== "object" || b === null || Array.isArray(b)) {
      throw flowpinError("INVALID_CONFIG", `${what}: backends[${i}] must be an object, got ${show(b)}`);
    }
  });
  return c as FleetConfig;
}

/**
 * A fleet config's Maglev "seed" (the cilium profile's): 24 hex digits (12 bytes) become the
 * base64 text Cilium's --bpf-lb-maglev-hash-seed takes; anything else passes on to Maglev,
 * which checks it.
 */
export function maglevSeedOption(seed: unknown): unknown {
  return typeof seed === "string" && /^[0-9a-fA-F]{24}$/.test(seed) ? btoa(String.fromCharCode(...hexBytes(seed, "seed"))) : seed;
}

/** Decodes a hex string (optional 0x, even length) or fails naming `what`: src/encoding.ts's decoder. */
export function hexBytes(text: string, what: string): Uint8Array {
  return decodeHex(what, text, "INVALID_CONFIG");
}
