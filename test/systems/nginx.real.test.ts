// flowpin's nginx system against the real nginx binary (Debian's nginx 1.22 with the stream
// module, installed by scripts/install-servers.sh): generated upstreams (random server counts,
// weights, down and backup servers, refusing backends, both key forms, consistent and modulo
// hash and plain round robin, http and stream, IPv4 and dual-stack listeners, host names) in
// one nginx.conf; connections from many 127.x.y.z source addresses, one after another; the
// backend that answered each one must be the one route() names. The flowpin side reads the
// same nginx.conf with the system's own reader. Loopback only, bounded: ~300 connections.
// Without nginx the test fails and says why; it never passes silently.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemDefinition, systems } from "../../src/index.js";
import type { NginxConfig } from "../../src/systems/nginx/index.js";
import { systemResolve } from "../../src/systems/nginx/resolve.js";
import { Rng } from "../rng.js";
import { ensureNginx, freePort, hasIpv6Loopback, request, startBackend, startNginx, type Backend, type Nginx } from "../servers/nginx.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SEED = Number(process.env.FLOWPIN_NGINX_SEED ?? 20260117);
const CONNECTIONS = 30;

interface Shape {
  module: "http" | "stream";
  key: string | null;
  consistent: boolean;
  dualStack?: boolean;
  backups?: boolean;
  dead?: boolean;
  single?: boolean;
  names?: boolean;
  /** Every primary down: round robin over the backups after 20 ring points. */
  primariesDown?: boolean;
}

// Every behaviour at least once; the details (counts, weights, which are down) come from the seed.
const SHAPES: Shape[] = [
  { module: "http", key: "$remote_addr", consistent: true },
  { module: "stream", key: "$remote_addr$remote_port", consistent: true },
  { module: "http", key: "$remote_addr$remote_port", consistent: true, dualStack: true },
  { module: "stream", key: "$remote_addr", consistent: true, backups: true },
  { module: "http", key: "$remote_addr", consistent: false },
  { module: "stream", key: "$remote_addr$remote_port", consistent: false, dead: true },
  { module: "http", key: null, consistent: false, backups: true },
  { module: "stream", key: "$remote_addr", consistent: true, dead: true },
  { module: "http", key: "$remote_addr", consistent: true, single: true },
  { module: "stream", key: "$remote_addr", consistent: true, names: true, dualStack: true },
  { module: "http", key: "$remote_addr$remote_port", consistent: true, backups: true, primariesDown: true },
];

