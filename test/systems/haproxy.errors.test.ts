// Bad input to the haproxy system: the usual contract (FlowpinError, stable code, a message
// naming the field and value), unmodelled directives refused by name, and HAProxy's own
// rules where they differ from flowpin's usual ones (what HAProxy refuses is refused with its
// reason; what it accepts, like "weight 2x", is accepted as it reads it). The real binary's
// verdict on the same files is checked in haproxy.real.test.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { systems, type HaproxyConfig } from "../../src/index.js";
import { haproxySystem } from "../../src/systems/haproxy/index.js";
import { expectCode } from "../bad-inputs.js";
import { cliBadInput } from "../cli-inprocess.js";

const base = (): HaproxyConfig => ({
  mode: "tcp",
  balance: "source",
  hash_type: "consistent",
  servers: [
    { name: "s1", address: "127.0.0.1:9001" },
    { name: "s2", address: "127.0.0.1:9002", weight: 2 },
  ],
});
const flow = { src: "127.1.2.3", dst: "127.0.0.1", sport: 40000, dport: 8080, proto: "tcp" as const };
const parse = (text: string, name?: string) => haproxySystem.native!.parse(text, name === undefined ? {} : { name });
const cfg = (...lines: string[]) => ["backend be", "    balance source", "    hash-type consistent", ...lines.map((l) => `    ${l}`)].join("\n");

describe("haproxy config: the usual contract", () => {
  it("unknown fields are INVALID_CONFIG with the field meant", () => {
    expectCode(() => systems.haproxy({ ...base(), severs: [] } as never), "INVALID_CONFIG", '"severs" (did you mean "servers"?)');
    expectCode(() => systems.haproxy({ ...base(), servers: [{ name: "s1", address: "127.0.0.1:1", weigth: 2 }] } as never), "INVALID_CONFIG", '"weigth" (did you mean "weight"?)');
    expectCode(() => systems.haproxy({ ...base(), operations: [{ op: "disable server", server: "s1", srv: 1 }] } as never), "INVALID_CONFIG", '"srv"');
  });

  it("wrong types are INVALID_TYPE naming the field", () => {
    expectCode(() => systems.haproxy({ ...base(), servers: "s1" } as never), "INVALID_TYPE", "servers");
    expectCode(() => systems.haproxy({ ...base(), servers: [{ name: "s1", address: "127.0.0.1:1", weight: "2" }] } as never), "INVALID_TYPE", "servers[0].weight");
    expectCode(() => systems.haproxy({ ...base(), servers: [{ name: 7, address: "127.0.0.1:1" }] } as never), "INVALID_TYPE", "servers[0].name");
    expectCode(() => systems.haproxy({ ...base(), options: "allbackups" } as never), "INVALID_TYPE", "options");
    expectCode(() => systems.haproxy({ ...base(), servers: [{ name: "s1", address: "127.0.0.1:1", backup: "yes" }] } as never), "INVALID_TYPE", "servers[0].backup");
  });

  it("weights outside HAProxy's 0..256 are INVALID_WEIGHT; ids must be above 0", () => {
    for (const w of [257, -1, 1.5, NaN]) {
      expectCode(() => systems.haproxy({ ...base(), servers: [{ name: "s1", address: "127.0.0.1:1", weight: w }] }), "INVALID_WEIGHT", "servers[0].weight");
    }
    expectCode(() => systems.haproxy({ ...base(), servers: [{ name: "s1", address: "127.0.0.1:1", id: 0 }] }), "OUT_OF_RANGE", "servers[0].id");
  });

  it("addresses and ports are checked where they are read", () => {
    expectCode(() => systems.haproxy({ ...base(), servers: [{ name: "s1", address: "127.0.0.1:70000" }] }), "INVALID_PORT", "servers[0].address");
    expectCode(() => systems.haproxy({ ...base(), servers: [{ name: "s1", address: "unix@/run/app.sock" }] }), "INVALID_ADDRESS", "UNIX socket");
    expectCode(() => systems.haproxy({ ...base(), bind: "unix@/run/fe.sock" }), "INVALID_CONFIG", "UNIX socket");
    expectCode(() => systems.haproxy({ ...base(), bind: "127.0.0.1:80 accept-proxy" }), "INVALID_CONFIG", "accept-proxy");
  });

  it("route input: address, protocol, family and counts", () => {
    const be = systems.haproxy({ ...base(), bind: "127.0.0.1:8080" });
    expectCode(() => be.route({ ...flow, src: "127.1.2" }), "INVALID_ADDRESS", "src");
    expectCode(() => be.route({ ...flow, proto: "udp" }), "INVALID_PROTOCOL", "tcp");
    expectCode(() => be.route({ ...flow, src: "2001:db8::1", dst: "::1" }), "INVALID_ADDRESS", "IPv4 listener");
    expectCode(() => be.route({ ...flow, held_open: "yes" } as never), "INVALID_TYPE", "held_open");
    expectCode(() => be.route(flow, { served: { s9: 1 } }), "INVALID_CONFIG", '"s9"');
    expectCode(() => be.route(flow, { served: { s1: -1 } }), "OUT_OF_RANGE", "served.s1");
    expectCode(() => haproxySystem.input({ ...flow, held_open: 1 }), "INVALID_TYPE", "held_open");
    expectCode(() => haproxySystem.input({ ...flow, port: 1 }), "INVALID_CONFIG", '"port"');
  });
});

