// Random tests of the cilium system against test/reference/cilium.ts (written from the vector
// notes) and properties that hold between versions and inputs: 1.16 and 1.17+ hash alike exactly
// when the two ports are equal; 1.17+ under session affinity ignores the client port; a flow
// given as text and as its IP packet (IPv4-mapped addresses included, IPv4 options and IPv6
// extension headers) route alike.
import { describe, expect, test } from "vitest";
import { systems, type CiliumConfig } from "../../src/index.js";
import { forEachEngine } from "../engines.js";
import { buildPacket } from "../packet-build.js";
import { refCiliumHash, refCiliumRouter, type RefBackend, type RefVersion } from "../reference/cilium.js";
import type { RefFlow } from "../reference/flow.js";
import { Rng } from "../rng.js";

const SEED = "BVOhgVsFpk3qEw/D";
const v4Text = (b: Uint8Array): string => Array.from(b).join(".");
const v6Text = (b: Uint8Array): string => Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16)).join(":");
const mappedText = (b4: Uint8Array): string => `::ffff:${v4Text(b4)}`;
const mapped = (b4: Uint8Array): Uint8Array => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...b4]);
const hex8 = (x: number): string => x.toString(16).padStart(8, "0");

function config(version: RefVersion, frontend: string, backends: CiliumConfig["backends"], affinity = false, tableSize = 1021): CiliumConfig {
  return { version, service: { frontend, session_affinity: affinity, scope: "external" }, maglev: { table_size: tableSize, hash_seed: SEED }, backends };
}

const V4_BACKENDS = [1, 2, 3, 4, 5].map((i) => ({ address: `10.0.0.${i}`, port: 8080, protocol: "TCP" as const, weight: 100, state: "active" as const }));
const V6_BACKENDS = [1, 2, 3, 4, 5].map((i) => ({ address: `2001:db8:ab::${i}`, port: 8080, protocol: "TCP" as const, weight: 100, state: "active" as const }));

