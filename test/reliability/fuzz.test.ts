// Property-based fuzzing (fast-check) of every parser that reads outside input: address
// text, flows, raw packets, pcap files, the CLI's fleet configs, and the binary table files.
// The rule everywhere: a result or a FlowpinError of the documented code, never another
// exception or a hang; valid inputs still round-trip. Seeds are fixed in `npm test`
// (test/fuzz/settings.ts); `npm run fuzz` runs 100x more inputs with a fresh, printed seed.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  FlowHasher,
  FlowpinError,
  GlbTable,
  Maglev,
  canonicalFlowBytes,
  engine,
  formatAddress,
  hashes,
  parseAddress,
  parseFlow,
  readPcap,
  useEngine,
  type Flow,
  type FlowpinErrorCode,
  type GlbBackendInput,
} from "../../src/index.js";
import { parseJson, toFleetConfig } from "../../src/cli/config.js";
import { KINDS } from "../../src/cli/table-kinds.js";
import { buildPacket } from "../packet-build.js";
import { onlyFlowpinErrors } from "../fuzz/outcome.js";
import { buildPcap, ethernet } from "../fuzz/pcap-build.js";
import { check, report } from "../fuzz/settings.js";

afterAll(() => report("fuzz"));

/** Throws unless `call` returns or throws a FlowpinError whose code is in `codes`. */
function only<T>(codes: readonly FlowpinErrorCode[], call: () => T): T | undefined {
  return onlyFlowpinErrors(call, codes);
}

// ---- addresses -------------------------------------------------------------------------------

const STRICT_V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The WHATWG URL parser's IPv6 reading (RFC 4291 text, as browsers and Node parse hosts). */
function urlIPv6(s: string): string | undefined {
  try {
    const h = new URL(`http://[${s}]/`).hostname;
    return h.slice(1, -1);
  } catch {
    return undefined;
  }
}

/** flowpin's reading of `s`, in the URL parser's canonical form (mapped IPv4 back as ::ffff:x:y). */
function flowpinIPv6(s: string): string | undefined {
  const b = only(["INVALID_ADDRESS"], () => parseAddress(s));
  if (!b) return undefined;
  if (b.length === 4) {
    const hex = (x: number): string => x.toString(16);
    return `::ffff:${hex((b[0]! << 8) | b[1]!)}:${hex((b[2]! << 8) | b[3]!)}`;
  }
  return formatAddress(b);
}

const ADDRESS_CHARS = [..."0123456789abcdefABCDEF:.", ":", ":", ".", "0", "f"];
const addressLike = fc.string({ unit: fc.constantFrom(...ADDRESS_CHARS), maxLength: 46 });

/** Random single-character edits of a string. */
const mutated = (base: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(base, fc.array(fc.tuple(fc.nat(), fc.constantFrom("insert", "delete", "replace"), fc.constantFrom(...ADDRESS_CHARS)), { minLength: 1, maxLength: 3 })).map(([s, edits]) => {
    let t = s;
    for (const [at, op, ch] of edits) {
      const i = t.length === 0 ? 0 : at % (t.length + (op === "insert" ? 1 : 0));
      t = op === "insert" ? t.slice(0, i) + ch + t.slice(i) : op === "delete" ? t.slice(0, i) + t.slice(i + 1) : t.slice(0, i) + ch + t.slice(i + 1);
    }
    return t;
  });

/** parseAddress agrees with the oracles: strict dotted quad for IPv4, the URL parser for IPv6. */
function agreesWithOracle(s: string): boolean {
  if (s.includes(":")) return flowpinIPv6(s) === urlIPv6(s);
  const b = only(["INVALID_ADDRESS"], () => parseAddress(s));
  if (!STRICT_V4.test(s)) return b === undefined;
  return b !== undefined && b.join(".") === s.split(".").map(Number).join(".");
}

describe("address parsers", () => {
  it("valid IPv4 and IPv6 text parses to the oracle's bytes and formats back", () => {
    check("ipV4", 300, fc.property(fc.ipV4(), (s) => parseAddress(s).join(".") === s));
    check("ipV6", 300, fc.property(fc.ipV6(), (s) => flowpinIPv6(s) !== undefined && flowpinIPv6(s) === urlIPv6(s)));
    check("ipV6 round trip", 200, fc.property(fc.ipV6(), (s) => {
      const b = parseAddress(s);
      return parseAddress(formatAddress(b)).join() === b.join();
    }));
  });

  it("non-standard IPv4 forms (octal, hex, short) are refused unless strictly dotted decimal", () => {
    check("ipV4Extended", 300, fc.property(fc.ipV4Extended(), agreesWithOracle));
  });

  it("random and mutated address text: accepted exactly when the oracle accepts it", () => {
    check("address-like strings", 1500, fc.property(addressLike, agreesWithOracle));
    check("mutated IPv6", 800, fc.property(mutated(fc.ipV6()), agreesWithOracle));
    check("mutated IPv4", 400, fc.property(mutated(fc.ipV4()), agreesWithOracle));
    check("any string", 400, fc.property(fc.string({ maxLength: 60 }), (s) => {
      only(["INVALID_ADDRESS"], () => parseAddress(s));
      return true;
    }));
  });
});

// ---- flows -----------------------------------------------------------------------------------

const KEY8 = Uint8Array.from({ length: 8 }, (_, i) => 17 * i + 3);
const hasher = new FlowHasher({ key: KEY8 });
const anyAddress = fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 12 }), fc.integer(), fc.uint8Array({ maxLength: 17 }), fc.anything());
const anyPort = fc.oneof(fc.integer({ min: -2, max: 70000 }), fc.double(), fc.anything());
const anyProto = fc.oneof(fc.constantFrom("tcp", "udp", "sctp", "icmp", "icmpv6", "TCP", "proto"), fc.integer({ min: -1, max: 300 }), fc.anything());
const anyFlow = fc.record({ src: anyAddress, dst: anyAddress, sport: anyPort, dport: anyPort, proto: anyProto });

