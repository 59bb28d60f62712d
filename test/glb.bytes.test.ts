// glb-director's binary table file: round trips, what fromBytes keeps, and damaged files.
import { describe, expect, it } from "vitest";
import { FlowpinError, GlbTable } from "../src/index.js";
import { forEachEngine } from "./engines.js";
import { Rng } from "./rng.js";

const TABLE = 4 + 256 * 24 + 4 + 256 * 28 + 16 + 65536 * 8;

function sample(): GlbTable {
  return new GlbTable({
    seed: new Rng(1).bytes(16),
    hashKey: new Rng(2).bytes(16),
    backends: [
      "10.0.0.1",
      { address: "2001:db8::7", state: "filling" },
      { address: "10.0.0.3", state: "draining", healthy: false },
      { address: "::ffff:10.0.0.4", state: "active" },
      { address: "10.0.0.5", state: "inactive" },
    ],
    binds: [
      { ip: "192.0.2.1", proto: "tcp", port: 443 },
      { ip: "2001:db8:1::/48", proto: "udp", portStart: 1000, portEnd: 2000 },
    ],
  });
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof FlowpinError) return (e as FlowpinError).code;
    throw e;
  }
  return undefined;
}

forEachEngine("glb file", () => {
  it("round trip is byte-identical and keeps backends, binds, key and rows", () => {
    const t = sample();
    const b = t.toBytes();
    expect(b.length).toBe(24 + TABLE);
    const back = GlbTable.fromBytes(b);
    expect(firstDiff(back.toBytes(), b)).toBe(-1);
    expect(firstDiff(back.rows(), t.rows())).toBe(-1);
    expect(back.hashKey).toEqual(t.hashKey);
    expect(back.seed).toBeUndefined();
    // Inactive is stored as 2, like draining: it reads back as draining.
    expect(back.backends.map((x) => [x.address, x.family, x.state, x.healthy])).toEqual([
      ["10.0.0.1", 4, "active", true],
      ["2001:db8::7", 6, "filling", true],
      ["10.0.0.3", 4, "draining", false],
      ["::ffff:10.0.0.4", 6, "active", true],
      ["10.0.0.5", 4, "draining", true],
    ]);
    expect(back.binds).toEqual([
      { ip: "192.0.2.1", ipBits: 32, proto: "tcp", portStart: 443, portEnd: 443 },
      { ip: "2001:db8:1::", ipBits: 48, proto: "udp", portStart: 1000, portEnd: 2000 },
    ]);
    expect(codeOf(() => back.withBackends(["10.0.0.1"]))).toBe("INVALID_KEY");
    // An IPv4-mapped backend is written as IPv6, as glb-director's inet_pton(AF_INET6) does.
    const dv = new DataView(b.buffer, b.byteOffset);
    const b3 = 28 + 3 * 24;
    expect(dv.getUint32(b3, true)).toBe(2);
    expect([...b.subarray(b3 + 4, b3 + 20)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 10, 0, 0, 4]);
  });

  it("fromBytes(bytes, index) and allFromBytes over several tables", () => {
    const a = sample();
    const c = a.withBackends(["10.1.1.1", "10.1.1.2"]);
    const b = GlbTable.toBytes([a, c, a]);
    expect(GlbTable.allFromBytes(b).map((t) => t.backends.length)).toEqual([5, 2, 5]);
    expect(firstDiff(GlbTable.fromBytes(b, 1).rows(), c.rows())).toBe(-1);
    expect(codeOf(() => GlbTable.fromBytes(b, 3))).toBe("OUT_OF_RANGE");
  });

  describe("damaged files", () => {
    const good = sample().toBytes();
    const at = { numBackends: 24, backend: (i: number) => 28 + 24 * i, numBinds: 28 + 256 * 24, bind: (i: number) => 32 + 256 * 24 + 28 * i, rows: 24 + TABLE - 65536 * 8 };
    const mutate = (f: (b: Uint8Array, dv: DataView) => void): Uint8Array => {
      const b = good.slice();
      f(b, new DataView(b.buffer));
      return b;
    };
    const cases: [string, Uint8Array, string][] = [
      ["empty", new Uint8Array(0), "CORRUPT_DATA"],
      ["truncated by one byte", good.subarray(0, good.length - 1), "CORRUPT_DATA"],
      ["truncated header", good.subarray(0, 10), "CORRUPT_DATA"],
      ["trailing byte", new Uint8Array([...good, 0]), "CORRUPT_DATA"],
      ["bad magic", mutate((b) => (b[0] = 0x58)), "CORRUPT_DATA"],
      ["version 3", mutate((b, dv) => dv.setUint32(4, 3, true)), "UNSUPPORTED_VERSION"],
      ["table count says 2", mutate((b, dv) => dv.setUint32(8, 2, true)), "CORRUPT_DATA"],
      ["table count huge", mutate((b, dv) => dv.setUint32(8, 0xffffffff, true)), "CORRUPT_DATA"],
      ["table_entries 4096", mutate((b, dv) => dv.setUint32(12, 4096, true)), "CORRUPT_DATA"],
      ["257 backends", mutate((b, dv) => dv.setUint32(at.numBackends, 257, true)), "CORRUPT_DATA"],
      ["backend family 3", mutate((b, dv) => dv.setUint32(at.backend(0), 3, true)), "CORRUPT_DATA"],
      ["IPv4 backend padding", mutate((b) => (b[at.backend(0) + 12] = 1)), "CORRUPT_DATA"],
      ["backend state 3", mutate((b, dv) => dv.setUint16(at.backend(0) + 20, 3, true)), "CORRUPT_DATA"],
      ["backend health 2", mutate((b, dv) => dv.setUint16(at.backend(0) + 22, 2, true)), "CORRUPT_DATA"],
      ["unused backend slot not zero", mutate((b) => (b[at.backend(200) + 5] = 1)), "CORRUPT_DATA"],
      ["fewer backends than rows use", mutate((b, dv) => dv.setUint32(at.numBackends, 1, true)), "CORRUPT_DATA"],
      ["bind protocol 7", mutate((b) => (b[at.bind(0) + 26] = 7)), "CORRUPT_DATA"],
      ["bind reserved byte", mutate((b) => (b[at.bind(0) + 27] = 1)), "CORRUPT_DATA"],
      ["bind prefix 33 on IPv4", mutate((b, dv) => dv.setUint16(at.bind(0) + 20, 33, true)), "CORRUPT_DATA"],
      ["unused bind slot not zero", mutate((b) => (b[at.bind(255)] = 1)), "CORRUPT_DATA"],
      ["row index out of range", mutate((b, dv) => dv.setUint32(at.rows + 8 * 77 + 4, 5, true)), "CORRUPT_DATA"],
    ];
    for (const [name, bytes, code] of cases) {
      it(name, () => expect(codeOf(() => GlbTable.fromBytes(bytes))).toBe(code));
    }
    it("not bytes", () => expect(codeOf(() => GlbTable.fromBytes("GLBD" as unknown as Uint8Array))).toBe("INVALID_TYPE"));
    it("random single-byte corruption is either rejected or read back byte-identically", () => {
      const rng = new Rng(2024);
      for (let i = 0; i < 300; i++) {
        const pos = rng.int(good.length);
        const bytes = mutate((b) => (b[pos] = (b[pos]! + 1 + rng.int(255)) & 0xff));
        let t: GlbTable | undefined;
        try {
          t = GlbTable.fromBytes(bytes);
        } catch (e) {
          expect(e, `pos ${pos}`).toBeInstanceOf(FlowpinError);
          continue;
        }
        expect(firstDiff(t.toBytes(), bytes), `pos ${pos}`).toBe(-1);
      }
    });
  });
});

/** Index of the first difference between two typed arrays (or their lengths), -1 if equal: a
 * fast comparison with a readable failure, where toEqual on 0.5 MB arrays takes seconds. */
function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
