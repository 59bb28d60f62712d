// The haproxy system against the real HAProxy binary: generated backends (random server
// counts, weights, explicit ids, backup and disabled servers, balance source and hash src,
// consistent and map-based, tcp and http, a dual-stack listener, dead servers with and
// without checks, redispatch, hash-balance-factor with held connections, runtime commands)
// run by `haproxy -f cfg -db` on loopback; identity backends answer with their address;
// connections come from random 127.x.y.z addresses, and each answer must be route()'s.
// The route side reads the very haproxy.cfg the binary ran (the native reader).
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowpinError, systems, type HaproxyConfig, type HaproxyOperation } from "../../src/index.js";
import { haproxySystem } from "../../src/systems/haproxy/index.js";
import { Rng } from "../rng.js";
import { freePorts, hasIpv6Loopback, limited, request, startBackends, startHaproxy, statsCommand, type Haproxy } from "../servers/haproxy.js";

const SEED = Number(process.env.FLOWPIN_SEED ?? Date.now() % 1_000_000);
const rng = new Rng(SEED);
const POOL = 10;
const CLIENTS = 36;

interface Srv {
  name: string;
  port: number;
  weight: number;
  id?: number;
  backup: boolean;
  disabled: boolean;
  check: boolean;
  listening: boolean;
}

interface Gen {
  name: string;
  port: number;
  bind: string;
  mode: "tcp" | "http";
  lines: string[];
  servers: Srv[];
  /** Connections held open in order (hash-balance-factor), instead of concurrent short ones. */
  hold?: boolean;
  /** Runtime commands applied after the first round, then a second round. */
  ops?: HaproxyOperation[];
}

const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const HASH_TYPES = ["consistent", "consistent sdbm", "consistent djb2 avalanche", "consistent crc32", "consistent wt6", "consistent wt6 avalanche", "map-based", "map-based crc32", "map-based djb2 avalanche", ""];

function randomServers(pool: readonly number[], n: number): Srv[] {
  const ports = [...pool].sort(() => rng.int(3) - 1).slice(0, n);
  const ids = new Set<number>();
  return ports.map((port, i) => {
    const s: Srv = { name: `s${i + 1}`, port, weight: pick([1, 1, 1, 2, 3, 5, 10, 0, 256, 1 + rng.int(40)]), backup: rng.int(7) === 0, disabled: rng.int(9) === 0, check: false, listening: true };
    if (rng.int(3) === 0) {
      let id = 1 + rng.int(30);
      while (ids.has(id)) id = 1 + rng.int(30);
      ids.add(id);
      s.id = id;
    }
    return s;
  });
}

function backendText(g: Gen): string {
  const servers = g.servers.map((s) => {
    const words = [`server ${s.name} 127.0.0.1:${s.port}`];
    if (s.weight !== 1) words.push(`weight ${s.weight}`);
    if (s.id !== undefined) words.push(`id ${s.id}`);
    if (s.backup) words.push("backup");
    if (s.disabled) words.push("disabled");
    if (s.check) words.push("check inter 100ms fall 1 rise 1");
    return `    ${words.join(" ")}`;
  });
  return [`backend ${g.name}`, `    mode ${g.mode}`, ...g.lines.map((l) => `    ${l}`), ...servers].join("\n");
}

function cfgText(gens: readonly Gen[]): string {
  const global = ["global", "    nbthread 1", "    maxconn 4000", `    stats socket ${path.join(dir, "haproxy.sock")} mode 600 level admin`, "", "defaults",
    "    timeout connect 300ms", "    timeout client 30s", "    timeout server 30s", "    timeout queue 5s", ""].join("\n");
  const parts = gens.map((g) => [`frontend fe_${g.name}`, `    bind ${g.bind}`, `    mode ${g.mode}`, `    default_backend ${g.name}`, "", backendText(g), ""].join("\n"));
  return `${global}\n${parts.join("\n")}`;
}

/** The system for one generated backend, from the haproxy.cfg text HAProxy runs, plus what the file cannot say. */
function system(cfg: string, g: Gen, ops?: HaproxyOperation[]) {
  const config: HaproxyConfig = haproxySystem.native!.parse(cfg, { name: g.name });
  config.servers.forEach((s, i) => (s.listening = g.servers[i]!.listening));
  if (ops) config.operations = ops;
  return systems.haproxy(config);
}

function clientAddress(): string {
  return `127.${1 + rng.int(254)}.${rng.int(256)}.${1 + rng.int(254)}`;
}

let backends: Awaited<ReturnType<typeof startBackends>> | undefined;
let haproxy: Haproxy | undefined;
let dir = "";
let gens: Gen[] = [];
let cfg = "";
let ipv6 = false;
const held: net.Socket[] = [];

