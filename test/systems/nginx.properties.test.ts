// nginx's consistent hash against a slow reference (test/reference/nginx.ts: node:zlib CRC-32,
// Buffers, a plain sort) on random upstreams, on every engine; CRC-32 against its check value
// and node:zlib; the address text nginx hashes; and the changes nginx applies on reload (a
// server marked down, a weight raised, a server added or removed): which clients move.
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { systems } from "../../src/index.js";
import type { NginxConfig, NginxFlow, NginxSystem } from "../../src/systems/nginx/index.js";
import { crc32, crc32Final, crc32Update, CRC32_INIT } from "../../src/systems/nginx/crc32.js";
import { v6Text } from "../../src/systems/nginx/text.js";
import { forEachEngine } from "../engines.js";
import { refLookup, refRing, refSplit, type RefServer } from "../reference/nginx.js";
import { Rng } from "../rng.js";
import { loadSystemVectors } from "../vectors.js";

describe("CRC-32 as nginx computes it", () => {
  it('has the check value 0xCBF43926 for "123456789"', () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
  it("equals node:zlib's crc32 on random buffers, whole and in pieces", () => {
    const rng = new Rng(7);
    for (let n = 0; n < 300; n++) {
      const b = rng.bytes(rng.int(200));
      const cut = rng.int(b.length + 1);
      expect(crc32(b)).toBe(zlib.crc32(b) >>> 0);
      expect(crc32Final(crc32Update(crc32Update(CRC32_INIT, b, 0, cut), b, cut))).toBe(zlib.crc32(b) >>> 0);
    }
  });
});

describe("addresses as ngx_inet6_ntop writes them (src/core/ngx_inet.c)", () => {
  const cases: [string, string][] = [
    ["0:0:0:0:0:0:0:1", "::1"],
    ["0:0:0:0:0:ffff:7f01:203", "::ffff:127.1.2.3"],
    ["2001:db8:0:0:0:0:0:1", "2001:db8::1"],
    // A lone zero group stays; of two runs the longer becomes "::".
    ["1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"],
    ["1:0:0:1:0:0:0:1", "1:0:0:1::1"],
    ["0:0:0:0:0:0:0:0", "::"],
    // Seven zero groups then a last group: dotted IPv4 unless it reads ::1 or ::N (N < 256).
    ["0:0:0:0:0:0:0:2", "::2"],
    ["0:0:0:0:0:0:102:304", "::1.2.3.4"],
    ["fe80:0:0:0:0:0:0:0", "fe80::"],
  ];
  for (const [full, text] of cases) {
    it(`${full} → ${text}`, () => {
      const b = new Uint8Array(16);
      full.split(":").forEach((g, i) => {
        b[2 * i] = parseInt(g, 16) >> 8;
        b[2 * i + 1] = parseInt(g, 16) & 0xff;
      });
      expect(v6Text(b)).toBe(text);
    });
  }
});

describe("the server text split the reference and nginx share", () => {
  it("follows the vector notes' examples", () => {
    expect(refSplit("127.0.0.1:9001")).toEqual(["127.0.0.1", "9001"]);
    expect(refSplit("[::1]:9001")).toEqual(["[::1]", "9001"]);
    expect(refSplit("localhost:9001")).toEqual(["localhost", "9001"]);
    expect(refSplit("127.0.0.2")).toEqual(["127.0.0.2", ""]);
    expect(refSplit("unix:/run/a.sock")).toEqual(["/run/a.sock", ""]);
  });
});

function randomUpstream(rng: Rng): { config: NginxConfig; servers: RefServer[] } {
  const n = 2 + rng.int(12);
  const servers: RefServer[] = [];
  const used = new Set<string>();
  while (servers.length < n) {
    const kind = rng.int(4);
    const server =
      kind === 0 ? `10.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}` : kind === 1 ? `[2001:db8::${(1 + rng.int(0xfffe)).toString(16)}]:${1 + rng.int(65535)}` : `10.0.${rng.int(256)}.${1 + rng.int(254)}:${1 + rng.int(65535)}`;
    if (used.has(server)) continue;
    used.add(server);
    servers.push({ server, weight: 1 + rng.int(rng.int(3) === 0 ? 12 : 3), down: servers.length > 0 && rng.int(6) === 0 });
  }
  const address = (s: string) => (/:\d+$/.test(s) ? s : `${s}:80`);
  return {
    config: {
      module: "http",
      hash_key: rng.int(2) ? "$remote_addr" : "$remote_addr$remote_port",
      consistent: true,
      servers: servers.map((s) => ({ server: s.server, addresses: [address(s.server)], weight: s.weight, down: s.down })),
    },
    servers,
  };
}

function randomFlow(rng: Rng): NginxFlow {
  const v6 = rng.int(4) === 0;
  // Written as nginx writes it (no zero groups beside the "::"), so the text is the key.
  const src = v6 ? `2001:db8:${(1 + rng.int(0xffff)).toString(16)}::${(1 + rng.int(0xffff)).toString(16)}` : `${1 + rng.int(223)}.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}`;
  return { src, dst: v6 ? "2001:db8::1" : "192.0.2.1", sport: 1 + rng.int(65535), dport: 443, proto: "tcp" };
}

forEachEngine("nginx consistent hash against the reference ring", () => {
  it("random upstreams (IPv4, IPv6 and port-less servers, weights 1-12, down servers): same server and point", () => {
    const rng = new Rng(20260117);
    for (let u = 0; u < 40; u++) {
      const { config, servers } = randomUpstream(rng);
      const nginx = systems.nginx(config);
      const ring = refRing(servers);
      for (let i = 0; i < 200; i++) {
        const flow = randomFlow(rng);
        const r = nginx.route(flow);
        const key = config.hash_key === "$remote_addr" ? String(flow.src) : `${String(flow.src)}${flow.sport}`;
        const want = refLookup(ring, servers, key);
        const where = `upstream ${u} flow ${JSON.stringify(flow)}`;
        expect(r.key, where).toBe(key);
        expect(r.hash, where).toBe(want.hash.toString(16).padStart(8, "0"));
        expect(r.slot, where).toBe(want.point);
        if (want.server >= 0) expect(r.server, where).toBe(servers[want.server]!.server);
      }
    }
  });
});

/** Clients that stay put: one route per client on a fresh copy of each system. */
function clients(rng: Rng, n: number): NginxFlow[] {
  return Array.from({ length: n }, () => randomFlow(rng));
}

describe("changes as nginx applies them (on reload): which clients move", () => {
  const rng = new Rng(99);
  const base = (): NginxSystem => systems.nginx(randomUpstream(rng).config) as NginxSystem;

  it("a server marked down: only its clients move, each to another server", () => {
    for (let k = 0; k < 20; k++) {
      const a = base();
      const flows = clients(rng, 400);
      const up = a.config.servers.filter((s) => !s.down);
      if (up.length < 2) continue;
      const victim = up[rng.int(up.length)]!;
      const d = a.diff(a.withServer(victim.server, { down: true }), flows);
      const before = a.fresh().routeBatch(flows);
      expect(d.total).toBe(400);
      expect(d.moved).toBe(before.filter((r) => r.server === victim.server).length);
      for (const c of d.changes) {
        expect(c.from).toBe(victim.addresses[0]);
        expect(c.to).not.toBe(victim.addresses[0]);
      }
    }
  });

  it("a weight raised: clients move only to that server; a server added: only to it; removed: only its clients", () => {
    for (let k = 0; k < 20; k++) {
      const a = base();
      const flows = clients(rng, 400);
      const target = a.config.servers[rng.int(a.config.servers.length)]!;
      if (!target.down) {
        for (const c of a.diff(a.withServer(target.server, { weight: (target.weight ?? 1) + 2 }), flows).changes) expect(c.to).toBe(target.addresses[0]);
      }
      const added = { server: "10.255.255.254:8080", addresses: ["10.255.255.254:8080"], weight: 1 + rng.int(3) };
      const grown = a.diff(a.addServer(added), flows);
      expect(grown.moved).toBeGreaterThan(0);
      for (const c of grown.changes) expect(c.to).toBe("10.255.255.254:8080");
      if (a.config.servers.length > 1) {
        for (const c of a.diff(a.removeServer(target.server), flows).changes) expect(c.from).toBe(target.addresses[0]);
      }
    }
  });

  it("diff replays both from fresh state, whatever the system routed before", () => {
    const c = loadSystemVectors("nginx").cases.find((x: { id: string }) => x.id === "http-multiaddr-name");
    const flows: NginxFlow[] = c.flows.map((f: { flow: NginxFlow }) => f.flow);
    const a = systems.nginx(c.config) as NginxSystem;
    const first = a.routeBatch(flows).map((r) => r.backend);
    // Round robin between the two addresses of "multi:9001" keeps state: one more client on
    // that name, and a second pass sends each of its clients to the other address...
    a.route(flows[first.findIndex((b) => b === "127.0.0.31:9001")]!);
    const second = a.routeBatch(flows).map((r) => r.backend);
    expect(second).not.toEqual(first);
    second.forEach((b, i) => expect(b).toBe(first[i] === "127.0.0.31:9001" ? "127.0.0.32:9001" : first[i] === "127.0.0.32:9001" ? "127.0.0.31:9001" : first[i]));
    // ...but fresh() and diff start over, as a reload does.
    expect(a.fresh().routeBatch(flows).map((r) => r.backend)).toEqual(c.flows.map((f: { backend: string }) => f.backend));
    expect(a.diff(systems.nginx(c.config), flows).moved).toBe(0);
  });
});

describe("fail_timeout, on the clock the connections carry", () => {
  it("a refusing server is skipped until fail_timeout has passed, then one connection probes it again (vector notes)", () => {
    const c = loadSystemVectors("nginx").cases.find((x: { id: string }) => x.id === "stream-dead-backend");
    const flows: NginxFlow[] = c.flows.map((f: { flow: NginxFlow }) => f.flow);
    const dead = "127.0.0.1:9094";
    const nginx = systems.nginx(c.config) as NginxSystem;
    // At time 0 the vectors' run: the first connection to reach the dead server tries it, later ones skip it.
    const at0 = flows.map((f) => nginx.route({ ...f, time: 0 }));
    const probes0 = at0.filter((r) => r.upstream_addr.startsWith(`${dead}, `)).length;
    expect(probes0).toBe(1);
    // 10 s later (fail_timeout=10s by default) it is still failed: "now - checked <= fail_timeout".
    expect(flows.map((f) => nginx.route({ ...f, time: 10 })).filter((r) => r.upstream_addr.includes(dead)).length).toBe(0);
    // 11 s later the first connection whose point is on it probes it again, fails, and marks it anew.
    const at11 = flows.map((f) => nginx.route({ ...f, time: 11 }));
    expect(at11.filter((r) => r.upstream_addr.includes(dead)).length).toBe(1);
    for (const r of at11) expect(r.backend).not.toBe(dead);
  });
});
