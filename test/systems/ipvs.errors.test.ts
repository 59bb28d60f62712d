// What IPVS refuses is refused with its reason (FlowpinError, stable code, the bad value and
// field named); what IPVS accepts but flowpin's tables would refuse is accepted; flows in every
// spelling of one connection agree; the ipvsadm-save reader's own refusals; diff.
import { describe, expect, test } from "vitest";
import { FlowpinError, systemDefinition, systems, type IpvsConfig } from "../../src/index.js";
import { expectCode } from "../bad-inputs.js";
import { loadSystemVectors } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const cases: Any[] = loadSystemVectors("ipvs").cases;
const byId = (id: string): Any => cases.find((c) => c.id === id)!;
const base = (): Any => structuredClone(byId("gcd-weights-1-2-3-5").config);
const build = (patch: (c: Any) => void): (() => unknown) => () => {
  const c = base();
  patch(c);
  return systems.ipvs(c as IpvsConfig);
};
const add = (address: string, extra: Any = {}): Any => ({ op: "add", address, port: 80, weight: 1, forward: "droute", ...extra });
const native = systemDefinition("ipvs").native!;

/** MIXED_FAMILIES (a RangeError) naming what `mentions` matches; bad-inputs.ts's table lacks this code. */
function expectMixed(call: () => unknown, mentions: RegExp): void {
  let thrown: unknown;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(FlowpinError);
  expect(thrown).toBeInstanceOf(RangeError);
  expect((thrown as FlowpinError).code).toBe("MIXED_FAMILIES");
  expect((thrown as Error).message).toMatch(mentions);
}
const flow = { src: "198.51.100.7", dst: "203.0.113.10", sport: 40000, dport: 80, proto: "tcp" };

describe("ipvs config: unknown fields (did you mean)", () => {
  test("config", () => expectCode(build((c) => (c.tabel_size = 4093)), "INVALID_CONFIG", /unknown field "tabel_size".*did you mean "table_size"/));
  test("service", () => expectCode(build((c) => (c.service.famly = "inet")), "INVALID_CONFIG", /service: unknown field "famly".*did you mean "family"/));
  test("operation", () => expectCode(build((c) => (c.operations[1].wieght = 2)), "INVALID_CONFIG", /operations\[1\]: unknown field "wieght".*did you mean "weight"/));
  test("operation kind", () => expectCode(build((c) => (c.operations[0].op = "ad")), "INVALID_CONFIG", /operations\[0\]\.op.*"ad".*did you mean "add"/));
  test("forward", () => expectCode(build((c) => (c.operations[0].forward = "direct")), "INVALID_CONFIG", /forward.*"direct"/));
});

