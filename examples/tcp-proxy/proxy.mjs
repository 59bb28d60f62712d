#!/usr/bin/env node
// An L4 TCP proxy: every connection goes to the backend a Maglev table picks for the client's
// 5-tuple, hashed with a keyed FlowHasher. Several proxies given the same backends and key
// pick the same backend for the same connection without sharing any state, so a connection
// keeps its backend when ECMP or anycast moves it to another proxy. Backends are health-
// checked with TCP connects; when one goes down or comes back, a new table is built and
// swapped in (tables are immutable: connections already established keep their backend).
//
//   node proxy.mjs --listen 127.0.0.1:7000 --backends 10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 \
//     --key 0011223344556677 --vip 192.0.2.10:80
//
// Prints one JSON line per event (listening, health, table) on stdout.
import net from "node:net";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { FlowHasher, Maglev } from "flowpin";

/** "host:port" or "[v6]:port" → { host, port }. */
export function parseHostPort(text) {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m) throw new Error(`expected host:port, got ${JSON.stringify(text)}`);
  return { host: m[1], port: Number(m[2]) };
}

/**
 * Starts a proxy. Resolves once it listens.
 * @param {object} o
 * @param {{host: string, port: number}} o.listen
 * @param {{host: string, port: number}[]} o.backends  every proxy of a fleet lists the same
 * @param {Uint8Array} o.key  8-byte flow-hash key, a fleet secret (see below)
 * @param {{host: string, port: number}} [o.vip]  the service address clients connect to; hashed
 *   as the destination so proxies on different addresses agree (default: the local address)
 * @param {number} [o.interval]  health-check period, ms
 * @param {number} [o.fall]  consecutive failed checks that mark a backend down
 * @param {number} [o.rise]  consecutive good checks that mark it up again
 * @param {(event: object) => void} [o.log]
 */
export async function startProxy({ listen, backends, key, vip, interval = 1000, fall = 2, rise = 2, log = () => {} }) {
  // The key is what keeps a client from choosing source ports that all land on one backend
  // (hash flooding): generate it once per fleet and distribute it with the backend list.
  const hasher = new FlowHasher({ key });
  const byId = new Map(backends.map((b) => [`${b.host}:${b.port}`, { ...b, id: `${b.host}:${b.port}`, up: true, good: 0, bad: 0 }]));
  // Every backend starts up: a proxy that starts during an outage converges after `fall` checks.
  let table = new Maglev({ backends: [...byId.keys()].map((id) => ({ id })) });
  log({ event: "table", backends: table.backends.map((b) => b.id) });

  function swapTable() {
    const up = [...byId.values()].filter((b) => b.up).map((b) => ({ id: b.id }));
    if (up.length === 0) {
      table = undefined;
      log({ event: "table", backends: [] });
      return;
    }
    // withBackends reuses the permutations of backends that stay: only the down backend's
    // slots (and Maglev's small disruption) change hands.
    const next = table ? table.withBackends(up) : new Maglev({ backends: up });
    const moved = table ? Maglev.diff(table, next).moved : next.size;
    table = next;
    log({ event: "table", backends: next.backends.map((b) => b.id), movedSlots: moved });
  }

  function check(b) {
    return new Promise((resolve) => {
      const s = net.connect({ host: b.host, port: b.port });
      const done = (ok) => {
        s.destroy();
        resolve(ok);
      };
      s.setTimeout(interval, () => done(false));
      s.once("connect", () => done(true));
      s.once("error", () => done(false));
    });
  }

  let checking = false;
  const timer = setInterval(async () => {
    if (checking) return; // a slow round must not overlap the next
    checking = true;
    let changed = false;
    const results = await Promise.all([...byId.values()].map(async (b) => [b, await check(b)]));
    for (const [b, ok] of results) {
      b.good = ok ? b.good + 1 : 0;
      b.bad = ok ? 0 : b.bad + 1;
      if (b.up && b.bad >= fall) b.up = false;
      else if (!b.up && b.good >= rise) b.up = true;
      else continue;
      changed = true;
      log({ event: "health", backend: b.id, up: b.up });
    }
    if (changed) swapTable();
    checking = false;
  }, interval);

  const open = new Set();
  const server = net.createServer((client) => {
    open.add(client);
    client.once("close", () => open.delete(client));
    client.on("error", () => client.destroy());
    const lb = table;
    if (!lb) {
      client.destroy();
      return;
    }
    // The 5-tuple as every proxy of the fleet sees it: IPv4-mapped client addresses
    // (::ffff:a.b.c.d on a dual-stack socket) hash as IPv4.
    const flow = {
      src: client.remoteAddress,
      sport: client.remotePort,
      dst: vip?.host ?? client.localAddress,
      dport: vip?.port ?? client.localPort,
      proto: "tcp",
    };
    const target = byId.get(lb.pick(flow, hasher).id);
    const upstream = net.connect({ host: target.host, port: target.port });
    open.add(upstream);
    upstream.once("close", () => (open.delete(upstream), client.destroy()));
    upstream.on("error", () => upstream.destroy());
    client.once("close", () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, resolve);
  });
  const address = server.address();
  log({ event: "listening", host: address.address, port: address.port });

  return {
    address,
    table: () => table,
    close() {
      clearInterval(timer);
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function hexBytes(text) {
  if (!/^[0-9a-fA-F]{16}$/.test(text ?? "")) throw new Error("--key must be 16 hex digits (8 bytes); generate one per fleet");
  return Uint8Array.from(text.match(/../g), (h) => parseInt(h, 16));
}

async function main() {
  const { values } = parseArgs({
    options: {
      listen: { type: "string", default: "127.0.0.1:7000" },
      backends: { type: "string" },
      key: { type: "string", default: process.env.FLOWPIN_KEY },
      vip: { type: "string" },
      interval: { type: "string", default: "1000" },
      fall: { type: "string", default: "2" },
      rise: { type: "string", default: "2" },
    },
  });
  if (!values.backends) throw new Error("--backends host:port,host:port,... is required");
  const proxy = await startProxy({
    listen: parseHostPort(values.listen),
    backends: values.backends.split(",").map(parseHostPort),
    key: hexBytes(values.key),
    vip: values.vip ? parseHostPort(values.vip) : undefined,
    interval: Number(values.interval),
    fall: Number(values.fall),
    rise: Number(values.rise),
    log: (e) => console.log(JSON.stringify(e)),
  });
  for (const sig of ["SIGINT", "SIGTERM"]) process.once(sig, () => proxy.close().then(() => process.exit(0)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((e) => {
    console.error(`proxy: ${e.message}`);
    process.exit(2);
  });
}
