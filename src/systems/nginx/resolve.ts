/**
 * The system resolver for `server NAME:PORT` lines, as nginx uses it at start (and on every
 * reload): ngx_inet_resolve_host asks getaddrinfo(NAME, AF_UNSPEC, SOCK_STREAM, AI_ADDRCONFIG)
 * and makes one peer per address, in the order returned (src/core/ngx_inet.c). Here that is
 * `getent ahosts NAME` (glibc's getaddrinfo through nsswitch: /etc/hosts, then DNS), run
 * synchronously where the host is Node (process.getBuiltinModule); elsewhere host names need
 * addresses from the caller.
 * @module
 */
import { flowpinError } from "../../errors.js";

type ExecFileSync = (file: string, args: string[], options: { encoding: "utf8"; timeout: number; stdio: ["ignore", "pipe", "ignore"] }) => string;

function execFileSync(): ExecFileSync | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const cp = p?.getBuiltinModule?.("node:child_process") as { execFileSync?: ExecFileSync } | undefined;
  return cp?.execFileSync;
}

/** The addresses (text, no port) the system resolver gives `host`, in getaddrinfo's order. */
export function systemResolve(host: string, server: string): string[] {
  const exec = execFileSync();
  if (!exec) {
    throw flowpinError("INVALID_CONFIG", `server ${JSON.stringify(server)}: host name ${JSON.stringify(host)} needs addresses, and this runtime has no system resolver flowpin can call synchronously; pass them with the addresses option`);
  }
  let out: string;
  try {
    out = exec("getent", ["ahosts", host], { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    throw flowpinError("INVALID_CONFIG", `server ${JSON.stringify(server)}: host not found in upstream (the system resolver, getent ahosts ${host}, gave no address); pass addresses with the addresses option`);
  }
  const seen: string[] = [];
  for (const line of out.split("\n")) {
    const [address, socktype] = line.trim().split(/\s+/);
    // getent lists each address once per socket type; nginx asks for SOCK_STREAM only.
    if (address && socktype === "STREAM" && !seen.includes(address)) seen.push(address);
  }
  if (seen.length === 0) throw flowpinError("INVALID_CONFIG", `server ${JSON.stringify(server)}: host not found in upstream (getent ahosts ${host} gave no address)`);
  return seen;
}
