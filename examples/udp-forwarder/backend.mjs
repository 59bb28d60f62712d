#!/usr/bin/env node
// A UDP backend for the forwarder example: records which flows it sees, one JSON line per
// datagram ({"event":"seen","name":...,"flow":"<client address>:<client port>"}).
import dgram from "node:dgram";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { listen: { type: "string", default: "127.0.0.1:0" }, name: { type: "string", default: "backend" } } });
const at = values.listen.lastIndexOf(":");
const sock = dgram.createSocket("udp4");
sock.on("message", (msg) => {
  const text = msg.toString();
  console.log(JSON.stringify({ event: "seen", name: values.name, flow: text.slice(0, text.indexOf("|")), data: text.slice(text.indexOf("|") + 1) }));
});
sock.bind(Number(values.listen.slice(at + 1)), values.listen.slice(0, at), () => console.log(JSON.stringify({ event: "listening", name: values.name, port: sock.address().port })));
process.once("SIGTERM", () => process.exit(0));