describe("haproxy config: HAProxy's own rules", () => {
  it("balance and hash-type: only what HAProxy 2.6 parses, and only the modelled algorithms", () => {
    expectCode(() => systems.haproxy({ ...base(), balance: "roundrobin" }), "INVALID_CONFIG", "balance roundrobin");
    expectCode(() => systems.haproxy({ ...base(), balance: "hash req.hdr(host)" }), "INVALID_CONFIG", "balance hash req.hdr(host)");
    expectCode(() => systems.haproxy({ ...base(), balance: undefined } as never), "INVALID_CONFIG", "balance");
    expectCode(() => systems.haproxy({ ...base(), hash_type: "consistent md5" }), "INVALID_CONFIG", "'sdbm', 'djb2', 'crc32' or 'wt6'");
    expectCode(() => systems.haproxy({ ...base(), hash_type: "consistent sdbm full" }), "INVALID_CONFIG", "'avalanche'");
    expectCode(() => systems.haproxy({ ...base(), hash_type: "avalanche" }), "INVALID_CONFIG", "'consistent' and 'map-based'");
    // The derived fields must say what hash_type means.
    expectCode(() => systems.haproxy({ ...base(), hash_type: "consistent", avalanche: false }), "INVALID_CONFIG", "avalanche false disagrees");
    expectCode(() => systems.haproxy({ ...base(), hash_type: "consistent crc32", hash_function: "sdbm" }), "INVALID_CONFIG", "hash_function");
  });

  it("duplicate ids are refused; duplicate names only when neither server has an explicit id", () => {
    expectCode(() => systems.haproxy({ ...base(), servers: [{ name: "a", address: "127.0.0.1:1", id: 3 }, { name: "b", address: "127.0.0.1:2", id: 3 }] }), "DUPLICATE_BACKEND", "custom id 3");
    expectCode(() => systems.haproxy({ ...base(), servers: [{ name: "a", address: "127.0.0.1:1" }, { name: "a", address: "127.0.0.1:2" }] }), "DUPLICATE_BACKEND", 'another server named "a"');
    const ok = systems.haproxy({ ...base(), servers: [{ name: "a", address: "127.0.0.1:1" }, { name: "a", address: "127.0.0.1:2", id: 7 }] });
    expect(ok.servers().map((s) => s.id)).toEqual([1, 7]);
  });

  it("hash-balance-factor must be 0 or above 100, as HAProxy says", () => {
    expectCode(() => systems.haproxy({ ...base(), extra: ["hash-balance-factor 100"] }), "INVALID_CONFIG", "above 100");
    expect(() => systems.haproxy({ ...base(), extra: ["hash-balance-factor 0", "hash-balance-factor 101"] })).not.toThrow();
  });

  it("directives that change the choice and are not modelled are refused by name", () => {
    const refused: [Partial<HaproxyConfig>, string][] = [
      [{ options: ["persist"] }, "option persist"],
      [{ options: ["prefer-last-server"] }, "option prefer-last-server"],
      [{ options: ["http-magic"] }, "option http-magic"],
      [{ extra: ["cookie SRV insert indirect"] }, "cookie"],
      [{ extra: ["use-server s1 if { src 10.0.0.0/8 }"] }, "use-server"],
      [{ extra: ["stick on src"] }, "stick"],
      [{ extra: ["http-request deny if TRUE"] }, "http-request deny"],
      [{ extra: ["tcp-request content set-src hdr(x)"] }, "tcp-request content set-src"],
      [{ extra: ["retry-on all-retryable-errors"] }, "retry-on"],
      [{ extra: ["redispatch"] }, "'option redispatch'"],
      [{ extra: ["balance roundrobin"] }, "own field"],
    ];
    for (const [extra, name] of refused) expectCode(() => systems.haproxy({ ...base(), ...extra }), "INVALID_CONFIG", name);
    // Harmless ones are accepted.
    expect(() => systems.haproxy({ ...base(), options: ["httplog", "redispatch", "no redispatch", "allbackups"], extra: ["timeout server 30s", "retries 5", "http-request set-header X-Test 1", "log global"] })).not.toThrow();
  });

  it("runtime commands: unknown ones, unknown servers, weights HAProxy's CLI refuses", () => {
    const op = (o: object) => () => systems.haproxy({ ...base(), operations: [o as never] });
    expectCode(op({ op: "shutdown sessions", server: "s1" }), "INVALID_CONFIG", "operations[0].op");
    expectCode(op({ op: "disable server", server: "s9" }), "INVALID_CONFIG", "No such server");
    expectCode(op({ op: "set weight", server: "s1", weight: 300 }), "INVALID_WEIGHT", "operations[0].weight");
    expectCode(op({ op: "set weight", server: "s1", weight: "12x" }), "INVALID_WEIGHT", "operations[0].weight");
    expectCode(op({ op: "set weight", server: "s1", weight: "-5%" }), "INVALID_WEIGHT", "Relative weight must be positive");
    // Map-based is a static algorithm: only 0% and 100% at runtime.
    expectCode(() => systems.haproxy({ ...base(), hash_type: "map-based", operations: [{ op: "set weight", server: "s1", weight: 3 }] }), "INVALID_WEIGHT", "static LB algorithm");
    const pct = systems.haproxy({ ...base(), operations: [{ op: "set weight", server: "s2", weight: "250%" }, { op: "set weight", server: "s1", weight: 0 }] });
    expect(pct.servers().map((s) => [s.weight, s.usable])).toEqual([[0, false], [5, true]]);
  });

  it("no usable server is not an error: HAProxy answers 503, the route has no backend", () => {
    const none = systems.haproxy({ ...base(), servers: [{ name: "s1", address: "127.0.0.1:1", disabled: true }, { name: "s2", address: "127.0.0.1:2", weight: 0 }] });
    expect(none.route(flow)).toEqual({ backend: null, server: null, hash: null, slot: null, reason: "no-server" });
    expect(systems.haproxy({ ...base(), servers: [] }).route(flow).reason).toBe("no-server");
  });
});

