// The envoy system beyond the vectors: bad input (FlowpinError codes, did-you-mean), clusters
// Envoy's own rules refuse, what Envoy accepts that flowpin's tables alone refuse, and
// random requests against the slow reference hash (test/reference/envoy-hash.ts).
import { describe, expect, it } from "vitest";
import { Maglev, Ring, systems } from "../../src/index.js";
import { mtNext, mtSeed } from "../../src/bounded-load.js";
import { expectCode } from "../bad-inputs.js";
import { refInetNtop6, refRequestHash, type RefPolicy } from "../reference/envoy-hash.js";
import { Rng } from "../rng.js";

const host = (n: number, extra: Record<string, unknown> = {}) => ({ address: `10.0.1.${n}`, port: 8080, ...extra });
const base = { lb_policy: "MAGLEV", maglev: { table_size: 251 }, hash_policy: [{ connection_properties: { source_ip: true } }], hosts: [host(1), host(2)] };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const make = (patch: Record<string, any>) => systems.envoy({ ...base, ...patch } as never);

describe("envoy config: bad input", () => {
  it("unknown fields are INVALID_CONFIG with the field meant", () => {
    expectCode(() => make({ lb_polcy: "MAGLEV" }), "INVALID_CONFIG", /unknown field "lb_polcy" \(did you mean "lb_policy"\?\)/);
    expectCode(() => make({ hosts: [{ ...host(1), wieght: 2 }] }), "INVALID_CONFIG", /hosts\[0\]: unknown field "wieght" \(did you mean "weight"\?\)/);
    expectCode(() => make({ common_lb_config: { healthy_panic_treshold: 10 } }), "INVALID_CONFIG", /did you mean "healthy_panic_threshold"/);
    expectCode(() => make({ hash_policy: [{ heder: { header_name: "x" } }] }), "INVALID_CONFIG", /did you mean "header"/);
    expectCode(() => make({ ring_hash: { minimum_ring_sise: 4 } }), "INVALID_CONFIG", /did you mean "minimum_ring_size"/);
  });
  it("values of the wrong kind or range name the field", () => {
    expectCode(() => make({ lb_policy: "ROUND_ROBIN" }), "INVALID_CONFIG", /lb_policy must be one of MAGLEV, RING_HASH, RENDEZVOUS_HASH/);
    expectCode(() => make({ hosts: "10.0.1.1" }), "INVALID_TYPE", "hosts must be an array");
    expectCode(() => make({ hosts: [] }), "NO_BACKENDS", "hosts is empty");
    expectCode(() => make({ hosts: [host(1, { port: 70000 })] }), "INVALID_PORT", "hosts[0].port");
    expectCode(() => make({ hosts: [{ address: "10.0.1.300", port: 80 }] }), "INVALID_ADDRESS", "hosts[0].address");
    expectCode(() => make({ hosts: [{ address: "backend.example", port: 80 }] }), "INVALID_ADDRESS", "hosts[0].address");
    expectCode(() => make({ hosts: [host(1, { health: "DRAINING" })] }), "INVALID_CONFIG", "hosts[0].health must be one of HEALTHY, UNHEALTHY, DEGRADED");
    expectCode(() => make({ hosts: [host(1, { priority: -1 })] }), "OUT_OF_RANGE", "hosts[0].priority");
    expectCode(() => make({ hash_policy: [{ connection_properties: { source_ip: "yes" } }] }), "INVALID_TYPE", "source_ip must be a boolean");
    expectCode(() => make({ hash_policy: [{ header: { header_name: "" } }] }), "INVALID_CONFIG", "header_name must be a non-empty string");
    expectCode(() => make({ hash_policy: [{ header: { header_name: "x" }, connection_properties: { source_ip: true } }] }), "INVALID_CONFIG", "exactly one of");
    expectCode(() => make({ common_lb_config: { healthy_panic_threshold: 101 } }), "OUT_OF_RANGE", "healthy_panic_threshold");
    expectCode(() => make({ locality_weights: [{ locality: "a", weight: 1, priority: 3 }] }), "INVALID_CONFIG", "locality_weights[0].priority 3 has no hosts");
    expectCode(() => make({ locality_weights: [{ locality: "a", weight: 1 }, { locality: "a", weight: 2 }] }), "INVALID_CONFIG", 'repeats locality "a"');
  });
  it("what is not modelled is refused by name, not ignored", () => {
    expectCode(() => make({ hash_policy: [{ cookie: { name: "s" } }] }), "INVALID_CONFIG", "hash_policy[0].cookie");
    expectCode(() => make({ hash_policy: [{ header: { header_name: "x", regex_rewrite: {} } }] }), "INVALID_CONFIG", "regex_rewrite is not modelled");
    expectCode(() => make({ lb_policy: "RING_HASH", ring_hash: { hash_function: "MURMUR_HASH_2" } }), "INVALID_CONFIG", "MURMUR_HASH_2");
  });
});