describe("ipvs config: what the kernel or ipvsadm refuses", () => {
  test("a destination added twice (EEXIST)", () => expectCode(build((c) => c.operations.push(add("10.0.41.2"))), "DUPLICATE_BACKEND", /operations\[4\].*10\.0\.41\.2:80.*already a destination/));
  test("deleting, editing or overloading a missing destination (ENOENT)", () => {
    expectCode(build((c) => c.operations.push({ op: "delete", address: "10.0.41.9", port: 80 })), "INVALID_CONFIG", /operations\[4\].*10\.0\.41\.9:80.*no such destination/);
    expectCode(build((c) => c.operations.push({ op: "edit", address: "10.0.41.1", port: 81, weight: 2 })), "INVALID_CONFIG", /10\.0\.41\.1:81.*no such destination/);
    expectCode(build((c) => c.operations.push({ op: "overload", address: "10.0.41.9", port: 80 })), "INVALID_CONFIG", /no such destination/);
  });
  test("a deleted destination cannot be deleted again", () =>
    expectCode(build((c) => c.operations.push({ op: "delete", address: "10.0.41.1", port: 80 }, { op: "delete", address: "10.0.41.1", port: 80 })), "INVALID_CONFIG", /operations\[5\]/));
  test("schedulers: a missing module, one flowpin does not model, none", () => {
    expectCode(build((c) => (c.service.scheduler = "mhh")), "INVALID_CONFIG", /ip_vs_mhh.*did you mean "mh"/);
    expectCode(build((c) => (c.service.scheduler = "wrr")), "INVALID_CONFIG", /"wrr".*only "mh"/);
    expectCode(build((c) => delete c.service.scheduler), "INVALID_CONFIG", /scheduler must be "mh"/);
  });
  test("scheduler flags", () => {
    expectCode(build((c) => (c.service.flags = ["sh-port"])), "INVALID_CONFIG", /incompatible scheduler flag "sh-port"/);
    expectCode(build((c) => (c.service.flags = ["mh-prt"])), "INVALID_CONFIG", /invalid scheduler flag "mh-prt".*did you mean "mh-port"/);
  });
  test("table sizes outside ip_vs_mh.c primes[]", () => {
    expectCode(build((c) => (c.table_size = 4096)), "INVALID_TABLE_SIZE", /table_size.*4096/);
    expectCode(build((c) => (c.table_size = 65537)), "INVALID_TABLE_SIZE", /65537/);
    expectCode(build((c) => (c.CONFIG_IP_VS_MH_TAB_INDEX = 18)), "INVALID_TABLE_SIZE", /CONFIG_IP_VS_MH_TAB_INDEX.*8\.\.17/);
    expectCode(build((c) => (c.CONFIG_IP_VS_MH_TAB_INDEX = 13)), "INVALID_TABLE_SIZE", /4093 disagrees with CONFIG_IP_VS_MH_TAB_INDEX 13/);
    expectCode(build((c) => (c.table_size = "4093")), "INVALID_TYPE", /table_size/);
  });
  test("weights: negative (ERANGE), above an int, not integers", () => {
    expectCode(build((c) => (c.operations[0].weight = -1)), "INVALID_WEIGHT", /operations\[0\]\.weight.*-1/);
    expectCode(build((c) => (c.operations[0].weight = 2 ** 31)), "INVALID_WEIGHT", /2147483648/);
    expectCode(build((c) => (c.operations[0].weight = 1.5)), "INVALID_WEIGHT", /1\.5/);
    expectCode(build((c) => (c.operations[0].weight = "1")), "INVALID_TYPE", /operations\[0\]\.weight/);
  });
  test("service port 0 (ipvsadm: non-persistent), protocols other than tcp/udp/sctp", () => {
    expectCode(build((c) => (c.service.port = 0)), "INVALID_PORT", /service\.port 0/);
    expectCode(build((c) => (c.service.protocol = "icmp")), "INVALID_PROTOCOL", /service\.protocol.*"icmp"/);
    expectCode(build((c) => (c.service.protocol = "tcpp")), "INVALID_PROTOCOL", /did you mean "tcp"/);
  });
  test("families: the service's, and a dest of the other family without tunnelling", () => {
    expectMixed(build((c) => (c.service.family = "inet6")), /service\.family.*"inet6".*203\.0\.113\.10/);
    expectMixed(build((c) => c.operations.push(add("2001:db8::1"))), /operations\[4\].*IPv6 in an inet service.*tunnel/);
    expect(build((c) => c.operations.push(add("2001:db8::1", { forward: "tunnel" })))).not.toThrow();
  });
  test("destination addresses ip_vs_new_dest refuses (EINVAL)", () => {
    for (const a of ["0.0.0.1", "224.0.0.5", "255.255.255.255"]) expectCode(build((c) => c.operations.push(add(a))), "INVALID_ADDRESS", new RegExp(a.replace(/\./g, "\\.")));
    for (const a of ["::", "ff02::1", "::ffff:10.0.0.1", "fe80::1"]) expectCode(build((c) => c.operations.push(add(a, { forward: "tunnel" }))), "INVALID_ADDRESS", /operations\[4\]\.address/);
    expectCode(build((c) => c.operations.push(add("10.0.0.256"))), "INVALID_ADDRESS", /operations\[4\]\.address/);
  });
  test("operations of the wrong kind", () => {
    expectCode(build((c) => (c.operations = {})), "INVALID_TYPE", /operations must be an array/);
    expectCode(build((c) => (c.operations[0] = "add 10.0.0.1")), "INVALID_TYPE", /operations\[0\] must be an object/);
    expectCode(build((c) => (c.operations[0].port = 70000)), "INVALID_PORT", /operations\[0\]\.port/);
  });
});

describe("ipvs config: what IPVS accepts, flowpin's plain tables would not", () => {
  test("a service with no destinations: every new connection gets none", () => {
    const svc = build((c) => (c.operations = []))() as Any;
    expect(svc.route(flow)).toMatchObject({ backend: null, reason: "empty-slot", probes: 1 });
  });
  test("every weight 0 is an empty table, not an error", () => {
    const svc = build((c) => c.operations.forEach((o: Any) => (o.weight = 0)))() as Any;
    expect(svc.route(flow).backend).toBeNull();
  });
  test("a dest edited to 0 keeps its slots (last_weight) and is skipped only by the fallback walk", () => {
    const svc = systems.ipvs(byId("drain-edit0-fallback").config);
    const names = svc.destinations().map((d) => `${d.name} ${d.weight}/${d.lastWeight}`);
    expect(names).toContain("10.0.30.3:80 0/1");
  });
  test("a droute dest whose port differs from the service's (the kernel stores what it is sent)", () => {
    expect(build((c) => c.operations.push(add("10.0.41.7", { port: 8080 })))).not.toThrow();
  });
  test("flows to another address, port or protocol are not scheduled (no-service), not errors", () => {
    const svc = build(() => {})() as Any;
    for (const f of [{ ...flow, dst: "203.0.113.11" }, { ...flow, dport: 81 }, { ...flow, proto: "udp" }, { src: "2001:db8::7", dst: "2001:db8::10", sport: 1, dport: 80, proto: "tcp" }]) {
      expect(svc.route(f)).toMatchObject({ backend: null, hash: null, slot: null, reason: "no-service", probes: 0 });
    }
  });
});