forEachEngine("cilium properties", () => {
  test("the flow hash equals the reference for random IPv4 and IPv6 flows, both versions, with and without affinity", () => {
    const rng = new Rng(1401);
    for (const version of ["1.16", "1.17+"] as const) {
      for (const affinity of [false, true]) {
        const v4 = systems.cilium(config(version, "203.0.113.10:443/TCP", V4_BACKENDS, affinity));
        const v6 = systems.cilium(config(version, "[2001:db8:100::10]:443/TCP", V6_BACKENDS, affinity));
        for (let i = 0; i < 300; i++) {
          const six = i % 2 === 1;
          const src = rng.bytes(six ? 16 : 4);
          if (six) src[0] = 0x20; // not IPv4-mapped
          const sport = rng.int(65536);
          const flow = { src: six ? v6Text(src) : v4Text(src), dst: six ? "2001:db8:100::10" : "203.0.113.10", sport, dport: 443, proto: 6 };
          const r = (six ? v6 : v4).route(flow);
          expect(r.hash, `${version} ${affinity} ${JSON.stringify(flow)}`).toBe(hex8(refCiliumHash(version, affinity, src, sport, 443, 6, SEED)));
        }
      }
    }
  });

  test("1.16 and 1.17+ hash alike exactly when sport == dport (the 1.17+ port swap)", () => {
    const rng = new Rng(1402);
    // A frontend on every port is not a thing, so each flow gets a service on its own port.
    let same = 0;
    let differ = 0;
    for (let i = 0; i < 200; i++) {
      const dport = 1 + rng.int(65535);
      const sport = rng.int(2) === 0 ? dport : rng.int(65536);
      const six = rng.int(2) === 0;
      const frontend = six ? `[2001:db8:100::10]:${dport}/UDP` : `203.0.113.10:${dport}/UDP`;
      const backends = (six ? V6_BACKENDS : V4_BACKENDS).map((b) => ({ ...b, protocol: "UDP" as const }));
      const src = rng.bytes(six ? 16 : 4);
      if (six) src[0] = 0x20;
      const flow = { src: six ? v6Text(src) : v4Text(src), dst: six ? "2001:db8:100::10" : "203.0.113.10", sport, dport, proto: 17 };
      const a = systems.cilium(config("1.16", frontend, backends)).route(flow).hash;
      const b = systems.cilium(config("1.17+", frontend, backends)).route(flow).hash;
      expect(a).not.toBeNull();
      if (sport === dport) {
        expect(b, JSON.stringify(flow)).toBe(a);
        same++;
      } else {
        expect(b, JSON.stringify(flow)).not.toBe(a);
        differ++;
      }
    }
    expect(same).toBeGreaterThan(50);
    expect(differ).toBeGreaterThan(50);
  });

  test("1.17+ under session affinity ignores the client port; 1.16 does not", () => {
    const rng = new Rng(1403);
    const s117 = systems.cilium(config("1.17+", "203.0.113.10:443/TCP", V4_BACKENDS, true));
    const s116 = systems.cilium(config("1.16", "203.0.113.10:443/TCP", V4_BACKENDS, true));
    let moved116 = 0;
    for (let i = 0; i < 100; i++) {
      const src = v4Text(rng.bytes(4));
      const a = { src, dst: "203.0.113.10", sport: rng.int(65536), dport: 443, proto: 6 };
      const b = { ...a, sport: (a.sport + 1 + rng.int(65535)) % 65536 };
      expect(s117.route(b)).toEqual(s117.route(a));
      if (s116.route(a).hash !== s116.route(b).hash) moved116++;
    }
    expect(moved116).toBeGreaterThan(95);
  });

  test("IPv4-mapped addresses: text and packet input agree, and hash as IPv6 (16 bytes)", () => {
    const rng = new Rng(1404);
    const frontends = [
      { text: "[::ffff:203.0.113.10]:443/TCP", dst: mappedText(Uint8Array.of(203, 0, 113, 10)), bytes: mapped(Uint8Array.of(203, 0, 113, 10)) },
      { text: "[2001:db8:100::10]:443/TCP", dst: "2001:db8:100::10", bytes: Uint8Array.from([0x20, 1, 0x0d, 0xb8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10]) },
    ];
    const backends = [...V6_BACKENDS.slice(0, 3), { address: "::ffff:10.0.0.9", port: 8080, protocol: "TCP" as const, weight: 100, state: "active" as const }];
    for (const version of ["1.16", "1.17+"] as const) {
      for (const fe of frontends) {
        const svc = systems.cilium(config(version, fe.text, backends));
        for (let i = 0; i < 60; i++) {
          const src4 = rng.bytes(4);
          const sport = rng.int(65536);
          const text = { src: mappedText(src4), dst: fe.dst, sport, dport: 443, proto: 6 };
          const ref: RefFlow = { src: mapped(src4), dst: fe.bytes, sport, dport: 443, proto: 6 };
          const byText = svc.route(text);
          expect(byText.reason, JSON.stringify(text)).toBe("table");
          expect(byText.hash).toBe(hex8(refCiliumHash(version, false, mapped(src4), sport, 443, 6, SEED)));
          // Bytes, text and the packet (with IPv6 extension headers for some seeds) are one flow.
          expect(svc.route({ ...text, src: mapped(src4), dst: fe.bytes })).toEqual(byText);
          expect(svc.route(buildPacket(ref, { seed: i }))).toEqual(byText);
        }
      }
    }
  });

  test("the whole decision equals the reference for random services and flows, as text and as packets", () => {
    const rng = new Rng(1405);
    const STATES = ["active", "active", "active", "terminating", "quarantined", "maintenance"] as const;
    const reasons = new Map<string, number>();
    for (let round = 0; round < 24; round++) {
      const version: RefVersion = round % 2 === 0 ? "1.16" : "1.17+";
      const six = round % 4 >= 2;
      const proto = rng.int(2) === 0 ? 6 : 17;
      const protocol = proto === 6 ? "TCP" : "UDP";
      const feBytes = six ? Uint8Array.from([0x20, 1, 0x0d, 0xb8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42]) : Uint8Array.of(203, 0, 113, 42);
      const feText = six ? "2001:db8:100::42" : "203.0.113.42";
      const port = 1 + rng.int(65535);
      const n = 1 + rng.int(12);
      const refBackends: RefBackend[] = [];
      for (let i = 0; i < n; i++) {
        const host = six ? `2001:db8:ab:${(1 + rng.int(0xfffe)).toString(16)}::${(1 + i).toString(16)}` : `10.${rng.int(256)}.${rng.int(256)}.${1 + i}`;
        refBackends.push({
          host,
          port: 1 + rng.int(65535),
          protocol,
          weight: [0, 1, 100, 100, 250, 65535][rng.int(6)]!,
          state: version === "1.16" ? STATES[rng.int(STATES.length)]! : [...STATES, "terminating-not-serving" as const][rng.int(STATES.length + 1)]!,
          ...(version === "1.16" ? { preferred: rng.int(4) === 0 } : {}),
        });
      }
      const tableSize = [251, 509, 1021][rng.int(3)]!;
      const affinity = rng.int(2) === 0;
      const svc = systems.cilium({
        version,
        service: { frontend: `${six ? `[${feText}]` : feText}:${port}/${protocol}`, session_affinity: affinity, scope: "external" },
        maglev: { table_size: tableSize, hash_seed: SEED },
        backends: refBackends.map((b) => ({ address: b.host, port: b.port, protocol: b.protocol, weight: b.weight, state: b.state, ...(b.preferred === undefined ? {} : { preferred: b.preferred }) })),
      });
      const ref = refCiliumRouter({ version, address: feBytes, port, proto, affinity, tableSize, hashSeed: SEED, backends: refBackends });
      for (let i = 0; i < 40; i++) {
        const src = rng.bytes(six ? 16 : 4);
        if (six) src[0] = 0x20;
        // Mostly flows to the frontend; some to another port, address or protocol.
        const kind = rng.int(8);
        const flow: RefFlow = {
          src,
          dst: kind === 1 ? (six ? Uint8Array.from(feBytes.map((x, k) => (k === 15 ? x ^ 1 : x))) : Uint8Array.of(203, 0, 113, 43)) : feBytes,
          sport: rng.int(65536),
          dport: kind === 2 ? (port % 65535) + 1 : port,
          proto: kind === 3 ? 23 - proto : kind === 4 ? [1, 58, 132][rng.int(3)]! : proto,
        };
        const expected = ref(flow);
        const want = { backend: expected.backend, hash: expected.hash === null ? null : hex8(expected.hash), slot: expected.slot };
        const text = { src: six ? v6Text(flow.src) : v4Text(flow.src), dst: six ? v6Text(flow.dst) : v4Text(flow.dst), sport: flow.sport, dport: flow.dport, proto: flow.proto };
        const where = `round ${round} (${version}, M=${tableSize}) ${JSON.stringify(text)}`;
        const r = svc.route(text);
        reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
        expect({ backend: r.backend, hash: r.hash, slot: r.slot }, where).toEqual(want);
        if (flow.proto === 6 || flow.proto === 17) {
          const p = svc.route(buildPacket(flow, { seed: i }));
          expect({ backend: p.backend, hash: p.hash, slot: p.slot }, `${where} as a packet`).toEqual(want);
        }
      }
    }
    // Every branch of the decision was taken, most flows by the table.
    expect(reasons.get("table")).toBeGreaterThan(400);
    for (const reason of ["no-service", "unsupported-protocol", "no-backend"]) expect(reasons.get(reason), reason).toBeGreaterThan(0);
  });
});

