// Maglev.toBytes / fromBytes: round trips for every profile, and every kind of damage is
// rejected with CORRUPT_DATA or UNSUPPORTED_VERSION.
import { describe, expect, it } from "vitest";
import { FlowpinError, Maglev, hashes } from "../src/index.js";
import { Rng } from "./rng.js";

const tables: [string, Maglev][] = [
  ["envoy", new Maglev({ size: 251, backends: [{ id: "a", weight: 3 }, { id: "b", key: "é-key" }, { id: "c", locality: "x" }].map(({ locality: _, ...b }) => b) })],
  ["envoy localities", new Maglev({ size: 251, backends: [{ id: "a", locality: "x" }, { id: "b", locality: "y", weight: 2 }], localityWeights: { x: 1, y: 3 } })],
  ["katran v2", new Maglev({ profile: "katran", version: "v2", size: 251, backends: [{ id: "a", hash: 2n ** 64n - 1n }, { id: "b", hash: 5, weight: 0 }, { id: "c", hash: 9n, weight: 4 }] })],
  ["cilium", new Maglev({ profile: "cilium", size: 251, seed: "AAAAAAAAAAAAAAAA", backends: [{ id: "a", address: "2001:db8::1", port: 80, protocol: "UDP", internal: true }, { id: "b", key: "[1.2.3.4:5/TCP,State:active]" }] })],
  ["ipvs", new Maglev({ profile: "ipvs", size: 509, backends: [{ id: "a", address: "10.0.0.1", port: 80 }, { id: "b", address: "10.0.0.2", port: 80, weight: 7 }] })],
];

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof FlowpinError) return e.code;
    throw e;
  }
  return undefined;
}

describe("maglev serialization", () => {
  for (const [name, lb] of tables) {
    it(`${name}: round trip`, () => {
      const bytes = lb.toBytes();
      const back = Maglev.fromBytes(bytes);
      expect(back.profile).toBe(lb.profile);
      expect(back.size).toBe(lb.size);
      expect(back.options).toEqual(lb.options);
      expect(back.backends).toEqual(lb.backends);
      expect(Array.from(back.table)).toEqual(Array.from(lb.table));
      expect(back.table.constructor).toBe(lb.table.constructor);
      // The decoded table keeps working: same stats, and withBackends builds like the original.
      expect(back.stats()).toEqual(lb.stats());
      const fewer = lb.backends.slice(1);
      expect(Array.from(back.withBackends(fewer).table)).toEqual(Array.from(lb.withBackends(fewer).table));
      expect(back.toBytes()).toEqual(bytes);
      expect(Maglev.fromBytes(bytes, { shared: true }).table.buffer).toBeInstanceOf(SharedArrayBuffer);
    });
  }

  it("u32 tables round trip", () => {
    const lb = new Maglev({ size: 65537, backends: Array.from({ length: 65536 }, (_, i) => ({ id: `b${i}` })) });
    const back = Maglev.fromBytes(lb.toBytes());
    expect(back.table).toBeInstanceOf(Uint32Array);
    expect(Array.from(back.table)).toEqual(Array.from(lb.table));
  });

  it("rejects truncation at every length, and every single-bit flip", () => {
    const bytes = tables[0]![1].toBytes();
    for (let n = 0; n < bytes.length; n++) expect(code(() => Maglev.fromBytes(bytes.subarray(0, n))), `length ${n}`).toBe("CORRUPT_DATA");
    const r = new Rng(5);
    for (let k = 0; k < 300; k++) {
      const bad = bytes.slice();
      const bit = r.int(bad.length * 8);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      // A flip in the version field reads as a future version; anything else is corruption.
      const c = code(() => Maglev.fromBytes(bad));
      expect(c === "CORRUPT_DATA" || (c === "UNSUPPORTED_VERSION" && bit >= 32 && bit < 48), `bit ${bit}: ${c}`).toBe(true);
    }
    expect(code(() => Maglev.fromBytes(new Uint8Array([...bytes, 0])))).toBe("CORRUPT_DATA");
  });

  it("rejects a future version, and well-formed frames with bad contents", () => {
    const bytes = tables[0]![1].toBytes();
    const future = bytes.slice();
    future[4] = 2;
    expect(code(() => Maglev.fromBytes(future))).toBe("UNSUPPORTED_VERSION");
    // Re-checksummed frames: the contents are validated like constructor input.
    const reseal = (b: Uint8Array): Uint8Array => {
      const out = b.slice();
      new DataView(out.buffer).setUint32(out.length - 4, hashes.xxh32(out.subarray(0, out.length - 4)), true);
      return out;
    };
    const badEntry = bytes.slice();
    const dv = new DataView(badEntry.buffer);
    const metaLen = dv.getUint32(16, true);
    const tableAt = (20 + metaLen + 3) & ~3;
    dv.setUint16(tableAt, 99, true);
    expect(code(() => Maglev.fromBytes(reseal(badEntry)))).toBe("CORRUPT_DATA");
    const badProfile = bytes.slice();
    badProfile[6] = 9;
    expect(code(() => Maglev.fromBytes(reseal(badProfile)))).toBe("CORRUPT_DATA");
    const badMeta = bytes.slice();
    badMeta[20] = 0x7b + 1; // JSON no longer starts with "{"
    expect(code(() => Maglev.fromBytes(reseal(badMeta)))).toBe("CORRUPT_DATA");
    // Header fields far out of range (a size of 2^31 + 13) are refused before any sizing.
    const huge = bytes.slice();
    huge[11]! ^= 0x80;
    expect(code(() => Maglev.fromBytes(reseal(huge)))).toBe("CORRUPT_DATA");
    expect(code(() => Maglev.fromBytes("abc" as never))).toBe("INVALID_TYPE");
    expect(code(() => Maglev.fromBytes(bytes, null as never))).toBe("INVALID_TYPE");
  });
});
