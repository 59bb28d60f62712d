// Every nginx vector case through `flowpin route`, connections in order (nginx's round robin
// keeps state between them): the config as a {"system": "nginx", ...} file, the flows as JSON
// Lines, compared per connection with what the real nginx did; and, where the nginx.conf alone
// says everything (servers given by address, all of them accepting connections), the case's
// own upstream and server blocks as an nginx.conf read with --system nginx.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { cliBadInput, runCli } from "../cli-inprocess.js";
import { loadSystemVectors } from "../vectors.js";

interface VectorFlow {
  flow: { src: string; dst: string; sport: number; dport: number; proto: number };
  key: string;
  point?: number;
  backend: string;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const CASES: { id: string; config: any; flows: VectorFlow[] }[] = loadSystemVectors("nginx").cases;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-nginx-cli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const flowsFile = (id: string, flows: VectorFlow[]) => write(`${id}.jsonl`, flows.map((f) => JSON.stringify(f.flow)).join("\n") + "\n");
/** The case's blocks in their section, as they sat in the nginx.conf that produced the vectors. */
const nginxConf = (c: (typeof CASES)[number]) => `${c.config.module} {\n${c.config.upstream_text}\n${c.config.server_text}\n}\n`;

const expected = (f: VectorFlow) => ({
  backend: f.backend,
  key: f.key,
  hash: f.point === undefined ? null : (zlib.crc32(f.key) >>> 0).toString(16).padStart(8, "0"),
  slot: f.point ?? null,
});

async function route(args: string[]) {
  const r = await runCli(["route", ...args, "--format", "json"]);
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { system: string; results: { backend: string | null; key: string | null; hash: string | null; slot: number | null }[] };
  expect(out.system).toBe("nginx");
  return out.results.map((x) => ({ backend: x.backend, key: x.key, hash: x.hash, slot: x.slot }));
}

/** Cases whose nginx.conf alone gives the decision: no host names to resolve, no refusing server. */
const SELF_CONTAINED = CASES.filter((c) => c.config.servers.every((s: { server: string; listening: boolean }) => s.listening && /^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:.]+\])(:\d+)?$/.test(s.server)));

describe("nginx vectors through flowpin route", () => {
  for (const c of CASES) {
    it(`${c.id}: {"system": "nginx", ...config} and the flows as JSON Lines`, async () => {
      const config = write(`${c.id}.json`, JSON.stringify({ system: "nginx", ...c.config }));
      const results = await route(["--config", config, "--input", flowsFile(c.id, c.flows)]);
      expect(results).toHaveLength(c.flows.length);
      c.flows.forEach((f, i) => expect(results[i], `${c.id} flow ${i}`).toEqual(expected(f)));
    });
  }

  it(`the nginx.conf of ${SELF_CONTAINED.length} of the ${CASES.length} cases decides alone (the others name hosts of the vectors' /etc/hosts or a refusing server)`, () => {
    expect(SELF_CONTAINED.length).toBeGreaterThanOrEqual(20);
  });
  for (const c of SELF_CONTAINED) {
    it(`${c.id}: the case's nginx.conf with --system nginx`, async () => {
      const conf = write(`${c.id}.conf`, nginxConf(c));
      const results = await route(["--config", conf, "--system", "nginx", "--input", flowsFile(c.id, c.flows)]);
      c.flows.forEach((f, i) => expect(results[i], `${c.id} flow ${i}`).toEqual(expected(f)));
    });
  }

  it("finds the nginx.conf without --system, and picks one of several upstreams by --name", async () => {
    const a = CASES.find((c) => c.id === "http-5-weighted")!;
    const b = CASES.find((c) => c.id === "http-3-equal")!;
    const conf = write("two.conf", `http {\n${a.config.upstream_text}\n${a.config.server_text}\n${b.config.upstream_text}\n${b.config.server_text}\n}\n`);
    const flows = flowsFile("two", a.flows);
    const results = await route(["--config", conf, "--name", "u_http_5_weighted", "--input", flows]);
    a.flows.forEach((f, i) => expect(results[i], `flow ${i}`).toEqual(expected(f)));
    expect(await cliBadInput(["route", "--config", conf, "--input", flows])).toMatch(/2 upstream blocks \(u_http_5_weighted, u_http_3_equal\); pick one by name/);
    expect(await cliBadInput(["route", "--config", conf, "--name", "u_http_5_weigthed", "--input", flows])).toMatch(/no upstream named "u_http_5_weigthed" \(did you mean "u_http_5_weighted"\?\)/);
  });

  it("--flow specs and --explain: the key, its CRC-32, the ring point and the servers walked", async () => {
    const c = CASES.find((x) => x.id === "http-down")!;
    const f = c.flows.find((x) => (x as { walk?: string[] }).walk)! as VectorFlow & { walk: string[] };
    const config = write("down.json", JSON.stringify({ system: "nginx", ...c.config }));
    const spec = `src=${f.flow.src},dst=${f.flow.dst},sport=${f.flow.sport},dport=${f.flow.dport},proto=tcp`;
    const r = await runCli(["route", "--config", config, "--flow", spec, "--format", "text", "--explain"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(f.backend);
    expect(r.stdout).toContain(`= "${f.key}"`);
    expect(r.stdout).toContain(`point ${f.point}`);
    expect(r.stdout).toContain(`points walked (server text): ${f.walk.join(" → ")}`);
  });

  it("bad input: exit 2 and one line naming the directive or field", async () => {
    const flows = flowsFile("bad", CASES[0]!.flows.slice(0, 1));
    const conf = (body: string) => write("bad.conf", `http {\n  upstream u {\n${body}\n  }\n}\n`);
    expect(await cliBadInput(["route", "--config", conf("    least_conn;\n    server 10.0.0.1:80;"), "--system", "nginx", "--input", flows])).toMatch(/least_conn is not modelled/);
    expect(await cliBadInput(["route", "--config", conf("    hash $remote_addr consistent;\n    server 10.0.0.1:80 weight=0;"), "--system", "nginx", "--input", flows])).toMatch(/invalid parameter "weight=0"/);
    expect(await cliBadInput(["route", "--config", conf("    hash $remote_addr consistent;\n    server 10.0.0.1:80 backup;"), "--system", "nginx", "--input", flows])).toMatch(/does not support parameter "backup"/);
    expect(await cliBadInput(["route", "--config", conf("    hash $request_uri consistent;\n    server 10.0.0.1:80;"), "--system", "nginx", "--input", flows])).toMatch(/\$request_uri is not modelled/);
    const json = write("bad.json", JSON.stringify({ system: "nginx", ...CASES[0]!.config, hash_keys: "$remote_addr" }));
    expect(await cliBadInput(["route", "--config", json, "--input", flows])).toMatch(/unknown field "hash_keys" \(did you mean "hash_key"\?\)/);
  });
});