describe("haproxy.cfg: read as HAProxy reads it", () => {
  it("accepts what HAProxy's atol accepts (weight 2x is 2, weight abc is 0) and refuses what it refuses", () => {
    expect(parse(cfg("server a 127.0.0.1:1 weight 2x", "server b 127.0.0.1:2 weight abc")).servers.map((s) => s.weight)).toEqual([2, 0]);
    expectCode(() => parse(cfg("server a 127.0.0.1:1 weight 257")), "INVALID_WEIGHT", "not within 0 and 256 (257)");
    expectCode(() => parse(cfg("server a 127.0.0.1:1 id 0")), "OUT_OF_RANGE", "custom id has to be > 0");
    expectCode(() => parse(cfg("hash-balance-factor 50", "server a 127.0.0.1:1")), "INVALID_CONFIG", "above 100");
    expectCode(() => systems.haproxy(parse(cfg("server a 127.0.0.1:1 id 3", "server b 127.0.0.1:2 id 3"))), "DUPLICATE_BACKEND", "custom id 3");
  });

  it("refuses unmodelled server keywords and directives by name", () => {
    expectCode(() => parse(cfg("server a 127.0.0.1:1 maxconn 10")), "INVALID_CONFIG", "server keyword maxconn");
    expectCode(() => parse(cfg("server a 127.0.0.1:1 slowstart 10s")), "INVALID_CONFIG", "slowstart");
    expectCode(() => parse(cfg("server a 127.0.0.1:1 wieght 3")), "INVALID_CONFIG", '"wieght" (did you mean "weight"?)');
    expectCode(() => parse(cfg("cookie SRV insert", "server a 127.0.0.1:1")), "INVALID_CONFIG", "line 4: cookie");
    expectCode(() => parse(cfg("frobnicate on", "server a 127.0.0.1:1")), "INVALID_CONFIG", "frobnicate");
    expectCode(() => parse(["backend be", "    server a 127.0.0.1:1"].join("\n")), "INVALID_CONFIG", "roundrobin");
    const setSrc = ["frontend fe", "    bind 127.0.0.1:80", "    tcp-request connection set-src src,ipmask(24)", "    default_backend be", cfg("server a 127.0.0.1:1")].join("\n");
    expectCode(() => parse(setSrc), "INVALID_CONFIG", "tcp-request connection set-src");
  });

  it("inherits defaults, applies default-server, and picks a backend by name", () => {
    const text = [
      "defaults", "    mode http", "    balance hash src", "    hash-type consistent crc32", "    option redispatch", "    default-server weight 7 check",
      "backend one", "    server a 127.0.0.1:1", "    server b 127.0.0.1:2 weight 3 no-check",
      "backend two", "    balance source", "    server c 127.0.0.1:3 backup",
    ].join("\n");
    expectCode(() => parse(text), "INVALID_CONFIG", "pick one with --name");
    expectCode(() => parse(text, "twoo"), "INVALID_CONFIG", '(did you mean "two"?)');
    const one = parse(text, "one");
    expect({ mode: one.mode, balance: one.balance, hash_type: one.hash_type, options: one.options }).toEqual({ mode: "http", balance: "hash src", hash_type: "consistent crc32", options: ["redispatch"] });
    expect(one.servers.map((s) => [s.name, s.weight, s.check ?? null])).toEqual([["a", 7, "check"], ["b", 3, null]]);
    expect(parse(text, "two").balance).toBe("source");
  });

  it("listeners of both kinds for one backend are ambiguous and refused", () => {
    const text = ["frontend a", "    bind 127.0.0.1:80", "    default_backend be", "frontend b", "    bind :::81", "    default_backend be", cfg("server s 127.0.0.1:1")].join("\n");
    expectCode(() => parse(text), "INVALID_CONFIG", "IPv4 and dual-stack");
  });

  it("flowpin route: exit 2 and one line naming the directive", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-haproxy-errors-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "haproxy.cfg");
    fs.writeFileSync(file, cfg("stick on src", "server a 127.0.0.1:1"));
    const line = await cliBadInput(["route", "--config", file, "--system", "haproxy", "--flow", "src=127.1.2.3,dst=127.0.0.1,sport=1,dport=80,proto=tcp"]);
    expect(line).toContain("stick");
  });
});