describe("ipvs flows: bad input, and every spelling of one connection", () => {
  const svc = build(() => {})() as Any;
  test("bad flows", () => {
    expectCode(() => svc.route({ ...flow, src: "198.51.100" }), "INVALID_ADDRESS", /src/);
    expectCode(() => svc.route({ ...flow, sport: 65536 }), "INVALID_PORT", /sport/);
    expectCode(() => svc.route({ ...flow, inverse: "yes" }), "INVALID_TYPE", /inverse/);
    expectMixed(() => svc.route({ ...flow, src: "2001:db8::7" }), /IPv6 src "2001:db8::7" and IPv4 dst/);
    expectCode(() => svc.route(null), "INVALID_TYPE", /flow must be an object/);
  });
  test("inet service: text, u32, 4 bytes and ::ffff: text name the same client; 16 bytes are an IPv6 packet's", () => {
    const want = svc.route(flow);
    for (const src of [0xc6336407, Uint8Array.of(198, 51, 100, 7), "::ffff:198.51.100.7"]) expect(svc.route({ ...flow, src })).toEqual(want);
    const mapped = new Uint8Array(16);
    mapped.set([0xff, 0xff], 10);
    mapped.set([198, 51, 100, 7], 12);
    expectMixed(() => svc.route({ ...flow, src: mapped }), /IPv6 src/);
  });
  test("inet6 service: ::ffff: text and its 16 bytes are the IPv6 address the packet carries", () => {
    const v6 = systems.ipvs(byId("flags-v6-port").config);
    const f = { src: "::ffff:198.51.100.7", dst: "2001:db8:ffff::10", sport: 40000, dport: 443, proto: "tcp" };
    const bytes = new Uint8Array(16);
    bytes.set([0xff, 0xff], 10);
    bytes.set([198, 51, 100, 7], 12);
    const r = v6.route(f as Any);
    expect(r.backend).not.toBeNull();
    expect(v6.route({ ...f, src: bytes } as Any)).toEqual(r);
    // fold: 0 ^ 0 ^ 0x0000ffff ^ 0xc6336407, plus the port (mh-port).
    expect(r.hashInput).toBe(((0xffff ^ 0xc6336407) + 40000 >>> 0).toString(16).padStart(8, "0"));
  });
});

describe("ipvs diff", () => {
  test("draining a dest by weight 0 moves exactly its connections", () => {
    const c = byId("flags-v4-fallback");
    const before = systems.ipvs(c.config);
    const drained = structuredClone(c.config);
    const victim = drained.operations.find((o: Any) => o.op === "add");
    drained.operations.push({ op: "edit", address: victim.address, port: victim.port, weight: 0 });
    const after = systems.ipvs(drained);
    const d = before.diff(after, c.flows.map((f: Any) => f.flow));
    expect(d.total).toBe(c.flows.length);
    const name = `${victim.address}:${victim.port}`;
    expect(d.moved).toBe(c.flows.filter((f: Any) => f.backend === name).length);
    for (const ch of d.changes) expect(ch.from).toBe(name);
  });
});