describe("envoy config: Envoy's own refusals", () => {
  it("load_balancing_weight 0 (the proto's gte 1)", () => {
    expectCode(() => make({ hosts: [host(1, { weight: 0 })] }), "INVALID_WEIGHT", "hosts[0].weight must be an integer in 1..4294967295");
  });
  it("hash_balance_factor below 100 (the proto's gte 100)", () => {
    expectCode(() => make({ common_lb_config: { consistent_hashing_lb_config: { hash_balance_factor: 99 } } }), "OUT_OF_RANGE", "at least 100");
  });
  it("table_size not prime, above 5000011, or 1 (Envoy calls 1 prime, then divides by 0)", () => {
    expectCode(() => make({ maglev: { table_size: 1000 } }), "INVALID_TABLE_SIZE", "The table size of maglev must be prime number");
    expectCode(() => make({ maglev: { table_size: 0 } }), "INVALID_TABLE_SIZE", "The table size of maglev must be prime number");
    expectCode(() => make({ maglev: { table_size: 5000087 } }), "INVALID_TABLE_SIZE", "maglev.table_size");
    expectCode(() => make({ maglev: { table_size: 1 } }), "INVALID_TABLE_SIZE", "divides by table_size - 1 = 0");
  });
  it("locality weights summing past 2^32-1 at one priority", () => {
    const hosts = [host(1, { locality: "a" }), host(2, { locality: "b" })];
    const locality_weights = [{ locality: "a", weight: 4294967295 }, { locality: "b", weight: 1 }];
    expectCode(() => make({ hosts, locality_weights }), "INVALID_WEIGHT", "The sum of weights of all localities at the same priority exceeds 4294967295");
  });
  it("two hosts with one endpoint (IPv6 text written two ways), or one hash key", () => {
    expectCode(() => make({ hosts: [{ address: "2001:db8::1", port: 80 }, { address: "2001:DB8:0::1", port: 80 }] }), "DUPLICATE_BACKEND", "[2001:db8::1]:80");
    expectCode(() => make({ hosts: [host(1, { hash_key: "k" }), host(2, { hash_key: "k" })] }), "DUPLICATE_BACKEND", 'hash key "k"');
  });
  it("use_hostname_for_hashing with a host without hostname", () => {
    expectCode(() => make({ common_lb_config: { consistent_hashing_lb_config: { use_hostname_for_hashing: true } } }), "INVALID_CONFIG", "no hostname");
  });
});

