/**
 * nginx's consistent-hash ring (`hash KEY consistent`), as ngx_http_upstream_init_chash and
 * ngx_stream_upstream_init_chash build it (src/http/modules/ngx_http_upstream_hash_module.c):
 *
 * - Each primary peer (one per resolved address of a non-backup `server`, `down` ones
 *   included) gets 160 × weight points. The hashed text is the `server` argument as written,
 *   split into host and port (splitServer); base = CRC-32 state after host ‖ 0x00 ‖ port, and
 *   point j = CRC-32 of base continued with point j−1 as 4 little-endian bytes (0 for j = 0),
 *   a scheme compatible with Perl's Cache::Memcached::Fast.
 * - Points are sorted by unsigned value (ngx_qsort; glibc's merge sort keeps equal values in
 *   insertion order) and equal values collapse to the first, so peers sharing a server text
 *   share their points, and of two texts colliding on a value the earlier peer's keeps it.
 * - A key hash selects the first point ≥ it (ngx_http_upstream_find_chash_point); an index
 *   equal to the point count is used modulo the count, i.e. wraps to point 0.
 * @module
 */
import { flowpinError } from "../../errors.js";
import { CRC32_INIT, crc32Byte, crc32Final, crc32Update } from "./crc32.js";

/** Points per unit of weight (ngx_http_upstream_init_chash: `peer->weight * 160`). */
export const POINTS_PER_WEIGHT = 160;

/**
 * Points flowpin builds at most (2^21: a weight sum of 13107, 16 MB while sorting). nginx
 * itself sets no bound; the bound keeps value · 2^21 + index exact in a double (sortedOrder).
 */
export const MAX_POINTS = 1 << 21;

/**
 * The host and port text nginx hashes for a `server` argument: "unix:PATH" → (PATH, "");
 * otherwise, scanning from the right over digits, a ':' splits host and port; any other
 * character (or none) means the whole text is the host and the port is empty. So
 * "localhost:9001" is ("localhost", "9001"), "[::1]:9001" is ("[::1]", "9001") and
 * "127.0.0.2" is ("127.0.0.2", "").
 */
export function splitServer(server: Uint8Array): { host: Uint8Array; port: Uint8Array } {
  const n = server.length;
  // ngx_strncasecmp(server, "unix:", 5)
  if (n >= 5 && (server[0]! | 0x20) === 0x75 && (server[1]! | 0x20) === 0x6e && (server[2]! | 0x20) === 0x69 && (server[3]! | 0x20) === 0x78 && server[4] === 0x3a) {
    return { host: server.subarray(5), port: server.subarray(n) };
  }
  for (let j = 0; j < n; j++) {
    const c = server[n - j - 1]!;
    if (c === 0x3a) return { host: server.subarray(0, n - j - 1), port: server.subarray(n - j) };
    if (c < 0x30 || c > 0x39) break;
  }
  return { host: server, port: server.subarray(n) };
}

/** The sorted, de-duplicated ring: point values and the server text (index) each belongs to. */
export interface ChashRing {
  /** Point values, ascending, distinct. */
  readonly hashes: Uint32Array;
  /** For each point, the index of its server text in the texts the ring was built from. */
  readonly owner: Uint32Array;
}

/**
 * Builds the ring from the primary peers in configuration order: `texts[textOf[i]]` is peer
 * i's server text (UTF-8) and `weights[i]` its weight.
 */
export function buildRing(texts: readonly Uint8Array[], textOf: readonly number[], weights: readonly number[]): ChashRing {
  let total = 0;
  for (const w of weights) total += w * POINTS_PER_WEIGHT;
  if (total > MAX_POINTS) {
    throw flowpinError("INVALID_WEIGHT", `the servers' weights add up to ${total / POINTS_PER_WEIGHT}: ${total} ring points, above the ${MAX_POINTS} flowpin builds (160 points per unit of weight)`);
  }
  const values = new Uint32Array(total);
  const peerOf = new Uint32Array(total);
  const bases = texts.map((t) => {
    const { host, port } = splitServer(t);
    return crc32Update(crc32Byte(crc32Update(CRC32_INIT, host), 0), port);
  });
  let n = 0;
  for (let i = 0; i < weights.length; i++) {
    const base = bases[textOf[i]!]!;
    let prev = 0;
    for (let j = 0, m = weights[i]! * POINTS_PER_WEIGHT; j < m; j++) {
      // The previous point as 4 little-endian bytes, on every host (the #else branch of
      // ngx_http_upstream_init_chash stores it byte by byte for big-endian machines).
      let c = crc32Byte(base, prev & 0xff);
      c = crc32Byte(c, (prev >>> 8) & 0xff);
      c = crc32Byte(c, (prev >>> 16) & 0xff);
      c = crc32Byte(c, prev >>> 24);
      prev = crc32Final(c);
      values[n] = prev;
      peerOf[n++] = i;
    }
  }
  const order = sortedOrder(values);
  // Collapse equal values to the first in sorted (stable) order.
  const hashes = new Uint32Array(total);
  const owner = new Uint32Array(total);
  let count = 0;
  for (let k = 0; k < total; k++) {
    const p = order[k]!;
    const v = values[p]!;
    if (count > 0 && hashes[count - 1] === v) continue;
    hashes[count] = v;
    owner[count++] = textOf[peerOf[p]!]!;
  }
  return { hashes: hashes.slice(0, count), owner: owner.slice(0, count) };
}

/**
 * Indices of `values` in ascending order, equal values in index order (a stable sort, as
 * glibc's qsort is for arrays this size). Packing value · 2^21 + index into a double keeps
 * both exact (32 + 21 bits = 53) and lets the engine's numeric typed-array sort do the work.
 */
function sortedOrder(values: Uint32Array): Uint32Array {
  const n = values.length;
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = values[i]! * MAX_POINTS + i;
  packed.sort();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = packed[i]! % MAX_POINTS;
  return order;
}

/**
 * ngx_http_upstream_find_chash_point: the index of the first point ≥ hash, or the point count
 * when the hash is above every point (the caller takes it modulo the count).
 */
export function findPoint(hashes: Uint32Array, hash: number): number {
  let i = 0;
  let j = hashes.length;
  while (i < j) {
    const k = (i + j) >>> 1;
    const v = hashes[k]!;
    if (hash > v) i = k + 1;
    else if (hash < v) j = k;
    else return k;
  }
  return i;
}
