/**
 * glb-director's binary forwarding-table file, as `glb-director-cli build-config` writes it
 * (src/glb-director/cli/main.c, `#pragma pack(1)`, little-endian host), read by the director
 * at start and on reload. Layout, all integers little-endian:
 *
 *   "GLBD"
 *   u32 file_fmt_ver = 2, u32 num_tables, u32 table_entries = 65536,
 *   u32 max_num_backends = 256, u32 max_num_binds = 256
 *   per table:
 *     u32 num_backends
 *     256 x backend { u32 family (1 = IPv4, 2 = IPv6), u8[16] ip (IPv4 in the first 4 bytes,
 *                     network order, rest 0), u16 state, u16 health }          (24 bytes)
 *     u32 num_binds
 *     256 x bind    { u32 family, u8[16] ip, u16 ip_bits, u16 port_start, u16 port_end,
 *                     u8 proto, u8 reserved }                                  (28 bytes)
 *     u8[16] hash_key
 *     65536 x row   { u32 primary_idx, u32 secondary_idx }
 *
 * Unused backend and bind slots are all zero (the CLI memsets them). The table seed is not in
 * the file. States: filling 0, active 1, draining and inactive both 2; health down 0, up 1.
 * The reader accepts exactly what the writer can produce, so a file read and written again is
 * byte-identical; anything else is CORRUPT_DATA (or UNSUPPORTED_VERSION for another version).
 * @module
 */
import { flowpinError, show } from "./errors.js";

export const GLB_ROWS = 65536;
export const GLB_MAX_BACKENDS = 256;
export const GLB_MAX_BINDS = 256;
const MAGIC = [0x47, 0x4c, 0x42, 0x44]; // "GLBD"
const VERSION = 2;
const HEADER = 4 + 5 * 4;
const BACKEND = 24;
const BIND = 28;
const TABLE = 4 + GLB_MAX_BACKENDS * BACKEND + 4 + GLB_MAX_BINDS * BIND + 16 + GLB_ROWS * 8;

/** Backend state numbers in the file (main.c GLB_BACKEND_STATE_*). */
export const GLB_STATE_FILLING = 0;
export const GLB_STATE_ACTIVE = 1;
export const GLB_STATE_DRAINING_INACTIVE = 2;

export interface GlbFileBackend {
  /** 4 or 16 bytes, network order. */
  address: Uint8Array;
  state: number;
  /** 1 up, 0 down. */
  health: number;
}

export interface GlbFileBind {
  address: Uint8Array;
  ipBits: number;
  portStart: number;
  portEnd: number;
  /** 6 (tcp) or 17 (udp). */
  proto: number;
}

export interface GlbFileTable {
  backends: readonly GlbFileBackend[];
  binds: readonly GlbFileBind[];
  hashKey: Uint8Array;
  /** u32[65536 * 2]: (primary, secondary) per row. */
  rows: Uint32Array;
}

/** Size in bytes of a file holding `tables` tables (537648 for one). */
export function glbFileSize(tables: number): number {
  return HEADER + tables * TABLE;
}

/** Writes the file. The caller has validated every field (src/glb.ts does). */
export function encodeGlbFile(tables: readonly GlbFileTable[]): Uint8Array {
  const out = new Uint8Array(glbFileSize(tables.length));
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint32(4, VERSION, true);
  dv.setUint32(8, tables.length, true);
  dv.setUint32(12, GLB_ROWS, true);
  dv.setUint32(16, GLB_MAX_BACKENDS, true);
  dv.setUint32(20, GLB_MAX_BINDS, true);
  let at = HEADER;
  for (const t of tables) {
    dv.setUint32(at, t.backends.length, true);
    at += 4;
    t.backends.forEach((b, i) => {
      const p = at + i * BACKEND;
      dv.setUint32(p, b.address.length === 4 ? 1 : 2, true);
      out.set(b.address, p + 4);
      dv.setUint16(p + 20, b.state, true);
      dv.setUint16(p + 22, b.health, true);
    });
    at += GLB_MAX_BACKENDS * BACKEND;
    dv.setUint32(at, t.binds.length, true);
    at += 4;
    t.binds.forEach((b, i) => {
      const p = at + i * BIND;
      dv.setUint32(p, b.address.length === 4 ? 1 : 2, true);
      out.set(b.address, p + 4);
      dv.setUint16(p + 20, b.ipBits, true);
      dv.setUint16(p + 22, b.portStart, true);
      dv.setUint16(p + 24, b.portEnd, true);
      out[p + 26] = b.proto;
    });
    at += GLB_MAX_BINDS * BIND;
    out.set(t.hashKey, at);
    at += 16;
    for (let i = 0; i < GLB_ROWS * 2; i++) dv.setUint32(at + 4 * i, t.rows[i]!, true);
    at += GLB_ROWS * 8;
  }
  return out;
}

function corrupt(message: string): Error {
  return flowpinError("CORRUPT_DATA", `not a valid glb-director table file: ${message}`);
}

function allZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

