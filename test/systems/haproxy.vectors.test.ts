// Every case of test/vectors/systems/haproxy.json (the real HAProxy 2.6.12 on loopback)
// through systems.haproxy on each engine, and through `flowpin route` from the case's JSON
// config and from its haproxy.cfg text, in the order the connections were made.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { systems } from "../../src/index.js";
import { haproxySystem } from "../../src/systems/haproxy/index.js";
import { runCli } from "../cli-inprocess.js";
import { forEachEngine } from "../engines.js";
import { loadSystemVectors } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const doc = loadSystemVectors("haproxy");
const cases: Any[] = doc.cases;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-haproxy-vectors-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A vector flow as route() input: the connection, and held_open where it stayed open. */
function input(f: Any): Any {
  return f.held_open ? { ...f.flow, held_open: true } : { ...f.flow };
}

describe("haproxy.json", () => {
  it("has the cases and connections its README counts", () => {
    expect(cases.length).toBe(28);
    expect(cases.reduce((n, c) => n + c.flows.length, 0)).toBe(5608);
  });
});

forEachEngine("haproxy vectors through the API", () => {
  for (const c of cases) {
    it(`${c.id}: ${c.flows.length} connections`, () => {
      const be = systems.haproxy(c.config);
      c.flows.forEach((f: Any, i: number) => {
        const r = be.route(input(f));
        expect({ i, backend: r.backend, server: r.server }).toEqual({ i, backend: f.backend, server: f.server });
        expect(r.hash).toMatch(/^[0-9a-f]{8}$/);
      });
    });
  }

  it("the counts the caller gives decide hash-balance-factor as the system's own count does", () => {
    for (const c of cases.filter((x) => x.flows.some((f: Any) => f.held_open))) {
      const be = systems.haproxy(c.config);
      const served: Record<string, number> = {};
      for (const f of c.flows) {
        const r = be.route(f.flow, { served });
        expect(r.server).toBe(f.server);
        served[f.server] = (served[f.server] ?? 0) + 1;
      }
      // The case exercises the bound: deciding each connection alone gives other servers.
      const alone = systems.haproxy(c.config);
      expect(c.flows.some((f: Any) => alone.route(f.flow, { served: {} }).server !== f.server)).toBe(true);
    }
  });

  it("server ids, weights and states after operations are HAProxy's own (show servers state)", () => {
    for (const c of cases) {
      const got = systems.haproxy(c.config).servers();
      const want = c.config.servers.map((s: Any) => ({
        name: s.name,
        id: s.runtime.puid,
        weight: s.runtime.uweight,
        backup: s.backup,
        // op_state 2 = running, admin_state 0 = no maintenance (server-t.h), and a weight.
        usable: s.runtime.op_state === 2 && s.runtime.admin_state === 0 && s.runtime.uweight > 0,
      }));
      expect({ id: c.id, servers: got }).toEqual({ id: c.id, servers: want });
    }
  });
});

describe("haproxy vectors through flowpin route", () => {
  for (const c of cases) {
    it(`${c.id}: JSON config and haproxy.cfg text`, async () => {
      const flows = path.join(tmp, `${c.id}.jsonl`);
      fs.writeFileSync(flows, c.flows.map((f: Any) => JSON.stringify(input(f))).join("\n") + "\n");
      const json = path.join(tmp, `${c.id}.json`);
      fs.writeFileSync(json, JSON.stringify({ system: "haproxy", ...c.config }));
      const r = await runCli(["route", "--config", json, "--input", flows, "--format", "json"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.system).toBe("haproxy");
      expect(out.results.map((x: Any) => [x.backend, x.server])).toEqual(c.flows.map((f: Any) => [f.backend, f.server]));

      // The file HAProxy read: globals, the frontend (its bind decides v4-mapped keys) and the
      // backend. It holds everything but what happened outside it: which servers accept
      // connections and the runtime commands; those cases are compared on the parse alone.
      const cfg = path.join(tmp, `${c.id}.cfg`);
      fs.writeFileSync(cfg, `${doc.haproxy_cfg_globals}\n${c.config.frontend_text}\n\n${c.config.backend_text}\n`);
      const parsed = haproxySystem.native!.parse(fs.readFileSync(cfg, "utf8"), {});
      const fileSays = (x: Any) => ({
        mode: x.mode, balance: x.balance, hash_type: x.hash_type, bind: x.bind, options: x.options,
        // The defaults section's timeouts and log line are inherited lines of their own.
        extra: x.extra.filter((l: string) => !/^(timeout|log) /.test(l)),
        servers: x.servers.map((v: Any) => ({ name: v.name, address: v.address, weight: v.weight, id: v.id, backup: v.backup, disabled: v.disabled, check: v.check })),
      });
      expect(fileSays(parsed)).toEqual(fileSays(c.config));
      if (c.config.operations || c.config.servers.some((v: Any) => !v.listening)) return;
      const nat = await runCli(["route", "--config", cfg, "--system", "haproxy", "--input", flows, "--format", "json"]);
      expect(nat.stderr).toBe("");
      expect(nat.code).toBe(0);
      const got = JSON.parse(nat.stdout).results;
      // Host names stay as written in the file (no resolver here); the server and, for
      // literal addresses, the backend are HAProxy's.
      const literal = (f: Any) => c.config.servers.find((v: Any) => v.name === f.server)?.address === f.backend;
      expect(got.map((x: Any) => x.server)).toEqual(c.flows.map((f: Any) => f.server));
      got.forEach((x: Any, i: number) => {
        if (literal(c.flows[i])) expect(x.backend).toBe(c.flows[i].backend);
      });
      // The same decision from the JSON config and from the file, hash and slot included.
      expect(got.map((x: Any) => [x.server, x.hash, x.slot, x.reason])).toEqual(out.results.map((x: Any) => [x.server, x.hash, x.slot, x.reason]));
    });
  }
});
