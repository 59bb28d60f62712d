// Maglev's backends are a frozen array of frozen records whatever path reaches them first
// (src/maglev.ts freezes them on first read of `backends`, not during the build): a property
// of every profile's records, of decoded tables and of the records pick/lookup hand out.
import { describe, expect, it } from "vitest";
import { Maglev, type MaglevOptions } from "../src/index.js";

const fleet = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `10.0.${i >> 8}.${i & 255}:80` }));
const builds: [string, () => MaglevOptions][] = [
  ["envoy", () => ({ backends: fleet(50) })],
  ["envoy with keys and localities", () => ({ backends: fleet(20).map((b, i) => ({ ...b, key: `k${i}`, locality: i & 1 ? "a" : "b" })), localityWeights: { a: 1, b: 2 } })],
  ["katran", () => ({ profile: "katran", version: "v2", backends: fleet(20).map((b, i) => ({ ...b, hash: BigInt(i + 1) })) })],
  ["cilium", () => ({ profile: "cilium", size: 251, backends: fleet(20).map((b) => ({ ...b, address: b.id.slice(0, b.id.indexOf(":")), port: 80, protocol: "TCP" as const })) })],
  ["ipvs", () => ({ profile: "ipvs", size: 251, backends: fleet(20).map((b) => ({ ...b, address: b.id.slice(0, b.id.indexOf(":")), port: 80 })) })],
];

function expectFrozen(lb: Maglev): void {
  expect(Object.isFrozen(lb.backends)).toBe(true);
  for (const b of lb.backends) expect(Object.isFrozen(b)).toBe(true);
  expect(() => {
    (lb.backends[0] as { weight: number }).weight = 99;
  }).toThrow(TypeError);
  expect(() => (lb.backends as unknown as unknown[]).push({ id: "x" })).toThrow(TypeError);
}

describe("Maglev backends are immutable", () => {
  for (const [name, options] of builds) {
    it(`${name}: the records lookup() hands out first are frozen, and so is the list`, () => {
      const lb = new Maglev(options());
      // The first record out comes from lookup(), before anything read `backends`.
      expect(Object.isFrozen(lb.lookup(0x12345678))).toBe(true);
      expectFrozen(lb);
      expect(lb.backends).toBe(lb.backends);
    });
    it(`${name}: withBackends, fromBytes and fromShared tables too`, () => {
      const lb = new Maglev(options());
      expectFrozen(lb.withBackends(lb.backends.slice(1)));
      expectFrozen(Maglev.fromBytes(lb.toBytes()));
      expectFrozen(Maglev.fromShared(lb.toShared()));
    });
  }
});
