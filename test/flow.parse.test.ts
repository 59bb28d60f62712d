// Flow input: every RFC 4291 text form of IPv6 against Node's own parsers (net.isIPv6 and
// the WHATWG URL host serializer), IPv4 against net.isIPv4, the canonical byte layout, and
// the bad inputs with their error codes and messages.
import net from "node:net";
import { describe, expect, it } from "vitest";
import { FlowBatch, FlowHasher, canonicalFlowBytes, formatAddress, parseAddress, parseFlow, type Flow } from "../src/index.js";
import { refCanonical } from "./reference/flow.js";
import { Rng } from "./rng.js";
import { toHex } from "./vectors.js";

const SEED = 4291;

/** Text forms of one IPv6 address, generated from its 8 groups (RFC 4291 2.2). */
function textForms(g: number[], rng: Rng): string[] {
  const hex = (x: number): string => x.toString(16);
  const forms = [
    g.map((x) => x.toString(16).padStart(4, "0")).join(":"), // full, leading zeros
    g.map(hex).join(":"), // no leading zeros
    g.map((x) => x.toString(16).toUpperCase()).join(":"), // upper case
    g.map((x) => x.toString(16).padStart(1 + rng.int(4), "0")).join(":"), // mixed zero padding
  ];
  // "::" over every run of zero groups (any length >= 1, not only the longest).
  for (let s = 0; s < 8; s++) {
    for (let e = s + 1; e <= 8; e++) {
      if (g.slice(s, e).every((x) => x === 0)) forms.push(`${g.slice(0, s).map(hex).join(":")}::${g.slice(e).map(hex).join(":")}`);
    }
  }
  // Embedded IPv4 in the last 32 bits, with and without "::".
  const v4 = `${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`;
  forms.push(`${g.slice(0, 6).map(hex).join(":")}:${v4}`);
  for (let s = 0; s < 6; s++) {
    for (let e = s + 1; e <= 6; e++) {
      if (g.slice(s, e).every((x) => x === 0)) forms.push(`${g.slice(0, s).map(hex).join(":")}::${g.slice(e, 6).map(hex).join(":")}${e < 6 ? ":" : ""}${v4}`);
    }
  }
  return forms;
}

function randomGroups(rng: Rng): number[] {
  const g = Array.from({ length: 8 }, () => (rng.int(4) === 0 ? rng.int(16) : rng.int(65536)));
  const s = rng.int(8);
  const len = rng.int(9 - s);
  for (let i = s; i < s + len; i++) g[i] = 0;
  if (rng.int(3) === 0) g[rng.int(8)] = 0;
  return g;
}

const bytesOf = (g: number[]): Uint8Array => Uint8Array.from(g.flatMap((x) => [x >> 8, x & 0xff]));
const isMapped = (g: number[]): boolean => g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;