beforeAll(async () => {
  try {
    execFileSync("bash", ["scripts/install-servers.sh"], { stdio: "pipe", timeout: 900_000 });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`HAProxy is not installed and scripts/install-servers.sh could not install it; this test needs the real binary: ${err.stderr?.toString().trim() || err.message}`);
  }
  const version = execFileSync("haproxy", ["-v"]).toString();
  if (!/HAProxy version 2\.6\./.test(version)) throw new Error(`the haproxy system models HAProxy 2.6; this machine has: ${version.split("\n")[0]}`);
  ipv6 = await hasIpv6Loopback();
  backends = await startBackends(POOL);
  const pool = backends.ports;
  const [dead1, dead2, dead3, ...fe] = await freePorts(20);
  const mode = () => pick(["tcp", "http"] as const);
  let k = 0;
  const gen = (g: Omit<Gen, "port" | "bind"> & { bind?: string }): Gen => {
    const port = fe[k++]!;
    return { ...g, port, bind: g.bind === undefined ? `127.0.0.1:${port}` : g.bind.replace("PORT", String(port)) };
  };
  for (let i = 0; i < 8; i++) {
    const servers = randomServers(pool, 1 + rng.int(8));
    const hashType = pick(HASH_TYPES);
    const lines = [`balance ${pick(["source", "hash src"])}`, ...(hashType ? [`hash-type ${hashType}`] : [])];
    if (servers.some((s) => s.backup) && rng.int(2) === 0) lines.push("option allbackups");
    gens.push(gen({ name: `be_rand${i}`, mode: mode(), lines, servers }));
  }
  // A checked server that nothing answers: out of the tree once its check fails.
  const checked = randomServers(pool, 4).map((s) => ({ ...s, backup: false, disabled: false }));
  checked.push({ name: "dead", port: dead1!, weight: 2, backup: false, disabled: false, check: true, listening: false });
  gens.push(gen({ name: "be_checkdown", mode: mode(), lines: ["balance source", "hash-type consistent"], servers: checked }));
  // An unchecked server that refuses: retried, redispatched on the first retry (redispatch 1) ...
  const refusing = (port: number) => [...randomServers(pool, 4).map((s) => ({ ...s, backup: false, disabled: false, weight: 1 })), { name: "refuses", port, weight: 3, backup: false, disabled: false, check: false, listening: false }];
  gens.push(gen({ name: "be_redispatch1", mode: "tcp", lines: ["balance source", "hash-type consistent", "option redispatch 1", "retries 2"], servers: refusing(dead2!) }));
  // ... or with plain `option redispatch` (on the last retry) and the default 3 retries.
  gens.push(gen({ name: "be_redispatch_last", mode: "http", lines: ["balance hash src", "hash-type consistent", "option redispatch"], servers: refusing(dead3!) }));
  if (ipv6) gens.push(gen({ name: "be_dualstack", mode: mode(), bind: ":::PORT v4v6", lines: [`balance ${pick(["source", "hash src"])}`, `hash-type ${pick(HASH_TYPES.slice(0, 6))}`], servers: randomServers(pool, 3 + rng.int(5)).map((s) => ({ ...s, backup: false })) }));
  // Bounded load: raw keys (no avalanche) put every 127/8 client on few nodes; held connections spill clockwise.
  gens.push(gen({ name: "be_factor", mode: "tcp", hold: true, lines: ["balance source", "hash-type consistent sdbm", "hash-balance-factor 150"], servers: randomServers(pool, 5).map((s) => ({ ...s, backup: false, disabled: false, weight: 1 + rng.int(3) })) }));
  // Runtime commands after a first round.
  const live = randomServers(pool, 6).map((s, i) => ({ ...s, backup: false, disabled: i === 5, weight: 1 + rng.int(6) }));
  gens.push(gen({
    name: "be_runtime", mode: mode(), lines: ["balance source", `hash-type ${pick(HASH_TYPES.slice(0, 6))}`], servers: live,
    ops: [{ op: "set weight", server: "s1", weight: 1 + rng.int(12) }, { op: "disable server", server: "s2" }, { op: "set weight", server: "s3", weight: 0 }, { op: "enable server", server: "s6" }],
  }));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-haproxy-real-"));
  cfg = cfgText(gens);
  haproxy = await startHaproxy(dir, cfg, gens.map((g) => g.port));
  // Let the first health checks (inter 100ms, fall 1) mark the dead server down.
  await new Promise((r) => setTimeout(r, 600));
});

