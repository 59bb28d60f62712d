// The Balancer on every engine. Expected values come from the tables themselves (Maglev,
// FlowHasher, hashes.xxh64, systems.flowpin) used directly by the test, never from the
// Balancer; the rest are properties: existing flows never move while their backend is up,
// draining backends get no new flows, down backends keep none.
import { describe, expect, it } from "vitest";
import { Balancer, FlowHasher, Maglev, Rendezvous, hashes, systems, type BackendState } from "../src/index.js";
import { boundedLoadPick, mtNext, mtSeed } from "../src/bounded-load.js";
import { forEachEngine } from "./engines.js";
import { expectCode } from "./bad-inputs.js";
import { Rng } from "./rng.js";

const KEY = "5eed0f1a2b3c4d5e";
const keyBytes = Uint8Array.from(KEY.match(/../g)!, (h) => parseInt(h, 16));
const flow = (n: number) => ({ src: `198.51.${(n >>> 8) & 255}.${n & 255}`, dst: "203.0.113.1", sport: 1024 + (n % 60000), dport: 443, proto: "tcp" as const });

forEachEngine("Balancer", () => {
  it("pins flows: existing flows never move while their backend is up; draining gets no new flows; down keeps none", () => {
    const rng = new Rng(42);
    const hasher = new FlowHasher({ key: keyBytes });
    const ids = Array.from({ length: 8 }, (_, i) => `10.0.0.${i + 1}:80`);
    const state = new Map<string, { weight: number; state: BackendState; present: boolean }>(ids.map((id) => [id, { weight: 1, state: "active", present: true }]));
    const lb = new Balancer({ key: KEY, backends: ids.map((id) => ({ id })), connections: { capacity: 10_000 } });
    const pinned = new Map<number, string>();
    let events = 0;
    lb.onChange(() => events++);
    let updates = 0;
    for (let round = 0; round < 40; round++) {
      // An update: drain, down, up, weight, remove or add one backend.
      const id = ids[rng.int(ids.length)]!;
      const s = state.get(id)!;
      const op = rng.int(6);
      const usableAfter = [...state].filter(([x, v]) => v.present && (x === id ? op >= 2 && op !== 4 : v.state === "active")).length;
      if (usableAfter > 0 || op >= 2) {
        let continue_ = true;
        if (!s.present) {
          lb.update({ add: [{ id }] });
          Object.assign(s, { present: true, state: "active", weight: 1 });
        } else if (op === 0 && usableAfter > 0) {
          lb.drain(id);
          s.state = "draining";
        } else if (op === 1 && usableAfter > 0) {
          lb.down(id);
          s.state = "down";
        } else if (op === 2) {
          lb.up(id);
          s.state = "active";
        } else if (op === 3) {
          const w = 1 + rng.int(3);
          lb.update({ weight: { [id]: w } });
          s.weight = w;
        } else if (op === 4 && [...state.values()].filter((v) => v.present).length > 1 && usableAfter > 0) {
          lb.update({ remove: [id] });
          s.present = false;
        } else continue_ = false;
        if (continue_) updates++;
      }
      const usable = ids.filter((x) => state.get(x)!.present && state.get(x)!.state === "active" && state.get(x)!.weight > 0);
      const table = usable.length ? new Maglev({ backends: usable.map((x) => ({ id: x, weight: state.get(x)!.weight })) }) : undefined;
      // Old flows come back, new flows arrive.
      for (let k = 0; k < 60; k++) {
        const n = rng.int(3000);
        const got = lb.pickId(flow(n));
        const before = pinned.get(n);
        const b = before === undefined ? undefined : state.get(before)!;
        if (before !== undefined && b!.present && b!.state !== "down") {
          expect(got, `flow ${n} pinned to ${before} (${b!.state})`).toBe(before);
        } else {
          // A new (or re-picked) flow: the current table's choice, never a draining or down backend.
          expect(got).toBe(table ? table.pick(flow(n), hasher).id : null);
          if (got) expect(state.get(got)!.state).toBe("active");
        }
        if (got) pinned.set(n, got);
        else pinned.delete(n);
      }
    }
    expect(events).toBe(updates);
    lb.dispose();
  });

  it("second chance: pick() reports the backend under the table before the last update", () => {
    const hasher = new FlowHasher({ key: keyBytes });
    const ids = ["a", "b", "c", "d"];
    const lb = new Balancer({ key: KEY, backends: ids.map((id) => ({ id })) });
    expect(lb.pick(flow(1)).previous).toBe(null);
    lb.update({ remove: ["b"] });
    const before = new Maglev({ backends: ids.map((id) => ({ id })) });
    const after = new Maglev({ backends: ["a", "c", "d"].map((id) => ({ id })) });
    let differ = 0;
    for (let n = 0; n < 500; n++) {
      const p = lb.pick(flow(n));
      expect(p.backend).toBe(after.pick(flow(n), hasher).id);
      expect(p.previous).toBe(before.pick(flow(n), hasher).id);
      expect(p.hash).toBe(hasher.hash(flow(n)));
      if (p.backend !== p.previous) differ++;
    }
    expect(differ).toBeGreaterThan(0);
  });

  it("string keys are hashed with XXH64 seed 0 of their UTF-8 bytes; rendezvous and ring tables too", () => {
    const ids = ["a", "b", "c"];
    const m = new Maglev({ backends: ids.map((id) => ({ id })) });
    const r = new Rendezvous({ backends: ids.map((id) => ({ id })) });
    const lbm = new Balancer({ backends: ids.map((id) => ({ id })) });
    const lbr = new Balancer({ backends: ids.map((id) => ({ id })), policy: "rendezvous" });
    for (const k of ["user-1", "user-2", "ünïcode", ""]) {
      const h = hashes.xxh64(new TextEncoder().encode(k));
      expect(lbm.pickId(k)).toBe(m.pick(h).id);
      expect(lbr.pickId(k)).toBe(r.pick(h).id);
    }
    const ring = new Balancer({ backends: ids.map((id) => ({ id })), policy: "ring" });
    expect(ids).toContain(ring.pickId("user-1"));
  });

  it("over a production system: the flowpin system's route, rebuilt from the usable backends on update", () => {
    const ids = ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"];
    const lb = new Balancer({ backends: ids.map((id) => ({ id })), system: (bs) => systems.flowpin({ key: KEY, backends: bs }) });
    const direct = systems.flowpin({ key: KEY, backends: ids.map((id) => ({ id })) });
    for (let n = 0; n < 200; n++) expect(lb.pickId(flow(n))).toBe(direct.route(flow(n)).backend);
    const change = lb.drain(ids[0]!);
    expect(change.moved).toBeGreaterThan(0.25);
    const drained = systems.flowpin({ key: KEY, backends: ids.slice(1).map((id) => ({ id })) });
    for (let n = 0; n < 200; n++) {
      const p = lb.pick(flow(n));
      expect(p.backend).toBe(drained.route(flow(n)).backend);
      expect(p.previous).toBe(direct.route(flow(n)).backend);
    }
  });

  it("change events give the moved fraction and each backend's share before and after", () => {
    const lb = new Balancer({ key: KEY, backends: [{ id: "a" }, { id: "b" }, { id: "c" }, { id: "d" }] });
    const a = new Maglev({ backends: ["a", "b", "c", "d"].map((id) => ({ id })) });
    const b = new Maglev({ backends: ["a", "b", "c"].map((id) => ({ id })) });
    const e = lb.update({ remove: ["d"] });
    expect(e.moved).toBe(Maglev.diff(a, b).fraction);
    expect(e.backends.find((x) => x.id === "d")).toMatchObject({ before: 0.25, after: 0 });
    expect(e.backends.find((x) => x.id === "a")).toMatchObject({ before: 0.25, after: 1 / 3 });
  });

  it("bounded load keeps every backend at most c × mean (+1) where the table alone would not", () => {
    // A 4-backend table and 2000 string keys, counted in a connection table.
    const ids = ["a", "b", "c", "d"];
    for (const c of [1.1, 1.25, 1.5]) {
      const lb = new Balancer({ backends: ids.map((id, i) => ({ id, weight: i === 0 ? 1 : 1 })), balanceFactor: c, connections: { capacity: 4096 } });
      for (let n = 0; n < 2000; n++) lb.pickId(`k${n}`);
      const loads = lb.counters().map((x) => x.active);
      expect(loads.reduce((s, x) => s + x, 0)).toBe(2000);
      expect(Math.max(...loads), `c = ${c}: ${loads}`).toBeLessThanOrEqual(Math.ceil((c * 2000) / 4) + 1);
    }
  });

  it("stateful policies: smooth weighted round robin exact, least connections even, random and power-of-two by weight", () => {
    const rr = new Balancer({ backends: [{ id: "a", weight: 1 }, { id: "b", weight: 2 }, { id: "c", weight: 3 }], policy: "round-robin" });
    const seq = Array.from({ length: 6 }, (_, i) => rr.pickId(`x${i}`));
    // nginx's smooth weighted round robin for 1:2:3 (ngx_http_upstream_get_peer's comment): c b a c b c... counts.
    expect(seq.filter((x) => x === "c").length).toBe(3);
    expect(seq.filter((x) => x === "b").length).toBe(2);
    expect(seq[0]).toBe("c");
    const lc = new Balancer({ backends: [{ id: "a" }, { id: "b" }, { id: "c" }], policy: "least-connections" });
    for (let i = 0; i < 30; i++) lc.pickId(`x${i}`);
    lc.done("a");
    lc.done("a");
    expect(lc.pickId("y")).toBe("a");
    for (const policy of ["random", "power-of-two"] as const) {
      const lb = new Balancer({ backends: [{ id: "a", weight: 1 }, { id: "b", weight: 3 }], policy, seed: 7 });
      let b = 0;
      for (let i = 0; i < 4000; i++) {
        if (lb.pickId(`x${i}`) === "b") b++;
        if (policy === "power-of-two") lb.done(lb.backends[i % 2]!.id);
      }
      if (policy === "random") expect(b / 4000).toBeGreaterThan(0.7);
      expect(b / 4000).toBeLessThan(0.8);
    }
  });
});

