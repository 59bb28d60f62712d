// examples/tcp-proxy (on flowpin's Balancer): three echo backends and two independent proxy
// processes on loopback.
// The same 5-tuple (fixed client source ports, the fleet's VIP as destination) reaches the
// same backend through either proxy, as the library predicts; after one backend is killed,
// both proxies swap tables and only that backend's connections move (plus any flow on a slot
// Maglev's tiny disruption moves, predicted by the same tables and asserted exactly).
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowHasher, Maglev } from "../../src/index.js";
import { startScript, type Proc } from "./processes.js";
import { freePort } from "../runtimes/harness.js";

const root = path.resolve(import.meta.dirname, "../..");
const dir = path.join(root, "examples", "tcp-proxy");
const KEY = "5eed0f1a2b3c4d5e";
const VIP = { host: "192.0.2.10", port: 7000 };
const FLOWS = 30;

const start = (script: string, args: string[]): Proc => startScript(dir, script, args);

/** Waits (bounded) for an event matching `pred`. */
async function waitEvent(p: Proc, pred: (e: Record<string, unknown>) => boolean, ms = 10_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const hit = p.events.find(pred);
    if (hit) return hit;
    if (p.child.exitCode !== null) throw new Error(`process exited (${p.child.exitCode}):\n${p.output}`);
    if (Date.now() > deadline) throw new Error(`no matching event within ${ms} ms:\n${p.output}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * One connection from 127.0.0.1:sport through a proxy: reads the backend's greeting, checks
 * the echo, then resets (RST, no TIME_WAIT) so the same source port can connect again.
 */
function connectOnce(proxyPort: number, sport: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port: proxyPort, localAddress: "127.0.0.1", localPort: sport });
    const msg = `ping ${sport}\n`;
    let data = "";
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`connection from ${sport} timed out; got ${JSON.stringify(data)}`))), 5000);
    s.once("connect", () => s.write(msg));
    s.on("data", (d: Buffer) => {
      data += d;
      const nl = data.indexOf("\n");
      if (nl >= 0 && data.slice(nl + 1) === msg) {
        clearTimeout(timer);
        s.resetAndDestroy();
        resolve(data.slice(0, nl));
      }
    });
    s.once("error", (e) => (clearTimeout(timer), reject(e)));
    s.once("close", () => (clearTimeout(timer), reject(new Error(`closed before the echo from ${sport}; got ${JSON.stringify(data)}`))));
  });
}

describe("examples/tcp-proxy", () => {
  const procs: Proc[] = [];
  const backends: { name: string; port: number; proc: Proc }[] = [];
  const proxies: number[] = [];
  const sports: number[] = [];

  beforeAll(async () => {
    for (const name of ["b1", "b2", "b3"]) {
      const proc = start("echo-backend.mjs", ["--listen", "127.0.0.1:0", "--name", name]);
      procs.push(proc);
      const e = await waitEvent(proc, (x) => x.event === "listening");
      backends.push({ name, port: e.port as number, proc });
    }
    const list = backends.map((b) => `127.0.0.1:${b.port}`).join(",");
    for (let i = 0; i < 2; i++) {
      const proc = start("proxy.mjs", ["--listen", "127.0.0.1:0", "--backends", list, "--key", KEY, "--vip", `${VIP.host}:${VIP.port}`, "--interval", "100", "--fall", "2", "--rise", "2"]);
      procs.push(proc);
      proxies.push((await waitEvent(proc, (x) => x.event === "listening")).port as number);
    }
    // Client source ports the OS just had free: the 5-tuples of the test.
    while (sports.length < FLOWS) {
      const p = await freePort();
      if (!sports.includes(p)) sports.push(p);
    }
  });

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  });

  const flowOf = (sport: number) => ({ src: "127.0.0.1", sport, dst: VIP.host, dport: VIP.port, proto: "tcp" as const });
  const nameOf = (id: string) => backends.find((b) => `127.0.0.1:${b.port}` === id)!.name;
  const through = async (proxy: number) => {
    const out: string[] = [];
    for (const sport of sports) out.push(await connectOnce(proxy, sport)); // sequential: bounded, no port clash
    return out;
  };

  it("both proxies pick the same backend per 5-tuple, the one Maglev + FlowHasher predict; a killed backend's flows, and only those, move", async () => {
    const hasher = new FlowHasher({ key: Uint8Array.from(KEY.match(/../g)!, (h) => parseInt(h, 16)) });
    const before = new Maglev({ backends: backends.map((b) => ({ id: `127.0.0.1:${b.port}` })) });
    const predicted1 = sports.map((s) => nameOf(before.pick(flowOf(s), hasher).id));

    const a1 = await through(proxies[0]!);
    const b1 = await through(proxies[1]!);
    expect(a1).toEqual(b1);
    expect(a1).toEqual(predicted1);
    expect(new Set(a1).size, `${FLOWS} flows over 3 backends`).toBeGreaterThanOrEqual(2);

    // Kill the backend with the most flows, then wait for both proxies' health checks.
    const counts = new Map<string, number>();
    for (const n of a1) counts.set(n, (counts.get(n) ?? 0) + 1);
    const victim = backends.find((b) => b.name === [...counts].sort((x, y) => y[1] - x[1])[0]![0])!;
    victim.proc.child.kill("SIGKILL");
    const survivors = backends.filter((b) => b !== victim).map((b) => `127.0.0.1:${b.port}`);
    for (const proxy of procs.slice(3)) {
      await waitEvent(proxy, (e) => e.event === "table" && Array.isArray(e.backends) && e.backends.length === 2 && !e.backends.includes(`127.0.0.1:${victim.port}`));
    }

    const after = before.withBackends(survivors.map((id) => ({ id })));
    const predicted2 = sports.map((s) => nameOf(after.pick(flowOf(s), hasher).id));
    const a2 = await through(proxies[0]!);
    const b2 = await through(proxies[1]!);
    expect(a2).toEqual(b2);
    expect(a2).toEqual(predicted2);
    expect(a2).not.toContain(victim.name);

    // Flows that moved: exactly those that were on the victim, plus those on slots that
    // Maglev moves between two surviving backends (its disruption, ~0.03% of slots here).
    const disrupted = sports.filter((_, i) => a1[i] !== victim.name && predicted2[i] !== a1[i]);
    const moved = sports.filter((_, i) => a1[i] !== a2[i]);
    const onVictim = sports.filter((_, i) => a1[i] === victim.name);
    expect(moved.sort()).toEqual([...onVictim, ...disrupted].sort());
    console.log(`tcp-proxy: ${FLOWS} flows, ${onVictim.length} on ${victim.name} moved, ${FLOWS - onVictim.length - disrupted.length} stayed, ${disrupted.length} moved by Maglev disruption (table diff: ${Maglev.diff(before, after).disruption.moved} of ${before.size} slots)`);
  });

  it("drain on SIGTERM: the backend's open connection keeps echoing, new connections go elsewhere", async () => {
    const live = backends.filter((b) => b.proc.child.exitCode === null && b.proc.child.signalCode === null);
    const target = live[0]!;
    // Hold one connection open to the target through proxy 0 (find a source port it owns).
    const hasher = new FlowHasher({ key: Uint8Array.from(KEY.match(/../g)!, (h) => parseInt(h, 16)) });
    const table = new Maglev({ backends: live.map((b) => ({ id: `127.0.0.1:${b.port}` })) });
    const mine = sports.find((s) => table.pick(flowOf(s), hasher).id === `127.0.0.1:${target.port}`)!;
    expect(mine, "a test flow on the target").toBeDefined();
    const held = net.connect({ host: "127.0.0.1", port: proxies[0]!, localAddress: "127.0.0.1", localPort: mine });
    let got = "";
    held.on("data", (d: Buffer) => (got += d));
    await new Promise((r) => held.once("connect", r));
    const until = async (pred: () => boolean) => {
      const end = Date.now() + 10_000;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out; got ${JSON.stringify(got)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until(() => got === `${target.name}\n`);
    target.proc.child.kill("SIGTERM");
    for (const proxy of procs.slice(3)) await waitEvent(proxy, (e) => e.event === "drain" && e.backend === `127.0.0.1:${target.port}`);
    held.write("still here\n");
    await until(() => got.endsWith("still here\n"));
    const others = sports.filter((s) => s !== mine);
    const seen: string[] = [];
    for (const s of others) seen.push(await connectOnce(proxies[1]!, s));
    expect(seen).not.toContain(target.name);
    held.destroy();
    console.log(`tcp-proxy drain: the open connection to ${target.name} kept echoing; ${others.length} new connections, 0 to the draining backend`);
  });
});