/** An address field: family 1 keeps 4 bytes (the other 12 must be 0), family 2 all 16. */
function readAddress(b: Uint8Array, dv: DataView, p: number, what: string): Uint8Array {
  const family = dv.getUint32(p, true);
  if (family === 1) {
    if (!allZero(b, p + 8, p + 20)) throw corrupt(`${what}: IPv4 address with non-zero padding`);
    return b.slice(p + 4, p + 8);
  }
  if (family === 2) return b.slice(p + 4, p + 20);
  throw corrupt(`${what}: address family ${family} (expected 1 or 2)`);
}

/** Reads every table of a file; throws CORRUPT_DATA / UNSUPPORTED_VERSION on anything else. */
export function decodeGlbFile(bytes: Uint8Array): GlbFileTable[] {
  if (!(bytes instanceof Uint8Array)) throw flowpinError("INVALID_TYPE", `bytes must be a Uint8Array, got ${show(bytes)}`);
  if (bytes.length < HEADER) throw corrupt(`${bytes.length} bytes is shorter than the ${HEADER}-byte header`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) throw corrupt('it does not start with "GLBD"');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== VERSION) throw flowpinError("UNSUPPORTED_VERSION", `glb-director table file version ${version}; flowpin reads version ${VERSION}`);
  const count = dv.getUint32(8, true);
  const entries = dv.getUint32(12, true);
  const maxBackends = dv.getUint32(16, true);
  const maxBinds = dv.getUint32(20, true);
  if (entries !== GLB_ROWS || maxBackends !== GLB_MAX_BACKENDS || maxBinds !== GLB_MAX_BINDS) {
    throw corrupt(`header sizes ${entries}/${maxBackends}/${maxBinds}, expected ${GLB_ROWS}/${GLB_MAX_BACKENDS}/${GLB_MAX_BINDS}`);
  }
  // Check the length before allocating per-table arrays: a corrupt count cannot cost memory.
  if (bytes.length !== glbFileSize(count)) {
    throw corrupt(`${bytes.length} bytes, but ${count} table(s) take ${glbFileSize(count)} (truncated or trailing data)`);
  }
  const tables: GlbFileTable[] = [];
  let at = HEADER;
  for (let t = 0; t < count; t++) {
    const where = `table ${t}`;
    const nb = dv.getUint32(at, true);
    if (nb > GLB_MAX_BACKENDS) throw corrupt(`${where}: ${nb} backends (at most ${GLB_MAX_BACKENDS})`);
    at += 4;
    const backends: GlbFileBackend[] = [];
    for (let i = 0; i < GLB_MAX_BACKENDS; i++) {
      const p = at + i * BACKEND;
      if (i >= nb) {
        if (!allZero(bytes, p, p + BACKEND)) throw corrupt(`${where}: unused backend slot ${i} is not zero`);
        continue;
      }
      const address = readAddress(bytes, dv, p, `${where} backend ${i}`);
      const state = dv.getUint16(p + 20, true);
      const health = dv.getUint16(p + 22, true);
      if (state > GLB_STATE_DRAINING_INACTIVE) throw corrupt(`${where} backend ${i}: state ${state} (expected 0, 1 or 2)`);
      if (health > 1) throw corrupt(`${where} backend ${i}: health ${health} (expected 0 or 1)`);
      backends.push({ address, state, health });
    }
    at += GLB_MAX_BACKENDS * BACKEND;
    const nbind = dv.getUint32(at, true);
    if (nbind > GLB_MAX_BINDS) throw corrupt(`${where}: ${nbind} binds (at most ${GLB_MAX_BINDS})`);
    at += 4;
    const binds: GlbFileBind[] = [];
    for (let i = 0; i < GLB_MAX_BINDS; i++) {
      const p = at + i * BIND;
      if (i >= nbind) {
        if (!allZero(bytes, p, p + BIND)) throw corrupt(`${where}: unused bind slot ${i} is not zero`);
        continue;
      }
      const address = readAddress(bytes, dv, p, `${where} bind ${i}`);
      const ipBits = dv.getUint16(p + 20, true);
      if (ipBits > address.length * 8) throw corrupt(`${where} bind ${i}: ${ipBits} prefix bits for a ${address.length * 8}-bit address`);
      const proto = bytes[p + 26]!;
      if (proto !== 6 && proto !== 17) throw corrupt(`${where} bind ${i}: protocol ${proto} (expected 6 or 17)`);
      if (bytes[p + 27] !== 0) throw corrupt(`${where} bind ${i}: reserved byte is not zero`);
      binds.push({ address, ipBits, portStart: dv.getUint16(p + 22, true), portEnd: dv.getUint16(p + 24, true), proto });
    }
    at += GLB_MAX_BINDS * BIND;
    const hashKey = bytes.slice(at, at + 16);
    at += 16;
    const rows = new Uint32Array(GLB_ROWS * 2);
    for (let i = 0; i < GLB_ROWS * 2; i++) {
      const x = dv.getUint32(at + 4 * i, true);
      if (x >= nb) throw corrupt(`${where} row ${i >> 1}: backend index ${x} but the table has ${nb} backend(s)`);
      rows[i] = x;
    }
    at += GLB_ROWS * 8;
    tables.push({ backends, binds, hashKey, rows });
  }
  return tables;
}
