#!/usr/bin/env node
// An L4 TCP proxy on flowpin's Balancer: each new connection goes to the backend the Maglev
// table picks for the client's 5-tuple (or, with --affinity client, for the client address:
// every connection of one client to one backend), hashed with the fleet's secret key, and is
// pinned in the Balancer's connection table until it closes. Backends are health-checked
// with TCP connects (flowpin/node's tcpCheck: down after --fall failures, up after --rise
// successes); like HAProxy's agent-check beside its health check, a second probe reads the
// backend's greeting, and one that greets with "<name> draining" (echo-backend.mjs after
// SIGTERM) is drained: its open connections carry on, new ones go elsewhere.
//
// What consistency buys a terminating proxy: the proxy owns each TCP socket, so a connection
// cannot survive being moved to another proxy (ECMP rehash, anycast shift): it breaks, as with
// any terminating proxy. What every proxy of the fleet agreeing does buy: a client (or a
// 5-tuple) reaches the same backend whichever proxy it lands on, so caches and sessions on
// the backends stay warm and sticky without shared state, and a backend change moves only
// that backend's clients. The cross-node "a flow keeps its backend" property holds for
// forwarders that do not terminate (UDP, packet level): see examples/udp-forwarder.
//
//   node proxy.mjs --listen 127.0.0.1:7000 --backends 10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 \
//     --key 0011223344556677 --vip 192.0.2.10:80 [--affinity tuple|client]
//
// Prints one JSON line per event (listening, health, table, drain) on stdout.
import net from "node:net";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { Balancer, healthCheck } from "flowpin";
// The TCP-connect check needs node:net, so it lives in the Node-only entry.
import { tcpCheck } from "flowpin/node";

/** "host:port" or "[v6]:port" → { host, port }. */
export function parseHostPort(text) {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m) throw new Error(`expected host:port, got ${JSON.stringify(text)}`);
  return { host: m[1], port: Number(m[2]) };
}

/** The agent check: the backend's greeting line says "draining" or not (null: no answer). */
function agent(target, timeout) {
  return new Promise((resolve) => {
    const s = net.connect(target);
    let data = "";
    const done = (draining) => (s.destroy(), resolve(draining));
    s.setTimeout(timeout, () => done(null));
    s.on("data", (d) => {
      data += d;
      if (data.includes("\n")) done(/ draining\n/.test(data));
    });
    s.once("error", () => done(null));
    s.once("close", () => done(null));
  });
}

/**
 * Starts a proxy. Resolves once it listens.
 * @param {object} o
 * @param {{host: string, port: number}} o.listen
 * @param {{host: string, port: number}[]} o.backends  every proxy of a fleet lists the same
 * @param {Uint8Array} o.key  8-byte flow-hash key, a fleet secret
 * @param {{host: string, port: number}} [o.vip]  the service address clients connect to;
 *   hashed as the destination so proxies on different addresses agree
 * @param {"tuple" | "client"} [o.affinity]  hash the 5-tuple (default) or the client address
 * @param {number} [o.interval]  health-check period, ms
 * @param {number} [o.fall]  consecutive failed checks that mark a backend down
 * @param {number} [o.rise]  consecutive good checks that mark it up again
 * @param {(event: object) => void} [o.log]
 */
export async function startProxy({ listen, backends, key, vip, affinity = "tuple", interval = 1000, fall = 2, rise = 2, log = () => {} }) {
  const byId = new Map(backends.map((b) => [`${b.host}:${b.port}`, b]));
  // The key keeps a client from choosing source ports that all land on one backend.
  const lb = new Balancer({ key, backends: [...byId.keys()].map((id) => ({ id })), connections: { capacity: 65536 } });
  lb.onChange((e) => log({ event: "table", backends: e.backends.filter((b) => b.after > 0).map((b) => b.id), moved: e.moved }));
  log({ event: "table", backends: [...byId.keys()] });

  // Health: a TCP connect per backend (up or down); then, for a live backend not yet
  // drained, the agent check: its greeting says whether it is draining.
  const drained = new Set();
  const stopHealth = healthCheck(lb, {
    interval,
    fall,
    rise,
    check: async (id) => {
      if (!(await tcpCheck(id, interval))) return false;
      if (!drained.has(id) && (await agent(byId.get(id), interval)) === true) {
        drained.add(id);
        lb.drain(id);
        log({ event: "drain", backend: id });
      }
      return true;
    },
  });
  lb.onChange((e) => {
    for (const b of e.backends) if (b.state === "down" || (b.state === "active" && b.before === 0 && b.after > 0)) log({ event: "health", backend: b.id, up: b.state !== "down" });
  });

  const open = new Set();
  const server = net.createServer((client) => {
    open.add(client);
    client.once("close", () => open.delete(client));
    client.on("error", () => client.destroy());
    // The 5-tuple as every proxy of the fleet sees it (IPv4-mapped addresses hash as IPv4).
    const flow = { src: client.remoteAddress, sport: client.remotePort, dst: vip?.host ?? client.localAddress, dport: vip?.port ?? client.localPort, proto: "tcp" };
    const input = affinity === "client" ? client.remoteAddress.replace(/^::ffff:/, "") : flow;
    const id = lb.pickId(input);
    if (id === null) {
      client.destroy();
      return;
    }
    const upstream = net.connect(byId.get(id));
    open.add(upstream);
    upstream.once("close", () => (open.delete(upstream), client.destroy()));
    upstream.on("error", () => upstream.destroy());
    // TCP close: the flow leaves the connection table (client-keyed pins stay: other
    // connections of the client may be open).
    client.once("close", () => (upstream.destroy(), affinity === "tuple" && lb.close(flow)));
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
    balancer: lb,
    close() {
      stopHealth();
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => (lb.dispose(), resolve())));
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
      affinity: { type: "string", default: "tuple" },
      interval: { type: "string", default: "1000" },
      fall: { type: "string", default: "2" },
      rise: { type: "string", default: "2" },
    },
  });
  if (!values.backends) throw new Error("--backends host:port,host:port,... is required");
  if (!["tuple", "client"].includes(values.affinity)) throw new Error("--affinity must be tuple or client");
  const proxy = await startProxy({
    listen: parseHostPort(values.listen),
    backends: values.backends.split(",").map(parseHostPort),
    key: hexBytes(values.key),
    vip: values.vip ? parseHostPort(values.vip) : undefined,
    affinity: values.affinity,
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
