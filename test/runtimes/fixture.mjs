// The fixed computation every runtime test runs on the built package: the host imports
// flowpin through its own entry (exports condition, import map, module config) and hands the
// module namespace to compute(). Plain JS with no imports so Deno, Bun, workerd and Chromium
// load it as is.
//
// Sections adapt to the API: each runs only if its exports exist, and `sections` records
// which ran, so Node's result and a host's are compared over the same set and the comparison
// grows by itself as features land. Everything returned is JSON: bigints become decimal
// strings, typed arrays plain arrays, and large outputs (65537-slot tables, 65536-row glb
// tables, serialized bytes) a length plus an FNV-1a digest computed here in plain JS.

/** Deterministic bytes: 0, 1, ..., wrapping, mixed so no two positions look alike. */
function bytes(n, salt = 0) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 131 + salt * 17 + (i >> 3)) & 0xff;
  return out;
}

function hex(h) {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** FNV-1a 32 over the bytes of a typed array (its own byte order: every host here is little-endian). */
function digest(view) {
  const b = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return { bytes: b.length, fnv1a: (h >>> 0).toString(16).padStart(8, "0") };
}

/** JSON-able copy: bigint → decimal string, typed arrays → arrays, objects recursively. */
function plain(v) {
  if (typeof v === "bigint") return v.toString();
  if (ArrayBuffer.isView(v)) return Array.from(v, plain);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = plain(v[k]);
    return o;
  }
  return v;
}

const DATA = [0, 1, 3, 4, 7, 8, 13, 16, 31, 37, 64, 100, 257].map((n, i) => bytes(n, i));
const KEY16 = bytes(16, 99);
const KEY8 = bytes(8, 98);
const MS_RSS_KEY = hex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa");
const SEEDS32 = [0, 1, 0x9747b28c, 0xffffffff];

// How each primitive is called. A primitive missing here is reported in `unlisted`, and the
// test fails on it: a new hash must be added to the cross-runtime comparison.
const PRIMITIVES = {
  xxh32: (f) => DATA.flatMap((d) => SEEDS32.map((s) => f(d, s))),
  xxh64: (f) => DATA.flatMap((d) => [0n, 1n, 0xfedcba9876543210n].map((s) => f(d, s))),
  murmur3_32: (f) => DATA.flatMap((d) => SEEDS32.map((s) => f(d, s))),
  murmur3_128: (f) => DATA.flatMap((d) => SEEDS32.map((s) => f(d, s))),
  jhash: (f) => DATA.flatMap((d) => [0, 512, 0xdeadbeef].map((s) => f(d, s))),
  jhash2words: (f) => [f(0, 0, 0), f(0xbb950942, 0x0000ea0a, 512 * 65537), f(0xffffffff, 0x12345678, 0x9e3779b9)],
  jhash3words: (f) => [f(0, 0, 0, 0), f(0xbb950942, 0xea0ae606, 6, 0x71dcda46), f(0xffffffff, 1, 17, 0xffffffff)],
  siphash24: (f) => DATA.map((d) => f(d, KEY16)),
  siphash13: (f) => DATA.map((d) => f(d, KEY16)),
  halfsiphash24: (f) => DATA.map((d) => f(d, KEY8)),
  halfsiphash13: (f) => DATA.map((d) => f(d, KEY8)),
  // The key must cover data.length + 4 bytes: the 40-byte RSS key covers up to 36.
  toeplitz: (f) => DATA.filter((d) => d.length <= 36).map((d) => f(d, MS_RSS_KEY)),
};

const FLOWS = [
  { src: "66.9.149.187", dst: "161.142.100.80", sport: 2794, dport: 1766, proto: "tcp" },
  { src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 443, proto: "udp" },
  { src: "203.0.113.1", dst: "198.51.100.7", sport: 443, dport: 51512, proto: "udp" },
  { src: "0.0.0.0", dst: "255.255.255.255", sport: 0, dport: 65535, proto: "sctp" },
  { src: "::ffff:10.1.2.3", dst: "10.9.8.7", sport: 1000, dport: 80, proto: "tcp" },
  { src: "3ffe:2501:200:1fff::7", dst: "3ffe:2501:200:3::1", sport: 2794, dport: 1766, proto: "tcp" },
  { src: "2001:db8::1", dst: "2001:db8:ffff::2", sport: 65535, dport: 53, proto: "udp" },
];

