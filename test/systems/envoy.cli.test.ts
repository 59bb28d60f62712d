// `flowpin route` for the envoy system: every vector case from {"system": "envoy", ...config}
// with its requests as JSON Lines; the refused clusters (exit 2, Envoy's reason); the cases
// written as Envoy operators write them (a bootstrap with the Cluster and the route's
// hash_policy, in YAML and in JSON, made by test/reference/envoy-cluster.ts); --flow specs
// with header.NAME fields; --explain; --name among several clusters.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { cliBadInput, runCli } from "../cli-inprocess.js";
import { clusterWritable, envoyBootstrap, envoyCluster } from "../reference/envoy-cluster.js";
import { loadSystemVectors } from "../vectors.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const cases: Any[] = loadSystemVectors("envoy").cases;
const routed = cases.filter((c) => c.error === undefined);
const refused = cases.filter((c) => c.error !== undefined);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-envoy-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const hex16 = (s: string): string => s.replace(/^0x/, "").padStart(16, "0");
const systemFile = (c: Any): string => write(`${c.id}.json`, JSON.stringify({ system: "envoy", ...c.config }));
const jsonLines = (c: Any): string => write(`${c.id}.jsonl`, c.flows.map((f: Any) => JSON.stringify(f.flow)).join("\n") + "\n");

async function routeJson(args: string[]): Promise<Any[]> {
  const r = await runCli(["route", ...args, "--format", "json"]);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(doc.system).toBe("envoy");
  return doc.results;
}

function check(c: Any, results: Any[]): void {
  expect(results).toHaveLength(c.flows.length);
  c.flows.forEach((f: Any, i: number) => {
    const r = results[i];
    const where = `${c.id} flow ${i}`;
    expect(r.backend, where).toBe(f.backend);
    expect(r.hash, where).toBe(f.hash === null ? null : hex16(f.hash));
    expect(r.slot, where).toBe(f.slot ?? f.point_index ?? null);
    if (f.point !== undefined) expect(r.point, where).toBe(hex16(f.point));
    if (f.priority !== undefined) expect(r.priority, where).toBe(f.priority);
    if (f.unbounded_backend !== undefined) expect(r.unboundedBackend, where).toBe(f.unbounded_backend);
  });
}

describe("flowpin route: envoy vectors from {system: envoy, ...config} and JSON Lines", () => {
  for (const c of routed) {
    it(c.id, async () => check(c, await routeJson(["--config", systemFile(c), "--input", jsonLines(c)])));
  }
  for (const c of refused) {
    it(`${c.id}: exit 2 with Envoy's reason`, async () => {
      const line = await cliBadInput(["route", "--config", systemFile(c), "--flow", "src=198.51.100.7"]);
      expect(line).toContain(c.error);
    });
  }
});

