#!/usr/bin/env node
// A stateless UDP forwarder: each datagram goes to the backend flowpin's Balancer picks for
// its 5-tuple (client address and port, the VIP, UDP), hashed with the fleet's secret key,
// and the flow is pinned in the forwarder's own connection table (idle timeout --timeout ms).
// Forwarders share nothing but the backend list and the key: any of them, receiving any
// datagram of a flow, sends it to the same backend, so a flow survives ECMP spreading its
// datagrams over several forwarders, or re-spreading them when one dies. The datagram reaches
// the backend prefixed with "<client address>:<client port>|" (a real forwarder would
// encapsulate, GUE or IP-in-IP, and the backend answer the client directly).
//
//   node forwarder.mjs --listen 127.0.0.1:0 --backends 127.0.0.1:9001,127.0.0.1:9002 --key 0011223344556677 --vip 192.0.2.10:53
//
// Reads fleet changes as JSON lines on stdin ({"remove": id} | {"drain": id} | {"add": id})
// and prints JSON events (listening, table) on stdout.
import dgram from "node:dgram";
import readline from "node:readline";
import { parseArgs } from "node:util";
import { Balancer } from "flowpin";

const { values } = parseArgs({
  options: {
    listen: { type: "string", default: "127.0.0.1:0" },
    backends: { type: "string" },
    key: { type: "string" },
    vip: { type: "string", default: "192.0.2.10:53" },
    size: { type: "string", default: "65537" },
    timeout: { type: "string", default: "60000" },
    name: { type: "string", default: "forwarder" },
  },
});
const hostPort = (t) => ({ host: t.slice(0, t.lastIndexOf(":")), port: Number(t.slice(t.lastIndexOf(":") + 1)) });
if (!values.backends || !/^[0-9a-f]{16}$/i.test(values.key ?? "")) {
  console.error("forwarder: --backends host:port,... and --key (16 hex digits) are required");
  process.exit(2);
}
const vip = hostPort(values.vip);
const lb = new Balancer({
  key: values.key,
  size: Number(values.size),
  backends: values.backends.split(",").map((id) => ({ id })),
  connections: { capacity: 65536, timeout: Number(values.timeout) },
});
lb.onChange((e) => console.log(JSON.stringify({ event: "table", name: values.name, moved: e.moved, backends: e.backends.map((b) => [b.id, b.state]) })));

const sock = dgram.createSocket("udp4");
sock.on("message", (msg, from) => {
  const flow = { src: from.address, sport: from.port, dst: vip.host, dport: vip.port, proto: "udp" };
  const id = lb.pickId(flow);
  if (id === null) return;
  const to = hostPort(id);
  sock.send(Buffer.concat([Buffer.from(`${from.address}:${from.port}|`), msg]), to.port, to.host);
});
sock.bind(hostPort(values.listen).port, hostPort(values.listen).host, () => console.log(JSON.stringify({ event: "listening", name: values.name, port: sock.address().port })));

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const c = JSON.parse(line);
  if (c.remove) lb.update({ remove: [c.remove] });
  if (c.drain) lb.drain(c.drain);
  if (c.add) lb.update({ add: [{ id: c.add }] });
});
process.once("SIGTERM", () => process.exit(0));
