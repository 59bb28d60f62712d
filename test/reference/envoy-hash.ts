// Slow reference of Envoy's request hash, written from hash_policy.cc and glibc's inet_ntop
// (no code shared with src/systems/envoy): the peer's address text, the header hash (all
// values of the lower-cased name, sorted bytewise, concatenated), and the policy chain
// (rotl64(h, 1) XOR next; a terminal policy stops the list once a hash exists). XXH64 from
// the reference in this folder. An oracle for differential tests, never shipped.
import { refXxh64 } from "./xxhash.js";

const utf8 = new TextEncoder();
const M64 = (1n << 64n) - 1n;

/** glibc inet_ntop6 from 8 16-bit groups. */
export function refInetNtop6(g: readonly number[]): string {
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    if (g[i] === 0) {
      if (cur.base === -1) cur = { base: i, len: 1 };
      else cur.len++;
    } else if (cur.base !== -1) {
      if (best.base === -1 || cur.len > best.len) best = cur;
      cur = { base: -1, len: 0 };
    }
  }
  if (cur.base !== -1 && (best.base === -1 || cur.len > best.len)) best = cur;
  if (best.base !== -1 && best.len < 2) best = { base: -1, len: 0 };
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && g[5] === 0xffff))) {
      out += `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
      break;
    }
    out += g[i]!.toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ":";
  return out;
}

export type RefPolicy = { header: string; terminal?: boolean } | { sourceIp: true; terminal?: boolean };

/** generateHash over the policies; undefined when none produced a hash. */
export function refRequestHash(policies: readonly RefPolicy[], addressText: string, headers: readonly [string, string][]): bigint | undefined {
  let hash: bigint | undefined;
  for (const p of policies) {
    let h: bigint | undefined;
    if ("sourceIp" in p) h = refXxh64(utf8.encode(addressText), 0n);
    else {
      const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
      const values = headers.filter(([k]) => lower(k) === lower(p.header)).map(([, v]) => v);
      if (values.length > 0) {
        values.sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
        h = refXxh64(utf8.encode(values.join("")), 0n);
      }
    }
    if (h !== undefined) hash = hash === undefined ? h : (((hash << 1n) | (hash >> 63n)) & M64) ^ h;
    if (p.terminal && hash !== undefined) break;
  }
  return hash;
}
