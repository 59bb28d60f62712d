// Bad Katran configurations and inputs: FlowpinError with a stable code and a message naming
// the field and the value. Where Katran itself accepts something flowpin would usually refuse
// (no reals, every weight 0, more reals than slots, one real written twice, bracketed or
// scoped IPv6) it is accepted here too; what Katran refuses or cannot run (an address folly
// cannot parse, a composite or oversized ring) is refused.
import { describe, expect, it } from "vitest";
import { SYSTEM_DEFINITIONS, systems } from "../../src/index.js";
import { expectCode } from "../bad-inputs.js";
import { loadSystemVectors } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const CASES: { id: string; config: any; flows: any[] }[] = loadSystemVectors("katran").cases;
const BASE = CASES.find((c) => c.id === "v4-tcp443-noflags-r13")!.config;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const withVip = (vip: Record<string, unknown>): any => ({ ...BASE, vip: { ...BASE.vip, ...vip } });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const withReals = (reals: unknown): any => ({ ...BASE, reals });
const build = (config: unknown) => () => systems.katran(config as never);
const FLOW = { src: "198.51.100.7", dst: "192.0.2.10", sport: 51512, dport: 443, proto: 6 };

describe("katran config: unknown fields, with the field probably meant", () => {
  it("top level, vip and reals", () => {
    expectCode(build({ ...BASE, ring_sise: 13 }), "INVALID_CONFIG", /ring_sise.*did you mean "ring_size"/);
    expectCode(build({ ...BASE, hashFunction: "maglev" }), "INVALID_CONFIG", /hashFunction.*did you mean "hash_function"/);
    expectCode(build(withVip({ flag: [] })), "INVALID_CONFIG", /vip: unknown field "flag".*did you mean "flags"/);
    expectCode(build(withReals([{ address: "10.0.0.1", wieght: 1 }])), "INVALID_CONFIG", /reals\[0\].*"wieght".*did you mean "weight"/);
    expectCode(build(withVip({ flags: ["F_HASH_NO_SRC_PRT"] })), "INVALID_CONFIG", /vip.flags\[0\].*F_HASH_NO_SRC_PRT.*did you mean "F_HASH_NO_SRC_PORT"/);
    expectCode(build({ ...BASE, hash_function: "maglev-v2" }), "INVALID_CONFIG", /hash_function.*"maglev-v2".*did you mean "maglev_v2"/);
  });
});

describe("katran config: types and values", () => {
  it("the config, vip and reals must be objects and arrays", () => {
    expectCode(build(null), "INVALID_TYPE", "katran config");
    expectCode(build({ ...BASE, vip: "192.0.2.10" }), "INVALID_TYPE", "vip");
    expectCode(build(withReals({ address: "10.0.0.1" })), "INVALID_TYPE", "reals");
    expectCode(build(withReals([null])), "INVALID_TYPE", "reals[0]");
    expectCode(build(withVip({ flags: "F_HASH_NO_SRC_PORT" })), "INVALID_TYPE", "vip.flags");
  });

  it("addresses folly cannot parse: Katran refuses the VIP (addVip) and flowpin the real (Katran would skip it with a log line)", () => {
    expectCode(build(withVip({ address: "192.0.2.300" })), "INVALID_ADDRESS", /vip.address.*192\.0\.2\.300/);
    expectCode(build(withVip({ address: 3221225994 })), "INVALID_TYPE", "vip.address");
    expectCode(build(withReals([{ address: "10.0.0.1", weight: 1 }, { address: "10.0.0.x", weight: 1 }])), "INVALID_ADDRESS", /reals\[1\].address.*10\.0\.0\.x/);
    expectCode(build(withReals([{ address: "2001:db8::1::2", weight: 1 }])), "INVALID_ADDRESS", "reals[0].address");
    expectCode(build(withReals([{ address: "[10.0.0.1]", weight: 1 }])), "INVALID_ADDRESS", "reals[0].address");
    expectCode(build(withReals([{ address: "fe80::1%eth0", weight: 1 }])), "INVALID_ADDRESS", /scope.*fe80::1%eth0/);
  });

  it("ports, protocols and weights", () => {
    expectCode(build(withVip({ port: 65536 })), "INVALID_PORT", /vip.port.*65536/);
    expectCode(build(withVip({ port: "443" })), "INVALID_TYPE", "vip.port");
    expectCode(build(withVip({ proto: 256 })), "INVALID_PROTOCOL", /vip.proto.*256/);
    expectCode(build(withVip({ proto: "quic" })), "INVALID_PROTOCOL", /vip.proto.*quic/);
    for (const w of [-1, 1.5, 2 ** 32, NaN]) expectCode(build(withReals([{ address: "10.0.0.1", weight: w }])), "INVALID_WEIGHT", "reals[0].weight");
    expectCode(build(withReals([{ address: "10.0.0.1", weight: "1" }])), "INVALID_TYPE", "reals[0].weight");
    expectCode(build(withReals([{ address: "10.0.0.1" }])), "INVALID_TYPE", "reals[0].weight");
  });

  it("ring sizes Katran cannot run: composite (MaglevHash needs a prime), below 2, too large for ch_rings", () => {
    for (const size of [0, 1, 65536, 65535, 4, 8388608]) expectCode(build({ ...BASE, ring_size: size }), "INVALID_TABLE_SIZE", String(size));
    expectCode(build({ ...BASE, ring_size: 8388617 }), "INVALID_TABLE_SIZE", /8388607/);
    expectCode(build({ ...BASE, ring_size: "13" }), "INVALID_TYPE", "ring_size");
    expectCode(build({ ...BASE, ring_size: 13.5 }), "INVALID_TABLE_SIZE", "ring_size");
  });

  it("more distinct reals than Katran's default maxReals numbers (4095): Katran would skip the rest", () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ address: `10.0.${i >> 8}.${i & 255}`, weight: 1 }));
    expect(() => systems.katran(withReals(many(4095)))).not.toThrow();
    expectCode(build(withReals(many(4096))), "INVALID_CONFIG", /reals\[4095\].*maxReals 4096/);
    // A real written twice takes one number.
    expect(() => systems.katran(withReals([...many(4095), { address: "::ffff:10.0.0.0", weight: 2 }]))).not.toThrow();
  });

  it("one address under two scopes: two reals folly tells apart with one hash, whose ring order Katran leaves unspecified", () => {
    expectCode(build(withReals([{ address: "fe80::1%1", weight: 1 }, { address: "fe80::1%2", weight: 1 }])), "DUPLICATE_BACKEND", /fe80::1%2/);
  });
});

