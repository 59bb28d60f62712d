// A slow reference for nginx's consistent-hash ring, written from the vector file's notes
// (ngx_http_upstream_init_chash, find_chash_point, get_chash_peer) with node:zlib's CRC-32 and
// Buffers, sharing no code with src/systems/nginx: point j of a server = crc32(host ‖ 0x00 ‖
// port ‖ point j-1 as 4 little-endian bytes), 160 per unit of weight; sort (stable), equal
// values keep the first; a key goes to the first point ≥ crc32(key), wrapping; a point whose
// server is down passes to the next point, at most 20 times.
import zlib from "node:zlib";

export interface RefServer {
  server: string;
  weight: number;
  down: boolean;
}

/** Host and port text as the notes describe the split of a `server` argument. */
export function refSplit(server: string): [string, string] {
  if (/^unix:/i.test(server)) return [server.slice(5), ""];
  const m = /^(.*):(\d*)$/s.exec(server);
  return m ? [m[1]!, m[2]!] : [server, ""];
}

export interface RefPoint {
  value: number;
  server: number;
}

/** The sorted, de-duplicated points (one peer per server). */
export function refRing(servers: readonly RefServer[]): RefPoint[] {
  const all: { value: number; server: number; order: number }[] = [];
  servers.forEach((s, i) => {
    const [host, port] = refSplit(s.server);
    let prev = Buffer.alloc(4);
    for (let j = 0; j < 160 * s.weight; j++) {
      const value = zlib.crc32(Buffer.concat([Buffer.from(host), Buffer.from([0]), Buffer.from(port), prev])) >>> 0;
      all.push({ value, server: i, order: all.length });
      prev = Buffer.alloc(4);
      prev.writeUInt32LE(value);
    }
  });
  all.sort((a, b) => a.value - b.value || a.order - b.order);
  const out: RefPoint[] = [];
  for (const p of all) if (out.length === 0 || out[out.length - 1]!.value !== p.value) out.push({ value: p.value, server: p.server });
  return out;
}

/**
 * The server index and first point for a key text, or server -1 when more than 20 points were
 * skipped (nginx then goes round robin, which this reference does not model).
 */
export function refLookup(ring: readonly RefPoint[], servers: readonly RefServer[], key: string): { server: number; point: number; hash: number } {
  const hash = zlib.crc32(Buffer.from(key)) >>> 0;
  let point = ring.findIndex((p) => p.value >= hash);
  if (point < 0) point = ring.length;
  for (let tries = 0, at = point; tries <= 20; tries++, at++) {
    const s = ring[at % ring.length]!.server;
    if (!servers[s]!.down) return { server: s, point, hash };
  }
  return { server: -1, point, hash };
}
