// systems.ipvs and the ipvs Maglev profile against test/reference/ipvs.ts, an independent slow
// model of ip_vs_mh.c + ip_vs_ctl.c: first the reference is checked against the kernel's own
// vectors, then the profile's address fold (ipvsHashInput, by service family) and the whole
// system are compared with it on random services, operation sequences and flows.
import { describe, expect, test } from "vitest";
import { systems, type IpvsConfig, type IpvsFlow } from "../../src/index.js";
import { ipvsHashInput } from "../../src/profiles/ipvs.js";
import { forEachEngine } from "../engines.js";
import { refAddr, refHashInput, RefIpvsService, type RefOp } from "../reference/ipvs.js";
import { Rng } from "../rng.js";
import { loadSystemVectors } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Case = any;
const cases: Case[] = loadSystemVectors("ipvs").cases;
const hex = (n: number): string => n.toString(16).padStart(8, "0");

describe("the ipvs reference reproduces the kernel's vectors", () => {
  for (const c of cases) {
    test(c.id, () => {
      const s = c.config.service;
      const ref = new RefIpvsService(s.family === "inet6", s.flags, c.config.CONFIG_IP_VS_MH_TAB_INDEX, c.config.operations);
      for (const f of c.flows) {
        const fl = f.flow;
        const r = ref.route(fl.inverse ? fl.dst : fl.src, fl.inverse ? fl.dport : fl.sport);
        expect({ backend: r.backend, hash: `0x${hex(r.hash)}`, slot: r.slot, probes: r.probes, slots: r.probes > 1 ? r.slots : undefined }).toEqual({
          backend: f.backend,
          hash: f.hash,
          slot: f.slot,
          probes: f.probes ?? 1,
          slots: f.slots,
        });
      }
    });
  }
});

function randomV4(r: Rng): string {
  return `${1 + r.int(223)}.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`;
}
function randomV6(r: Rng): string {
  const g = Array.from({ length: 8 }, () => r.int(4) === 0 ? 0 : r.int(65536));
  g[0] = 0x2000 + r.int(0x1000);
  return g.map((x) => x.toString(16)).join(":");
}

describe("ipvs profile: ipvsHashInput folds by the service family like the reference", () => {
  test("IPv4 and IPv6 addresses in inet and inet6 services", () => {
    const r = new Rng(14001);
    for (let i = 0; i < 2000; i++) {
      const address = r.int(2) ? randomV4(r) : randomV6(r);
      const port = r.int(65536);
      for (const family of ["inet", "inet6"] as const) {
        const want = refHashInput(family === "inet6", refAddr(address), port, 0);
        expect(ipvsHashInput(address, port, family), `${address} ${port} ${family}`).toBe(want);
      }
      // Without a service family: the address's own (what the profile did before systems).
      expect(ipvsHashInput(address, port)).toBe(refHashInput(address.includes(":"), refAddr(address), port, 0));
    }
  });
});

interface Scenario {
  config: Record<string, unknown>;
  ref: RefIpvsService;
  flows: { src: string; dst: string; sport: number; dport: number; proto: string; inverse?: boolean }[];
}