/** Fisher-Yates with the seeded generator. */
function shuffle<T>(rng: Rng, list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Upstream {
  name: string;
  shape: Shape;
  port: number;
  text: string;
  dead: Set<string>;
}

describe("nginx system against the real nginx binary", () => {
  const rng = new Rng(SEED);
  let nginx: Nginx | undefined;
  const backends: Backend[] = [];
  const upstreams: Upstream[] = [];
  let version = "";
  let ipv6 = false;

  beforeAll(async () => {
    const found = ensureNginx(REPO);
    version = found.version;
    ipv6 = hasIpv6Loopback();
    for (let i = 0; i < 10; i++) backends.push(await startBackend());
    const deadPorts = [await freePort(), await freePort()];
    // "localhost:PORT" only where the system resolver gives exactly the address backends listen on.
    let localhostOk = false;
    try {
      localhostOk = systemResolve("localhost", "localhost").join() === "127.0.0.1";
    } catch {
      localhostOk = false;
    }
    const http: string[] = [];
    const stream: string[] = [];
    for (const [u, shape] of SHAPES.entries()) {
      const name = `u${u}_${shape.module}`;
      const port = await freePort();
      const dual = shape.dualStack === true && ipv6;
      const count = shape.single ? 1 : 3 + rng.int(6);
      const pool = shuffle(rng, backends);
      const lines: string[] = [];
      const dead = new Set<string>();
      for (let i = 0; i < count; i++) {
        const port = Number(pool[i]!.address.split(":")[1]);
        let server = shape.names && localhostOk && rng.int(2) === 0 ? `localhost:${port}` : `127.0.0.1:${port}`;
        const params: string[] = [];
        if (rng.int(3) === 0) params.push(`weight=${2 + rng.int(3)}`);
        const backup = shape.backups === true && i >= count - 2;
        if (shape.dead && i === 1) {
          server = `127.0.0.1:${deadPorts[u % 2]}`;
          dead.add(server);
          // A heavy refusing server gets enough connections to show the failure path.
          params.splice(0, params.length, "weight=3");
          if (rng.int(2) === 0) params.push("max_fails=2");
        } else if ((shape.primariesDown && !backup) || (!shape.single && i > 0 && rng.int(5) === 0)) {
          params.push("down");
        }
        if (backup) params.push("backup");
        lines.push(`        server ${server}${params.length ? ` ${params.join(" ")}` : ""};`);
      }
      const hash = shape.key === null ? [] : [`        hash ${shape.key}${shape.consistent ? " consistent" : ""};`];
      // nginx 1.22.1 accepts "backup" only on server lines before the hash directive.
      const body = shape.backups ? [...lines, ...hash] : [...hash, ...lines];
      const listen = dual ? `[::]:${port} ipv6only=off` : `127.0.0.1:${port}`;
      const block = `    upstream ${name} {\n${body.join("\n")}\n    }\n`;
      const server =
        shape.module === "http"
          ? `    server {\n        listen ${listen};\n        location / {\n            proxy_pass http://${name};\n        }\n    }\n`
          : `    server {\n        listen ${listen};\n        proxy_pass ${name};\n    }\n`;
      (shape.module === "http" ? http : stream).push(block + server);
      upstreams.push({ name, shape, port, text: "", dead });
    }
    const sections = { http: http.join(""), stream: stream.join("") };
    nginx = await startNginx(found.binary, found.streamModule, sections, await freePort());
    const conf = `http {\n${sections.http}}\nstream {\n${sections.stream}}\n`;
    for (const u of upstreams) u.text = conf;
  }, 120_000);

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  it("runs the real nginx with its stream module", () => {
    console.log(`nginx real-binary test: ${version}, seed ${SEED}, IPv6 loopback ${ipv6 ? "yes" : "no (dual-stack listeners become IPv4)"}`);
    expect(version).toMatch(/nginx\/1\.\d+/);
    expect(nginx?.pid).toBeGreaterThan(0);
  });

  for (const [u, shape] of SHAPES.entries()) {
    const what = `${shape.module}, ${shape.key === null ? "round robin" : `hash ${shape.key}${shape.consistent ? " consistent" : ""}`}${shape.dualStack ? ", dual-stack listener" : ""}${shape.backups ? ", backups" : ""}${shape.dead ? ", a refusing backend" : ""}${shape.single ? ", one server" : ""}${shape.names ? ", host names" : ""}`;
    it(`upstream ${u}: ${what}: ${CONNECTIONS} connections, each to the backend route() names`, async () => {
      const up = upstreams[u]!;
      const config: NginxConfig = systemDefinition("nginx").native!.parse(up.text, { name: up.name });
      for (const s of config.servers) if (up.dead.has(s.server)) s.listening = false;
      const model = systems.nginx(config);
      const withPort = shape.key?.includes("$remote_port") === true;
      const mismatches: string[] = [];
      const used = new Set<string>();
      const seen = new Map<string, number>();
      for (let i = 0; i < CONNECTIONS; i++) {
        let src: string;
        let sport: number;
        do {
          src = `127.${1 + rng.int(254)}.${rng.int(256)}.${1 + rng.int(254)}`;
          sport = withPort ? 20000 + rng.int(40000) : 0;
        } while (used.has(`${src}:${sport}`));
        used.add(`${src}:${sport}`);
        const answer = await request(up.port, src, sport);
        const flow = { src, dst: "127.0.0.1", sport: answer.sport, dport: up.port, proto: 6 };
        const r = model.route(flow);
        const tag = `${r.reason}→${answer.backend ?? answer.status}`;
        seen.set(tag, (seen.get(tag) ?? 0) + 1);
        if (r.backend !== answer.backend) mismatches.push(`connection ${i} ${src}:${answer.sport}: nginx ${answer.backend ?? answer.status}, flowpin ${r.backend} (${r.reason}, key ${r.key}, point ${r.slot})`);
      }
      console.log(`${up.name}: ${[...seen].map(([k, n]) => `${k} ×${n}`).join(", ")}`);
      expect(mismatches, `${up.name} (seed ${SEED}):\n${config.upstream_text}\nlisten ${config.listen}\n${nginx?.log().slice(-2000)}`).toEqual([]);
    });
  }
});