describe("ipvsadm-save reader", () => {
  const svc = "-A -t 203.0.113.10:80 -s mh -b flag-1,flag-2\n";
  const parse = (text: string, options: Any = {}): IpvsConfig => native.parse(text, options);
  test("reads services, servers, weights, forwarding methods and flags", () => {
    const c = parse(`${svc}-a -t 203.0.113.10:80 -r 10.0.0.2:80 -g -w 3\n-a -t 203.0.113.10:80 -r 10.0.0.1:8080 -m -w 70000\n-a -t 203.0.113.10:80 -r [2001:db8::1]:80 -i -w 1\n`);
    expect(c).toEqual({
      service: { family: "inet", address: "203.0.113.10", port: 80, protocol: "tcp", scheduler: "mh", flags: ["mh-fallback", "mh-port"] },
      table_size: 4093,
      operations: [
        { op: "add", address: "10.0.0.2", port: 80, weight: 3, forward: "droute" },
        { op: "add", address: "10.0.0.1", port: 8080, weight: 70000, forward: "masq" },
        { op: "add", address: "2001:db8::1", port: 80, weight: 1, forward: "tunnel" },
      ],
    });
  });
  test("ipvsadm's rules: -g/-i servers take the service port, no -w is weight 1, a leading ipvsadm word, comments, --opt=value", () => {
    const c = parse(`ipvsadm ${svc}ipvsadm -a -t 203.0.113.10:80 -r 10.0.0.1:8080 -g # a comment\n-a --tcp-service=203.0.113.10:80 --real-server=10.0.0.2 -m\n`);
    expect(c.operations).toEqual([
      { op: "add", address: "10.0.0.1", port: 80, weight: 1, forward: "droute" },
      { op: "add", address: "10.0.0.2", port: 80, weight: 1, forward: "masq" },
    ]);
  });
  test("table size: option, comment, default", () => {
    expect(parse(svc).table_size).toBe(4093);
    expect(parse(`# CONFIG_IP_VS_MH_TAB_INDEX=16\n${svc}`).table_size).toBe(65521);
    expect(parse(svc, { tableSize: 251 }).table_size).toBe(251);
    expectCode(() => parse(`# CONFIG_IP_VS_MH_TAB_INDEX=16\n${svc}`, { tableSize: 251 }), "INVALID_TABLE_SIZE", /disagrees/);
    expectCode(() => parse(svc, { tableSize: 4096 }), "INVALID_TABLE_SIZE", /4096/);
  });
  test("-E edits the service, -D deletes it, -C clears everything", () => {
    expect(parse(`${svc}-E -t 203.0.113.10:80 -s mh -b flag-2\n`).service.flags).toEqual(["mh-port"]);
    expectCode(() => parse(`${svc}-D -t 203.0.113.10:80\n`), "INVALID_CONFIG", /no IPVS service/);
    expectCode(() => parse(`${svc}-C\n`), "INVALID_CONFIG", /no IPVS service/);
  });
  test("what ipvsadm or the kernel refuses, and what flowpin does not model", () => {
    expectCode(() => parse(`${svc}${svc}`), "INVALID_CONFIG", /line 2: service tcp 203\.0\.113\.10:80 already exists/);
    expectCode(() => parse("-A -t 203.0.113.10 -s mh\n"), "INVALID_CONFIG", /Zero port/);
    expectCode(() => parse("-A -t 203.0.113.10:80 -s mh -b sh-port\n"), "INVALID_CONFIG", /incompatible scheduler flag/);
    expectCode(() => parse("-A -t 203.0.113.10:80 -s mh -b flag-4\n"), "INVALID_CONFIG", /invalid scheduler flag `flag-4'.*flag-1/);
    expectCode(() => parse("-A -t 203.0.113.10:80 -s mh -p 300\n"), "INVALID_CONFIG", /persistent/);
    expectCode(() => parse("-A -f 7 -s mh\n"), "INVALID_CONFIG", /firewall-mark/);
    expectCode(() => parse("-A -t 203.0.113.10:80\n"), "INVALID_CONFIG", /"wlc"/);
    expectCode(() => parse("-A -t www.example.com:80 -s mh\n"), "INVALID_ADDRESS", /host names need ipvsadm-save -n/);
    expectCode(() => parse("-A -t 203.0.113.10:http -s mh\n"), "INVALID_PORT", /"http"/);
    expectCode(() => parse(`${svc}-a -t 203.0.113.10:80 -r 10.0.0.1 -w -3\n`), "INVALID_WEIGHT", /line 2: weight.*"-3"/);
    expectCode(() => parse(`${svc}-a -t 203.0.113.10:80 -r 10.0.0.1 -w 2147483648\n`), "INVALID_WEIGHT", /2147483648/);
    expectCode(() => parse(`${svc}-a -t 203.0.113.10:80 -r 10.0.0.1 -g -m\n`), "INVALID_CONFIG", /more than one forwarding method/);
    expectCode(() => parse(`${svc}-L -n\n`), "INVALID_CONFIG", /line 2: -L is not a configuration command/);
    expectCode(() => parse(`${svc}-a -t 203.0.113.10:80 -r 10.0.0.1 -s mh\n`), "INVALID_CONFIG", /--scheduler belongs to a service command/);
    expectCode(() => parse(""), "INVALID_CONFIG", /no IPVS service/);
  });
  test("a saved file with a server ipvsadm would refuse is refused when built, with the kernel's reason", () => {
    const c = parse(`${svc}-a -t 203.0.113.10:80 -r [2001:db8::1]:80 -g -w 1\n`);
    expectMixed(() => systems.ipvs(c), /tunnel/);
  });
  test("detect", () => {
    expect(native.detect(svc)).toBe(true);
    expect(native.detect(`# saved\nipvsadm -a -t 1.2.3.4:80 -r 10.0.0.1\n`)).toBe(true);
    expect(native.detect('{"system": "ipvs"}')).toBe(false);
    expect(native.detect("upstream backend {\n  hash $remote_addr consistent;\n}\n")).toBe(false);
    expect(native.detect("backend app\n  balance source\n")).toBe(false);
  });
});
