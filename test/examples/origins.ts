// Origins for the routing examples (cloudflare-worker, deno): plain HTTP servers on
// 127.0.0.1 that answer with their name, the method and the path they received, and the
// check both examples must pass: each header value reaches the origin flowpin predicts.
import http from "node:http";
import { expect } from "vitest";
import { hashes, Maglev } from "../../src/index.js";

export interface Origins {
  urls: string[];
  nameOf: Map<string, string>;
  close: () => Promise<void>;
}

export async function startOrigins(names: string[]): Promise<Origins> {
  const servers: http.Server[] = [];
  const urls: string[] = [];
  const nameOf = new Map<string, string>();
  for (const name of names) {
    const server = http.createServer((req, res) => res.end(`${name} ${req.method} ${req.url}`));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    servers.push(server);
    urls.push(url);
    nameOf.set(url, name);
  }
  const close = () => Promise.all(servers.map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r))))).then(() => undefined);
  return { urls, nameOf, close };
}

/**
 * Sends `count` header values (twice each) through the router at `base` and asserts each
 * reaches the origin that Envoy's header hash (XXH64) into a Maglev table over the same
 * origins selects, with path and query passed through. Returns requests per origin.
 */
export async function expectConsistentRouting(base: string, origins: Origins, count = 40): Promise<Map<string, number>> {
  const lb = new Maglev({ backends: origins.urls.map((id) => ({ id })) });
  const enc = new TextEncoder();
  const per = new Map<string, number>();
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < count; i++) {
      const value = `session-${i}`;
      const expected = lb.lookup(hashes.xxh64(enc.encode(value))).id;
      const res = await fetch(`${base}/api/item?id=${i}`, { headers: { "x-session-id": value }, signal: AbortSignal.timeout(10_000) });
      const body = await res.text();
      expect(res.status, body).toBe(200);
      expect(res.headers.get("x-flowpin-origin")).toBe(expected);
      expect(body).toBe(`${origins.nameOf.get(expected)} GET /api/item?id=${i}`);
      if (round === 0) per.set(expected, (per.get(expected) ?? 0) + 1);
    }
  }
  expect(per.size, "requests spread over the origins").toBeGreaterThanOrEqual(2);
  return per;
}
