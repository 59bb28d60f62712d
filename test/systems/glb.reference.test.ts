// Random glb-director configs and packets against the slow oracle in
// test/reference/glb-director.ts (BigInt SipHash, rows by full sort, the CLI's sort buffer
// simulated across tables): tables with 0..7 backends of every state, 'healthy' of every JSON
// type, duplicate and IPv4-mapped addresses; TCP/UDP (with and without IPv4 options), ICMP
// errors and echo requests, IPv4 and IPv6; random hash_fields and alt_hash_fields.
import { describe, expect, it } from "vitest";
import { systems } from "../../src/index.js";
import { refRoute } from "../reference/glb-director.js";
import { Rng } from "../rng.js";

const hexOf = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[r.int(xs.length)]!;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function randomConfig(r: Rng): any {
  const nTables = 1 + r.int(3);
  const tables = Array.from({ length: nTables }, (_, k) => {
    const n = pick(r, [0, 1, 1, 2, 3, 5, 7]);
    const backends = Array.from({ length: n }, () => {
      const x = 1 + r.int(6);
      const ip = pick(r, [`10.0.0.${x}`, `10.0.0.${x}`, `2001:db8:bb::${x}`, `::ffff:10.0.0.${x}`]);
      const b: Record<string, unknown> = { ip, state: pick(r, ["active", "active", "active", "filling", "draining", "inactive", "inactive"]) };
      const h = r.int(8);
      if (h < 4) b.healthy = true;
      else if (h === 4) b.healthy = false;
      else if (h === 5) b.healthy = "true";
      else if (h === 6) b.healthy = 1;
      return b;
    });
    return {
      name: `t${k}`,
      hash_key: hexOf(r.bytes(16)),
      seed: hexOf(r.bytes(16)),
      binds: [
        { ip: `192.0.2.${10 + k}`, proto: "tcp", port: 443 },
        { ip: `2001:db8:f00::${10 + k}`, proto: "tcp", port: 443 },
        { ip: `198.51.${k}.0/24`, proto: "udp", port_start: 5000, port_end: 5999 },
      ],
      backends,
    };
  });
  const fields = (): Record<string, boolean> => {
    const f: Record<string, boolean> = {};
    for (const k of ["src_addr", "dst_addr", "src_port", "dst_port"]) if (r.int(2)) f[k] = true;
    if (Object.keys(f).length === 0) f.src_addr = true;
    return f;
  };
  const director: Record<string, unknown> = {};
  if (r.int(3)) director.hash_fields = fields();
  if (r.int(3) === 0) director.alt_hash_fields = fields();
  if (r.int(4) === 0) director.forward_icmp_ping_responses = false;
  return { forwarding_table: { tables }, director_conf: director };
}

function v4Header(proto: number, src: number[], dst: number[], payload: number, options: number[] = []): number[] {
  const ihl = 5 + options.length / 4;
  const total = ihl * 4 + payload;
  return [0x40 | ihl, 0, total >> 8, total & 255, 0x12, 0x34, 0x40, 0, 64, proto, 0, 0, ...src, ...dst, ...options];
}
function v6Header(proto: number, src: number[], dst: number[], payload: number, flow: number): number[] {
  return [0x60, (flow >> 16) & 15, (flow >> 8) & 255, flow & 255, payload >> 8, payload & 255, proto, 64, ...src, ...dst];
}
const v6Vip = (k: number): number[] => [0x20, 0x01, 0x0d, 0xb8, 0x0f, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10 + k];
const ports = (s: number, d: number): number[] => [s >> 8, s & 255, d >> 8, d & 255, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff];

