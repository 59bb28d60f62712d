/**
 * The TCP-connect check for healthCheck(), in the Node-only entry `flowpin/node`: it needs
 * node:net, and a platform-neutral entry that mentions node:net (even in a dynamic import)
 * cannot be bundled for a browser ("Could not resolve node:net"). Deno and Bun load it too.
 *
 * @example
 * import { Balancer, healthCheck } from "flowpin";
 * import { tcpCheck } from "flowpin/node";
 * const stop = healthCheck(lb, { interval: 1000, check: (id) => tcpCheck(id, 500) });
 */
import { connect } from "node:net";
import { flowpinError, show } from "../errors.js";
import { int } from "../validate.js";

/**
 * Resolves true when a TCP connection to `target` ("host:port" or "[v6]:port") opens within
 * `timeout` ms, else false (refused, unreachable, timed out). Never rejects for network
 * errors; throws FlowpinError INVALID_ADDRESS for a malformed target, OUT_OF_RANGE for a bad
 * timeout.
 * @example await tcpCheck("127.0.0.1:9001", 500)
 */
export async function tcpCheck(target: string, timeout = 1000): Promise<boolean> {
  const m = typeof target === "string" ? (/^\[([^\]]+)\]:(\d+)$/.exec(target) ?? /^([^:[\]]+):(\d+)$/.exec(target)) : null;
  if (!m || Number(m[2]) > 65535) throw flowpinError("INVALID_ADDRESS", `target must be "host:port" or "[v6]:port", got ${show(target)}`);
  int("timeout", timeout, 1, 2 ** 31 - 1);
  return new Promise((resolve) => {
    const s = connect({ host: m[1]!, port: Number(m[2]) });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeout, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}