describe("IPv6 text forms vs Node", () => {
  it("every form parses to the same bytes, Node agrees it is IPv6, and formatAddress matches the URL serializer", () => {
    const rng = new Rng(SEED);
    let checked = 0;
    for (let n = 0; n < 400; n++) {
      const g = randomGroups(rng);
      if (isMapped(g)) continue;
      const canonical = new URL(`http://[${g.map((x) => x.toString(16)).join(":")}]/`).hostname.slice(1, -1);
      for (const form of textForms(g, rng)) {
        const ctx = `seed ${SEED} form ${form}`;
        expect(net.isIPv6(form), ctx).toBe(true);
        expect(toHex(parseAddress(form)), ctx).toBe(toHex(bytesOf(g)));
        // Node's WHATWG serializer is RFC 5952 (longest zero run, first on ties, lowercase).
        expect(new URL(`http://[${form}]/`).hostname.slice(1, -1), ctx).toBe(canonical);
        expect(formatAddress(form), ctx).toBe(canonical);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it("IPv4-mapped addresses canonicalize to IPv4 in every form", () => {
    const rng = new Rng(SEED + 1);
    for (let n = 0; n < 100; n++) {
      const g = [0, 0, 0, 0, 0, 0xffff, rng.int(65536), rng.int(65536)];
      const v4 = [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff];
      for (const form of textForms(g, rng)) {
        expect(net.isIPv6(form), form).toBe(true);
        expect(Array.from(parseAddress(form)), form).toEqual(v4);
      }
      expect(Array.from(parseAddress(bytesOf(g)))).toEqual(v4);
    }
  });

  it("malformed IPv6 is rejected exactly where Node rejects it", () => {
    const bad = [
      ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "::g", "1:2:3:4:5:6:7:8::",
      "::1:2:3:4:5:6:7:8", "1:", ":1", "1::2:", "::1.2.3", "::1.2.3.4.5", "::256.0.0.1", "::1.2.3.04", "1:2:3:4:5:6:7:1.2.3.4",
      "::1.2.3.4:5", "[::1]", " ::1", "::1 ", "", "1.2.3.4::", "::ffff:1.2.3.-1", "::-1",
    ];
    for (const s of bad) {
      expect(net.isIP(s), s).toBe(0);
      expect(() => parseAddress(s), s).toThrow(expect.objectContaining({ code: "INVALID_ADDRESS" }));
    }
    // Forms Node accepts that flowpin does not take: a zone index (a flow has no interface).
    expect(net.isIPv6("fe80::1%eth0")).toBe(true);
    expect(() => parseAddress("fe80::1%eth0")).toThrow(/unexpected character "%"/);
  });

  it("'::' may stand for a single zero group (RFC 4291), as Node accepts", () => {
    for (const s of ["1::3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8"]) {
      expect(net.isIPv6(s), s).toBe(true);
      expect(parseAddress(s).length).toBe(16);
    }
  });
});

describe("IPv4", () => {
  it("agrees with net.isIPv4 on random dotted strings", () => {
    const rng = new Rng(SEED + 2);
    const parts = ["0", "1", "9", "10", "99", "100", "255", "256", "01", "001", "300", "", "1a", "-1", "+1", " 1"];
    for (let n = 0; n < 3000; n++) {
      const k = 3 + rng.int(3);
      const s = Array.from({ length: k }, () => parts[rng.int(parts.length)]).join(".");
      const ok = net.isIPv4(s);
      if (ok) expect(Array.from(parseAddress(s)), s).toEqual(s.split(".").map(Number));
      else expect(() => parseAddress(s), s).toThrow(expect.objectContaining({ code: "INVALID_ADDRESS" }));
    }
  });
  it("u32 and bytes forms", () => {
    expect(Array.from(parseAddress(0xc0000201))).toEqual([192, 0, 2, 1]);
    expect(Array.from(parseAddress(Uint8Array.of(192, 0, 2, 1)))).toEqual([192, 0, 2, 1]);
    expect(formatAddress(0xffffffff)).toBe("255.255.255.255");
  });
});

describe("canonical bytes", () => {
  it("match the reference layout, plain and symmetric, on random flows", () => {
    const rng = new Rng(SEED + 3);
    for (let n = 0; n < 500; n++) {
      const v6 = rng.int(2) === 1;
      const src = rng.bytes(v6 ? 16 : 4);
      const dst = rng.int(8) === 0 ? src.slice() : rng.bytes(v6 ? 16 : 4);
      if (v6 && src[0] === 0) src[0] = 1; // stay clear of ::ffff:0:0/96
      if (v6 && dst[0] === 0) dst[0] = 1;
      const f = { src, dst, sport: rng.int(65536), dport: rng.int(65536), proto: rng.int(256) };
      for (const symmetric of [false, true]) {
        expect(toHex(canonicalFlowBytes(f, { symmetric })), `seed ${SEED + 3} n ${n}`).toBe(toHex(refCanonical(f, symmetric)));
      }
    }
  });
  it("layout of the README example", () => {
    const f: Flow = { src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 443, proto: "tcp" };
    expect(toHex(canonicalFlowBytes(f))).toBe("c6336407cb007101c93801bb06");
    expect(canonicalFlowBytes({ ...f, src: "2001:db8::1", dst: "2001:db8::2" }).length).toBe(37);
  });
});

describe("bad input", () => {
  const ok: Flow = { src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2, proto: "tcp" };
  const cases: [Partial<Record<keyof Flow, unknown>>, string, RegExp][] = [
    [{ src: "10.0.0.256" }, "INVALID_ADDRESS", /src .*"10\.0\.0\.256"/],
    [{ dst: "2001:db8::g" }, "INVALID_ADDRESS", /dst .*"2001:db8::g"/],
    [{ src: new Uint8Array(5) }, "INVALID_ADDRESS", /src .*Uint8Array\(5 bytes\)/],
    [{ src: 2 ** 32 }, "INVALID_ADDRESS", /src .*4294967296/],
    [{ src: -1 }, "INVALID_ADDRESS", /src .*-1/],
    [{ src: null }, "INVALID_TYPE", /src .*null/],
    [{ dst: "2001:db8::1" }, "MIXED_FAMILIES", /IPv4 src "10\.0\.0\.1" and IPv6 dst "2001:db8::1"/],
    [{ sport: 65536 }, "INVALID_PORT", /sport .*65536/],
    [{ dport: -1 }, "INVALID_PORT", /dport .*-1/],
    [{ dport: 1.5 }, "INVALID_PORT", /dport .*1\.5/],
    [{ sport: "80" }, "INVALID_TYPE", /sport .*"80"/],
    [{ proto: 256 }, "INVALID_PROTOCOL", /proto .*256/],
    [{ proto: "tcpp" }, "INVALID_PROTOCOL", /proto .*"tcpp"/],
    [{ proto: "constructor" }, "INVALID_PROTOCOL", /"constructor"/],
    [{ proto: undefined }, "INVALID_TYPE", /proto .*undefined/],
  ];
  for (const [patch, code, msg] of cases) {
    it(`${JSON.stringify(patch, (_, v) => (v instanceof Uint8Array ? `bytes(${v.length})` : v === undefined ? "undefined" : v))} -> ${code}`, () => {
      const f = { ...ok, ...patch } as Flow;
      let err: unknown;
      try {
        parseFlow(f);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code });
      expect(String((err as Error).message)).toMatch(msg);
      expect(() => new FlowHasher({ key: new Uint8Array(8) }).hash(f)).toThrow(expect.objectContaining({ code }));
    });
  }
  it("protocol names are case-insensitive; mapped + IPv4 is one family", () => {
    expect(parseFlow({ ...ok, proto: "UDP" as "udp" }).proto).toBe(17);
    expect(parseFlow({ ...ok, src: "::ffff:10.0.0.1" }).family).toBe(4);
  });
  it("hasher options", () => {
    const e = (o: object, code: string, msg: RegExp): void => {
      expect(() => new FlowHasher(o)).toThrow(expect.objectContaining({ code }));
      expect(() => new FlowHasher(o)).toThrow(msg);
    };
    e({}, "INVALID_KEY", /needs key: 8 secret bytes/);
    e({ key: new Uint8Array(16) }, "INVALID_KEY", /8 bytes .* got 16/);
    e({ profile: "glb" }, "INVALID_KEY", /16-byte hash key/);
    e({ profile: "glb", key: new Uint8Array(8) }, "INVALID_KEY", /16 bytes .* got 8/);
    e({ profile: "katran", key: new Uint8Array(8) }, "INVALID_KEY", /takes no key/);
    e({ profile: "toeplitz", key: new Uint8Array(8) }, "INVALID_KEY", /at least 12 bytes/);
    e({ profile: "toeplitz", key: new Uint8Array(40).fill(1).map((_, i) => i), symmetric: true }, "INVALID_KEY", /16-bit period/);
    e({ profile: "envoy", symmetric: true }, "INVALID_CONFIG", /symmetric applies to the flowpin and toeplitz profiles/);
    e({ profile: "maglev" }, "UNKNOWN_PROFILE", /"maglev"/);
    e({ profile: "cilium", cilium: { hashSeed: "short" } }, "INVALID_KEY", /base64 of 12 bytes.*"short"/);
    e({ profile: "glb", key: new Uint8Array(16), glb: { fields: ["src_ip"] } }, "INVALID_CONFIG", /"src_ip"/);
    // A 12-byte toeplitz key covers IPv4 without ports only.
    const short = new FlowHasher({ profile: "toeplitz", key: new Uint8Array(12), noPorts: true });
    expect(typeof short.hash({ ...ok })).toBe("number");
    expect(() => short.hash({ ...ok, src: "::1", dst: "::2" })).toThrow(/at least 36 bytes/);
  });
  it("hashV4 validates its numbers", () => {
    const h = new FlowHasher({ key: new Uint8Array(8) });
    expect(() => h.hashV4(-1, 0, 0, 0, 6)).toThrow(expect.objectContaining({ code: "INVALID_ADDRESS" }));
    expect(() => h.hashV4(0, 1.5, 0, 0, 6)).toThrow(/dst .*1\.5/);
    expect(() => h.hashV4(0, 0, 70000, 0, 6)).toThrow(expect.objectContaining({ code: "INVALID_PORT" }));
    expect(() => h.hashV4(0, 0, 0, 0, 300)).toThrow(expect.objectContaining({ code: "INVALID_PROTOCOL" }));
  });
  it("batches", () => {
    expect(() => new FlowBatch(0)).toThrow(expect.objectContaining({ code: "OUT_OF_RANGE" }));
    const b = new FlowBatch(4);
    expect(() => b.set(0, { ...ok, src: "::1", dst: "::2" })).toThrow(expect.objectContaining({ code: "MIXED_FAMILIES" }));
    expect(() => b.set(4, ok)).toThrow(/index must be an integer in 0\.\.3, got 4/);
    expect(() => (b.length = 5)).toThrow(/length must be an integer in 0\.\.4, got 5/);
    b.dispose();
    expect(() => b.hashes).toThrow(/disposed/);
  });
});
