/**
 * Health checking stays pluggable: anything that calls `balancer.report(id, up)` is a health
 * checker. This module ships the small one most proxies need: a TCP connect per backend every
 * `interval` ms, `fall` failures in a row mark it down, `rise` successes mark it up again.
 * node:net is imported on first use only, so the library still loads where it is missing
 * (Workers, browsers).
 *
 * @example
 * import { Balancer, healthCheck, tcpCheck } from "flowpin";
 * const stop = healthCheck(lb, { interval: 1000, check: (id) => tcpCheck(id, 500) });
 * // later: stop();
 */
import { flowpinError, show } from "../errors.js";
import { int, knownFields, object } from "../validate.js";
import type { Balancer } from "./balancer.js";

/**
 * Resolves true when a TCP connection to `target` ("host:port" or "[v6]:port") opens within
 * `timeout` ms, else false (refused, unreachable, timed out). Never rejects for network errors.
 * @example await tcpCheck("127.0.0.1:9001", 500)
 */
export async function tcpCheck(target: string, timeout = 1000): Promise<boolean> {
  const m = typeof target === "string" ? (/^\[([^\]]+)\]:(\d+)$/.exec(target) ?? /^([^:[\]]+):(\d+)$/.exec(target)) : null;
  if (!m || Number(m[2]) > 65535) throw flowpinError("INVALID_ADDRESS", `target must be "host:port" or "[v6]:port", got ${show(target)}`);
  int("timeout", timeout, 1, 2 ** 31 - 1);
  const net = await import("node:net");
  return new Promise((resolve) => {
    const s = net.connect({ host: m[1]!, port: Number(m[2]) });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeout, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

export interface HealthCheckOptions {
  /** Period between rounds, ms (default 1000). */
  interval?: number;
  /** Consecutive failures that mark a backend down (default 2). */
  fall?: number;
  /** Consecutive successes that mark it up again (default 2). */
  rise?: number;
  /** The check of one backend (default: tcpCheck(id, interval)); ids are "host:port" then. */
  check?: (id: string) => Promise<boolean>;
}

/**
 * Runs checks against every backend of `lb` in rounds (a slow round never overlaps the next)
 * and reports changes with lb.report(). Returns the function that stops it.
 * @example const stop = healthCheck(lb, { interval: 500, fall: 2, rise: 2 })
 */
export function healthCheck(lb: Balancer, options: HealthCheckOptions = {}): () => void {
  const o = object("health check options", options);
  knownFields("health check options", o, ["interval", "fall", "rise", "check"]);
  const interval = o.interval === undefined ? 1000 : int("interval", o.interval, 1, 2 ** 31 - 1);
  const fall = o.fall === undefined ? 2 : int("fall", o.fall, 1, 1000);
  const rise = o.rise === undefined ? 2 : int("rise", o.rise, 1, 1000);
  if (o.check !== undefined && typeof o.check !== "function") throw flowpinError("INVALID_TYPE", `check must be a function (id) => Promise<boolean>, got ${show(o.check)}`);
  const check = (o.check as HealthCheckOptions["check"]) ?? ((id: string) => tcpCheck(id, interval));
  const streak = new Map<string, { good: number; bad: number }>();
  let running = false;
  let stopped = false;
  const timer = setInterval(async () => {
    if (running || stopped) return;
    running = true;
    try {
      const list = lb.backends;
      const results = await Promise.all(list.map(async (b) => [b, await check(b.id).catch(() => false)] as const));
      for (const [b, ok] of results) {
        if (stopped) break;
        const s = streak.get(b.id) ?? { good: 0, bad: 0 };
        s.good = ok ? s.good + 1 : 0;
        s.bad = ok ? 0 : s.bad + 1;
        streak.set(b.id, s);
        // The backend may have been removed while the round ran.
        if (!lb.backends.some((x) => x.id === b.id)) continue;
        if (b.state !== "down" && s.bad >= fall) lb.report(b.id, false);
        else if (b.state === "down" && s.good >= rise) lb.report(b.id, true);
      }
    } finally {
      running = false;
    }
  }, interval);
  (timer as { unref?: () => void }).unref?.();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
