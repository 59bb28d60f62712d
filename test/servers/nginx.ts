// Runs the real nginx binary on loopback for the real-binary tests: small Node backends that
// answer with their own address, a temporary prefix directory, one nginx master (started with
// -p/-c/-g, daemon off, one worker) and clients that connect from chosen 127.x.y.z addresses.
// Every process and socket started here is stopped by stop()/close(), by its pid or handle.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * Makes sure nginx and its stream module are installed (scripts/install-servers.sh installs
 * Debian's packages as root). Throws, with the installer's output, when they cannot be: the
 * real-binary tests must fail, never pass without nginx.
 */
export function ensureNginx(repo: string): { binary: string; streamModule: string; version: string } {
  try {
    execFileSync("bash", [path.join(repo, "scripts/install-servers.sh")], { stdio: ["ignore", "pipe", "pipe"], timeout: 600_000 });
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`nginx could not be installed (scripts/install-servers.sh failed): ${err.message}\n${err.stdout?.toString() ?? ""}${err.stderr?.toString() ?? ""}`);
  }
  const binary = execFileSync("bash", ["-c", "command -v nginx"], { encoding: "utf8" }).trim();
  const streamModule = "/usr/lib/nginx/modules/ngx_stream_module.so";
  if (!fs.existsSync(streamModule)) throw new Error(`nginx is installed but its stream module is not (${streamModule}): install libnginx-mod-stream`);
  // nginx -v writes to standard error.
  const version = execFileSync("bash", ["-c", `"${binary}" -v 2>&1`], { encoding: "utf8" }).trim();
  return { binary, streamModule, version };
}

/** Whether this host has ::1 (for dual-stack listeners). */
export function hasIpv6Loopback(): boolean {
  return Object.values(os.networkInterfaces()).some((list) => list?.some((a) => a.family === "IPv6" && a.address === "::1"));
}

/** A free TCP port on 127.0.0.1 (bound and released; nothing listens there afterwards). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve, reject) => s.listen(0, "127.0.0.1", resolve).once("error", reject));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A backend on 127.0.0.1 that answers any request with "HTTP/1.0 200" and its own address as the body. */
export interface Backend {
  readonly address: string;
  close(): Promise<void>;
}

export async function startBackend(): Promise<Backend> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let seen = "";
    socket.on("data", (d) => {
      seen += d.toString("latin1");
      if (!seen.includes("\r\n\r\n")) return;
      const body = address;
      socket.end(`HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    });
  });
  await new Promise<void>((resolve, reject) => server.listen(0, "127.0.0.1", resolve).once("error", reject));
  const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * One request through nginx from (src, sport): sport 0 lets the kernel choose. Resolves to the
 * backend address the response carried (null for a 502 or a closed stream) and the port used.
 */
export function request(port: number, src: string, sport: number): Promise<{ backend: string | null; sport: number; status: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress: src, ...(sport ? { localPort: sport } : {}) });
    let data = "";
    let localPort = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from nginx on port ${port} for ${src}:${sport}`));
    }, 8000);
    socket.on("connect", () => {
      localPort = socket.localPort ?? 0;
      socket.write("GET / HTTP/1.0\r\nHost: flowpin\r\nConnection: close\r\n\r\n");
    });
    socket.on("data", (d) => (data += d.toString("latin1")));
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const status = data.slice(0, data.indexOf("\r\n"));
      const body = data.slice(data.indexOf("\r\n\r\n") + 4);
      resolve({ backend: / 200 /.test(status) ? body : null, sport: localPort, status });
    });
  });
}

/** A running nginx master. */
export interface Nginx {
  readonly prefix: string;
  readonly pid: number;
  /** The error log so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts nginx on `conf` (the http/stream sections; load_module, events and the paths are
 * added) after `nginx -t` accepts it; resolves once `healthPort` answers.
 */
export async function startNginx(binary: string, streamModule: string, body: { http: string; stream: string }, healthPort: number): Promise<Nginx> {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-nginx-"));
  // Readable by the worker whatever user it runs as.
  fs.chmodSync(prefix, 0o755);
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `    ${t}_temp_path ${path.join(prefix, `${t}_temp`)};`).join("\n");
  const conf = `load_module ${streamModule};
${process.getuid?.() === 0 ? "user root;\n" : ""}worker_processes 1;
events {
    worker_connections 1024;
}
http {
    access_log off;
${temp}
    server {
        listen 127.0.0.1:${healthPort};
        location / {
            return 200 "ok";
        }
    }
${body.http}
}
stream {
${body.stream}
}
`;
  const confPath = path.join(prefix, "nginx.conf");
  fs.writeFileSync(confPath, conf);
  const errorLog = path.join(prefix, "error.log");
  const globals = `daemon off; pid ${path.join(prefix, "nginx.pid")}; error_log ${errorLog} notice;`;
  try {
    execFileSync(binary, ["-t", "-q", "-p", prefix, "-c", confPath, "-g", globals], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: Buffer };
    throw new Error(`nginx -t refused the generated configuration:\n${err.stderr?.toString() ?? ""}\n${conf}`);
  }
  const child: ChildProcess = spawn(binary, ["-p", prefix, "-c", confPath, "-g", globals], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const log = () => `${stderr}${fs.existsSync(errorLog) ? fs.readFileSync(errorLog, "utf8") : ""}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timeout = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timeout);
    }
    fs.rmSync(prefix, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited at start (code ${child.exitCode}):\n${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port: healthPort }, () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not come up within 10 s:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { prefix, pid: child.pid!, log, stop };
}
