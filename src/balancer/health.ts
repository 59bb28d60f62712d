/**
 * Health checking stays pluggable: anything that calls `balancer.report(id, up)` is a health
 * checker. This module ships the loop most proxies need, platform neutral: your check of one
 * backend every `interval` ms, `fall` failures in a row mark it down, `rise` successes mark it
 * up again. The check is yours (an HTTP probe, an agent's answer) or, on Node, Deno and Bun,
 * the TCP connect of `flowpin/node` (tcpCheck), which lives there because it needs node:net.
 *
 * @example
 * import { Balancer, healthCheck } from "flowpin";
 * import { tcpCheck } from "flowpin/node";
 * const stop = healthCheck(lb, { interval: 1000, check: (id) => tcpCheck(id, 500) });
 * // later: stop();
 */
import { flowpinError, show } from "../errors.js";
import { int, knownFields, object } from "../validate.js";
import type { Balancer } from "./balancer.js";

export interface HealthCheckOptions {
  /** Period between rounds, ms (default 1000). */
  interval?: number;
  /** Consecutive failures that mark a backend down (default 2). */
  fall?: number;
  /** Consecutive successes that mark it up again (default 2). */
  rise?: number;
  /**
   * The check of one backend: resolves true when it is up (a rejection counts as down). On
   * Node: `(id) => tcpCheck(id, 500)` from "flowpin/node", with ids "host:port".
   */
  check: (id: string) => Promise<boolean>;
}

/**
 * Runs checks against every backend of `lb` in rounds (a slow round never overlaps the next)
 * and reports changes with lb.report(). Returns the function that stops it.
 * @example const stop = healthCheck(lb, { interval: 500, fall: 2, rise: 2, check: (id) => myProbe(id) })
 */
export function healthCheck(lb: Balancer, options: HealthCheckOptions): () => void {
  const o = object("health check options", options);
  knownFields("health check options", o, ["interval", "fall", "rise", "check"]);
  const interval = o.interval === undefined ? 1000 : int("interval", o.interval, 1, 2 ** 31 - 1);
  const fall = o.fall === undefined ? 2 : int("fall", o.fall, 1, 1000);
  const rise = o.rise === undefined ? 2 : int("rise", o.rise, 1, 1000);
  if (typeof o.check !== "function") throw flowpinError("INVALID_TYPE", `check must be a function (id) => Promise<boolean> (on Node, tcpCheck from "flowpin/node"), got ${show(o.check)}`);
  const check = o.check as HealthCheckOptions["check"];
  const streak = new Map<string, { good: number; bad: number }>();
  let running = false;
  let stopped = false;
  const timer = setInterval(async () => {
    if (running || stopped) return;
    running = true;
    try {
      const list = lb.backends;
      // A check that throws, rejects or resolves anything but true counts as a failure, so a
      // buggy checker marks backends down instead of stopping the loop.
      const results = await Promise.all(list.map(async (b) => [b, await Promise.resolve().then(() => check(b.id)).then((v) => v === true, () => false)] as const));
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
