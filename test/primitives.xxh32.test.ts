import { describe, expect, it } from "vitest";
import { hashes } from "../src/index.js";
import { forEachEngine } from "./engines.js";
import { big, hex, loadVectors } from "./vectors.js";

const V = loadVectors("flowhash");

forEachEngine("xxh32 vectors", () => {
  for (const e of V.xxh32.entries) {
    it(`len ${e.len} seed ${e.seed_symbol}`, () => {
      expect(hashes.xxh32(hex(e.input_hex), Number(e.seed))).toBe(Number(big(e.expected)));
    });
  }
});
