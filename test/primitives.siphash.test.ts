// SipHash-2-4 / -1-3 and HalfSipHash-2-4 / -1-3 against the upstream vectors, on every engine.
// siphash_2_4_128 is not read: the public API has no 128-bit SipHash tag.
import { describe, expect, it } from "vitest";
import { hashes } from "../src/index.js";
import { forEachEngine } from "./engines.js";
import { refHalfSipHash32, refHalfSipHash64, refSipHash } from "./reference/siphash.js";
import { big, hex, loadVectors } from "./vectors.js";

const V = loadVectors("flowhash");
const H = V.linux_hsiphash;

forEachEngine("siphash vectors", () => {
  describe("siphash24: veorq vectors_sip64", () => {
    const key = hex(V.siphash_2_4_64.key_hex);
    for (const e of V.siphash_2_4_64.entries) {
      it(`len ${e.len}`, () => expect(hashes.siphash24(hex(e.input_hex), key)).toBe(big(e.expected_u64_le)));
    }
  });
  describe("siphash13: Rust test_siphash_1_3", () => {
    const key = hex(V.siphash_1_3_64.key_hex);
    for (const e of V.siphash_1_3_64.entries) {
      it(`len ${e.len}`, () => expect(hashes.siphash13(hex(e.input_hex), key)).toBe(big(e.expected_u64_le)));
    }
  });
  describe("siphash13: Linux hsiphash on 64-bit kernels (low 32 bits)", () => {
    const key = hex(H.key_hex_64bit_kernels);
    for (const e of H.entries) {
      it(`len ${e.len}`, () => {
        expect(hashes.siphash13(hex(e.input_hex), key) & 0xffffffffn).toBe(big(e.expected_64bit_kernel));
      });
    }
  });
  describe("halfsiphash24: veorq vectors_hsip32", () => {
    const key = hex(V.halfsiphash_2_4_32.key_hex);
    for (const e of V.halfsiphash_2_4_32.entries) {
      it(`len ${e.len}`, () => expect(hashes.halfsiphash24(hex(e.input_hex), key)).toBe(Number(big(e.expected_u32_le))));
    }
  });
  describe("halfsiphash13: Linux hsiphash on 32-bit kernels", () => {
    const key = hex(H.key_hex_32bit_kernels);
    for (const e of H.entries) {
      it(`len ${e.len}`, () => {
        expect(hashes.halfsiphash13(hex(e.input_hex), key)).toBe(Number(big(e.expected_32bit_kernel)));
      });
    }
  });
});

// The oracle used by the random differential test must itself match every published vector,
// including the 64-bit-tag HalfSipHash section the public API does not expose.
describe("reference siphash matches the vectors", () => {
  it("SipHash-2-4", () => {
    const key = hex(V.siphash_2_4_64.key_hex);
    for (const e of V.siphash_2_4_64.entries) {
      expect(refSipHash(hex(e.input_hex), key, 2, 4), `len ${e.len}`).toBe(big(e.expected_u64_le));
    }
  });
  it("SipHash-1-3 and Linux hsiphash (64-bit kernels)", () => {
    const key = hex(V.siphash_1_3_64.key_hex);
    for (const e of V.siphash_1_3_64.entries) {
      expect(refSipHash(hex(e.input_hex), key, 1, 3), `len ${e.len}`).toBe(big(e.expected_u64_le));
    }
    const hkey = hex(H.key_hex_64bit_kernels);
    for (const e of H.entries) {
      expect(refSipHash(hex(e.input_hex), hkey, 1, 3) & 0xffffffffn, `len ${e.len}`).toBe(big(e.expected_64bit_kernel));
    }
  });
  it("HalfSipHash-2-4, 32- and 64-bit tags", () => {
    const key = hex(V.halfsiphash_2_4_32.key_hex);
    for (const e of V.halfsiphash_2_4_32.entries) {
      expect(refHalfSipHash32(hex(e.input_hex), key, 2, 4), `len ${e.len}`).toBe(Number(big(e.expected_u32_le)));
    }
    const key64 = hex(V.halfsiphash_2_4_64.key_hex);
    for (const e of V.halfsiphash_2_4_64.entries) {
      expect(refHalfSipHash64(hex(e.input_hex), key64, 2, 4), `len ${e.len}`).toBe(big(e.expected_u64_le));
    }
  });
  it("HalfSipHash-1-3 (Linux hsiphash, 32-bit kernels)", () => {
    const key = hex(H.key_hex_32bit_kernels);
    for (const e of H.entries) {
      expect(refHalfSipHash32(hex(e.input_hex), key, 1, 3), `len ${e.len}`).toBe(Number(big(e.expected_32bit_kernel)));
    }
  });
});
