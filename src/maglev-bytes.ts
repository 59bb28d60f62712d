// The binary form of a Maglev table (Maglev.toBytes / Maglev.fromBytes), little-endian:
//
//   0   4  magic "FPMG"
//   4   2  format version (1)
//   6   1  profile (0 envoy, 1 katran, 2 cilium, 3 ipvs)
//   7   1  flags: bit 0 = entries are u32 (else u16)
//   8   4  size M
//   12  4  backend count N
//   16  4  meta length L
//   20  L  meta: UTF-8 JSON {"options": {...}, "backends": [...]} (u64 hashes as decimal strings)
//   ..     zero padding to a multiple of 4
//   ..     table: M entries (u16 or u32)
//   ..     zero padding to a multiple of 4
//   end-4  xxh32 (seed 0) of every byte before it
//
// The version is checked before the checksum so that a newer format is reported as such.
import { flowpinError } from "./errors.js";
import { xxh32 } from "./hashes.js";
import { MAX_TABLE_SIZE, type MaglevProfileName, type MaglevProfileOptions, type NormalizedBackend } from "./profiles/maglev-profile.js";

const MAGIC = [0x46, 0x50, 0x4d, 0x47]; // "FPMG"
export const MAGLEV_FORMAT_VERSION = 1;
const PROFILES: readonly MaglevProfileName[] = ["envoy", "katran", "cilium", "ipvs"];
const HEADER = 20;

export interface MaglevParts {
  profile: MaglevProfileName;
  size: number;
  options: MaglevProfileOptions;
  backends: readonly NormalizedBackend[];
  table: Uint16Array | Uint32Array;
}

// Arithmetic, not `& ~3`: header fields are u32 and a 32-bit mask would wrap (a size field
// of 2^31 + 13 once produced a negative offset).
const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

export function encodeMaglev(p: MaglevParts): Uint8Array {
  const meta = new TextEncoder().encode(
    JSON.stringify({ options: p.options, backends: p.backends }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
  );
  const wide = p.table instanceof Uint32Array;
  const tableAt = pad4(HEADER + meta.length);
  const tableBytes = p.table.length * (wide ? 4 : 2);
  const sumAt = pad4(tableAt + tableBytes);
  const out = new Uint8Array(sumAt + 4);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint16(4, MAGLEV_FORMAT_VERSION, true);
  out[6] = PROFILES.indexOf(p.profile);
  out[7] = wide ? 1 : 0;
  dv.setUint32(8, p.size, true);
  dv.setUint32(12, p.backends.length, true);
  dv.setUint32(16, meta.length, true);
  out.set(meta, HEADER);
  for (let i = 0; i < p.table.length; i++) {
    if (wide) dv.setUint32(tableAt + 4 * i, p.table[i]!, true);
    else dv.setUint16(tableAt + 2 * i, p.table[i]!, true);
  }
  dv.setUint32(sumAt, xxh32(out.subarray(0, sumAt)), true);
  return out;
}

function corrupt(why: string): Error {
  return flowpinError("CORRUPT_DATA", `not a valid serialized Maglev table: ${why}`);
}

/** Decodes and checks framing, version and checksum; the caller re-validates the contents. */
export function decodeMaglev(bytes: Uint8Array): { profile: string; size: number; options: unknown; backends: unknown; table: Uint16Array | Uint32Array } {
  if (!(bytes instanceof Uint8Array)) throw flowpinError("INVALID_TYPE", "bytes must be a Uint8Array");
  if (bytes.length < HEADER + 4) throw corrupt(`${bytes.length} bytes is shorter than the ${HEADER + 4}-byte minimum (truncated)`);
  if (MAGIC.some((m, i) => bytes[i] !== m)) throw corrupt("bad magic (expected \"FPMG\")");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint16(4, true);
  if (version > MAGLEV_FORMAT_VERSION) {
    throw flowpinError("UNSUPPORTED_VERSION", `serialized Maglev table has format version ${version}; this flowpin reads version ${MAGLEV_FORMAT_VERSION}`);
  }
  if (version === 0) throw corrupt("format version 0");
  const profile = PROFILES[bytes[6]!];
  if (!profile) throw corrupt(`unknown profile code ${bytes[6]}`);
  const flags = bytes[7]!;
  if (flags > 1) throw corrupt(`unknown flags ${flags}`);
  const wide = flags === 1;
  const size = dv.getUint32(8, true);
  const count = dv.getUint32(12, true);
  const metaLen = dv.getUint32(16, true);
  // Bound the fields before sizing anything from them.
  if (size > MAX_TABLE_SIZE || metaLen > bytes.length || count > size) {
    throw corrupt(`header fields out of range (size ${size}, ${count} backends, ${metaLen} bytes of metadata in a ${bytes.length}-byte file)`);
  }
  const tableAt = pad4(HEADER + metaLen);
  const sumAt = pad4(tableAt + size * (wide ? 4 : 2));
  if (bytes.length !== sumAt + 4) throw corrupt(`length ${bytes.length} does not match the header (expected ${sumAt + 4}; truncated or padded)`);
  if (dv.getUint32(sumAt, true) !== xxh32(bytes.subarray(0, sumAt))) throw corrupt("checksum mismatch");
  if (wide !== count > 0xffff) throw corrupt(`entry width does not match ${count} backends`);
  let meta: { options?: unknown; backends?: unknown };
  try {
    meta = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(HEADER, HEADER + metaLen)));
  } catch {
    throw corrupt("metadata is not UTF-8 JSON");
  }
  if (typeof meta !== "object" || meta === null || !Array.isArray(meta.backends) || meta.backends.length !== count) {
    throw corrupt("metadata does not list the backends");
  }
  const backends = (meta.backends as Record<string, unknown>[]).map((b) =>
    profile === "katran" && typeof b?.hash === "string" && /^[0-9]+$/.test(b.hash) ? { ...b, hash: BigInt(b.hash) } : b,
  );
  const table = wide ? new Uint32Array(size) : new Uint16Array(size);
  for (let i = 0; i < size; i++) table[i] = wide ? dv.getUint32(tableAt + 4 * i, true) : dv.getUint16(tableAt + 2 * i, true);
  return { profile, size, options: meta.options ?? {}, backends, table };
}
