// Reads the upstream vectors copied unchanged into test/vectors/ (their README says where each
// file comes from). Nothing here reads outside the repository.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const VECTOR_DIR = path.resolve(here, "vectors");
export const SYSTEM_VECTOR_DIR = path.join(VECTOR_DIR, "systems");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadVectors(name: "flowhash" | "maglev" | "rendezvous"): any {
  return JSON.parse(fs.readFileSync(path.join(VECTOR_DIR, `${name}.json`), "utf8"));
}

/** Names of the end-to-end system vector files in test/vectors/systems/. */
export type SystemName = "katran" | "cilium" | "ipvs" | "envoy" | "glb" | "nginx" | "haproxy";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadSystemVectors(name: SystemName): any {
  return JSON.parse(fs.readFileSync(path.join(SYSTEM_VECTOR_DIR, `${name}.json`), "utf8"));
}

export function hex(s: string): Uint8Array {
  const clean = s.replace(/^0x/, "").replace(/\s+/g, "");
  if (clean.length % 2) throw new Error(`odd hex length: ${s}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** A "0x..." vector value as a bigint (works for 32-, 64- and 128-bit values). */
export function big(s: string): bigint {
  return BigInt(s.startsWith("0x") ? s : `0x${s}`);
}

/**
 * The verified SMHasher verification code of the hash whose function name starts with
 * `prefix` (flowhash.json `smhasher_verification_codes`).
 */
export function smhasherCode(prefix: string): number {
  const codes: { function: string; expected: string; verified: boolean }[] = loadVectors("flowhash").smhasher_verification_codes.entries;
  const e = codes.find((c) => c.function.startsWith(prefix));
  if (!e || e.verified !== true) throw new Error(`no verified SMHasher code for ${prefix}`);
  return Number(big(e.expected));
}