describe("katran config: what Katran accepts is accepted", () => {
  it("no reals, and every weight 0: built, every packet the VIP takes is dropped", () => {
    for (const reals of [[], [{ address: "10.0.0.1", weight: 0 }]]) {
      const r = systems.katran(withReals(reals)).route(FLOW);
      expect(r.backend).toBeNull();
      expect(r.reason).toBe("no-backend");
      expect(r.hash).toMatch(/^[0-9a-f]{8}$/);
    }
  });

  it("defaults: hash_function maglev, ring_size 65537, no flags", () => {
    const c = CASES.find((x) => x.id === "katran-default-v4-tcp80")!;
    const { hash_function: _h, ring_size: _r, ...rest } = c.config;
    const lb = systems.katran({ ...rest, vip: { address: c.config.vip.address, port: c.config.vip.port, proto: c.config.vip.proto } });
    for (const f of c.flows) expect(lb.route(f.flow).backend).toBe(f.backend);
  });

  it("bracketed and scoped IPv6 reals hash as folly hashes them (the vectors' folly section: same as without)", () => {
    const plain = systems.katran(withReals([{ address: "2001:db8::1", weight: 1 }, { address: "10.0.0.2", weight: 1 }]));
    const bracketed = systems.katran(withReals([{ address: "[2001:db8::1]", weight: 1 }, { address: "10.0.0.2", weight: 1 }]));
    const scoped = systems.katran(withReals([{ address: "2001:db8::1%3", weight: 1 }, { address: "10.0.0.2", weight: 1 }]));
    for (let sport = 1000; sport < 1100; sport++) {
      const f = { ...FLOW, sport };
      const b = plain.route(f).backend === "2001:db8::1";
      expect(bracketed.route(f).backend === "[2001:db8::1]").toBe(b);
      expect(scoped.route(f).backend === "2001:db8::1%3").toBe(b);
    }
  });
});

describe("katran inputs", () => {
  const lb = systems.katran(BASE);
  const def = SYSTEM_DEFINITIONS.katran!;

  it("bad 5-tuples name the field", () => {
    expectCode(() => lb.route({ ...FLOW, src: "198.51.100" }), "INVALID_ADDRESS", "src");
    expectCode(() => lb.route({ ...FLOW, dst: 42.5 }), "INVALID_ADDRESS", "dst");
    expectCode(() => lb.route({ ...FLOW, sport: 65536 }), "INVALID_PORT", "sport");
    expectCode(() => lb.route({ ...FLOW, dport: -1 }), "INVALID_PORT", "dport");
    expectCode(() => lb.route({ ...FLOW, proto: "gre" as never }), "INVALID_PROTOCOL", "proto");
    expectCode(() => lb.route(null as never), "INVALID_TYPE", "flow");
    expectCode(() => lb.routeBatch("flows" as never), "INVALID_TYPE", "inputs");
  });

  it("records: a 5-tuple or a packet's hex, nothing else", () => {
    expectCode(() => def.input({ ...FLOW, vip: "x" }), "INVALID_CONFIG", /"vip"/);
    expectCode(() => def.input({ packet: "4500", src: "1.2.3.4" }), "INVALID_CONFIG", /"src"/);
    expectCode(() => def.input({ packet: "450" }), "INVALID_CONFIG", "packet");
    expectCode(() => def.input({ packet: 45 }), "INVALID_TYPE", "packet");
    expect(def.input({ packet: "4500" })).toEqual(Uint8Array.of(0x45, 0));
    expectCode(() => def.packet!("4500" as never), "INVALID_TYPE", "packet");
  });
});
