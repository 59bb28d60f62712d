// The glb system's boundary: what glb-director refuses is refused with its reason, what it
// builds is built (the vector notes name each behaviour), and flows and packets it cannot
// route say why. Configs start from a vector's and change one thing.
import { describe, expect, it } from "vitest";
import { FlowpinError, systems } from "../../src/index.js";
import { expectCode } from "../bad-inputs.js";
import { hex, loadSystemVectors } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const CASES: { id: string; config: any; flows: any[] }[] = loadSystemVectors("glb").cases;
const base = CASES.find((c) => c.id === "upstream-tests-data-table-json")!;

/** The base config with `edit` applied to a deep copy. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function withEdit(edit: (c: any) => void): any {
  const c = structuredClone(base.config);
  edit(c);
  return c;
}

const FLOW = { src: "10.11.12.13", dst: "1.1.1.1", sport: 45678, dport: 80, proto: "tcp" as const };

describe("glb: configs glb-director refuses", () => {
  const cases: [string, (c: any) => void, Parameters<typeof expectCode>[1], string | RegExp][] = [
    ["an unknown top-level field", (c) => (c.director_config = {}), "INVALID_CONFIG", 'did you mean "director_conf"'],
    ["no forwarding_table", (c) => delete c.forwarding_table, "INVALID_CONFIG", "forwarding_table"],
    ["no tables", (c) => (c.forwarding_table = { tabels: [] }), "INVALID_CONFIG", /tables is missing.*"tabels".*must contain a 'tables' entry/],
    ["tables not an array", (c) => (c.forwarding_table.tables = {}), "INVALID_CONFIG", "forwarding_table.tables must be an array"],
    ["a table without backends", (c) => delete c.forwarding_table.tables[0].backends, "INVALID_CONFIG", "No backends!"],
    ["a table without binds", (c) => delete c.forwarding_table.tables[1].binds, "INVALID_CONFIG", "No binds!"],
    ["no hash_key", (c) => delete c.forwarding_table.tables[0].hash_key, "INVALID_CONFIG", "Bad hash key!"],
    ["a misspelt hash_key", (c) => ((c.forwarding_table.tables[0].hashkey = c.forwarding_table.tables[0].hash_key), delete c.forwarding_table.tables[0].hash_key), "INVALID_CONFIG", '"hashkey" is there'],
    ["a short hash_key", (c) => (c.forwarding_table.tables[0].hash_key = "1234"), "INVALID_KEY", "Hash key too short!"],
    ["a short seed", (c) => (c.forwarding_table.tables[1].seed = "00"), "INVALID_KEY", "Seed key too short!"],
    ["a seed with non-hex digits", (c) => (c.forwarding_table.tables[1].seed = "zz345678901234561234567890123456"), "INVALID_KEY", "tables[1].seed must be 32 hex digits"],
    ["a backend without ip", (c) => delete c.forwarding_table.tables[0].backends[1].ip, "INVALID_CONFIG", "Bad backend IP!"],
    ["a malformed backend ip", (c) => (c.forwarding_table.tables[0].backends[1].ip = "1.2.3.400"), "INVALID_ADDRESS", "tables[0].backends[1].ip"],
    ["an unknown state", (c) => (c.forwarding_table.tables[0].backends[0].state = "activ"), "INVALID_CONFIG", /did you mean "active".*Bad backend state!/],
    ["a state in upper case (strcmp)", (c) => (c.forwarding_table.tables[0].backends[0].state = "Active"), "INVALID_CONFIG", "Bad backend state!"],
    ["no state", (c) => delete c.forwarding_table.tables[0].backends[0].state, "INVALID_CONFIG", "Bad backend state!"],
    ["more than 256 backends", (c) => (c.forwarding_table.tables[0].backends = Array.from({ length: 257 }, (_, i) => ({ ip: `10.${i >> 8}.${i & 255}.1`, state: "active", healthy: true }))), "OUT_OF_RANGE", "at most 256"],
    ["a bind protocol other than tcp/udp", (c) => (c.forwarding_table.tables[0].binds[0].proto = "sctp"), "INVALID_PROTOCOL", "Bad protocol!"],
    ["a bind port given as text", (c) => (c.forwarding_table.tables[0].binds[0].port = "80"), "INVALID_PORT", "binds[0].port"],
    ["a bind port out of range", (c) => (c.forwarding_table.tables[0].binds[0].port = 70000), "INVALID_PORT", "binds[0].port"],
    ["a bind without any port", (c) => delete c.forwarding_table.tables[0].binds[0].port, "INVALID_PORT", "port_start is missing"],
    ["a misspelt port_start", (c) => ((c.forwarding_table.tables[0].binds[0] = { ip: "1.1.1.1", proto: "tcp", port_strat: 1, port_end: 2 })), "INVALID_PORT", 'did you mean "port_strat"'],
    ["an empty port range", (c) => (c.forwarding_table.tables[0].binds[0] = { ip: "1.1.1.1", proto: "tcp", port_start: 90, port_end: 80 }), "INVALID_PORT", "above port_end"],
    ["a prefix longer than the family", (c) => (c.forwarding_table.tables[0].binds[0].ip = "1.1.1.0/33"), "INVALID_ADDRESS", "Mask bit size can't be 33"],
    ["a prefix that is not a number", (c) => (c.forwarding_table.tables[0].binds[0].ip = "1.1.1.0/x"), "INVALID_ADDRESS", "prefix length"],
    ["an unknown director field", (c) => (c.director_conf.hash_feilds = { src_addr: true }), "INVALID_CONFIG", 'did you mean "hash_fields"'],
    ["an unknown hash field", (c) => (c.director_conf.hash_fields = { src_adr: true }), "INVALID_CONFIG", 'did you mean "src_addr"'],
    ["hash_fields with no field true", (c) => (c.director_conf.hash_fields = { src_addr: false, dst_port: "true" }), "INVALID_CONFIG", "hash_fields must contain at least 1 field if specified"],
    ["alt_hash_fields that is not an object", (c) => (c.director_conf.alt_hash_fields = ["src_addr"]), "INVALID_CONFIG", "director_conf.alt_hash_fields"],
    ["an outbound_src_ip that is not IPv4", (c) => (c.director_conf.outbound_src_ip = "2001:db8::1"), "INVALID_ADDRESS", "outbound_src_ip"],
    ["tables_used past the tables", (c) => (c.tables_used = [0, 2]), "INVALID_CONFIG", "tables_used[1]"],
  ];
  for (const [what, edit, code, mentions] of cases) {
    it(`refuses ${what}`, () => expectCode(() => systems.glb(withEdit(edit)), code, mentions));
  }

  it("refuses a config that is not an object", () => {
    expectCode(() => systems.glb(null as never), "INVALID_TYPE");
    expectCode(() => systems.glb("forwarding_table.json" as never), "INVALID_TYPE");
  });
});

describe("glb: what glb-director builds, flowpin builds", () => {
  it("accepts glb-healthcheck's extra keys of any type everywhere in the forwarding table", () => {
    const glb = systems.glb(
      withEdit((c) => {
        c.forwarding_table.healthchecks = { timeout_ms: 2000, interval_ms: 4000, trigger: 4 };
        c.forwarding_table.tables[0].name = "api";
        c.forwarding_table.tables[0].backends[0].healthchecks = { http: 80, gue: 19523 };
        c.forwarding_table.tables[0].backends[1].note = [1, null, { x: true }];
        c.forwarding_table.tables[0].binds[0].comment = 42;
      }),
    );
    const f = base.flows[0];
    expect(glb.route(hex(f.packet)).backend).toBe(f.backend);
  });

  it("reads 'healthy' as glb-director does: only JSON true is healthy (notes: json_boolean_value)", () => {
    // Every backend of a healthy table marked down in a way glb-director reads as down swaps
    // every row whose secondary is active; marked in ways it reads as up, nothing changes.
    const healthy = systems.glb(base.config);
    for (const value of [undefined, false, null, "true", 1, "yes"]) {
      const down = systems.glb(
        withEdit((c) => {
          for (const b of c.forwarding_table.tables[0].backends) {
            if (value === undefined) delete b.healthy;
            else b.healthy = value;
          }
        }),
      );
      for (const row of [0, 1, 4660, 65535]) {
        const [p, s] = healthy.entry(0, row);
        expect(down.entry(0, row), `healthy: ${JSON.stringify(value)}, row ${row}`).toEqual([s, p]);
      }
    }
  });

  it("builds duplicate backend addresses (vector duplicate-backend-ip) and a table with no usable backend", () => {
    const dup = CASES.find((c) => c.id === "duplicate-backend-ip")!;
    expect(() => systems.glb(dup.config)).not.toThrow();
    const none = CASES.find((c) => c.id === "no-usable")!;
    const r = systems.glb(none.config).route(hex(none.flows[0].packet));
    expect(r.backend).toBe(none.flows[0].backend);
    expect(r.reason).toBe("no-usable");
  });

  it("builds an empty backends array: every row is an empty slot, forwarded to 0.0.0.0", () => {
    const glb = systems.glb(withEdit((c) => (c.forwarding_table.tables[0].backends = [])));
    const r = glb.route(FLOW);
    expect(r).toMatchObject({ backend: null, secondary: null, reason: "empty-slot", table: 0, hops: ["0.0.0.0", "0.0.0.0"] });
    expect(r.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("the left-over sort buffer: a later table with one usable backend gets the earlier table's secondary index", () => {
    const stale = CASES.find((c) => c.id === "stale-sort-buffer-across-tables")!;
    const glb = systems.glb(stale.config);
    const f = stale.flows.find((x) => x.table === 1)!;
    const r = glb.route(hex(f.packet), { explain: true });
    expect(r).toMatchObject({ backend: f.backend, secondary: null, hops: f.hops, reason: "table" });
    const g = stale.flows.find((x) => x.table === 2)!;
    expect(glb.route(hex(g.packet))).toMatchObject({ backend: g.backend, secondary: null, reason: "no-usable" });
  });
});

describe("glb: flows and packets it does not forward", () => {
  const glb = systems.glb(base.config);

  it("no bind: another port, protocol or address", () => {
    for (const flow of [
      { ...FLOW, dport: 81 },
      { ...FLOW, proto: "udp" as const },
      { ...FLOW, dst: "1.1.1.4" },
      { ...FLOW, src: "2001:db8::1", dst: "fdb4:98ce:52d4::43" },
    ]) {
      expect(glb.route(flow, { explain: true }), JSON.stringify(flow)).toMatchObject({ backend: null, secondary: null, hash: null, slot: null, table: null, hops: [], reason: "no-bind" });
    }
  });

  it("ICMP: only frag-needed / too-big and echo requests pass the classifier; echo can be turned off", () => {
    const icmp = CASES.find((c) => c.id === "icmp-quoted-and-echo")!;
    const echo = icmp.flows.find((f) => f.icmp?.type === 8)!;
    const error = icmp.flows.find((f) => f.icmp?.type === 3)!;
    const on = systems.glb(icmp.config);
    expect(on.route(hex(echo.packet)).backend).toBe(echo.backend);
    const off = systems.glb({ ...icmp.config, director_conf: { ...icmp.config.director_conf, forward_icmp_ping_responses: false } });
    expect(off.route(hex(echo.packet)).reason).toBe("no-bind");
    expect(off.route(hex(error.packet)).backend).toBe(error.backend);
    // Port unreachable (3/3) is hashed like 3/4 by the parser but no ACL rule passes it.
    const p = hex(error.packet);
    p[21] = 3;
    expect(on.route(p).reason).toBe("no-bind");
    // A bare ICMP 5-tuple says neither type nor code.
    expect(on.route({ ...echo.flow }).reason).toBe("no-bind");
  });

  it("packets it cannot parse: not IP, truncated", () => {
    const f = base.flows[0];
    const p = hex(f.packet);
    expect(glb.route(p.subarray(0, 22)).reason).toBe("truncated");
    expect(glb.route(new Uint8Array(0)).reason).toBe("truncated");
    const v5 = p.slice();
    v5[0] = 0x55;
    expect(glb.route(v5)).toMatchObject({ backend: null, reason: "not-ip" });
  });

  it("bad flows throw with the field named", () => {
    expectCode(() => glb.route({ ...FLOW, src: "10.0.0.300" }), "INVALID_ADDRESS", "src");
    expectCode(() => glb.route({ ...FLOW, dport: 65536 }), "INVALID_PORT", "dport");
    expectCode(() => glb.route({ ...FLOW, proto: "tcpp" as never }), "INVALID_PROTOCOL", "proto");
    // MIXED_FAMILIES (not in expectCode's table of argument codes): a RangeError naming both.
    let mixed: unknown;
    try {
      glb.route({ ...FLOW, dst: "2001:db8::1" });
    } catch (e) {
      mixed = e;
    }
    expect(mixed).toBeInstanceOf(FlowpinError);
    expect(mixed).toBeInstanceOf(RangeError);
    expect((mixed as FlowpinError).code).toBe("MIXED_FAMILIES");
    expect((mixed as Error).message).toContain('"2001:db8::1"');
    expectCode(() => glb.route({ ...FLOW, sportt: 1 } as never), "INVALID_CONFIG", 'did you mean "sport"');
    expectCode(() => glb.route({ src: "10.0.0.1", dst: "1.1.1.1", sport: 0, dport: 0, proto: "icmp", icmp: { type: 3, code: 4 } }), "INVALID_CONFIG", "quoted");
    expectCode(() => glb.route({ ...FLOW, icmp: { type: 8, code: 0 } }), "INVALID_CONFIG", "icmp");
    expectCode(() => glb.route(null as never), "INVALID_TYPE");
    expectCode(() => glb.routeBatch("x" as never), "INVALID_TYPE");
  });

  it("an IPv4-mapped source beside an IPv4 VIP is an IPv4 flow; beside an IPv6 VIP it hashes 16 bytes", () => {
    expect(glb.route({ ...FLOW, src: "::ffff:10.11.12.13" })).toEqual(glb.route(FLOW));
    const mapped = CASES.find((c) => c.id === "v4-mapped-and-text-forms")!;
    const m = systems.glb(mapped.config);
    const f = mapped.flows.find((x) => x.flow.src.startsWith("::ffff:"))!;
    expect(m.route(f.flow).hash).toBe(f.hash);
    expect(m.route(f.flow).hash).not.toBe(m.route({ ...f.flow, src: f.flow.src.slice(7), dst: "192.0.2.10" }).hash);
  });

  it("entry() checks its arguments", () => {
    expectCode(() => glb.entry(2, 0), "OUT_OF_RANGE", "table");
    expectCode(() => glb.entry(0, 65536), "OUT_OF_RANGE", "row");
  });
});
