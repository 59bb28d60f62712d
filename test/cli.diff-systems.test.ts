// `flowpin diff` between two configs of one production system: the given flows are routed
// through both, and the ones that change backend are listed. Checked against properties that
// hold for each system's ring or table, not against the code's own numbers.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliBadInput, runCli } from "./cli-inprocess.js";
import { loadSystemVectors } from "./vectors.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-sysdiff-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

describe("flowpin diff of two system configs", () => {
  it("nginx: adding a server to a consistent ring moves flows only onto the new server", async () => {
    const c = loadSystemVectors("nginx").cases.find((x: { id: string }) => x.id === "http-3-equal");
    const before = file("a.conf", c.config.upstream_text);
    const after = file("b.conf", c.config.upstream_text.replace(/(server 127\.0\.0\.1:9003;)/, "$1\n    server 127.0.0.1:9099;"));
    const flows = file("flows.jsonl", c.flows.map((f: { flow: unknown }) => JSON.stringify(f.flow)).join("\n"));
    const r = await runCli(["diff", before, after, "--system", "nginx", "--input", flows, "--format", "json"]);
    expect(r.stderr).toBe("");
    const d = JSON.parse(r.stdout);
    expect(d.flows).toBe(c.flows.length);
    expect(d.moved).toBeGreaterThan(0);
    // Ketama-style ring: a new server's points take over arcs; nothing moves between old servers.
    for (const ch of d.changes) expect(ch.to).toBe("127.0.0.1:9099");
    // With 4 equal servers the new one takes about a quarter (160 points each).
    expect(d.moved / d.flows).toBeGreaterThan(0.1);
    expect(d.moved / d.flows).toBeLessThan(0.45);
  });

  it("flowpin: removing a backend moves every flow it had, and the recorded counts add up", async () => {
    const backends = Array.from({ length: 8 }, (_, i) => ({ id: `10.0.0.${i + 1}:80` }));
    const a = file("fa.json", JSON.stringify({ system: "flowpin", key: "0001020304050607", backends }));
    const b = file("fb.json", JSON.stringify({ system: "flowpin", key: "0001020304050607", backends: backends.filter((x) => x.id !== "10.0.0.3:80") }));
    const flows = file("f.csv", `src,dst,sport,dport,proto\n${Array.from({ length: 2000 }, (_, i) => `198.51.${i >> 8}.${i & 255},203.0.113.1,${1024 + i},443,tcp`).join("\n")}\n`);
    const d = JSON.parse((await runCli(["diff", a, b, "--input", flows, "--format", "json"])).stdout);
    const removed = d.backends.find((x: { id: string }) => x.id === "10.0.0.3:80");
    expect(removed.before).toBeGreaterThan(0);
    expect(removed.after).toBe(0);
    expect(d.changes.filter((c: { from: string }) => c.from === "10.0.0.3:80")).toHaveLength(removed.before);
    expect(d.backends.reduce((s: number, x: { before: number }) => s + x.before, 0)).toBe(2000);
    expect(d.backends.reduce((s: number, x: { after: number }) => s + x.after, 0)).toBe(2000);
  });

  it("refuses what cannot be compared, in one line", async () => {
    const sys = file("s.json", JSON.stringify({ system: "flowpin", key: "0001020304050607", algorithm: "rendezvous", backends: [{ id: "a" }] }));
    const fleet = file("fleet.json", JSON.stringify({ algorithm: "maglev", size: 251, backends: [{ id: "a" }] }));
    expect(await cliBadInput(["diff", sys, fleet])).toMatch(/cannot diff a system config against a fleet config or table/);
    expect(await cliBadInput(["diff", sys, sys])).toMatch(/give the flows/);
    expect(await cliBadInput(["diff", fleet, fleet, "--flow", "src=1.2.3.4,dst=1.2.3.4,sport=1,dport=2,proto=6"])).toMatch(/apply to system configs/);
  });
});