/** An IPv4 packet: 20-byte header (no options), then `payload`. */
function ipv4(proto, src, dst, payload, fragOffset = 0) {
  const p = new Uint8Array(20 + payload.length);
  p[0] = 0x45;
  p[2] = p.length >> 8;
  p[3] = p.length & 0xff;
  p[6] = (fragOffset >> 8) & 0x1f;
  p[7] = fragOffset & 0xff;
  p[8] = 64;
  p[9] = proto;
  p.set(src, 12);
  p.set(dst, 16);
  p.set(payload, 20);
  return p;
}

/** An IPv6 packet: 40-byte header, next header `proto`, then `payload`. */
function ipv6(proto, src, dst, payload) {
  const p = new Uint8Array(40 + payload.length);
  p[0] = 0x60;
  p[4] = payload.length >> 8;
  p[5] = payload.length & 0xff;
  p[6] = proto;
  p[7] = 64;
  p.set(src, 8);
  p.set(dst, 24);
  p.set(payload, 40);
  return p;
}

/** The first bytes of a TCP or UDP header: source and destination port, then zeros. */
function ports(sport, dport, len) {
  const b = new Uint8Array(len);
  b[0] = sport >> 8;
  b[1] = sport & 0xff;
  b[2] = dport >> 8;
  b[3] = dport & 0xff;
  return b;
}

const V6A = hex("3ffe250102001fff0000000000000007");
const V6B = hex("3ffe2501020000030000000000000001");
const PACKETS = [
  ipv4(6, [66, 9, 149, 187], [161, 142, 100, 80], ports(2794, 1766, 20)),
  ipv4(17, [198, 51, 100, 7], [203, 0, 113, 1], ports(51512, 443, 8)),
  ipv4(6, [10, 0, 0, 1], [10, 0, 0, 2], ports(1000, 80, 20), 185),
  ipv4(1, [10, 0, 0, 1], [10, 0, 0, 2], new Uint8Array(8)),
  ipv6(17, V6A, V6B, ports(2794, 1766, 8)),
  ipv6(6, V6B, V6A, ports(443, 65535, 20)),
  ipv4(6, [10, 0, 0, 1], [10, 0, 0, 2], new Uint8Array(0)).subarray(0, 16),
  Uint8Array.of(0x55, ...new Uint8Array(39)),
];

function hasherConfigs(flowpin) {
  return [
    ["flowpin", { key: KEY8 }],
    ["flowpin symmetric", { key: KEY8, symmetric: true }],
    ["flowpin noPorts", { key: KEY8, noPorts: true }],
    ["toeplitz", { profile: "toeplitz" }],
    ["toeplitz symmetric", { profile: "toeplitz", symmetric: true }],
    ["katran", { profile: "katran" }],
    ["katran srcDstPort", { profile: "katran", katran: { srcDstPort: true } }],
    ["cilium", { profile: "cilium" }],
    ["envoy", { profile: "envoy" }],
    ["glb", { profile: "glb", key: KEY16 }],
    ["glb 4 fields", { profile: "glb", key: KEY16, glb: { fields: ["src_addr", "dst_addr", "src_port", "dst_port"] } }],
  ].map(([name, opts]) => [name, new flowpin.FlowHasher(opts)]);
}