/** A random service and an operation sequence the kernel accepts, with flows to it. */
function scenario(seed: number): Scenario {
  const r = new Rng(seed);
  const v6 = r.int(2) === 1;
  const tabIndex = 8 + r.int(3);
  const protocol = ["tcp", "udp", "sctp"][r.int(3)]!;
  const flags = ["mh-fallback", "mh-port"].filter(() => r.int(2) === 1);
  const vip = v6 ? "2001:db8:ffff::10" : "203.0.113.10";
  const vport = 1 + r.int(65535);
  const live: { address: string; port: number }[] = [];
  const deleted: { address: string; port: number }[] = [];
  const ops: (RefOp & { forward?: string })[] = [];
  const n = 1 + r.int(25);
  // Sometimes more dests than slots, to exercise the kept table.
  const many = tabIndex === 8 && r.int(6) === 0 ? 252 + r.int(4) : 0;
  const steps = many || n + r.int(15);
  // Now and then every weight is 0 from the start (an empty table), or every dest is drained
  // at the end (a full table with nothing available: the walk gives up).
  const mode = r.int(12);
  const drained = mode === 0;
  const weight = (): number => (drained ? 0 : [0, 1, 1, 2, 3, 5, 100, 65535, 2147483647][r.int(9)]!);
  for (let k = 0; k < steps; k++) {
    const choice = many ? 0 : r.int(10);
    if (choice < 5 || live.length === 0) {
      const back = deleted.length && r.int(3) === 0 ? deleted.splice(r.int(deleted.length), 1)[0]! : undefined;
      const other = !back && r.int(6) === 0;
      const address = back?.address ?? ((v6 !== other) ? randomV6(r) : randomV4(r));
      const port = back?.port ?? (r.int(3) ? vport : 1 + r.int(65535));
      if (live.some((d) => d.address === address && d.port === port)) continue;
      live.push({ address, port });
      ops.push({ op: "add", address, port, weight: weight(), forward: address.includes(":") !== v6 ? "tunnel" : "masq" });
    } else {
      const d = live[r.int(live.length)]!;
      if (choice < 7) ops.push({ op: "edit", ...d, weight: weight() });
      else if (choice < 8) {
        live.splice(live.indexOf(d), 1);
        deleted.push(d);
        ops.push({ op: "delete", ...d });
      } else ops.push({ op: r.int(3) ? "overload" : "underload", ...d });
    }
  }
  if (mode === 1 && !many) for (const d of live) ops.push({ op: "edit", ...d, weight: 0 });
  const flows = Array.from({ length: 40 }, () => {
    const client = v6 ? randomV6(r) : randomV4(r);
    const cport = r.int(65536);
    return r.int(5) === 0
      ? { src: vip, dst: client, sport: vport, dport: cport, proto: protocol, inverse: true }
      : { src: client, dst: vip, sport: cport, dport: vport, proto: protocol };
  });
  const config = { service: { family: v6 ? "inet6" : "inet", address: vip, port: vport, protocol, scheduler: "mh", flags }, CONFIG_IP_VS_MH_TAB_INDEX: tabIndex, operations: ops };
  return { config, ref: new RefIpvsService(v6, flags, tabIndex, ops), flows };
}

// The scenarios and the reference's routes (BigInt SipHash, the kernel's loops) are computed
// once, on first use; every engine is compared with them.
let expected: { seed: number; config: unknown; flows: { flow: IpvsFlow; want: { backend: string | null; hash: string; slot: number | null; probes: unknown } }[] }[] | undefined;
function scenarios() {
  return (expected ??= Array.from({ length: 150 }, (_, i) => {
    const seed = 14100 + i;
    const s = scenario(seed);
    return {
      seed,
      config: s.config,
      flows: s.flows.map((f) => {
        const want = s.ref.route(f.inverse ? f.dst : f.src, f.inverse ? f.dport : f.sport);
        return { flow: f as IpvsFlow, want: { backend: want.backend, hash: hex(want.hash), slot: want.slot, probes: want.probes } };
      }),
    };
  }));
}

forEachEngine("systems.ipvs against the reference on random services", () => {
  test("150 services, 40 flows each", () => {
    const reasons = new Set<string>();
    for (const { seed, config, flows } of scenarios()) {
      const svc = systems.ipvs(config as unknown as IpvsConfig);
      for (const { flow, want } of flows) {
        const got = svc.route(flow);
        reasons.add(got.reason);
        expect({ backend: got.backend, hash: got.hash, slot: got.slot, probes: got.probes }, `seed ${seed} ${JSON.stringify(flow)}`).toEqual(want);
      }
    }
    // The random services reach every kind of decision.
    expect([...reasons].sort()).toEqual(["empty-slot", "fallback", "fallback-exhausted", "table", "unavailable"]);
  });
});