describe("flows", () => {
  it("parseFlow / canonicalFlowBytes / FlowHasher.hash: a value or a FlowpinError, and they agree", () => {
    check("flows", 1000, fc.property(anyFlow, (f) => {
      const p = only(["INVALID_ADDRESS", "INVALID_PORT", "INVALID_PROTOCOL", "MIXED_FAMILIES", "INVALID_TYPE"], () => parseFlow(f as Flow));
      const bytes = only(["INVALID_ADDRESS", "INVALID_PORT", "INVALID_PROTOCOL", "MIXED_FAMILIES", "INVALID_TYPE"], () => canonicalFlowBytes(f as Flow));
      const h = only(["INVALID_ADDRESS", "INVALID_PORT", "INVALID_PROTOCOL", "MIXED_FAMILIES", "INVALID_TYPE"], () => hasher.hash(f as Flow));
      // All three accept the same flows; an accepted flow hashes as HalfSipHash-1-3 of its bytes.
      if ((p === undefined) !== (bytes === undefined) || (p === undefined) !== (h === undefined)) return false;
      if (!p || !bytes) return true;
      return bytes.length === (p.family === 4 ? 13 : 37) && h === hashes.halfsiphash13(bytes, KEY8);
    }));
  });
});

// ---- packets ---------------------------------------------------------------------------------

const v4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
const v6 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const refFlow = fc.oneof(
  fc.record({ src: v4, dst: v4, sport: fc.integer({ min: 0, max: 65535 }), dport: fc.integer({ min: 0, max: 65535 }), proto: fc.constantFrom(6, 17, 132, 1, 58, 50) }),
  fc.record({ src: v6, dst: v6, sport: fc.integer({ min: 0, max: 65535 }), dport: fc.integer({ min: 0, max: 65535 }), proto: fc.constantFrom(6, 17, 132, 1, 58, 50) }),
);
const validPacket = fc.tuple(refFlow, fc.nat({ max: 1000 }), fc.constantFrom(undefined, "first", "later")).map(([f, seed, fragment]) => buildPacket(f, fragment ? { seed, fragment: fragment as "first" | "later" } : { seed }));
type Damage = { cut?: number; flips: number[] };
const damage: fc.Arbitrary<Damage> = fc.record({ cut: fc.option(fc.nat(), { nil: undefined }), flips: fc.array(fc.nat(), { maxLength: 4 }) });

function damaged(p: Uint8Array, d: Damage): Uint8Array {
  const out = d.cut === undefined || p.length === 0 ? p.slice() : p.slice(0, d.cut % (p.length + 1));
  for (const bit of d.flips) if (out.length) out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
  return out;
}
const packetSets = fc.oneof(
  fc.array(fc.uint8Array({ maxLength: 120 }), { minLength: 1, maxLength: 16 }),
  fc.array(fc.tuple(validPacket, damage).map(([p, d]) => damaged(p, d)), { minLength: 1, maxLength: 16 }),
);

