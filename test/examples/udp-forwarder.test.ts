// examples/udp-forwarder: three forwarder processes sharing only the backend list and the key,
// four UDP backends recording the flows they see, and a client whose flows' datagrams are
// spread over the forwarders in rotation (the worst case of ECMP: every forwarder sees every
// flow), re-spread when a forwarder dies. Measured: flows split across backends when a
// forwarder dies (goal 0); flows moved when a backend is removed (its own, plus Maglev's
// needless moves, predicted here with Maglev + FlowHasher, and how many of those the
// forwarders' connection tables keep); flows moved when a backend is drained (goal 0).
// Loopback only; bounded counts; every process is killed at the end.
import dgram from "node:dgram";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowHasher, Maglev } from "../../src/index.js";
import { startScript, type Proc } from "./processes.js";

const root = path.resolve(import.meta.dirname, "../..");
const dir = path.join(root, "examples", "udp-forwarder");
const KEY = "0f1e2d3c4b5a6978";
const VIP = "192.0.2.10:53";
// A small table, so Maglev's needless moves (its disruption) show up among 150 flows.
const SIZE = 251;
const FLOWS = 150;

const start = (script: string, args: string[]): Proc => startScript(dir, script, args);

async function waitFor(what: string, pred: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("examples/udp-forwarder", () => {
  const procs: Proc[] = [];
  const backends: { name: string; id: string; proc: Proc }[] = [];
  const forwarders: { port: number; proc: Proc }[] = [];
  const clients: dgram.Socket[] = [];

  beforeAll(async () => {
    for (const name of ["b1", "b2", "b3", "b4"]) {
      const proc = start("backend.mjs", ["--listen", "127.0.0.1:0", "--name", name]);
      procs.push(proc);
      await waitFor(`${name} listening`, () => proc.events.some((e) => e.event === "listening"));
      backends.push({ name, id: `127.0.0.1:${proc.events[0]!.port}`, proc });
    }
    for (let i = 0; i < 3; i++) {
      const proc = start("forwarder.mjs", ["--listen", "127.0.0.1:0", "--backends", backends.map((b) => b.id).join(","), "--key", KEY, "--vip", VIP, "--size", String(SIZE), "--name", `f${i}`]);
      procs.push(proc);
      await waitFor(`f${i} listening`, () => proc.events.some((e) => e.event === "listening"));
      forwarders.push({ port: proc.events[0]!.port as number, proc });
    }
    for (let i = 0; i < FLOWS; i++) {
      const s = dgram.createSocket("udp4");
      await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
      clients.push(s);
    }
  });

  afterAll(() => {
    for (const s of clients) s.close();
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  });

  const flowId = (s: dgram.Socket) => `127.0.0.1:${s.address().port}`;
  const seen = () => backends.flatMap((b) => b.proc.events.filter((e) => e.event === "seen").map((e) => ({ backend: b.name, flow: e.flow as string, phase: e.data as string })));
  const alive = () => forwarders.filter((f) => f.proc.child.exitCode === null && f.proc.child.signalCode === null);

  /** Sends `per` datagrams of every flow, datagram j of flow i to live forwarder (i + j) mod n; returns flow → backends seen. */
  async function phase(tag: string, per: number): Promise<Map<string, Set<string>>> {
    const live = alive();
    for (let j = 0; j < per; j++) {
      clients.forEach((s, i) => s.send(tag, live[(i + j) % live.length]!.port, "127.0.0.1"));
      await new Promise((r) => setTimeout(r, 30));
    }
    const want = FLOWS * per;
    await waitFor(`${want} datagrams of ${tag}`, () => seen().filter((x) => x.phase === tag).length >= want);
    const out = new Map<string, Set<string>>();
    for (const x of seen()) if (x.phase === tag) (out.get(x.flow) ?? out.set(x.flow, new Set()).get(x.flow)!).add(x.backend);
    return out;
  }

  async function change(command: object): Promise<void> {
    const live = alive();
    const before = live.map((f) => f.proc.events.filter((e) => e.event === "table").length);
    for (const f of live) f.proc.child.stdin!.write(`${JSON.stringify(command)}\n`);
    await waitFor("every forwarder's table event", () => live.every((f, i) => f.proc.events.filter((e) => e.event === "table").length > before[i]!));
  }

  it("a forwarder dies: 0 flows split; a backend removed: its flows plus Maglev's needless moves (the connection tables keep those); drained: 0 existing flows moved", async () => {
    const hasher = new FlowHasher({ key: Uint8Array.from(KEY.match(/../g)!, (h) => parseInt(h, 16)) });
    const flowOf = (s: dgram.Socket) => ({ src: "127.0.0.1", sport: s.address().port, dst: "192.0.2.10", dport: 53, proto: "udp" as const });
    const name = (id: string) => backends.find((b) => b.id === id)!.name;
    const one = (m: Map<string, Set<string>>, s: dgram.Socket) => [...m.get(flowId(s))!][0]!;

    // Phase 1: three forwarders. Every flow reaches exactly one backend, the one Maglev predicts.
    const p1 = await phase("p1", 3);
    const table4 = new Maglev({ size: SIZE, backends: backends.map((b) => ({ id: b.id })) });
    const split1 = clients.filter((s) => p1.get(flowId(s))!.size !== 1).length;
    expect(split1).toBe(0);
    for (const s of clients) expect(one(p1, s)).toBe(name(table4.pick(flowOf(s), hasher).id));

    // Phase 2: a forwarder dies; the client re-spreads over the two left.
    forwarders[2]!.proc.child.kill("SIGKILL");
    await waitFor("forwarder exit", () => alive().length === 2);
    const p2 = await phase("p2", 4);
    const split2 = clients.filter((s) => p2.get(flowId(s))!.size !== 1 || one(p2, s) !== one(p1, s)).length;
    expect(split2).toBe(0);

    // Phase 3: remove the backend with the most flows.
    const load = new Map<string, number>();
    for (const s of clients) load.set(one(p2, s), (load.get(one(p2, s)) ?? 0) + 1);
    const victim = backends.find((b) => b.name === [...load].sort((a, b) => b[1] - a[1])[0]![0])!;
    await change({ remove: victim.id });
    const p3 = await phase("p3", 4);
    const table3 = new Maglev({ size: SIZE, backends: backends.filter((b) => b !== victim).map((b) => ({ id: b.id })) });
    const own = clients.filter((s) => one(p2, s) === victim.name);
    const needless = clients.filter((s) => one(p2, s) !== victim.name && name(table3.pick(flowOf(s), hasher).id) !== one(p2, s));
    const moved = clients.filter((s) => p3.get(flowId(s))!.size !== 1 || one(p3, s) !== one(p2, s));
    const split3 = clients.filter((s) => p3.get(flowId(s))!.size !== 1).length;
    // The victim's flows all move; the needless moves are kept by the connection tables
    // (every live forwarder has seen every flow), so moved = own exactly.
    expect(moved.map(flowId).sort()).toEqual(own.map(flowId).sort());
    for (const s of own) expect(p3.get(flowId(s))!.has(victim.name)).toBe(false);
    expect(split3).toBe(0);

    // Phase 4: drain the busiest backend left: no existing flow moves.
    const load3 = new Map<string, number>();
    for (const s of clients) load3.set(one(p3, s), (load3.get(one(p3, s)) ?? 0) + 1);
    const drained = backends.find((b) => b.name === [...load3].sort((a, b) => b[1] - a[1])[0]![0])!;
    await change({ drain: drained.id });
    const p4 = await phase("p4", 2);
    const moved4 = clients.filter((s) => p4.get(flowId(s))!.size !== 1 || one(p4, s) !== one(p3, s)).length;
    expect(moved4).toBe(0);

    console.log(
      `udp-forwarder: ${FLOWS} flows, datagrams spread over 3 forwarders (Maglev M=${SIZE}, 4 backends): ` +
        `flows split when a forwarder died: ${split2}; ` +
        `backend ${victim.name} removed: ${moved.length} flows moved = its own ${own.length}, ${needless.length} needless Maglev moves predicted and 0 made (kept by the connection tables); ` +
        `backend ${drained.name} drained: ${moved4} of its ${load3.get(drained.name)} existing flows moved`,
    );
  });
});
