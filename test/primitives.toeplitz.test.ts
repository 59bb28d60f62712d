// Toeplitz (RSS) against the Microsoft / DPDK verification suite and the symmetric-key
// examples, on every engine.
import { describe, expect, it } from "vitest";
import { hashes } from "../src/index.js";
import { forEachEngine } from "./engines.js";
import { refToeplitz } from "./reference/toeplitz.js";
import { big, hex, loadVectors } from "./vectors.js";

const V = loadVectors("flowhash");
const RSS = V.toeplitz_rss;
const SYM = V.toeplitz_rss_symmetric_key;

function rssKey(name: string): Uint8Array {
  // Every published entry names the Microsoft default key, which is the section's key_hex.
  if (name !== "ms_default_key") throw new Error(`unknown key in toeplitz_rss vectors: ${name}`);
  return hex(RSS.key_hex);
}

forEachEngine("toeplitz vectors", () => {
  describe("Microsoft RSS verification suite", () => {
    for (const e of RSS.entries) {
      it(`${e.hash_type} ${e.src} -> ${e.dst}`, () => {
        expect(hashes.toeplitz(hex(e.input_hex), rssKey(e.key))).toBe(Number(big(e.expected)));
      });
    }
  });
  describe("symmetric key 6d5a...", () => {
    const key = hex(SYM.key_hex);
    for (const e of SYM.entries) {
      it(`${e.src} <-> ${e.dst}`, () => {
        const fwd = hashes.toeplitz(hex(e.input_hex_forward), key);
        const rev = hashes.toeplitz(hex(e.input_hex_reverse), key);
        expect(fwd).toBe(Number(big(e.hash_forward)));
        expect(rev).toBe(Number(big(e.hash_reverse)));
        expect(fwd >>> 16).toBe(fwd & 0xffff);
      });
    }
  });
  it("uses only key bytes 0..len+3 (longer keys give the same hash)", () => {
    const data = hex(RSS.entries[1].input_hex);
    const key = hex(RSS.key_hex);
    const short = key.subarray(0, data.length + 4);
    expect(hashes.toeplitz(data, short)).toBe(hashes.toeplitz(data, key));
  });
  it("empty input hashes to 0 under any key", () => {
    expect(hashes.toeplitz(new Uint8Array(0), hex("ffffffff"))).toBe(0);
  });
});

describe("reference toeplitz matches the vectors", () => {
  it("Microsoft RSS verification suite", () => {
    for (const e of RSS.entries) {
      expect(refToeplitz(hex(e.input_hex), rssKey(e.key)), e.input_hex).toBe(Number(big(e.expected)));
    }
  });
  it("symmetric key examples", () => {
    const key = hex(SYM.key_hex);
    for (const e of SYM.entries) {
      expect(refToeplitz(hex(e.input_hex_forward), key), e.input_hex_forward).toBe(Number(big(e.hash_forward)));
      expect(refToeplitz(hex(e.input_hex_reverse), key), e.input_hex_reverse).toBe(Number(big(e.hash_reverse)));
    }
  });
});
