// Every flow-level vector of flowhash.json through FlowHasher, single call and batch, on
// every engine: the Microsoft RSS table (with and without ports), the symmetric-key table,
// and the derived Katran / Cilium / Envoy examples.
import { describe, expect, it } from "vitest";
import { FlowBatch, FlowHasher, MS_RSS_KEY, SYMMETRIC_RSS_KEY, type Flow, type FlowHasherOptions } from "../src/index.js";
import { forEachEngine } from "./engines.js";
import { big, hex, loadVectors, toHex } from "./vectors.js";

const V = loadVectors("flowhash");
const RSS = V.toeplitz_rss;
const SYM = V.toeplitz_rss_symmetric_key;
const LB = V.derived_lb_examples;

const tcp = (e: { src: string; dst: string; sport: number | null; dport: number | null }): Flow => ({
  src: e.src,
  dst: e.dst,
  sport: e.sport ?? 0,
  dport: e.dport ?? 0,
  proto: "tcp",
});

/** hash() and a one-flow batch must agree; returns the hash. */
function both(options: FlowHasherOptions, flow: Flow): number | bigint {
  const h = new FlowHasher(options);
  const single = h.hash(flow);
  const family = typeof flow.src === "string" && flow.src.includes(":") ? 6 : 4;
  const batch = new FlowBatch(1, { family });
  try {
    batch.set(0, flow);
    h.hashBatch(batch);
    const b = h.bits === 64 ? (BigInt(batch.hashesHi[0]!) << 32n) | BigInt(batch.hashes[0]!) : batch.hashes[0]!;
    expect(b).toBe(single);
  } finally {
    batch.dispose();
  }
  return single;
}

describe("built-in keys", () => {
  it("MS_RSS_KEY is the verification suite's key", () => {
    expect(toHex(MS_RSS_KEY)).toBe(RSS.key_hex);
  });
  it("SYMMETRIC_RSS_KEY is the symmetric-key section's key", () => {
    expect(toHex(SYMMETRIC_RSS_KEY)).toBe(SYM.key_hex);
  });
});

forEachEngine("flow vectors", () => {
  describe("toeplitz: Microsoft RSS verification suite", () => {
    for (const e of RSS.entries) {
      const ports = e.hash_type.endsWith("_with_tcp");
      it(`${e.hash_type} ${e.src} -> ${e.dst}`, () => {
        expect(e.key).toBe("ms_default_key");
        const expected = Number(big(e.expected));
        // Default key, and the key given explicitly from the vector file.
        expect(both({ profile: "toeplitz", noPorts: !ports }, tcp(e))).toBe(expected);
        expect(both({ profile: "toeplitz", noPorts: !ports, key: hex(RSS.key_hex) }, tcp(e))).toBe(expected);
      });
    }
  });

  describe("toeplitz: symmetric key", () => {
    for (const e of SYM.entries) {
      it(`${e.src} <-> ${e.dst}`, () => {
        const fwd = tcp(e);
        const rev: Flow = { src: e.dst, dst: e.src, sport: e.dport, dport: e.sport, proto: "tcp" };
        expect(both({ profile: "toeplitz", symmetric: true }, fwd)).toBe(Number(big(e.hash_forward)));
        expect(both({ profile: "toeplitz", symmetric: true }, rev)).toBe(Number(big(e.hash_reverse)));
        expect(both({ profile: "toeplitz", key: hex(SYM.key_hex), symmetric: true }, rev)).toBe(Number(big(e.hash_reverse)));
      });
    }
  });

  describe("katran (derived examples)", () => {
    for (const e of LB.entries) {
      it(`IPv${e.af} ${e.src}:${e.sport}`, () => {
        const def = both({ profile: "katran" }, tcp(e));
        expect(def).toBe(Number(big(e.katran_default_dport_zeroed)));
        expect((def as number) % 65537).toBe(e.katran_default_ring_idx);
        expect(both({ profile: "katran", katran: { srcDstPort: true } }, tcp(e))).toBe(Number(big(e.katran_F_HASH_SRC_DST_PORT)));
      });
    }
  });

  describe("cilium (derived examples)", () => {
    it("the default seed's jhash words are the documented ones", () => {
      // HASH_INIT4_SEED_default / HASH_INIT6_SEED_default from the default seed string.
      const s4 = Number(big(LB.cilium.HASH_INIT4_SEED_default));
      const s6 = Number(big(LB.cilium.HASH_INIT6_SEED_default));
      for (const e of LB.entries) {
        const key = e.af === 4 ? "cilium_v4_default_seed_tcp" : "cilium_v6_default_seed_tcp";
        const viaString = both({ profile: "cilium", cilium: { hashSeed: LB.cilium.default_seed_string } }, tcp(e));
        const viaWords = both({ profile: "cilium", cilium: { seeds: { v4: s4, v6: s6 } } }, tcp(e));
        const viaDefault = both({ profile: "cilium" }, tcp(e));
        expect(viaString).toBe(Number(big(e[key])));
        expect(viaWords).toBe(viaString);
        expect(viaDefault).toBe(viaString);
      }
    });
    for (const e of LB.entries.filter((x: { af: number }) => x.af === 4)) {
      it(`seed 0xcafe ${e.src}:${e.sport}`, () => {
        expect(both({ profile: "cilium", cilium: { seeds: { v4: 0xcafe, v6: 0 } } }, tcp(e))).toBe(Number(big(e.cilium_v4_seed_0xcafe_tcp)));
      });
    }
  });

  describe("envoy source_ip (derived examples)", () => {
    for (const e of LB.envoy_source_ip.entries) {
      it(e.addr, () => {
        const v6 = e.addr.includes(":");
        const flow: Flow = { src: e.addr, dst: v6 ? "::2" : "0.0.0.2", sport: 1, dport: 2, proto: "tcp" };
        expect(both({ profile: "envoy" }, flow)).toBe(big(e.xxh64_seed0));
      });
    }
  });
});
