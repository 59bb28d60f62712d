// HAProxy's hashes against the plain reference (test/reference/haproxy.ts) and CRC-32 against
// zlib's; and the consistent-hash tree's defining property against the system itself: adding
// a server only moves clients onto it, removing one only moves its own clients.
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { systems, type HaproxyConfig } from "../../src/index.js";
import { crc32, djb2, fullHash, sdbm, wt6 } from "../../src/systems/haproxy/hash.js";
import { refCrc32, refDjb2, refFullHash, refSdbm, refWt6 } from "../reference/haproxy.js";
import { Rng } from "../rng.js";

describe("haproxy hashes", () => {
  const rng = new Rng(17);
  const inputs: Uint8Array[] = [new Uint8Array(0), new Uint8Array([0]), new Uint8Array([127, 1, 2, 3]), new Uint8Array(16).fill(255)];
  for (let i = 0; i < 300; i++) inputs.push(rng.bytes(rng.int(40)));

  it("sdbm, djb2, wt6 and crc32 equal the reference on 300 random inputs and the edges", () => {
    for (const b of inputs) {
      expect([sdbm(b, b.length), djb2(b, b.length), wt6(b, b.length), crc32(b, b.length)]).toEqual([refSdbm(b), refDjb2(b), refWt6(b), refCrc32(b)]);
    }
  });

  it("crc32 is zlib's", () => {
    for (const b of inputs) expect(crc32(b, b.length)).toBe(zlib.crc32(b));
  });

  it("full_hash equals the reference and is a bijection on a sample", () => {
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const x = i < 2500 ? i : rng.u32();
      const h = fullHash(x);
      expect(h).toBe(refFullHash(x));
      seen.add(h);
    }
    expect(seen.size).toBe(5000);
  });
});

describe("consistent hashing moves only what it must", () => {
  const rng = new Rng(4096);
  const clients = Array.from({ length: 2000 }, () => ({ src: `${1 + rng.int(223)}.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}`, dst: "192.0.2.1", sport: 1, dport: 80, proto: "tcp" as const }));
  for (const [balance, hashType] of [["source", "consistent"], ["hash src", "consistent crc32"], ["source", "consistent sdbm"]] as const) {
    it(`${balance}, hash-type ${hashType}: add and remove servers`, () => {
      const servers = Array.from({ length: 6 }, (_, i) => ({ name: `s${i + 1}`, address: `10.0.0.${i + 1}:80`, weight: 1 + rng.int(5) }));
      const config = (list: typeof servers): HaproxyConfig => ({ balance, hash_type: hashType, servers: list });
      const before = systems.haproxy(config(servers.slice(0, 5)));
      const added = systems.haproxy(config(servers));
      const d = before.diff(added, clients);
      expect(d.total).toBe(clients.length);
      expect(d.moved).toBeGreaterThan(0);
      for (const c of d.changes) expect(c.to).toBe("10.0.0.6:80");
      // Removing s3 (ids of the others unchanged: explicit ids keep them) moves only s3's clients.
      const withIds = servers.map((s, i) => ({ ...s, id: i + 1 }));
      const removed = systems.haproxy(config(withIds.filter((s) => s.name !== "s3")));
      for (const c of systems.haproxy(config(withIds)).diff(removed, clients).changes) expect(c.from).toBe("10.0.0.3:80");
    });
  }
});
