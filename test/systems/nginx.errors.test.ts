// Bad input for the nginx system, and nginx.conf read as nginx 1.22.1 reads it: what nginx
// accepts is accepted, what it refuses is refused with its reason, and directives flowpin
// does not model are refused by name. Also every vector case through the nginx.conf reader
// (its own upstream and server blocks), with the vectors' /etc/hosts given as addresses.
import { describe, expect, it } from "vitest";
import { systemDefinition, systems } from "../../src/index.js";
import type { NginxConfig } from "../../src/systems/nginx/index.js";
import { readNginxConf } from "../../src/systems/nginx/index.js";
import { expectCode } from "../bad-inputs.js";
import { loadSystemVectors } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const CASES: { id: string; config: any; flows: { flow: any; backend: string }[] }[] = loadSystemVectors("nginx").cases;

const base = (): NginxConfig => ({
  module: "http",
  hash_key: "$remote_addr",
  consistent: true,
  servers: [
    { server: "10.0.0.1:80", addresses: ["10.0.0.1:80"] },
    { server: "10.0.0.2:80", addresses: ["10.0.0.2:80"], weight: 2 },
  ],
});
const flow = { src: "198.51.100.7", dst: "192.0.2.1", sport: 40000, dport: 80, proto: 6 };
const upstream = (body: string, section = "http") => `${section} {\n  upstream app {\n${body}\n  }\n}\n`;

describe("nginx config: bad input names the field", () => {
  it("unknown fields, with the field probably meant", () => {
    expectCode(() => systems.nginx({ ...base(), hashkey: "$remote_addr" } as unknown as NginxConfig), "INVALID_CONFIG", 'unknown field "hashkey" (did you mean "hash_key"?)');
    expectCode(() => systems.nginx({ ...base(), servers: [{ server: "10.0.0.1:80", addresses: ["10.0.0.1:80"], wieght: 2 }] } as unknown as NginxConfig), "INVALID_CONFIG", 'servers[0]: unknown field "wieght" (did you mean "weight"?)');
  });
  it("module, key, consistent", () => {
    expectCode(() => systems.nginx({ ...base(), module: "mail" } as unknown as NginxConfig), "INVALID_CONFIG", 'module must be "http" or "stream", got "mail"');
    expectCode(() => systems.nginx({ ...base(), hash_key: "$request_uri" }), "INVALID_CONFIG", "variable $request_uri is not modelled");
    expectCode(() => systems.nginx({ ...base(), hash_key: "$" }), "INVALID_CONFIG", "without a variable name");
    expectCode(() => systems.nginx({ ...base(), hash_key: 7 } as unknown as NginxConfig), "INVALID_TYPE", "hash_key");
    expectCode(() => systems.nginx({ ...base(), hash_key: null, consistent: true }), "INVALID_CONFIG", "no hash_key");
  });
  it("weights: positive integers (nginx refuses weight=0)", () => {
    for (const w of [0, -1, 1.5, NaN, Infinity]) {
      expectCode(() => systems.nginx({ ...base(), servers: [{ server: "10.0.0.1:80", addresses: ["10.0.0.1:80"], weight: w }] }), "INVALID_WEIGHT", `servers[0].weight must be an integer in 1..`);
    }
    expectCode(() => systems.nginx({ ...base(), servers: [{ server: "10.0.0.1:80", addresses: ["10.0.0.1:80"], weight: "2" as unknown as number }] }), "INVALID_TYPE", "servers[0].weight");
    expectCode(() => systems.nginx({ ...base(), servers: [{ server: "10.0.0.1:80", addresses: ["10.0.0.1:80"], weight: 20000 }] }), "INVALID_WEIGHT", "3200000 ring points");
  });
  it("servers and addresses", () => {
    expectCode(() => systems.nginx({ ...base(), servers: [] }), "NO_BACKENDS", "no servers in upstream");
    expectCode(() => systems.nginx({ ...base(), hash_key: null, consistent: false, servers: [{ server: "10.0.0.1:80", addresses: ["10.0.0.1:80"], backup: true }] }), "NO_BACKENDS", "every server is a backup");
    expectCode(() => systems.nginx({ ...base(), servers: [{ server: "10.0.0.1", addresses: ["10.0.0.1"] }] }), "INVALID_ADDRESS", 'servers[0].addresses[0] must be ADDRESS:PORT');
    expectCode(() => systems.nginx({ ...base(), servers: [{ server: "10.0.0.1:80", addresses: ["10.0.0.256:80"] }] }), "INVALID_ADDRESS", "10.0.0.256");
    expectCode(() => systems.nginx({ ...base(), servers: [{ server: "10.0.0.1:80", addresses: ["10.0.0.1:70000"] }] }), "INVALID_PORT", "servers[0].addresses[0]");
    expectCode(() => systems.nginx({ ...base(), servers: [{ server: "10.0.0.1:80", addresses: [] }] }), "INVALID_CONFIG", "servers[0].addresses");
    expectCode(() => systems.nginx({ ...base(), servers: [{ server: "10.0.0.1:80", addresses: ["10.0.0.1:80"], max_conns: 10 }] }), "INVALID_CONFIG", "max_conns=10 is not modelled");
    expectCode(() => systems.nginx({ ...base(), servers: [{ server: "10.0.0.1:80", addresses: ["10.0.0.1:80"], fail_timeout: "10ms" }] }), "INVALID_CONFIG", "servers[0].fail_timeout");
    expectCode(() => systems.nginx({ ...base(), servers: [{ server: "10.0.0.1:80", addresses: ["10.0.0.1:80"], down: "yes" as unknown as boolean }] }), "INVALID_TYPE", "servers[0].down must be a boolean");
  });
  it("upstream_text must say what servers says", () => {
    const text = "upstream app {\n    hash $remote_addr consistent;\n    server 10.0.0.1:80;\n    server 10.0.0.2:80 weight=3;\n}";
    expectCode(() => systems.nginx({ ...base(), upstream_text: text }), "INVALID_CONFIG", "server line 2 has weight 3, servers[1].weight is 2");
    expectCode(() => systems.nginx({ ...base(), upstream_text: text.replace(" consistent", "") }), "INVALID_CONFIG", "upstream_text disagrees");
  });
  it("connections: the flow and its time", () => {
    const nginx = systems.nginx(base());
    expectCode(() => nginx.route({ ...flow, src: "198.51.100.300" }), "INVALID_ADDRESS", "src");
    expectCode(() => nginx.route({ ...flow, sport: 70000 }), "INVALID_PORT", "sport");
    expectCode(() => nginx.route({ ...flow, time: -1 }), "OUT_OF_RANGE", "time must be seconds");
    expectCode(() => nginx.route({ ...flow, time: "5" as unknown as number }), "INVALID_TYPE", "time");
    expectCode(() => systemDefinition("nginx").input({ ...flow, seq: 1 }), "INVALID_CONFIG", 'unknown field "seq"');
  });
});