describe("bounded load (src/bounded-load.ts)", () => {
  it("mt19937: the 10000th output for the default seed 5489 is 4123659995 (C++ [rand.predef])", () => {
    mtSeed(5489);
    let x = 0;
    for (let i = 0; i < 10000; i++) x = mtNext();
    expect(x).toBe(4123659995);
  });

  it("keeps the pick when not overloaded, else the first host at most 1 in a seeded order, else the least overloaded", () => {
    const order = new Uint32Array(8);
    expect(boundedLoadPick(1, 3, 8, (k) => (k === 3 ? 1 : 5), order)).toBe(3);
    const seen = new Set<number>();
    for (let s = 0; s < 64; s++) {
      const k = boundedLoadPick(s, 0, 8, (j) => (j === 0 ? 2 : j % 2 ? 0.5 : 3), order);
      expect(k % 2).toBe(1);
      seen.add(k);
      expect(boundedLoadPick(s, 0, 8, (j) => (j === 0 ? 2 : j % 2 ? 0.5 : 3), order)).toBe(k); // deterministic
    }
    expect(seen.size).toBeGreaterThan(2); // the seed spreads the skips
    expect(boundedLoadPick(9, 0, 4, (j) => [3, 2, 1.5, 2][j]!, order)).toBe(2);
  });
});

