#!/usr/bin/env node
// A backend for trying the proxy: greets each connection with its name on one line, then
// echoes what it receives.   node echo-backend.mjs --listen 127.0.0.1:9001 --name b1
import net from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { listen: { type: "string", default: "127.0.0.1:0" }, name: { type: "string", default: "backend" } } });
const [host, port] = [values.listen.slice(0, values.listen.lastIndexOf(":")), Number(values.listen.slice(values.listen.lastIndexOf(":") + 1))];

const server = net.createServer((socket) => {
  socket.on("error", () => socket.destroy());
  socket.write(`${values.name}\n`);
  socket.pipe(socket);
});
server.listen(port, host, () => console.log(JSON.stringify({ event: "listening", name: values.name, port: server.address().port })));