const SECTIONS = {
  primitives(flowpin) {
    const out = {};
    for (const name of Object.keys(flowpin.hashes).sort()) {
      if (typeof flowpin.hashes[name] !== "function" || !PRIMITIVES[name]) continue;
      out[name] = PRIMITIVES[name](flowpin.hashes[name]);
    }
    return out;
  },

  flowParsing(flowpin) {
    if (!flowpin.canonicalFlowBytes) return undefined;
    return FLOWS.map((f) => [flowpin.canonicalFlowBytes(f), flowpin.canonicalFlowBytes(f, { symmetric: true })]);
  },

  flowHashes(flowpin) {
    if (!flowpin.FlowHasher) return undefined;
    const out = {};
    for (const [name, h] of hasherConfigs(flowpin)) {
      out[name] = FLOWS.map((f) => h.hash(f));
      // The integer fast path on the IPv4 flows (66.9.149.187 → 161.142.100.80, tcp).
      out[name].push(h.hashV4(0x420995bb, 0xa18e6450, 2794, 1766, 6));
    }
    return out;
  },

  // One Wasm call over many flows: the SIMD path where the engine has one.
  flowBatches(flowpin) {
    if (!flowpin.FlowHasher || !flowpin.FlowBatch) return undefined;
    const out = {};
    for (const family of [4, 6]) {
      const n = 1000;
      const batch = new flowpin.FlowBatch(n, { family });
      const words = family === 4 ? 1 : 4;
      for (let i = 0; i < n * words; i++) {
        batch.src[i] = Math.imul(i + 1, 0x9e3779b1) >>> 0;
        batch.dst[i] = Math.imul(i + 7, 0x85ebca6b) >>> 0;
      }
      for (let i = 0; i < n; i++) {
        batch.sport[i] = (i * 7919) & 0xffff;
        batch.dport[i] = (i * 104729) & 0xffff;
        batch.proto[i] = [6, 17, 132][i % 3];
      }
      for (const [name, h] of hasherConfigs(flowpin)) {
        h.hashBatch(batch);
        out[`v${family} ${name}`] = h.bits === 64 ? [digest(batch.hashes), digest(batch.hashesHi)] : digest(batch.hashes);
      }
      batch.dispose();
    }
    return out;
  },

  // Raw packets parsed and hashed in Wasm: IPv4/TCP, IPv6/UDP, an IPv4 fragment, ICMP, a
  // truncated header and a bad version (each packet's status is compared too).
  packets(flowpin) {
    if (!flowpin.FlowHasher || typeof flowpin.FlowHasher.prototype.hashPackets !== "function") return undefined;
    const out = {};
    for (const [name, h] of hasherConfigs(flowpin)) {
      const r = h.hashPackets(PACKETS);
      out[name] = { hashes: r.hashes, hashesHi: r.hashesHi ?? null, status: r.status };
    }
    return out;
  },

  maglev(flowpin) {
    const { Maglev } = flowpin;
    if (!Maglev) return undefined;
    const ids = ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:8080", "[2001:db8::5]:443", "backend-e"];
    const builds = {
      envoy: () => new Maglev({ size: 251, backends: ids.map((id, i) => ({ id, weight: (i % 3) + 1 })) }),
      "envoy 65537": () => new Maglev({ backends: ids.map((id) => ({ id })) }),
      "katran v1": () => new Maglev({ profile: "katran", version: "v1", size: 251, backends: ids.map((id, i) => ({ id, hash: (BigInt(i + 1) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn, weight: i + 1 })) }),
      "katran v2": () => new Maglev({ profile: "katran", version: "v2", size: 251, backends: ids.map((id, i) => ({ id, hash: (BigInt(i + 1) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn, weight: i + 1 })) }),
      cilium: () => new Maglev({ profile: "cilium", size: 251, backends: ids.map((id, i) => ({ id, address: `10.0.1.${i + 1}`, port: 80 + i, weight: 100 * (i + 1) })) }),
      ipvs: () => new Maglev({ profile: "ipvs", size: 251, backends: ids.map((id, i) => ({ id, address: `10.0.2.${i + 1}`, port: 80, weight: i + 1 })) }),
    };
    const out = {};
    const lookups = [0, 1, 250, 251, 0xffffffff, 0x1234567890abcdefn, 0xffffffffffffffffn];
    for (const [name, build] of Object.entries(builds)) {
      const lb = build();
      const next = lb.withBackends(lb.backends.filter((_, i) => i !== 1));
      const d = Maglev.diff(lb, next);
      out[name] = {
        size: lb.size,
        table: lb.size <= 251 ? Array.from(lb.table) : digest(lb.table),
        lookups: lookups.map((h) => lb.lookup(h).id),
        without1: next.size <= 251 ? Array.from(next.table) : digest(next.table),
        diff: { moved: d.moved, disruption: d.disruption.moved },
        bytes: lb.toBytes ? digest(lb.toBytes()) : null,
      };
    }
    return out;
  },

  glb(flowpin) {
    const { GlbTable } = flowpin;
    if (!GlbTable) return undefined;
    const t = new GlbTable({
      seed: hex("34567890123456783456789012345678"),
      hashKey: KEY16,
      backends: ["1.2.3.4", { address: "2.3.4.5", state: "draining" }, "3.4.5.6", { address: "2001:db8::9", healthy: false }, "4.5.6.7"],
      binds: [{ ip: "192.0.2.0/24", proto: "tcp", port: 443 }],
    });
    const next = t.withBackends(["1.2.3.4", "3.4.5.6", "4.5.6.7", "5.6.7.8"]);
    return {
      rows: digest(t.rows()),
      first: Array.from({ length: 16 }, (_, r) => t.entry(r)),
      lookups: FLOWS.map((f) => {
        const l = t.lookup(f);
        return [l.row, l.primary.address, l.secondary.address];
      }),
      stats: t.stats(),
      bytes: digest(t.toBytes()),
      next: digest(next.rows()),
      diff: GlbTable.diff(t, next),
    };
  },

  rendezvous(flowpin) {
    const { Rendezvous } = flowpin;
    if (!Rendezvous) return undefined;
    const out = {};
    const hashes = [0, 1, 0x9e3779b9, 0xffffffff, 0x1234567890abcdefn, 0xffffffffffffffffn];
    for (const profile of ["flowpin", "envoy"]) {
      const r = new Rendezvous({ profile, backends: [{ id: "a", weight: 2 }, "b", "c", { id: "d", weight: 0.5 }, { id: "e", weight: 0 }, "f", "g"] });
      const batchIn = Uint32Array.from({ length: 257 }, (_, i) => Math.imul(i, 0x9e3779b1) >>> 0);
      out[profile] = {
        picks: hashes.map((h) => r.pick(h).id),
        top3: hashes.map((h) => r.topK(h, 3).map((b) => b.id)),
        batch: digest(r.pickBatch(batchIn, new Uint32Array(257))),
      };
    }
    return out;
  },

  ring(flowpin) {
    const { Ring } = flowpin;
    if (!Ring) return undefined;
    const r = new Ring({ backends: ["10.0.0.1:80", { id: "10.0.0.2:80", weight: 2 }, { id: "c", key: "10.0.0.3:80", weight: 3 }], minRingSize: 1024 });
    const next = r.withBackends(["10.0.0.1:80", { id: "c", key: "10.0.0.3:80", weight: 3 }, "10.0.0.4:80"]);
    const pts = r.points();
    const hashes = [0n, 1n, 0x9e3779b9n, 0x1234567890abcdefn, 0xffffffffffffffffn]; // a ring spans 2^64: u64 hashes only
    return {
      size: r.size,
      points: [digest(BigUint64Array.from(pts, (p) => p[0])), digest(Uint32Array.from(pts, (p) => p[1]))],
      picks: hashes.map((h) => r.pick(h).id),
      nextPicks: hashes.map((h) => next.pick(h).id),
      shares: Array.from(r.shares()),
      entries: r.backends.map((b) => [b.id, b.points]),
    };
  },

  jump(flowpin) {
    if (!flowpin.jump) return undefined;
    return [0, 1, 0xdeadbeef, 0x1234567890abcdefn, 0xffffffffffffffffn].flatMap((k) => [1, 2, 10, 1000, 65536].map((b) => flowpin.jump(k, b)));
  },
};

/**
 * Runs every section whose exports exist. `await init()` first: hosts that forbid synchronous
 * Wasm compilation, and (default entry) hosts without SIMD or WebAssembly, whose other engine
 * init() loads; before it `engineBeforeInit` is the ENGINE_UNAVAILABLE code there.
 * Returns { engine, engineBeforeInit, sections, unlisted, results }; the tests compare
 * sections, unlisted and results, and report the engines.
 */
export async function compute(flowpin) {
  let engineBeforeInit;
  try {
    engineBeforeInit = flowpin.engine();
  } catch (e) {
    engineBeforeInit = e.code;
  }
  if (typeof flowpin.init === "function") await flowpin.init();
  const sections = [];
  const results = {};
  for (const [name, run] of Object.entries(SECTIONS)) {
    const r = run(flowpin);
    if (r === undefined) continue;
    sections.push(name);
    results[name] = plain(r);
  }
  const unlisted = Object.keys(flowpin.hashes).filter((k) => typeof flowpin.hashes[k] === "function" && !PRIMITIVES[k]);
  return { engine: flowpin.engine(), engineBeforeInit, sections, unlisted, results };
}