/** hashPackets never throws; statuses are known codes; each packet hashes as it does alone. */
function packetsBehave(h: FlowHasher, packets: Uint8Array[]): boolean {
  const r = h.hashPackets(packets);
  if (r.hashes.length !== packets.length || r.status.length !== packets.length) return false;
  for (let i = 0; i < packets.length; i++) {
    const st = r.status[i]!;
    if (st > 5) return false;
    if (st >= 3 && r.hashes[i] !== 0) return false; // not hashed ⇒ hash 0
    const alone = h.hashPackets([packets[i]!]);
    if (alone.status[0] !== st || alone.hashes[0] !== r.hashes[i]) return false;
    // Shorter than a minimal IPv4 header can never be hashed.
    if (packets[i]!.length < 20 && st <= 2) return false;
  }
  return true;
}

describe("packet parser (hashPackets)", () => {
  const profiles = [hasher, new FlowHasher({ profile: "toeplitz" }), new FlowHasher({ profile: "katran" }), new FlowHasher({ profile: "glb", key: new Uint8Array(16).fill(7), glb: { fields: ["src_addr", "dst_addr", "src_port", "dst_port"] } })];
  it("random, truncated and bit-flipped packets get a status each, never a throw", () => {
    check("packets", 300, fc.property(packetSets, fc.constantFrom(...profiles), (packets, h) => packetsBehave(h, packets)));
  });
  it("every engine reads damaged packets alike", () => {
    const before = engine();
    try {
      check("packets across engines", 60, fc.property(packetSets, (packets) => {
        const results = (["wasm-simd", "wasm", "js"] as const).map((k) => {
          useEngine(k);
          const r = hasher.hashPackets(packets);
          return `${Array.from(r.status)}|${Array.from(r.hashes)}`;
        });
        return results[0] === results[1] && results[1] === results[2];
      }));
    } finally {
      useEngine(before);
    }
  });
});

// ---- pcap ------------------------------------------------------------------------------------

const validPcap = fc.tuple(fc.array(validPacket, { maxLength: 6 }), fc.boolean(), fc.boolean()).map(([ps, eth, be]) => ({
  bytes: buildPcap(eth ? ps.map(ethernet) : ps, { linkType: eth ? 1 : 101, bigEndian: be }),
  count: ps.length,
}));

/** Record boundaries of a file written by buildPcap. */
function boundaries(bytes: Uint8Array): Set<number> {
  const le = bytes[0] === 0xd4;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Set([24]);
  for (let at = 24; at + 16 <= bytes.length; ) {
    at += 16 + dv.getUint32(at + 8, le);
    out.add(at);
  }
  return out;
}

describe("readPcap", () => {
  it("random bytes: CORRUPT_DATA or a parse whose frames lie inside the file", () => {
    const header = fc.constantFrom(Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0), new Uint8Array(0));
    check("pcap random", 400, fc.property(header, fc.uint8Array({ maxLength: 300 }), (h, tail) => {
      const bytes = new Uint8Array([...h, ...tail]);
      const cap = only(["CORRUPT_DATA"], () => readPcap(bytes));
      return !cap || cap.packets.every((p) => p.frame.buffer === bytes.buffer && p.frame.byteOffset + p.frame.length <= bytes.length);
    }));
  });
  it("valid files round-trip; truncations fail unless cut at a record boundary; bit flips fail cleanly", () => {
    check("pcap valid", 200, fc.property(validPcap, ({ bytes, count }) => {
      const cap = readPcap(bytes);
      return cap.packets.length === count && cap.packets.every((p) => p.ip !== undefined);
    }));
    check("pcap truncated", 300, fc.property(validPcap, fc.nat(), ({ bytes }, n) => {
      const cut = n % (bytes.length + 1);
      const cap = only(["CORRUPT_DATA"], () => readPcap(bytes.subarray(0, cut)));
      return (cap !== undefined) === (cut >= 24 && boundaries(bytes).has(cut));
    }));
    check("pcap bit flips", 300, fc.property(validPcap, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), ({ bytes }, bits) => {
      const b = bytes.slice();
      for (const bit of bits) b[(bit >> 3) % b.length]! ^= 1 << (bit & 7);
      const cap = only(["CORRUPT_DATA"], () => readPcap(b));
      if (cap) hasher.hashPackets(cap.packets.filter((p) => p.ip).map((p) => p.ip!));
      return true;
    }));
  });
});

// ---- CLI config reader -----------------------------------------------------------------------

