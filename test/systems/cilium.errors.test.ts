// Bad input to the cilium system: every config error is a FlowpinError with a stable code and a
// message naming the field and the value; what Cilium accepts and flowpin elsewhere refuses (an
// empty backend list, IPv4-mapped flows to an IPv6 service, 0 weights) is accepted here.
import { describe, expect, test } from "vitest";
import { FlowpinError, systems, type CiliumConfig } from "../../src/index.js";
import { expectCode } from "../bad-inputs.js";

const good = (): CiliumConfig => ({
  version: "1.17+",
  service: { frontend: "203.0.113.10:443/TCP", session_affinity: false, scope: "external" },
  maglev: { table_size: 251, hash_seed: "JLfvgnHc2kaSUFaI" },
  backends: [
    { address: "10.0.0.1", port: 8443, protocol: "TCP", weight: 100, state: "active" },
    { address: "10.0.0.2", port: 8443, protocol: "TCP", weight: 100, state: "active" },
  ],
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const build = (edit: (c: any) => void) => () => {
  const c = good();
  edit(c);
  return systems.cilium(c);
};

/** For codes the shared expectCode table does not list. */
function expectRange(call: () => unknown, code: string, mentions: RegExp): void {
  let thrown: unknown;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(FlowpinError);
  expect(thrown).toBeInstanceOf(RangeError);
  expect((thrown as FlowpinError).code).toBe(code);
  expect((thrown as Error).message).toMatch(mentions);
}

describe("cilium config: unknown fields name the field meant", () => {
  test.each([
    ["top level", (c: any) => (c.verison = "1.16"), /cilium config: unknown field "verison" \(did you mean "version"\?\)/],
    ["service", (c: any) => (c.service.frontnd = "x"), /service: unknown field "frontnd" \(did you mean "frontend"\?\)/],
    ["service", (c: any) => (c.service.sessionAffinity = true), /unknown field "sessionAffinity" \(did you mean "session_affinity"\?\)/],
    ["maglev", (c: any) => (c.maglev.tableSize = 251), /maglev: unknown field "tableSize" \(did you mean "table_size"\?\)/],
    ["backend", (c: any) => (c.backends[1].wieght = 1), /backends\[1\]: unknown field "wieght" \(did you mean "weight"\?\)/],
  ])("%s", (_where, edit, message) => expectCode(build(edit), "INVALID_CONFIG", message));
});

describe("cilium config: seed", () => {
  test.each([
    ["not base64", "JLfvgnHc2kaSUFa!"],
    ["base64 of 9 bytes", "JLfvgnHc2kaS"],
    ["base64 of 15 bytes", "JLfvgnHc2kaSUFaIJLfv"],
    ["unpadded", "JLfvgnHc2ka"],
  ])("%s is INVALID_KEY", (_why, seed) => expectCode(build((c) => (c.maglev.hash_seed = seed)), "INVALID_KEY", "maglev.hash_seed"));
  test("not a string is INVALID_TYPE", () => expectCode(build((c) => (c.maglev.hash_seed = 12)), "INVALID_TYPE", "maglev.hash_seed"));
  test("omitted: Cilium's default seed", () => expect(build((c) => delete c.maglev.hash_seed)().state().seeds).toEqual(build(() => {})().state().seeds));
});

describe("cilium config: table size", () => {
  test.each([257, 65537, 16383, 1, 262139])("%d (not one of Cilium's sizes) is INVALID_TABLE_SIZE", (size) =>
    expectCode(build((c) => (c.maglev.table_size = size)), "INVALID_TABLE_SIZE", new RegExp(`table_size must be one of 251, 509, 1021.*got ${size}`)),
  );
  test.each([0, -1, 1.5, NaN])("%d is INVALID_TABLE_SIZE", (size) => expectCode(build((c) => (c.maglev.table_size = size)), "INVALID_TABLE_SIZE", "maglev.table_size"));
  test("a string is INVALID_TYPE", () => expectCode(build((c) => (c.maglev.table_size = "251")), "INVALID_TYPE", "maglev.table_size"));
  test.each([251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071])("%d is accepted", (size) => {
    expect(build((c) => (c.maglev.table_size = size))().state().count).toBe(2);
  });
});

describe("cilium config: version, frontend, scope", () => {
  test.each([
    ["1.17", "1.17+"],
    ["v1.18.3", "1.17+"],
    ["1.16.8", "1.16"],
    ["1.17+ ", "1.17+"],
  ])('%s suggests "%s"', (version, meant) =>
    expectCode(build((c) => (c.version = version)), "INVALID_CONFIG", `version must be "1.16" or "1.17+" (v1.17.0-rc.0..rc.2 hash neither way and are not modelled), got "${version}" (did you mean "${meant}"?)`),
  );
  test("a 1.17 release candidate suggests nothing", () => expectCode(build((c) => (c.version = "1.17.0-rc.2")), "INVALID_CONFIG", /got "1.17.0-rc.2"$/));
  test.each([
    ["no protocol", "203.0.113.10:443", "INVALID_CONFIG"],
    ["IPv6 without brackets", "2001:db8::1:443/TCP", "INVALID_CONFIG"],
    ["IPv4 in brackets", "[203.0.113.10]:443/TCP", "INVALID_ADDRESS"],
    ["bad address", "203.0.113.256:443/TCP", "INVALID_ADDRESS"],
    ["port above 65535", "203.0.113.10:65536/TCP", "INVALID_PORT"],
    ["lower-case protocol", "203.0.113.10:443/tcp", "INVALID_PROTOCOL"],
    ["ICMP", "203.0.113.10:443/ICMP", "INVALID_PROTOCOL"],
  ] as const)("%s", (_why, frontend, code) => expectCode(build((c) => (c.service.frontend = frontend)), code, "service.frontend"));
  test("lower-case protocol suggests the L4Type name", () => expectCode(build((c) => (c.service.frontend = "203.0.113.10:443/tcp")), "INVALID_PROTOCOL", /did you mean "TCP"/));
  test("scope internal is refused with the reason", () => expectCode(build((c) => (c.service.scope = "internal")), "INVALID_CONFIG", /service.scope must be "external".*"internal"/));
  test("session_affinity must be a boolean", () => expectCode(build((c) => (c.service.session_affinity = "ClientIP")), "INVALID_TYPE", "service.session_affinity"));
  test("an SCTP frontend is accepted; its SCTP flows are not load-balanced (no --enable-sctp)", () => {
    const svc = build((c) => {
      c.service.frontend = "203.0.113.10:443/SCTP";
      for (const b of c.backends) b.protocol = "SCTP";
    })();
    expect(svc.state().hashStrings[0]).toBe("[10.0.0.1:443/SCTP,State:active]".replace("443", "8443"));
    expect(svc.route({ src: "198.51.100.7", dst: "203.0.113.10", sport: 1, dport: 443, proto: "sctp" }).reason).toBe("unsupported-protocol");
  });
});

describe("cilium config: backends", () => {
  test("bad address, port, protocol, weight, state", () => {
    expectCode(build((c) => (c.backends[0].address = "10.0.0.256")), "INVALID_ADDRESS", "backends[0].address");
    expectCode(build((c) => (c.backends[0].address = 167772161)), "INVALID_TYPE", "backends[0].address");
    expectCode(build((c) => (c.backends[0].port = 70000)), "INVALID_PORT", "backends[0].port");
    expectCode(build((c) => (c.backends[0].protocol = "Udp")), "INVALID_PROTOCOL", /backends\[0\].protocol.*did you mean "UDP"/);
    expectCode(build((c) => (c.backends[0].weight = 65536)), "INVALID_WEIGHT", /backends\[0\].weight must be an integer in 0..65535, got 65536/);
    expectCode(build((c) => (c.backends[0].weight = -1)), "INVALID_WEIGHT", "backends[0].weight");
    expectCode(build((c) => (c.backends[0].state = "draining")), "INVALID_CONFIG", /backends\[0\].state must be one of active, terminating/);
    expectCode(build((c) => (c.backends[0].state = "Active")), "INVALID_CONFIG", /did you mean "active"/);
    expectCode(build((c) => (c.backends = {})), "INVALID_TYPE", "backends");
  });

  test("terminating-not-serving does not exist in 1.16; preferred is 1.16 only", () => {
    expectCode(build((c) => ((c.version = "1.16"), (c.backends[0].state = "terminating-not-serving"))), "INVALID_CONFIG", /terminating-not-serving.*1.16/);
    expectCode(build((c) => (c.backends[0].preferred = true)), "INVALID_CONFIG", /preferred.*"1.16"/);
    expect(build((c) => (c.backends[0].preferred = false))().state().count).toBe(2);
  });

  test("a backend of the other family (NAT46/64) is MIXED_FAMILIES", () => {
    expectRange(build((c) => (c.backends[0].address = "2001:db8::1")), "MIXED_FAMILIES", /backends\[0\].address "2001:db8::1" is IPv6 but the frontend 203.0.113.10:443\/TCP is IPv4/);
  });

  test("duplicates: the same L3n4Addr, also spelled differently; 1.16 keys by addr:port", () => {
    expectCode(build((c) => (c.backends[1].address = "10.0.0.1")), "DUPLICATE_BACKEND", /backends\[1\] "10.0.0.1:8443\/TCP" repeats backends\[0\]/);
    const v6 = (c: any) => {
      c.service.frontend = "[2001:db8::10]:443/TCP";
      c.backends[0].address = "2001:DB8:0:0:0:0:0:A";
      c.backends[1].address = "2001:db8::a";
    };
    expectCode(build(v6), "DUPLICATE_BACKEND", "[2001:db8::a]:8443");
    const udpTwin = (c: any) => ((c.backends[1].address = "10.0.0.1"), (c.backends[1].protocol = "UDP"));
    expect(build(udpTwin)().state().hashStrings).toEqual(["[10.0.0.1:8443/TCP,State:active]", "[10.0.0.1:8443/UDP,State:active]"]);
    expectCode(build((c) => (udpTwin(c), (c.version = "1.16"))), "DUPLICATE_BACKEND", /1.16 keys backends by addr:port/);
  });

  test("what Cilium accepts: no backends, all weights 0, all quarantined — every flow to the service dropped", () => {
    const flow = { src: "198.51.100.7", dst: "203.0.113.10", sport: 40000, dport: 443, proto: 6 };
    for (const edit of [(c: any) => (c.backends = []), (c: any) => c.backends.forEach((b: any) => (b.weight = 0)), (c: any) => c.backends.forEach((b: any) => (b.state = "quarantined"))]) {
      const svc = build(edit)();
      expect(svc.state().count).toBe(0);
      expect(svc.route(flow)).toEqual({ backend: null, hash: null, slot: null, reason: "no-backend" });
      expect(svc.route({ ...flow, dport: 80 }).reason).toBe("no-service");
    }
  });

  test("defaults: weight 100, state active, the frontend's protocol", () => {
    const svc = build((c) => (c.backends = [{ address: "10.0.0.1", port: 8443 }, { address: "10.0.0.2", port: 8443 }]))();
    expect(svc.state().hashStrings).toEqual(build(() => {})().state().hashStrings);
    expect(svc.state().slotsPerBackend).toEqual(build(() => {})().state().slotsPerBackend);
  });
});

describe("cilium route: bad flows", () => {
  const svc = build(() => {})();
  const flow = { src: "198.51.100.7", dst: "203.0.113.10", sport: 40000, dport: 443, proto: 6 };
  test("bad fields name the field", () => {
    expectCode(() => svc.route({ ...flow, src: "198.51.100" }), "INVALID_ADDRESS", "src");
    expectCode(() => svc.route({ ...flow, dport: 65536 }), "INVALID_PORT", "dport");
    expectCode(() => svc.route({ ...flow, proto: "gre" as never }), "INVALID_PROTOCOL", "proto");
    expectCode(() => svc.route(null as never), "INVALID_TYPE", "flow");
    expectCode(() => svc.routeBatch("flows" as never), "INVALID_TYPE", "inputs");
  });
  test("::ffff:a.b.c.d is IPv6 here: with an IPv4 destination it is MIXED_FAMILIES, with an IPv6 one a flow", () => {
    expectRange(() => svc.route({ ...flow, src: "::ffff:198.51.100.7" }), "MIXED_FAMILIES", /::ffff:a.b.c.d is IPv6 for Cilium/);
    expect(svc.route({ ...flow, src: "::ffff:198.51.100.7", dst: "2001:db8::10" }).reason).toBe("no-service");
    // An IPv6 packet to the mapped form of an IPv4 frontend is not the IPv4 service (lb6 lookup).
    expect(svc.route({ ...flow, src: "::ffff:198.51.100.7", dst: "::ffff:203.0.113.10" }).reason).toBe("no-service");
  });
  test("a non-TCP/UDP flow is not load-balanced, a UDP flow to a TCP frontend is in 1.16 only", () => {
    expect(svc.route({ ...flow, proto: "icmp" })).toEqual({ backend: null, hash: null, slot: null, reason: "unsupported-protocol" });
    expect(svc.route({ ...flow, proto: "udp" }).reason).toBe("no-service");
    expect(build((c) => (c.version = "1.16"))().route({ ...flow, proto: "udp" }).reason).toBe("table");
  });
});