describe("cilium: more backends than table slots", () => {
  test("Cilium builds the table (some backends get no slot) and routes as the reference", () => {
    const rng = new Rng(1407);
    const refBackends: RefBackend[] = Array.from({ length: 300 }, (_, i) => ({ host: `10.2.${i >> 8}.${i & 255}`, port: 80, protocol: "TCP", weight: 100, state: "active" }));
    const svc = systems.cilium(config("1.17+", "203.0.113.10:443/TCP", refBackends.map((b) => ({ address: b.host, port: b.port })), false, 251));
    const state = svc.state();
    expect(state.count).toBe(300);
    expect(Object.values(state.slotsPerBackend).reduce((a, b) => a + b, 0)).toBe(251);
    expect(Object.values(state.slotsPerBackend).filter((n) => n === 0).length).toBeGreaterThanOrEqual(49);
    const ref = refCiliumRouter({ version: "1.17+", address: Uint8Array.of(203, 0, 113, 10), port: 443, proto: 6, affinity: false, tableSize: 251, hashSeed: SEED, backends: refBackends });
    for (let i = 0; i < 200; i++) {
      const flow: RefFlow = { src: rng.bytes(4), dst: Uint8Array.of(203, 0, 113, 10), sport: rng.int(65536), dport: 443, proto: 6 };
      const want = ref(flow);
      const r = svc.route({ src: v4Text(flow.src), dst: "203.0.113.10", sport: flow.sport, dport: 443, proto: 6 });
      expect({ backend: r.backend, hash: r.hash, slot: r.slot }).toEqual({ backend: want.backend, hash: hex8(want.hash!), slot: want.slot });
    }
  });
});