describe("envoy: what Envoy builds that flowpin's tables alone refuse", () => {
  const many = Array.from({ length: 9 }, (_, i) => host(10 + i));
  it("more hosts than Maglev slots: new Maglev refuses, the system builds", () => {
    expectCode(() => new Maglev({ profile: "envoy", size: 7, backends: many.map((h) => ({ id: `${h.address}:8080` })) }), "INVALID_TABLE_SIZE");
    const c = make({ maglev: { table_size: 7 }, hosts: many });
    const seen = new Set(Array.from({ length: 200 }, (_, i) => c.route({ src: `198.51.100.${i}` }).backend));
    // Only the 7 hosts that got a slot are ever picked.
    expect(seen.size).toBeLessThanOrEqual(7);
  });
  it("more hosts than maximum_ring_size: new Ring refuses, the system builds", () => {
    expectCode(() => new Ring({ backends: many.map((h) => `${h.address}:8080`), minRingSize: 2, maxRingSize: 4 }), "OUT_OF_RANGE");
    const c = make({ lb_policy: "RING_HASH", ring_hash: { minimum_ring_size: 2, maximum_ring_size: 4 }, hosts: many });
    const seen = new Set(Array.from({ length: 200 }, (_, i) => c.route({ src: `198.51.100.${i}` }).backend));
    expect(seen.size).toBeLessThanOrEqual(5);
  });
  it("minimum_ring_size 0: an empty ring, every request without a host (503)", () => {
    const c = make({ lb_policy: "RING_HASH", ring_hash: { minimum_ring_size: 0, maximum_ring_size: 0 } });
    expect(c.route({ src: "198.51.100.7" })).toMatchObject({ backend: null, reason: "no-healthy-upstream", slot: null });
  });
  it("the panic threshold is truncated as convertPercent does: 29 acts as 28", () => {
    // The premise, in IEEE doubles: 100 * (29 / 100) = 28.999999999999996.
    expect(Math.trunc(100 * (29 / 100))).toBe(28);
    // 57 of 200 healthy = 28.5 %: panic at 29, none at 28; availability 140*57/200 = 39 < 100.
    const hosts = Array.from({ length: 200 }, (_, i) => ({ address: `10.1.${i >> 8}.${i & 255}`, port: 80, health: i < 57 ? "HEALTHY" : "UNHEALTHY" }));
    const healthy = new Set(hosts.slice(0, 57).map((h) => `${h.address}:80`));
    const c = make({ hosts, common_lb_config: { healthy_panic_threshold: 29 } });
    for (let i = 0; i < 300; i++) {
      const r = c.route({ src: `198.51.${i >> 8}.${i & 255}` });
      expect(r.panic).toBe(false);
      expect(healthy.has(r.backend!)).toBe(true);
    }
    expect(make({ hosts, common_lb_config: { healthy_panic_threshold: 29.5 } }).route({ src: "198.51.100.1" }).panic).toBe(true);
  });
});

describe("envoy requests: bad input", () => {
  const c = make({});
  it("names the field", () => {
    expectCode(() => c.route({} as never), "INVALID_TYPE", "src must be");
    expectCode(() => c.route({ src: "198.51.100.7", heders: [] } as never), "INVALID_CONFIG", /unknown field "heders" \(did you mean "headers"\?\)/);
    expectCode(() => c.route({ src: "2001:db8::1", family: "AF_INET" }), "INVALID_ADDRESS", "family is AF_INET");
    expectCode(() => c.route({ src: "198.51.100.7", family: "AF_INET6" }), "INVALID_ADDRESS", "family is AF_INET6");
    expectCode(() => c.route({ src: "198.51.100.7", v6only: true }), "INVALID_CONFIG", "v6only applies to AF_INET6");
    expectCode(() => c.route({ src: "198.51.100.7", family: "AF_UNIX" as never }), "INVALID_CONFIG", "family must be");
    expectCode(() => c.route({ src: "198.51.100.7", headers: [["x-user"]] as never }), "INVALID_TYPE", "headers[0]");
    expectCode(() => c.route({ src: "198.51.100.7", random: "0x123" }), "INVALID_CONFIG", "random");
    expectCode(() => c.route({ src: "198.51.100.7", random: "0x0123" }), "INVALID_CONFIG", "16 hex digits");
    expectCode(() => c.route({ src: "198.51.100.7", random: -1n }), "OUT_OF_RANGE", "random");
    expectCode(() => c.route({ src: "198.51.100.256" }), "INVALID_ADDRESS", "src");
    expectCode(() => c.route({ src: "198.51.100.7", sport: 70000 }), "INVALID_PORT", "sport");
  });
});