const configLike = fc.record(
  {
    algorithm: fc.oneof(fc.constant("maglev"), fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 })),
    profile: fc.oneof(fc.constantFrom("envoy", "katran", "cilium", "ipvs", "x"), fc.jsonValue({ maxDepth: 1 })),
    size: fc.oneof(fc.constantFrom(7, 13, 251, 4093, 65537, 65536, 1, 0, -1), fc.double(), fc.jsonValue({ maxDepth: 1 })),
    seed: fc.oneof(fc.constantFrom("JLfvgnHc2kaSUFaI", "00112233445566778899aabb"), fc.string({ maxLength: 30 })),
    version: fc.constantFrom("v1", "v2", "v3"),
    backends: fc.oneof(
      fc.array(
        fc.record(
          {
            id: fc.oneof(fc.constantFrom("a", "b", "10.0.0.1:80"), fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 0 })),
            weight: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.double(), fc.jsonValue({ maxDepth: 0 })),
            hash: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String), fc.integer(), fc.string({ maxLength: 5 })),
            key: fc.string({ maxLength: 6 }),
            address: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 8 })),
            port: fc.oneof(fc.integer({ min: -1, max: 70000 }), fc.jsonValue({ maxDepth: 0 })),
            state: fc.constantFrom("active", "draining", "x"),
            healthy: fc.jsonValue({ maxDepth: 0 }),
            bogus: fc.constant(1),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 6 },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  },
  { requiredKeys: [] },
);

describe("CLI config reader", () => {
  it("parseJson: any text is a value or INVALID_CONFIG naming a line", () => {
    const damagedJson = fc.tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.string({ maxLength: 3 })).map(([j, at, s]) => j.slice(0, at % (j.length + 1)) + s + j.slice(at % (j.length + 1)));
    check("parseJson", 800, fc.property(fc.oneof(fc.string({ maxLength: 80 }), damagedJson), (text) => {
      try {
        parseJson(text, "fleet.json");
        return true;
      } catch (e) {
        return e instanceof FlowpinError && (e as FlowpinError).code === "INVALID_CONFIG" && /line \d+, column \d+/.test((e as Error).message);
      }
    }));
  });
  it("toFleetConfig + the maglev kind: any JSON value is a table or a FlowpinError", () => {
    check("toFleetConfig", 500, fc.property(fc.jsonValue({ maxDepth: 3 }), (doc) => {
      only(["INVALID_CONFIG"], () => toFleetConfig(doc, "fleet.json"));
      return true;
    }));
    check("maglev configs", 600, fc.property(configLike, (doc) => {
      // Round-trip through JSON text, as the CLI reads it.
      const parsed = parseJson(JSON.stringify(doc) ?? "null", "fleet.json");
      const cfg = onlyFlowpinErrors(() => toFleetConfig(parsed, "fleet.json"));
      if (!cfg || cfg.algorithm !== "maglev") return true;
      const built = onlyFlowpinErrors(() => KINDS.maglev!.fromConfig(cfg));
      if (built) {
        const j = built.json() as { table: number[]; backends: string[] };
        return j.table.every((x) => x >= 0 && x < j.backends.length);
      }
      return true;
    }));
  });
});

// ---- binary table files ----------------------------------------------------------------------

const maglevTable = fc.oneof(
  fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 8 }).chain((ids) =>
    fc.tuple(fc.constantFrom(7, 13, 251), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: ids.length, maxLength: ids.length })).map(([size, w]) => {
      const weights = w.every((x) => x === 0) ? w.map(() => 1) : w;
      return new Maglev({ size: Math.max(size, 13), backends: ids.map((id, i) => ({ id, weight: weights[i]! })) });
    }),
  ),
  fc.uniqueArray(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: 1, maxLength: 6 }).map((hs) => new Maglev({ profile: "katran", size: 251, backends: hs.map((hash, i) => ({ id: `k${i}`, hash })) })),
  fc.uniqueArray(fc.ipV4(), { minLength: 1, maxLength: 6 }).map((as) => new Maglev({ profile: "ipvs", size: 251, backends: as.map((address, i) => ({ id: `i${i}`, address, port: 80 + i })) })),
);

/** Re-signs a damaged Maglev file (xxh32 over everything before the last 4 bytes), as an attacker could. */
function resign(b: Uint8Array): Uint8Array {
  if (b.length >= 4) new DataView(b.buffer, b.byteOffset).setUint32(b.length - 4, hashes.xxh32(b.subarray(0, b.length - 4)), true);
  return b;
}