describe("nginx.conf: refused as nginx refuses, or because flowpin does not model it", () => {
  const read = (text: string) => () => readNginxConf(text);
  it("balancing methods other than hash and round robin are refused by name", () => {
    for (const d of ["ip_hash", "least_conn", "random", "random two least_conn"]) {
      expectCode(read(upstream(`    ${d};\n    server 10.0.0.1:80;`)), "INVALID_CONFIG", `${d.split(" ")[0]} is not modelled`);
    }
    for (const d of ["sticky cookie srv_id", "least_time header", "ntlm", "queue 100"]) {
      expectCode(read(upstream(`    ${d};\n    server 10.0.0.1:80;`)), "INVALID_CONFIG", "not in open-source nginx 1.22.1");
    }
    expectCode(read(upstream("    serve 10.0.0.1:80;")), "INVALID_CONFIG", 'unknown directive "serve" in an upstream block (did you mean "server"?)');
    expectCode(read(upstream("    keepalive 8;\n    server 10.0.0.1:80;", "stream")), "INVALID_CONFIG", 'unknown directive "keepalive"');
  });
  it("server parameters as ngx_http_upstream_server checks them", () => {
    expectCode(read(upstream("    hash $remote_addr consistent;\n    server 10.0.0.1:80 backup;")), "INVALID_CONFIG", 'balancing method does not support parameter "backup"');
    expectCode(read(upstream("    server 10.0.0.1:80 weight=0;")), "INVALID_WEIGHT", 'invalid parameter "weight=0"');
    expectCode(read(upstream("    server 10.0.0.1:80 weight=two;")), "INVALID_WEIGHT", 'invalid parameter "weight=two"');
    expectCode(read(upstream("    server 10.0.0.1:80 max_fails=-1;")), "INVALID_CONFIG", 'invalid parameter "max_fails=-1"');
    expectCode(read(upstream("    server 10.0.0.1:80 fail_timeout=5ms;")), "INVALID_CONFIG", 'invalid parameter "fail_timeout=5ms"');
    expectCode(read(upstream("    server 10.0.0.1:80 max_conns=10;")), "INVALID_CONFIG", "max_conns=10 is not modelled");
    expectCode(read(upstream("    server backend.internal:80 resolve;")), "INVALID_CONFIG", 'invalid parameter "resolve"');
    expectCode(read(upstream("    server 10.0.0.1:80 slow_start=30s;")), "INVALID_CONFIG", 'invalid parameter "slow_start=30s"');
    expectCode(read(upstream("    hash $remote_addr consitent;\n    server 10.0.0.1:80;")), "INVALID_CONFIG", 'invalid parameter "consitent"');
    expectCode(read(upstream("    server 10.0.0.1;", "stream")), "INVALID_ADDRESS", "no port in upstream");
    expectCode(read(upstream("    server 10.0.0.1:0;")), "INVALID_ADDRESS", "invalid port");
    expectCode(read(upstream("    hash $remote_addr;")), "NO_BACKENDS", "no servers in upstream");
  });
  it("the file itself: syntax, and which upstream", () => {
    expectCode(read("http {\n  upstream app {\n    server 10.0.0.1:80;\n"), "INVALID_CONFIG", 'line 4: unexpected end of file, expecting "}"');
    expectCode(read("http {\n  server { listen 80; }\n}\n"), "INVALID_CONFIG", "no upstream block");
    expectCode(() => readNginxConf(upstream("    server 10.0.0.1:80;"), { name: "apps" }), "INVALID_CONFIG", 'no upstream named "apps" (did you mean "app"?)');
  });
  it("accepts what nginx 1.22.1 accepts: backup before hash, zone, keepalive (http), max_conns=0, a redefined hash, quoted keys, ${var}", () => {
    const c = readNginxConf(
      upstream(
        '    zone app 64k;\n    keepalive 16;\n    server 10.0.0.1:80 weight=2 max_fails=3 fail_timeout=1m30s max_conns=0;\n    server 10.0.0.2 down; # default port 80\n    server 10.0.0.3:81 backup;\n    hash $binary_remote_addr;\n    hash "${remote_addr}-$remote_port" consistent;',
      ),
    );
    expect(c.module).toBe("http");
    expect(c.hash_key).toBe("${remote_addr}-$remote_port");
    expect(c.consistent).toBe(true);
    expect(c.servers.map((s) => [s.server, s.addresses, s.weight ?? 1, s.down ?? false, s.backup ?? false, s.max_fails ?? 1, s.fail_timeout ?? 10])).toEqual([
      ["10.0.0.1:80", ["10.0.0.1:80"], 2, false, false, 3, "1m30s"],
      ["10.0.0.2", ["10.0.0.2:80"], 1, true, false, 1, 10],
      ["10.0.0.3:81", ["10.0.0.3:81"], 1, false, true, 1, 10],
    ]);
    expect(systems.nginx(c).route(flow).key).toBe("198.51.100.7-40000");
  });
  it("host names: the caller's addresses, or the system resolver's, and the route says which", () => {
    const text = upstream("    hash $remote_addr consistent;\n    server backend-a:8080 weight=2;\n    server localhost:9001;");
    const c = readNginxConf(text, { addresses: { "backend-a": ["10.1.0.1", "2001:db8::1"] } });
    expect(c.servers[0]).toMatchObject({ server: "backend-a:8080", addresses: ["10.1.0.1:8080", "[2001:db8::1]:8080"], resolved: "caller" });
    expect(c.servers[1]).toMatchObject({ server: "localhost:9001", resolved: "system resolver" });
    expect(c.servers[1]!.addresses.length).toBeGreaterThan(0);
    const nginx = systems.nginx(c);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const r = nginx.route({ ...flow, src: `198.51.${i >> 8}.${i & 255}` });
      seen.add(r.resolved!);
      expect(r.resolved).toBe(r.server === "localhost:9001" ? "system resolver" : "caller");
    }
    expect(seen).toEqual(new Set(["caller", "system resolver"]));
    expectCode(() => readNginxConf(upstream("    server no-such-host.invalid:80;")), "INVALID_CONFIG", "host not found in upstream");
  });
});

describe("every vector case through the nginx.conf reader", () => {
  for (const c of CASES) {
    it(`${c.id}: its upstream and server blocks, the vectors' /etc/hosts as addresses, refusing servers stated`, () => {
      const hosts: Record<string, string[]> = {};
      for (const line of c.config.hosts ?? []) {
        const [ip, name] = line.split(/\s+/);
        (hosts[name] ??= []).push(ip);
      }
      const conf = readNginxConf(`${c.config.module} {\n${c.config.upstream_text}\n${c.config.server_text}\n}\n`, { addresses: hosts });
      expect(conf.module).toBe(c.config.module);
      expect(conf.listen).toBe(c.config.listen);
      expect(conf.servers.map((s) => s.addresses)).toEqual(c.config.servers.map((s: { addresses: string[] }) => s.addresses));
      c.config.servers.forEach((s: { listening: boolean }, i: number) => (conf.servers[i]!.listening = s.listening));
      const nginx = systems.nginx(conf);
      c.flows.forEach((f, i) => expect(nginx.route(f.flow).backend, `${c.id} flow ${i}`).toBe(f.backend));
    });
  }
});