describe("cilium diff: which connections move when a backend goes", () => {
  test("a backend turned terminating loses all its flows; few others move", () => {
    const backends = Array.from({ length: 10 }, (_, i) => ({ address: `10.1.0.${i + 1}`, port: 80, protocol: "TCP" as const, weight: 100, state: "active" as const }));
    const before = systems.cilium(config("1.17+", "203.0.113.10:443/TCP", backends, false, 16381));
    const after = systems.cilium(config("1.17+", "203.0.113.10:443/TCP", backends.map((b, i) => (i === 3 ? { ...b, state: "terminating" as const } : b)), false, 16381));
    const rng = new Rng(1406);
    const flows = Array.from({ length: 5000 }, () => ({ src: v4Text(rng.bytes(4)), dst: "203.0.113.10", sport: rng.int(65536), dport: 443, proto: 6 }));
    const d = before.diff(after, flows);
    const old = before.routeBatch(flows);
    const lost = old.filter((r) => r.backend === "10.1.0.4:80").length;
    expect(d.total).toBe(5000);
    expect(d.changes.filter((ch) => ch.from === "10.1.0.4:80")).toHaveLength(lost);
    for (const ch of d.changes) expect(ch.to).not.toBe("10.1.0.4:80");
    // Maglev's disruption among the survivors stays small (paper section 5.3).
    expect(d.moved - lost).toBeLessThan(0.05 * 5000);
    expect(lost).toBeGreaterThan(300);
  });
});

describe("cilium packets: fragments and malformed packets", () => {
  const v4 = systems.cilium(config("1.17+", "203.0.113.10:443/TCP", V4_BACKENDS));
  const v6 = systems.cilium(config("1.17+", "[2001:db8:100::10]:443/TCP", V6_BACKENDS));
  const f4: RefFlow = { src: Uint8Array.of(198, 51, 100, 7), dst: Uint8Array.of(203, 0, 113, 10), sport: 40000, dport: 443, proto: 6 };
  const f6: RefFlow = { src: Uint8Array.from([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]), dst: Uint8Array.from([0x20, 1, 0x0d, 0xb8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10]), sport: 40000, dport: 443, proto: 6 };
  const text4 = { src: "198.51.100.7", dst: "203.0.113.10", sport: 40000, dport: 443, proto: 6 };

  test("an IPv4 first fragment carries its ports and routes as the flow; a later one is not routed", () => {
    expect(v4.route(buildPacket(f4, { fragment: "first" }))).toEqual(v4.route(text4));
    expect(v4.route(buildPacket(f4, { fragment: "later" }))).toMatchObject({ backend: null, hash: null, slot: null, reason: "fragment" });
  });

  test("an IPv6 Fragment header is not routed (1.16/1.17 ipv6_hdrlen_offset: DROP_FRAG_NOSUPPORT)", () => {
    expect(v6.route(buildPacket(f6, { fragment: "first" }))).toMatchObject({ backend: null, reason: "fragment" });
  });

  test("truncated, empty and non-IP packets are invalid, not thrown", () => {
    const p = buildPacket(f4);
    for (const bad of [p.subarray(0, 22), p.subarray(0, 10), new Uint8Array(0), Uint8Array.of(0x55, 1, 2, 3)]) {
      expect(v4.route(bad)).toMatchObject({ backend: null, hash: null, slot: null, reason: "invalid-packet" });
    }
  });

  test("ICMP and SCTP packets to the frontend are not load-balanced", () => {
    expect(v4.route(buildPacket({ ...f4, proto: 1 }))).toMatchObject({ backend: null, reason: "unsupported-protocol" });
    expect(v4.route(buildPacket({ ...f4, proto: 132 }))).toMatchObject({ backend: null, reason: "unsupported-protocol" });
  });
});
