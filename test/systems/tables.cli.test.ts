// `flowpin table --config SYSTEM` and `flowpin diff OLD NEW` (no flows) for every system with
// a table, checked against facts from the vector files (which slot / row / ring point each
// system's own code looked up and where it went; Cilium's slots per backend; glb-director-cli's
// file digest and rows), and the diffs against two independently checked table outputs.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { systems } from "../../src/systems/index.js";
import { cliBadInput, runCli } from "../cli-inprocess.js";
import { Rng } from "../rng.js";
import { loadSystemVectors, type SystemName } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-tables-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(body: string | object): string {
  const p = path.join(dir, `f${n++}`);
  fs.writeFileSync(p, typeof body === "string" ? body : JSON.stringify(body));
  return p;
}

async function tableJson(config: object, ...args: string[]): Promise<Any> {
  const r = await runCli(["table", "--config", file(config), "--format", "json", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const strip0x = (s: string): string => s.replace(/^0x/, "");
const cases = (name: SystemName): Any[] => loadSystemVectors(name).cases;

describe("flowpin table --config SYSTEM against the vectors", () => {
  it("katran: every balanced flow's slot holds the real Katran chose", async () => {
    let checked = 0;
    for (const c of cases("katran")) {
      const t = await tableJson({ system: "katran", ...c.config });
      expect(t).toMatchObject({ system: "katran", algorithm: "maglev", profile: "katran", size: c.config.ring_size });
      for (const f of c.flows) {
        if (f.backend === null || f.slot === undefined) continue;
        expect(t.backends[t.table[f.slot]], `${c.id} slot ${f.slot}`).toBe(f.backend);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it("cilium: slots per backend are the agent's, and each flow's slot holds its backend", async () => {
    for (const c of cases("cilium")) {
      const r = await runCli(["table", "--config", file({ system: "cilium", ...c.config }), "--format", "json"]);
      if (c.cilium_state.svc_count === 0) {
        expect(r.code).toBe(2);
        continue;
      }
      const t = JSON.parse(r.stdout);
      expect(t.size).toBe(c.config.maglev?.table_size ?? 16381);
      const counts: Record<string, number> = {};
      for (const i of t.table) counts[t.backends[i]] = (counts[t.backends[i]] ?? 0) + 1;
      expect(counts, c.id).toEqual(c.cilium_state.slots_per_backend);
      for (const f of c.flows) if (f.backend !== null && f.slot !== undefined) expect(t.backends[t.table[f.slot]], c.id).toBe(f.backend);
    }
  });

  it("ipvs: each first-probe flow's slot holds the kernel's destination", async () => {
    let checked = 0;
    for (const c of cases("ipvs")) {
      const t = await tableJson({ system: "ipvs", ...c.config });
      expect(t.size).toBe(c.config.table_size ?? 4093);
      for (const f of c.flows) {
        // Flows found by the mh-fallback walk list their probes; the others read one slot.
        if (f.backend === null || f.probes !== undefined) continue;
        expect(t.backends[t.table[f.slot]], `${c.id} slot ${f.slot}`).toBe(f.backend);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it("envoy: MAGLEV slots and RING_HASH points of each request's priority hold the host the table picked", async () => {
    let maglev = 0;
    let ring = 0;
    for (const c of cases("envoy")) {
      if (c.flows.length === 0 || c.config.lb_policy === "RENDEZVOUS_HASH" || (c.config.lb_policy !== "MAGLEV" && c.config.lb_policy !== "RING_HASH")) continue;
      const r = await runCli(["table", "--config", file({ system: "envoy", ...c.config }), "--format", "json"]);
      if (r.code !== 0) {
        // Every request of such a cluster gets no host (503).
        expect(r.stderr).toMatch(/no priority has a host in its table/);
        expect(c.flows.every((f: Any) => f.backend === null)).toBe(true);
        continue;
      }
      const doc = JSON.parse(r.stdout);
      const tables: Any[] = doc.tables ?? [doc];
      for (const f of c.flows) {
        if (f.backend === null) continue;
        const t = tables.find((x) => x.name === `priority ${f.priority ?? 0}`);
        const picked = f.unbounded_backend ?? f.backend;
        if (c.config.lb_policy === "MAGLEV") {
          expect(t.backends[t.table[f.slot]], `${c.id} slot ${f.slot}`).toBe(picked);
          maglev++;
        } else {
          expect(t.points[f.point_index], c.id).toBe(strip0x(f.point).padStart(16, "0"));
          expect(t.backends[t.owners[f.point_index]], c.id).toBe(picked);
          ring++;
        }
      }
    }
    expect(maglev).toBeGreaterThan(100);
    expect(ring).toBeGreaterThan(100);
  });

  it("nginx: each hashed connection's ring point belongs to the server line nginx connected to", async () => {
    let checked = 0;
    for (const c of cases("nginx")) {
      if (!c.config.consistent) continue;
      const t = await tableJson({ system: "nginx", ...c.config });
      expect(t).toMatchObject({ algorithm: "ring", profile: "nginx", rule: "successor", bits: 32 });
      for (const f of c.flows) {
        if (f.point === undefined || f.walk !== undefined || f.backend === null) continue;
        const owner = t.backends[t.owners[f.point % t.size]];
        const lines = c.config.servers.filter((s: Any) => s.server === owner);
        expect(lines.flatMap((s: Any) => s.addresses), `${c.id} point ${f.point}`).toContain(f.backend);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it("haproxy: the closest node (ties to the lower) to each connection's key is the server HAProxy chose", async () => {
    let checked = 0;
    for (const c of cases("haproxy")) {
      if (c.config.hash_type !== "consistent" || c.config.operations) continue;
      const r = await runCli(["table", "--config", file({ system: "haproxy", ...c.config }), "--format", "json"]);
      if (r.code !== 0) continue;
      const t = JSON.parse(r.stdout);
      if (t.algorithm !== "ring") continue;
      const sys = systems.haproxy({ ...c.config });
      const points = t.points.map((p: string) => parseInt(p, 16));
      for (const f of c.flows) {
        const route = sys.route(f.flow);
        if (route.reason !== "hash") continue;
        // The key is route()'s; the server the real binary chose is the vector's.
        const h = parseInt(route.hash!, 16);
        let best = 0;
        let bestD = Infinity;
        points.forEach((p: number, i: number) => {
          const d = Math.min((h - p + 2 ** 32) % 2 ** 32, (p - h + 2 ** 32) % 2 ** 32);
          // Equal distance: the node below the key (clockwise distance from it) wins.
          const below = (h - p + 2 ** 32) % 2 ** 32 <= (p - h + 2 ** 32) % 2 ** 32;
          if (d < bestD || (d === bestD && below)) {
            best = i;
            bestD = d;
          }
        });
        expect(t.backends[t.owners[best]], `${c.id} key ${route.hash}`).toBe(f.server);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it("glb: --format bin is glb-director-cli's file byte for byte, and the JSON rows are its rows", async () => {
    for (const c of cases("glb")) {
      const config = file({ system: "glb", ...c.config });
      const out = path.join(dir, `${c.id}.bin`);
      const r = await runCli(["table", "--config", config, "--format", "bin", "--output", out]);
      expect(r.code, r.stderr).toBe(0);
      expect(createHash("sha256").update(fs.readFileSync(out)).digest("hex"), c.id).toBe(c.bin_sha256);
      const doc = await tableJson({ system: "glb", ...c.config });
      const tables: Any[] = doc.tables ?? [doc];
      expect(tables).toHaveLength(c.config.forwarding_table.tables.length);
      for (const row of c.rows) {
        expect(tables[row.table].rows[row.row], `${c.id} table ${row.table} row ${row.row}`).toEqual([row.primary_index, row.secondary_index]);
      }
    }
  });

  it("the native file gives the same table as the JSON config (ipvsadm-save, forwarding_table.json)", async () => {
    const c = cases("ipvs").find((x) => x.ipvsadm && !x.config.operations.some((o: Any) => o.op !== "add"));
    const save = file(`${c.ipvsadm.map((l: string) => l.replace(/^ipvsadm /, "")).join("\n")}\n`);
    const fromJson = await tableJson({ system: "ipvs", ...c.config });
    const r = await runCli(["table", "--config", save, "--table-size", String(c.config.table_size ?? 4093), "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(fromJson);
    // The director's config changes what is hashed, not the table glb-director-cli builds.
    const g = cases("glb")[0];
    const native = file(g.config.forwarding_table);
    const r2 = await runCli(["table", "--config", native, "--format", "json"]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(JSON.parse(r2.stdout)).toEqual(await tableJson({ system: "glb", ...g.config }));
  });

  it("a Maglev system's bin is flowpin's FPMG file, which flowpin diff reads against the JSON", async () => {
    const c = cases("katran")[0];
    const out = path.join(dir, "katran.fpmg");
    expect((await runCli(["table", "--config", file({ system: "katran", ...c.config }), "--format", "bin", "--output", out])).code).toBe(0);
    expect(Buffer.from(fs.readFileSync(out).subarray(0, 4)).toString()).toBe("FPMG");
    const json = file(await tableJson({ system: "katran", ...c.config }));
    const d = JSON.parse((await runCli(["diff", out, json, "--format", "json"])).stdout);
    expect(d.moved).toBe(0);
  });

  it("systems without a table say why, in one line", async () => {
    const rr = { system: "nginx", module: "stream", hash_key: null, consistent: false, servers: [{ server: "10.0.0.1:80", addresses: ["10.0.0.1:80"] }, { server: "10.0.0.2:80", addresses: ["10.0.0.2:80"] }] };
    expect(await cliBadInput(["table", "--config", file(rr)])).toMatch(/round robin has no table/);
    const rdv = { system: "flowpin", key: "0001020304050607", algorithm: "rendezvous", backends: [{ id: "a" }, { id: "b" }] };
    expect(await cliBadInput(["table", "--config", file(rdv)])).toMatch(/rendezvous algorithm has no table/);
    const ring = cases("envoy").find((x) => x.config.lb_policy === "RING_HASH" && x.flows.length);
    expect(await cliBadInput(["table", "--config", file({ system: "envoy", ...ring.config }), "--format", "bin", "--output", path.join(dir, "x")])).toMatch(/no binary form/);
  });
});

describe("flowpin diff of two system configs without flows compares their tables", () => {
  it("katran: slots moved are the slots whose real differs between the two printed tables", async () => {
    const c = cases("katran").find((x) => x.config.reals.length >= 4);
    const next = { ...c.config, reals: c.config.reals.slice(1) };
    const a = await tableJson({ system: "katran", ...c.config });
    const b = await tableJson({ system: "katran", ...next });
    let moved = 0;
    for (let s = 0; s < a.size; s++) if (a.backends[a.table[s]] !== b.backends[b.table[s]]) moved++;
    const r = await runCli(["diff", file({ system: "katran", ...c.config }), file({ system: "katran", ...next }), "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({ system: "katran", algorithm: "maglev", size: a.size, moved });
    const gone = d.backends.find((x: Any) => x.status === "removed");
    expect(gone.lost).toBe(a.table.filter((i: number) => a.backends[i] === gone.id).length);
  });

  it("glb: rows whose primary changed, per table of the file", async () => {
    const c = cases("glb").find((x) => x.config.forwarding_table.tables.length >= 2 && x.config.forwarding_table.tables[0].backends.length >= 3);
    const next = structuredClone(c.config);
    next.forwarding_table.tables[0].backends[0].state = "inactive";
    const a = await tableJson({ system: "glb", ...c.config });
    const b = await tableJson({ system: "glb", ...next });
    const r = await runCli(["diff", file({ system: "glb", ...c.config }), file({ system: "glb", ...next }), "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    d.tables.forEach((t: Any, k: number) => {
      let primary = 0;
      for (let row = 0; row < 65536; row++) if (a.tables[k].backends[a.tables[k].rows[row][0]] !== b.tables[k].backends[b.tables[k].rows[row][0]]) primary++;
      expect(t).toMatchObject({ name: `tables[${k}]`, primaryChanged: primary });
    });
    expect(d.tables[0].primaryChanged).toBeGreaterThan(0);
  });

  for (const system of ["nginx", "haproxy"] as const) {
    it(`${system}: the ring's moved share is exact (random keys agree) and goes only to an added server`, async () => {
      const c = cases(system).find((x) => (system === "nginx" ? x.config.consistent && x.config.servers.length === 3 && !x.config.servers.some((s: Any) => s.down || s.backup) : x.config.hash_type === "consistent" && !x.config.operations && x.config.servers.length === 3 && !x.config.servers.some((s: Any) => s.backup || s.disabled)));
      const extra = system === "nginx" ? { server: "127.0.0.1:9099", addresses: ["127.0.0.1:9099"] } : { name: "s9", address: "127.0.0.1:9099" };
      const next = { ...c.config, servers: [...c.config.servers, extra] };
      delete next.upstream_text;
      delete next.backend_text;
      const a = await tableJson({ system, ...c.config });
      const b = await tableJson({ system, ...next });
      const r = await runCli(["diff", file({ system, ...c.config }), file({ system, ...next }), "--format", "json"]);
      expect(r.code, r.stderr).toBe(0);
      const d = JSON.parse(r.stdout);
      const added = system === "nginx" ? "127.0.0.1:9099" : "s9";
      // Consistent hashing: what moves goes to the new server, so its share is the moved share.
      expect(d.backends.find((x: Any) => x.id === added).after).toBeCloseTo(d.moved, 12);
      // Against random keys looked up in the two printed rings by their rule.
      const owner = (t: Any, h: number): string => {
        const pts = t.points.map((p: string) => parseInt(p, 16));
        let i = pts.findIndex((p: number) => p >= h);
        if (i < 0) i = 0;
        if (t.rule === "closest") {
          const prev = (i + pts.length - 1) % pts.length;
          if ((h - pts[prev] + 2 ** 32) % 2 ** 32 <= (pts[i] - h + 2 ** 32) % 2 ** 32) i = prev;
        }
        return t.backends[t.owners[i]];
      };
      const rng = new Rng(17);
      let moved = 0;
      const N = 20000;
      for (let k = 0; k < N; k++) {
        const h = rng.u32();
        if (owner(a, h) !== owner(b, h)) moved++;
      }
      expect(Math.abs(moved / N - d.moved)).toBeLessThan(0.015);
      expect(d.moved).toBeGreaterThan(0.05);
    });
  }

  it("without a table on either side it asks for flows, in one line", async () => {
    const sys = file({ system: "flowpin", key: "0001020304050607", algorithm: "rendezvous", backends: [{ id: "a" }] });
    expect(await cliBadInput(["diff", sys, sys])).toMatch(/give the flows/);
  });
});
