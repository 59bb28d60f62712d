// Every case of test/vectors/systems/nginx.json (decisions of the real nginx 1.22.1 binary, http
// and stream, on loopback) through the API on every engine, connection by connection in the
// order they were made (nginx's round robin keeps state between them): the backend that
// answered, the key nginx logged, the ring point it printed, the points it walked and its
// $upstream_addr. The key's CRC-32 is checked against node:zlib's crc32, not flowpin's.
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { systems } from "../../src/index.js";
import { forEachEngine } from "../engines.js";
import { loadSystemVectors } from "../vectors.js";

interface VectorFlow {
  seq: number;
  flow: { src: string; dst: string; sport: number; dport: number; proto: number };
  key: string;
  point?: number;
  path?: string;
  walk?: string[];
  backend: string;
  upstream_addr: string;
}
interface VectorCase {
  id: string;
  what: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  config: any;
  flows: VectorFlow[];
}

const V = loadSystemVectors("nginx");
const CASES: VectorCase[] = V.cases;

/** What the vector says, in the route's terms. */
function expected(f: VectorFlow) {
  const hashed = f.point !== undefined;
  return {
    backend: f.backend,
    key: f.key,
    hash: hashed ? (zlib.crc32(f.key) >>> 0).toString(16).padStart(8, "0") : null,
    slot: hashed ? f.point : null,
    walk: f.walk,
    upstream_addr: f.upstream_addr,
  };
}
const got = (r: { backend: string | null; key: string | null; hash: string | null; slot: number | null; walk?: string[]; upstream_addr: string }) => ({
  backend: r.backend,
  key: r.key,
  hash: r.hash,
  slot: r.slot,
  walk: r.walk,
  upstream_addr: r.upstream_addr,
});

describe("nginx vectors: the file", () => {
  it("holds the 27 cases and 5553 connections the issue names, in seq order", () => {
    expect(CASES.length).toBe(27);
    expect(CASES.reduce((n, c) => n + c.flows.length, 0)).toBe(5553);
    for (const c of CASES) c.flows.forEach((f, i) => expect(f.seq).toBe(i));
  });
  it("covers both modules, both key forms, down, backup, dead backends, multi-address names", () => {
    const ids = CASES.map((c) => c.id);
    expect(new Set(CASES.map((c) => c.config.module))).toEqual(new Set(["http", "stream"]));
    expect(new Set(CASES.map((c) => c.config.hash_key))).toEqual(new Set(["$remote_addr", "$remote_addr$remote_port"]));
    for (const id of ["http-down", "http-dead-backend", "http-backup-before-hash", "http-multiaddr-name", "http-dualstack-v4mapped", "http-wrap-edges"]) expect(ids).toContain(id);
  });
});

forEachEngine("nginx system: every vector case, connections in order", () => {
  for (const c of CASES) {
    it(`${c.id}: ${c.what}`, () => {
      const nginx = systems.nginx(c.config);
      for (const f of c.flows) {
        const r = nginx.route(f.flow);
        expect(got(r), `${c.id} seq ${f.seq} ${JSON.stringify(f.flow)}`).toEqual(expected(f));
        if (f.path === "round-robin") expect(r.reason).toBe("round-robin");
        else expect(r.reason, `${c.id} seq ${f.seq}`).toMatch(/^(hash|fallback|backup)$/);
      }
    });
    it(`${c.id}: routeBatch from fresh state gives the same decisions`, () => {
      const batch = systems.nginx(c.config).routeBatch(c.flows.map((f) => f.flow));
      c.flows.forEach((f, i) => expect(got(batch[i]!), `${c.id} seq ${f.seq}`).toEqual(expected(f)));
    });
  }
});
