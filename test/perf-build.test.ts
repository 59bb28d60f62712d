// The proportionate Maglev build (keys laid out once in Wasm memory, sorted there by an MSD
// radix sort, permutation parameters hashed there for every profile, duplicates found without
// Maps, the parameter cache made lazily): large random fleets against the slow references of
// test/reference/maglev.ts, on every engine, including what the radix sort must get right
// (shared prefixes, a key that is a prefix of another, UTF-8 order beyond UTF-16 order), and
// the duplicate errors thrown exactly where the sequential checks threw them.
import { expect, it } from "vitest";
import { FlowpinError, Maglev } from "../src/index.js";
import { ciliumMurmurSeed } from "../src/profiles/cilium.js";
import { forEachEngine } from "./engines.js";
import { refCilium, refEnvoy, refKatran } from "./reference/maglev.js";
import { Rng } from "./rng.js";

const PIECES = ["10.0.", "10.0.1", "a", "ab", "b", "\u00e9", "\uffff", "\ue000", "\ud83d\ude00", "\u0800", ":8080", "/", "0", "9", "\u007f", "\u0080"];

function keys(r: Rng, n: number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < n) {
    let k = "";
    for (let p = 1 + r.int(6); p > 0; p--) k += PIECES[r.int(PIECES.length)];
    if (r.int(4) === 0) k += String(r.int(100000));
    if (!seen.has(k)) {
      seen.add(k);
      out.push(k);
    }
  }
  return out;
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FlowpinError);
    return `${(e as FlowpinError).code}: ${(e as Error).message}`;
  }
  return "no error";
}