describe("envoy: parts against outside facts and the slow reference", () => {
  it("std::mt19937 default-seeded: the 10000th output is 4123659995 (C++ [rand.predef])", () => {
    mtSeed(5489);
    let x = 0;
    for (let i = 0; i < 10000; i++) x = mtNext();
    expect(x).toBe(4123659995);
  });

  it("endpoint names are Envoy's asString(): inet_ntop text in brackets", () => {
    const cases: [string, string][] = [
      ["2001:DB8:0:0::a", "[2001:db8::a]:443"],
      ["::ffff:10.0.0.7", "[::ffff:10.0.0.7]:443"],
      ["0:0:0:0:0:0:102:304", "[::1.2.3.4]:443"],
      ["::1", "[::1]:443"],
      ["2001:db8:0:0:1:0:0:1", "[2001:db8::1:0:0:1]:443"],
    ];
    for (const [address, name] of cases) {
      const c = make({ hosts: [{ address, port: 443 }] });
      expect(c.route({ src: "198.51.100.7" }).backend).toBe(name);
    }
  });

  it("random requests hash as the reference (headers, source IP, chains, terminal, v6only)", () => {
    const r = new Rng(0xe17);
    const names = ["x-user", "X-User", "x-tenant", "X-TENANT", "x-other"];
    for (let trial = 0; trial < 150; trial++) {
      const policies: RefPolicy[] = [];
      const n = 1 + r.int(3);
      for (let i = 0; i < n; i++) {
        const terminal = r.int(3) === 0;
        policies.push(r.int(3) === 0 ? { sourceIp: true, terminal } : { header: names[r.int(4)]!, terminal });
      }
      const hash_policy = policies.map((p) => ({
        ...("sourceIp" in p ? { connection_properties: { source_ip: true } } : { header: { header_name: p.header } }),
        ...(p.terminal ? { terminal: true } : {}),
      }));
      const c = make({ hash_policy });
      for (let k = 0; k < 20; k++) {
        const g = Array.from({ length: 8 }, () => (r.int(3) === 0 ? 0 : r.int(0x10000)));
        let src: string;
        let family: "AF_INET" | "AF_INET6";
        let v6only: boolean | undefined;
        let text: string;
        const kind = r.int(3);
        if (kind === 0) {
          src = `${r.int(256)}.${r.int(256)}.${r.int(256)}.${r.int(256)}`;
          family = "AF_INET";
          text = src;
        } else {
          if (kind === 2) g.splice(0, 6, 0, 0, 0, 0, 0, 0xffff);
          family = "AF_INET6";
          v6only = r.int(2) === 0;
          src = g.map((x) => x.toString(16)).join(":");
          const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
          text = mapped && !v6only ? `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}` : refInetNtop6(g);
        }
        const headers: [string, string][] = [];
        for (let h = r.int(4); h > 0; h--) headers.push([names[r.int(names.length)]!, ["", "a", "b", "Σ-1", `v${r.int(100)}`][r.int(5)]!]);
        const random = BigInt(r.int(2 ** 32)) * 2n ** 32n + BigInt(r.int(2 ** 32));
        const want = refRequestHash(policies, text, headers);
        const got = c.route({ src, family, ...(v6only === undefined ? {} : { v6only }), headers, random });
        expect(got.hash, JSON.stringify({ policies, src, v6only, headers })).toBe(want === undefined ? null : want.toString(16).padStart(16, "0"));
        expect(got.random).toBe(want === undefined ? random.toString(16).padStart(16, "0") : null);
        if (policies.some((p) => "sourceIp" in p)) expect(got.address).toBe(text);
      }
    }
  });
});