afterAll(async () => {
  for (const s of held) s.destroy();
  await haproxy?.stop();
  await backends?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Connections from random clients to a backend's frontend, concurrently; each answer against route(). */
async function round(g: Gen, ops?: HaproxyOperation[]): Promise<number> {
  const be = system(cfg, g, ops);
  const clients = Array.from({ length: CLIENTS }, clientAddress);
  const answers = await limited(12, clients.map((src) => () => request(src, "127.0.0.1", g.port)));
  clients.forEach((src, i) => {
    const want = be.route({ src, dst: "127.0.0.1", sport: 1, dport: g.port, proto: "tcp" });
    expect({ seed: SEED, backend: g.name, src, answered: answers[i]!.body }).toEqual({ seed: SEED, backend: g.name, src, answered: want.backend });
  });
  return answers.filter((a) => a.body !== null).length;
}

describe(`haproxy system vs the real haproxy binary (seed ${SEED})`, () => {
  it("random backends: weights, ids, backups, disabled servers, source and hash src, consistent and map-based", async () => {
    let answered = 0;
    for (const g of gens.filter((x) => x.name.startsWith("be_rand"))) answered += await round(g);
    expect(answered).toBeGreaterThan(0);
  });

  it("a checked dead server is out; a refusing one is redispatched (or not) as retries and redispatch say", async () => {
    for (const name of ["be_checkdown", "be_redispatch1", "be_redispatch_last"]) await round(gens.find((g) => g.name === name)!);
  });

  it("IPv4 clients on a dual-stack listener are keyed as ::ffff:a.b.c.d, and ::1 as itself", async (ctx) => {
    if (!ipv6) {
      console.warn("haproxy.real: no IPv6 loopback here; the dual-stack listener is not tested");
      ctx.skip();
    }
    const g = gens.find((x) => x.name === "be_dualstack")!;
    await round(g);
    const be = system(cfg, g);
    const r = await request("::1", "::1", g.port);
    expect(r.body).toBe(be.route({ src: "::1", dst: "::1", sport: 1, dport: g.port, proto: "tcp" }).backend);
  });

  it("hash-balance-factor with connections held open, in order", async () => {
    const g = gens.find((x) => x.name === "be_factor")!;
    const be = system(cfg, g);
    const loner = systems.haproxy({ ...haproxySystem.native!.parse(cfg, { name: g.name }) });
    let spilled = 0;
    for (let i = 0; i < 24; i++) {
      const src = clientAddress();
      const want = be.route({ src, dst: "127.0.0.1", sport: 1, dport: g.port, proto: "tcp", held_open: true });
      const got = await request(src, "127.0.0.1", g.port, true);
      if (got.socket) held.push(got.socket);
      expect({ seed: SEED, i, src, answered: got.body }).toEqual({ seed: SEED, i, src, answered: want.backend });
      if (want.backend !== loner.route({ src, dst: "127.0.0.1", sport: 1, dport: g.port, proto: "tcp" }).backend) spilled++;
    }
    // The bound was reached at least once (raw 127/8 keys sit on few nodes), or the test proves little.
    expect(spilled).toBeGreaterThan(0);
  });

  it("refuses what `haproxy -c` refuses and accepts what it accepts", () => {
    const files: [string, string[]][] = [
      ["weight 257", ["server a 127.0.0.1:1 weight 257"]],
      ["id 0", ["server a 127.0.0.1:1 id 0"]],
      ["a duplicate id", ["server a 127.0.0.1:1 id 4", "server b 127.0.0.1:2 id 4"]],
      ["a duplicate name", ["server a 127.0.0.1:1", "server a 127.0.0.1:2"]],
      ["hash-balance-factor 100", ["hash-balance-factor 100", "server a 127.0.0.1:1"]],
      ["hash-type consistent md5", ["hash-type consistent md5", "server a 127.0.0.1:1"]],
      ["the removed redispatch keyword", ["redispatch", "server a 127.0.0.1:1"]],
      ["weight 2x (atol)", ["server a 127.0.0.1:1 weight 2x"]],
      ["a name shared with an explicit id", ["server a 127.0.0.1:1", "server a 127.0.0.1:2 id 9"]],
      ["no server at all", []],
      ["hash-balance-factor 0", ["hash-balance-factor 0", "server a 127.0.0.1:1"]],
    ];
    for (const [what, lines] of files) {
      const text = ["defaults", "    timeout connect 1s", "    timeout client 1s", "    timeout server 1s", "frontend fe", "    bind 127.0.0.1:1", "    default_backend be", "backend be", "    balance source", ...lines.map((l) => `    ${l}`), ""].join("\n");
      const file = path.join(dir, "check.cfg");
      fs.writeFileSync(file, text);
      const binary = spawnSync("haproxy", ["-c", "-f", file], { encoding: "utf8" });
      let ours: unknown = null;
      try {
        systems.haproxy(haproxySystem.native!.parse(text, {}));
      } catch (e) {
        ours = e;
      }
      if (ours !== null) expect(ours, what).toBeInstanceOf(FlowpinError);
      expect({ what, refused: ours !== null }).toEqual({ what, refused: binary.status !== 0 });
    }
  });

  it("runtime commands on the stats socket: set weight, disable server, enable server", async () => {
    const g = gens.find((x) => x.name === "be_runtime")!;
    await round(g);
    for (const op of g.ops!) {
      const cmd = op.op === "set weight" ? `set weight ${g.name}/${op.server} ${op.weight}` : `${op.op} ${g.name}/${op.server}`;
      const reply = await statsCommand(path.join(dir, "haproxy.sock"), cmd);
      expect(reply.trim(), cmd).toBe("");
    }
    await round(g, g.ops);
  });
});