forEachEngine("proportionate build: random fleets against the references", () => {
  it("envoy: 3000 keys with shared prefixes, prefixes of each other and non-ASCII, random weights", () => {
    const r = new Rng(0xb01d);
    const ks = keys(r, 3000);
    const hosts = ks.map((key) => ({ key, weight: r.int(5) }));
    hosts[0]!.weight = 1;
    const lb = new Maglev({ size: 65537, backends: hosts.map((h, i) => ({ id: `h${i}`, key: h.key, weight: h.weight })) });
    expect(Array.from(lb.table)).toEqual(refEnvoy(hosts, 65537));
  });

  it("envoy: 10 000 backends keyed by id, and a rebuild with a changed list (cached parameters)", () => {
    const ids = Array.from({ length: 10000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8080`);
    const lb = new Maglev({ size: 65537, backends: ids.map((id) => ({ id })) });
    expect(Array.from(lb.table)).toEqual(refEnvoy(ids.map((key) => ({ key, weight: 1 })), 65537));
    const next = ids.filter((_, i) => i % 7 !== 3).concat(["new-a", "new-b"]);
    const rebuilt = lb.withBackends(next.map((id) => ({ id })));
    expect(Array.from(rebuilt.table)).toEqual(refEnvoy(next.map((key) => ({ key, weight: 1 })), 65537));
  });

  it("envoy keyed by id (ids staged as bytes during validation): long ids past the staging buffer, non-ASCII ids, zero weights, one backend with a key", () => {
    const r = new Rng(0x1d5);
    const ks = keys(r, 3000);
    const long = ks.map((k, i) => `${"p".repeat(40 + (i % 50))}${k}`);
    const ascii = ks.filter((k) => !/[^\x00-\x7f]/.test(k));
    for (const idList of [ks, long, ascii]) {
      const weights = idList.map((_, i) => (i === 0 ? 1 : r.int(4)));
      const lb = new Maglev({ size: 65537, backends: idList.map((id, i) => ({ id, weight: weights[i] })) });
      expect(Array.from(lb.table)).toEqual(refEnvoy(idList.map((key, i) => ({ key, weight: weights[i]! })), 65537));
      // A key on one backend: the sort keys are no longer all ids.
      const keyed = idList.map((id, i) => (i === 7 ? { id, key: "another key", weight: weights[i] } : { id, weight: weights[i] }));
      const lk = new Maglev({ size: 65537, backends: keyed });
      expect(Array.from(lk.table)).toEqual(refEnvoy(idList.map((id, i) => ({ key: i === 7 ? "another key" : id, weight: weights[i]! })), 65537));
    }
  });

  it("katran v1 and v2: 2000 random u64 hashes given as bigints and as safe integers", () => {
    const r = new Rng(0xca7a);
    const eps = Array.from({ length: 2000 }, (_, i) => {
      const hash = i % 2 ? r.next64() : BigInt(r.u32()) * 2048n + BigInt(r.int(2048));
      return { hash, weight: 1 + r.int(3) };
    });
    for (const version of ["v1", "v2"] as const) {
      const lb = new Maglev({ profile: "katran", version, size: 65537, backends: eps.map((e, i) => ({ id: `e${i}`, weight: e.weight, hash: i % 4 === 0 ? Number(e.hash) : e.hash })) });
      expect(Array.from(lb.table), version).toEqual(refKatran(eps, 65537, version));
    }
  });

  it("cilium: 1500 IPv4, IPv6 and IPv4-mapped backends, weighted", () => {
    const r = new Rng(0xc111);
    const backends = Array.from({ length: 1500 }, (_, i) => {
      const w = r.u32();
      const address = i % 3 === 0 ? `10.${w >>> 24}.${(w >>> 16) & 255}.${w & 255}` : i % 3 === 1 ? `2001:db8::${(w >>> 16).toString(16)}:${(w & 0xffff).toString(16)}` : `::ffff:192.0.${(w >>> 8) & 255}.${w & 255}`;
      return { id: `c${i}`, address, port: 1 + r.int(65535), protocol: i % 5 ? "TCP" : "UDP", weight: 1 + r.int(300) };
    });
    const lb = new Maglev({ profile: "cilium", size: 16381, backends });
    expect(Array.from(lb.table)).toEqual(refCilium(lb.backends.map((b) => ({ hashString: b.key!, weight: b.weight })), 16381, ciliumMurmurSeed("JLfvgnHc2kaSUFaI")));
  });
});

it("duplicates are reported at the index, and before the errors, the sequential checks reported them", () => {
  const list = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `b${i}` }) as { id: string; weight?: number; key?: string });
  const a = list(5000);
  a[4000] = { id: "b17" };
  expect(code(() => new Maglev({ backends: a }))).toBe('DUPLICATE_BACKEND: backends[4000].id "b17" repeats backends[17].id');
  const b = list(5000);
  b[4000] = { id: "b17", weight: -1 };
  b[4500] = { id: "x", weight: 1.5 };
  expect(code(() => new Maglev({ backends: b }))).toMatch(/^DUPLICATE_BACKEND: backends\[4000\]/);
  b[3000] = { id: "y", weight: NaN };
  expect(code(() => new Maglev({ backends: b }))).toMatch(/^INVALID_WEIGHT: backends\[3000\]\.weight/);
  // An identity repeating another backend's id (envoy: key ?? id), after and before it.
  const c = list(3000);
  c[2000] = { id: "k", key: "b5" };
  expect(code(() => new Maglev({ backends: c }))).toBe('DUPLICATE_BACKEND: backends[2000] ("k") hashes like backends[5]: both have the envoy key "b5"');
  const d = list(3000);
  d[5] = { id: "k", key: "b2500" };
  expect(code(() => new Maglev({ backends: d }))).toBe('DUPLICATE_BACKEND: backends[2500] ("b2500") hashes like backends[5]: both have the envoy key "b2500"');
  // katran: the u64 hash is the identity, compared as two words; a number and a bigint of one
  // value repeat each other, hashes equal in one half only do not.
  const k = Array.from({ length: 3000 }, (_, i) => ({ id: `r${i}`, hash: BigInt(i) * 0x100000001n }) as { id: string; hash: bigint | number });
  k[2000] = { id: "n", hash: 7 * 0x100000001 };
  expect(code(() => new Maglev({ profile: "katran", backends: k }))).toBe('DUPLICATE_BACKEND: backends[2000] ("n") hashes like backends[7]: both have the katran key "30064771079"');
  k[2000] = { id: "n", hash: 7n * 0x100000000n + 8n };
  k[2001] = { id: "m", hash: 8n * 0x100000000n + 7n };
  expect(new Maglev({ profile: "katran", backends: k }).backends).toHaveLength(3000);
  // Strings that differ only after many shared characters, and lone surrogates, are not duplicates.
  const long = "x".repeat(5000);
  expect(new Maglev({ size: 7, backends: [{ id: `${long}a` }, { id: `${long}b` }, { id: "\ud800" }, { id: "\udc00" }] }).backends).toHaveLength(4);
});