function flip(bytes: Uint8Array, bits: readonly number[]): Uint8Array {
  const b = bytes.slice();
  for (const bit of bits) b[(bit >> 3) % b.length]! ^= 1 << (bit & 7);
  return b;
}

const DATA_CODES: FlowpinErrorCode[] = ["CORRUPT_DATA", "UNSUPPORTED_VERSION"];

describe("Maglev.fromBytes", () => {
  it("valid files round-trip byte for byte", () => {
    check("maglev round trip", 150, fc.property(maglevTable, (lb) => {
      const b = lb.toBytes();
      const back = Maglev.fromBytes(b);
      return back.toBytes().join() === b.join() && back.table.join() === lb.table.join() && back.profile === lb.profile;
    }));
  });
  it("truncations and bit flips are CORRUPT_DATA / UNSUPPORTED_VERSION, never accepted", () => {
    check("maglev truncated", 300, fc.property(maglevTable, fc.nat(), (lb, n) => {
      const b = lb.toBytes();
      const cut = n % b.length;
      return only(DATA_CODES, () => Maglev.fromBytes(b.subarray(0, cut))) === undefined;
    }));
    check("maglev bit flips", 300, fc.property(maglevTable, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), (lb, bits) => {
      const b = lb.toBytes();
      const f = flip(b, bits);
      if (f.join() === b.join()) return true; // flips cancelled out
      return only(DATA_CODES, () => Maglev.fromBytes(f)) === undefined;
    }));
  });
  it("a re-signed file whose size field is 2^31 + 13 is CORRUPT_DATA (pad4 once wrapped in 32 bits here)", () => {
    const b = new Maglev({ size: 13, backends: [{ id: "a" }, { id: "b" }] }).toBytes();
    b[11]! ^= 0x80;
    expect(only(DATA_CODES, () => Maglev.fromBytes(resign(b)))).toBeUndefined();
  });
  it("damaged files with a valid checksum (re-signed) fail cleanly or give a usable table", () => {
    check("maglev re-signed", 400, fc.property(maglevTable, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.option(fc.nat(), { nil: undefined }), (lb, bits, cut) => {
      const raw = lb.toBytes();
      let b = flip(raw, bits);
      if (cut !== undefined) b = b.slice(0, Math.max(4, cut % (b.length + 1)));
      const back = only(DATA_CODES, () => Maglev.fromBytes(resign(b)));
      if (!back) return true;
      // Accepted: every slot names a backend and lookups work.
      return back.table.length === back.size && back.table.every((x) => x < back.backends.length) && back.lookup(12345) !== undefined;
    }));
  });
  it("random bytes behind a valid magic and version", () => {
    check("maglev random", 300, fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (tail, sign) => {
      const b = new Uint8Array([0x46, 0x50, 0x4d, 0x47, 1, 0, ...tail, 0, 0, 0, 0]);
      only(DATA_CODES, () => Maglev.fromBytes(sign ? resign(b) : b));
      return true;
    }));
  });
});

describe("GlbTable.fromBytes", () => {
  const tables = [0, 1, 2].map(
    (k) =>
      new GlbTable({
        seed: new Uint8Array(16).fill(k + 1),
        hashKey: new Uint8Array(16).fill(k + 9),
        backends: (["10.0.0.1", { address: "2001:db8::7", state: "filling" }, { address: "10.0.0.3", state: "draining", healthy: false }] as GlbBackendInput[]).slice(0, k + 1),
        binds: k === 2 ? [{ ip: "192.0.2.0/24", proto: "tcp", port: 443 }] : [],
      }),
  );
  const files = [GlbTable.toBytes([tables[0]!]), GlbTable.toBytes(tables)];
  it("truncations are CORRUPT_DATA; flipped files fail cleanly or, if accepted, write back byte for byte", () => {
    check("glb truncated", 40, fc.property(fc.constantFrom(...files), fc.nat(), (f, n) => only(DATA_CODES, () => GlbTable.allFromBytes(f.subarray(0, n % f.length))) === undefined));
    check("glb bit flips", 60, fc.property(fc.constantFrom(...files), fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), fc.boolean(), (f, bits, headerOnly) => {
      // Half the flips aim at the headers and backend slots, where the checks are.
      const b = flip(f, headerOnly ? bits.map((x) => x % (8 * 6300)) : bits);
      const back = only(DATA_CODES, () => GlbTable.allFromBytes(b));
      if (!back) return true;
      return GlbTable.toBytes(back).join() === b.join() && back.every((t) => t.rows().every((x) => x < t.backends.length));
    }));
  });
});
