// Loopback plumbing for the real-HAProxy test: identity backends, free ports, a foreground
// haproxy process stopped by its pid, clients bound to chosen 127.x.y.z addresses, and the
// stats socket. Nothing listens beyond 127.0.0.1 / ::1.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/**
 * Backends on 127.0.0.1 answering each request with an HTTP response whose body is
 * "127.0.0.1:PORT". They leave the connection open: the client decides when it ends (a held
 * connection keeps counting on its server in HAProxy's tcp mode).
 */
export async function startBackends(n: number): Promise<{ ports: number[]; close(): Promise<void> }> {
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  for (let i = 0; i < n; i++) {
    const server = net.createServer((sock) => {
      sockets.add(sock);
      sock.on("close", () => sockets.delete(sock));
      sock.on("error", () => {});
      let got = "";
      sock.on("data", (d) => {
        got += d.toString("latin1");
        if (!got.includes("\r\n\r\n")) return;
        got = "";
        const body = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    servers.push(server);
  }
  return {
    ports: servers.map((s) => (s.address() as net.AddressInfo).port),
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}

/** Ports that were free a moment ago on 127.0.0.1 (for haproxy's listeners and for dead servers). */
export async function freePorts(n: number): Promise<number[]> {
  const held: net.Server[] = [];
  for (let i = 0; i < n; i++) {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
    held.push(s);
  }
  const ports = held.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(held.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

/** Whether ::1 can be bound here (for a dual-stack listener). */
export async function hasIpv6Loopback(): Promise<boolean> {
  const s = net.createServer();
  return new Promise((resolve) => {
    s.once("error", () => resolve(false));
    s.listen(0, "::1", () => s.close(() => resolve(true)));
  });
}

export interface Haproxy {
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** `haproxy -f cfg -db` in `dir`; resolves once every port in `ports` accepts connections. */
export async function startHaproxy(dir: string, cfg: string, ports: readonly number[]): Promise<Haproxy> {
  const file = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(file, cfg);
  const child: ChildProcess = spawn("haproxy", ["-f", file, "-db"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  let exited: number | null | undefined;
  const done = new Promise<void>((r) => child.once("exit", (code) => ((exited = code), r())));
  const h: Haproxy = {
    pid: child.pid!,
    output: () => out,
    stop: async () => {
      if (exited === undefined) process.kill(child.pid!, "SIGTERM");
      await Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
      if (exited === undefined) process.kill(child.pid!, "SIGKILL");
    },
  };
  const deadline = Date.now() + 10_000;
  for (const port of ports) {
    for (;;) {
      if (exited !== undefined) throw new Error(`haproxy exited (${exited}) before listening:\n${out}`);
      if (await accepts(port)) break;
      if (Date.now() > deadline) {
        await h.stop();
        throw new Error(`haproxy did not listen on 127.0.0.1:${port} within 10 s:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return h;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

/**
 * One connection from `src` (a 127.x.y.z the socket binds) to `host`:`port` carrying one
 * GET: the body of the answer (the backend's "ip:port"), or null when HAProxy gave no server
 * (503 in http mode, a closed connection in tcp mode).
 */
export function request(src: string, host: string, port: number, hold = false): Promise<{ body: string | null; socket: net.Socket | null }> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, localAddress: src });
    let got = "";
    let settled = false;
    const finish = (complete: boolean) => {
      if (settled) return;
      settled = true;
      const r = response(got);
      const body = complete && r && r.status === 200 ? r.body : null;
      const keep = hold && body !== null;
      if (!keep) s.destroy();
      resolve({ body, socket: keep ? s : null });
    };
    s.setTimeout(5000, () => {
      settled = true;
      s.destroy();
      reject(new Error(`no answer from ${host}:${port} for ${src}`));
    });
    s.on("connect", () => s.write("GET / HTTP/1.1\r\nHost: flowpin\r\n\r\n"));
    s.on("data", (d) => {
      got += d.toString("latin1");
      const r = response(got);
      if (r && r.length !== null && r.body.length >= r.length) finish(true);
    });
    s.on("end", () => finish(false));
    s.on("close", () => finish(false));
    s.on("error", () => finish(false));
  });
}

/** An HTTP/1.x response read so far: status, Content-Length (null if absent) and the body bytes so far. */
function response(text: string): { status: number; length: number | null; body: string } | null {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const head = text.slice(0, end);
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  if (!status) return null;
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  return { status: Number(status[1]), length: length ? Number(length[1]) : null, body: text.slice(end + 4) };
}

/** One command on the stats socket; resolves with the reply. */
export function statsCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    let out = "";
    s.on("connect", () => s.write(`${command}\n`));
    s.on("data", (d) => (out += d));
    s.on("end", () => resolve(out));
    s.on("error", reject);
  });
}

/** Runs `jobs` with at most `width` at a time, results in order. */
export async function limited<T>(width: number, jobs: readonly (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}