describe("flowpin route: envoy vectors from Envoy's own files", () => {
  const writable = routed.filter((c) => clusterWritable(c.config));
  it("covers most cases (all but the bounded-load ones, whose gauges a Cluster cannot hold)", () => {
    expect(writable.length).toBeGreaterThanOrEqual(40);
  });
  for (const c of writable) {
    it(`${c.id} as a YAML bootstrap (cluster + route hash_policy)`, async () => {
      const file = write(`${c.id}.yaml`, stringify(envoyBootstrap(c.id, c.config)));
      check(c, await routeJson(["--config", file, "--input", jsonLines(c)]));
    });
  }
  for (const id of ["maglev-locality-zone-down", "ring-priorities", "rendezvous-locality", "maglev-hostname"]) {
    const c = routed.find((x) => x.id === id);
    it(`${id} as a JSON Cluster with a top-level hash_policy`, async () => {
      const file = write(`${id}.cluster.json`, JSON.stringify({ ...envoyCluster(id, c.config), hash_policy: c.config.hash_policy }, null, 2));
      check(c, await routeJson(["--config", file, "--input", jsonLines(c)]));
    });
  }
  it("refuses a YAML cluster Envoy refuses, with Envoy's reason", async () => {
    const c = refused.find((x) => x.id === "error-table-not-prime");
    const file = write("not-prime.yaml", stringify(envoyCluster("bad", c.config)));
    expect(await cliBadInput(["route", "--config", file, "--flow", "src=198.51.100.7"])).toContain(c.error);
  });
  it("--name picks one cluster of several; without it the file is refused", async () => {
    const a = routed.find((x) => x.id === "maglev-v4-even");
    const b = routed.find((x) => x.id === "ring-default");
    const doc = { static_resources: { clusters: [{ ...envoyCluster("a", a.config), hash_policy: a.config.hash_policy }, { ...envoyCluster("b", b.config), hash_policy: b.config.hash_policy }] } };
    const file = write("two.yaml", stringify(doc));
    check(b, await routeJson(["--config", file, "--name", "b", "--input", jsonLines(b)]));
    expect(await cliBadInput(["route", "--config", file, "--flow", "src=198.51.100.7"])).toMatch(/2 clusters \(a, b\).*--name/);
    expect(await cliBadInput(["route", "--config", file, "--name", "c", "--flow", "src=198.51.100.7"])).toMatch(/no cluster named "c"/);
  });
  it("malformed YAML: exit 2 naming the line", async () => {
    const file = write("broken.yaml", "lb_policy: MAGLEV\nload_assignment:\n  endpoints: [\n");
    expect(await cliBadInput(["route", "--config", file, "--flow", "src=198.51.100.7"])).toMatch(/YAML line \d+/);
  });
  it("an unknown Cluster field: exit 2 with did-you-mean", async () => {
    const c = routed.find((x) => x.id === "maglev-v6-clients");
    const cluster = envoyCluster("a", c.config);
    cluster.maglev_lb_confg = cluster.maglev_lb_config;
    delete cluster.maglev_lb_config;
    const file = write("typo.yaml", stringify(cluster));
    expect(await cliBadInput(["route", "--config", file, "--flow", "src=198.51.100.7"])).toMatch(/unknown field "maglev_lb_confg" \(did you mean "maglev_lb_config"\?\)/);
  });
});

describe("flowpin route: envoy --flow, CSV and --explain", () => {
  it("--flow with header.NAME fields routes as the JSON request does", async () => {
    const c = routed.find((x) => x.id === "maglev-two-policies");
    const flows = c.flows.slice(0, 5);
    const args = flows.flatMap((f: Any) => ["--flow", [`src=${f.flow.src}`, ...(f.flow.headers ?? []).map(([k, v]: [string, string]) => `header.${k}=${v}`)].join(",")]);
    check({ ...c, flows }, await routeJson(["--config", systemFile(c), ...args]));
  });
  it("CSV 5-tuples: src is what source_ip hashes", async () => {
    const c = routed.find((x) => x.id === "maglev-v4-even");
    const csv = write("flows.csv", "src,dst,sport,dport,proto\n" + c.flows.map((f: Any) => `${f.flow.src},192.0.2.1,40000,443,tcp`).join("\n") + "\n");
    check(c, await routeJson(["--config", systemFile(c), "--input", csv]));
  });
  it("--explain shows the hash, the priority and the slot", async () => {
    const c = routed.find((x) => x.id === "maglev-priority-spill");
    const [r] = await routeJson(["--config", systemFile(c), "--flow", `src=${c.flows[0].flow.src}`, "--explain"]);
    const text = r.explain.join("\n");
    expect(text).toContain(`XXH64("${c.flows[0].address_as_string}") = ${hex16(c.flows[0].hash)}`);
    expect(text).toContain(`→ P${c.flows[0].priority}`);
    expect(text).toContain(`= ${c.flows[0].slot} → ${c.flows[0].backend}`);
  });
  it("a bad request field: exit 2 naming the line and field, with did-you-mean", async () => {
    const c = routed.find((x) => x.id === "maglev-v4-even");
    const file = write("bad.jsonl", `{"src":"198.51.100.7"}\n{"src":"198.51.100.7","heders":[]}\n`);
    expect(await cliBadInput(["route", "--config", systemFile(c), "--input", file])).toMatch(/line 2: .*unknown field "heders" \(did you mean "headers"\?\)/);
  });
});