describe("Balancer bad input", () => {
  it("refuses bad options, changes and inputs with FlowpinError codes", () => {
    const ok = [{ id: "a" }, { id: "b" }];
    expectCode(() => new Balancer({ backends: [] }), "NO_BACKENDS");
    expectCode(() => new Balancer({ backends: [{ id: "a" }, { id: "a" }] }), "DUPLICATE_BACKEND");
    expectCode(() => new Balancer({ backends: [{ id: "a", weight: -1 }] }), "INVALID_WEIGHT");
    expectCode(() => new Balancer({ backends: [{ id: "a", weight: 1.5 }] }), "INVALID_WEIGHT");
    expectCode(() => new Balancer({ backends: [{ id: "a", state: "drain" as never }] }), "INVALID_CONFIG");
    expectCode(() => new Balancer({ backends: [{ id: "a", wieght: 2 } as never] }), "INVALID_CONFIG", "weight");
    expectCode(() => new Balancer({ backends: ok, polcy: "maglev" } as never), "INVALID_CONFIG", "policy");
    expectCode(() => new Balancer({ backends: ok, policy: "lru" as never }), "INVALID_CONFIG");
    expectCode(() => new Balancer({ backends: ok, key: "00" }), "INVALID_KEY");
    expectCode(() => new Balancer({ backends: ok, balanceFactor: 0.9 }), "OUT_OF_RANGE");
    expectCode(() => new Balancer({ backends: ok, balanceFactor: 1.234 }), "OUT_OF_RANGE");
    expectCode(() => new Balancer({ backends: ok, balanceFactor: 1.5, policy: "round-robin" }), "INVALID_CONFIG");
    expectCode(() => new Balancer({ backends: ok, size: 7, policy: "rendezvous" }), "INVALID_CONFIG");
    expectCode(() => new Balancer({ backends: ok, connections: { capacity: 0 } }), "OUT_OF_RANGE");
    const lb = new Balancer({ backends: ok });
    expectCode(() => lb.pickId(flow(1)), "INVALID_KEY");
    expectCode(() => lb.update({ remove: ["zz"] }), "INVALID_CONFIG", "zz");
    expectCode(() => lb.update({ remove: ["a", "b"] }), "NO_BACKENDS");
    expectCode(() => lb.update({ add: [{ id: "a" }] }), "DUPLICATE_BACKEND");
    expectCode(() => lb.update({ state: { a: "up" as never } }), "INVALID_CONFIG");
    expectCode(() => lb.update({ weight: { a: NaN } }), "INVALID_WEIGHT");
    expectCode(() => lb.update({ drain: ["a"] } as never), "INVALID_CONFIG");
    expectCode(() => lb.close(flow(1)), "INVALID_CONFIG");
    expectCode(() => lb.report("a", "no" as never), "INVALID_TYPE");
    // A failed update changes nothing.
    expect(lb.backends).toEqual([{ id: "a", weight: 1, state: "active" }, { id: "b", weight: 1, state: "active" }]);
    const keyed = new Balancer({ backends: ok, key: KEY });
    expectCode(() => keyed.pickId({ ...flow(1), dport: 70000 }), "INVALID_PORT");
    expectCode(() => keyed.pickId({ ...flow(1), src: "1.2.3" }), "INVALID_ADDRESS");
  });
});
