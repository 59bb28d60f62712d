#!/usr/bin/env node
// A backend for trying the proxy: greets each connection with its name on one line, then
// echoes what it receives. On SIGTERM it drains: it greets "<name> draining" (the proxy's
// health check then drains it), keeps serving its open connections, and exits when the last
// one closes (or after --grace ms).   node echo-backend.mjs --listen 127.0.0.1:9001 --name b1
import net from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { listen: { type: "string", default: "127.0.0.1:0" }, name: { type: "string", default: "backend" }, grace: { type: "string", default: "30000" } } });
const [host, port] = [values.listen.slice(0, values.listen.lastIndexOf(":")), Number(values.listen.slice(values.listen.lastIndexOf(":") + 1))];

let draining = false;
const open = new Set();
const server = net.createServer((socket) => {
  open.add(socket);
  socket.once("close", () => {
    open.delete(socket);
    if (draining && open.size === 0) process.exit(0);
  });
  socket.on("error", () => socket.destroy());
  socket.write(`${values.name}${draining ? " draining" : ""}\n`);
  socket.pipe(socket);
});
server.listen(port, host, () => console.log(JSON.stringify({ event: "listening", name: values.name, port: server.address().port })));
process.once("SIGTERM", () => {
  draining = true;
  console.log(JSON.stringify({ event: "draining", name: values.name, open: open.size }));
  setTimeout(() => process.exit(0), Number(values.grace)).unref();
});