function randomPacket(r: Rng, tables: number): Uint8Array {
  const k = r.int(tables + 1) % Math.max(tables, 1);
  const c4 = [1 + r.int(223), r.int(256), r.int(256), 1 + r.int(254)];
  const c6 = Array.from(r.bytes(16));
  c6[0] = 0x20;
  const sport = r.int(65536);
  const kind = r.int(8);
  let p: number[];
  if (kind === 0) p = [...v4Header(6, c4, [192, 0, 2, 10 + k], 16, r.int(2) ? [0x94, 4, 0, 0] : [1, 1, 1, 1, 7, 3, 4, 0]), ...ports(sport, 443)];
  else if (kind === 1) p = [...v4Header(6, c4, [192, 0, 2, 10 + k], 16), ...ports(sport, pick(r, [443, 443, 22]))];
  else if (kind === 2) p = [...v4Header(17, c4, [198, 51, k, r.int(256)], 16), ...ports(sport, 4990 + r.int(1020))];
  else if (kind === 3) p = [...v6Header(6, c6, v6Vip(k), 16, r.int(1 << 20)), ...ports(sport, 443)];
  else if (kind === 4) {
    const inner = [...v4Header(6, [192, 0, 2, 10 + k], c4, 8), 0x01, 0xbb, sport >> 8, sport & 255, 0, 0, 0, 1];
    p = [...v4Header(1, [203, 0, 113, 1], [192, 0, 2, 10 + k], 8 + inner.length), 3, pick(r, [4, 4, 3]), 0, 0, 0, 0, 5, 0x78, ...inner];
  } else if (kind === 5) {
    const inner = [...v6Header(6, v6Vip(k), c6, 8, 0), 0x01, 0xbb, sport >> 8, sport & 255, 0, 0, 0, 1];
    p = [...v6Header(58, [0x20, 1, 0xd, 0xb8, ...Array(11).fill(0), 1], v6Vip(k), 8 + inner.length, 0), 2, 0, 0, 0, 0, 0, 5, 0, ...inner];
  } else if (kind === 6) p = [...v4Header(1, c4, [192, 0, 2, 10 + k], 12), 8, 0, 0, 0, sport >> 8, sport & 255, 0, 1, 1, 2, 3, 4];
  else p = [...v6Header(58, c6, v6Vip(k), 12, r.int(1 << 20)), 128, 0, 0, 0, sport >> 8, sport & 255, 0, 1, 1, 2, 3, 4];
  return Uint8Array.from(p);
}

describe("glb: random configs and packets against the reference", () => {
  for (let seed = 1; seed <= 16; seed++) {
    it(`seed ${seed}`, () => {
      const r = new Rng(seed * 7919);
      const config = randomConfig(r);
      const glb = systems.glb(config);
      const tables = config.forwarding_table.tables;
      let routed = 0;
      for (let i = 0; i < 40; i++) {
        const pkt = randomPacket(r, tables.length);
        const got = glb.route(pkt);
        const want = refRoute(config, pkt);
        const what = `seed ${seed} packet ${hexOf(pkt)} config ${JSON.stringify(config)}`;
        if (want === null) {
          expect(got.reason, what).toBe("no-bind");
          continue;
        }
        routed++;
        const names: string[] = tables[want.table].backends.map((b: { ip: string }) => b.ip);
        expect({ table: got.table, hash: got.hash, slot: got.slot, backend: got.backend, secondary: got.secondary, gue: got.gue_udp_sport }, what).toEqual({
          table: want.table,
          hash: want.hash,
          slot: want.slot,
          backend: names[want.primaryIndex] ?? null,
          secondary: names[want.secondaryIndex] ?? null,
          gue: want.gue,
        });
        expect(glb.entry(want.table, want.slot), what).toEqual([want.primaryIndex, want.secondaryIndex]);
        if (want.alt) {
          expect(got.alt, what).toEqual({ hash: want.alt.hash, slot: want.alt.slot, backend: names[want.alt.primaryIndex] ?? null, secondary: names[want.alt.secondaryIndex] ?? null });
        } else expect(got.alt).toBeUndefined();
      }
      // Most packets are for a bind: the comparison is not vacuous.
      expect(routed).toBeGreaterThan(10);
    });
  }
});
