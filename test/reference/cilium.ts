// Slow reference of Cilium's service decision, written from the notes of
// test/vectors/systems/cilium.json (bpf/lib/hash.h, jhash.h, lb.h; pkg/service, pkg/maglev):
// the datapath flow hash of 1.16 and 1.17+, the backends the control plane puts in the table
// and the frontend match. Plain numbers with `>>> 0` after each step, Node's base64 decoder,
// the Maglev table from ./maglev.ts; nothing is shared with src/.
import { refCilium as refCiliumTable } from "./maglev.js";

const u = (x: number): number => x >>> 0;
const rol = (x: number, k: number): number => u((x << k) | (x >>> (32 - k)));

/** Linux jhash.h __jhash_mix(a, b, c). */
function jmix(s: number[]): void {
  let [a, b, c] = s as [number, number, number];
  a = u(a - c); a = u(a ^ rol(c, 4)); c = u(c + b);
  b = u(b - a); b = u(b ^ rol(a, 6)); a = u(a + c);
  c = u(c - b); c = u(c ^ rol(b, 8)); b = u(b + a);
  a = u(a - c); a = u(a ^ rol(c, 16)); c = u(c + b);
  b = u(b - a); b = u(b ^ rol(a, 19)); a = u(a + c);
  c = u(c - b); c = u(c ^ rol(b, 4)); b = u(b + a);
  s[0] = a; s[1] = b; s[2] = c;
}

/** Linux jhash.h __jhash_final(a, b, c). */
function jfinal(s: number[]): void {
  let [a, b, c] = s as [number, number, number];
  c = u(c ^ b); c = u(c - rol(b, 14));
  a = u(a ^ c); a = u(a - rol(c, 11));
  b = u(b ^ a); b = u(b - rol(a, 25));
  c = u(c ^ b); c = u(c - rol(b, 16));
  a = u(a ^ c); a = u(a - rol(c, 4));
  b = u(b ^ a); b = u(b - rol(a, 14));
  c = u(c ^ b); c = u(c - rol(b, 24));
  s[0] = a; s[1] = b; s[2] = c;
}

/** jhash_3words(a, b, c, initval) = __jhash_nwords(a, b, c, initval + JHASH_INITVAL + 12). */
export function refJhash3words(a: number, b: number, c: number, initval: number): number {
  const iv = u(initval + 0xdeadbeef + 12);
  const s = [u(a + iv), u(b + iv), u(c + iv)];
  jfinal(s);
  return s[2]!;
}

/** The three seeds: bytes 0-3, 4-7, 8-11 of the base64 cluster seed, big-endian. */
export function refSeeds(hashSeed: string): { murmur: number; jhash0: number; jhash1: number } {
  const b = Buffer.from(hashSeed, "base64");
  if (b.length !== 12) throw new Error(`reference: seed ${hashSeed} is not 12 bytes`);
  return { murmur: b.readUInt32BE(0), jhash0: b.readUInt32BE(4), jhash1: b.readUInt32BE(8) };
}

/** A network-order u16 read as a host u16 on x86-64. */
const hostU16 = (port: number): number => Buffer.from([port >> 8, port & 0xff]).readUInt16LE(0);

export type RefVersion = "1.16" | "1.17+";

/**
 * The datapath hash of a packet from `src` (4 or 16 bytes) with ports `sport` → `dport`.
 * tuple->dport = packet sport, tuple->sport = packet dport; 1.16 hashes
 * (tuple->dport << 16) | tuple->sport, 1.17+ (tuple->sport << 16) | (affinity ? 0 : tuple->dport).
 */
export function refCiliumHash(version: RefVersion, affinity: boolean, src: Uint8Array, sport: number, dport: number, proto: number, hashSeed: string): number {
  const tupleDport = hostU16(sport);
  const tupleSport = hostU16(dport);
  const ports = version === "1.16" ? u((tupleDport << 16) | tupleSport) : u((tupleSport << 16) | (affinity ? 0 : tupleDport));
  const seeds = refSeeds(hashSeed);
  const b = Buffer.from(src);
  if (src.length === 4) return refJhash3words(b.readUInt32LE(0), ports, proto, seeds.jhash0);
  const s = [b.readUInt32LE(0), b.readUInt32LE(4), b.readUInt32LE(8)];
  jmix(s);
  s[0] = u(s[0]! + b.readUInt32LE(12));
  s[1] = u(s[1]! + ports);
  s[2] = u(s[2]! + proto);
  jmix(s);
  s[0] = u(s[0]! + seeds.jhash1);
  jfinal(s);
  return s[2]!;
}

export interface RefBackend {
  /** Canonical address text (Go netip form). */
  host: string;
  port: number;
  protocol: "TCP" | "UDP" | "SCTP";
  weight: number;
  state: "active" | "terminating" | "quarantined" | "maintenance" | "terminating-not-serving";
  preferred?: boolean;
}

export interface RefService {
  version: RefVersion;
  /** Frontend address bytes, port and protocol number. */
  address: Uint8Array;
  port: number;
  proto: number;
  affinity: boolean;
  tableSize: number;
  hashSeed: string;
  backends: RefBackend[];
}

const bracket = (h: string): string => (h.includes(":") ? `[${h}]` : h);

/** segregateBackends: active (weight > 0), else terminating; preferred ones among the active when any. */
export function refTableBackends(backends: readonly RefBackend[]): RefBackend[] {
  const active = backends.filter((b) => b.state === "active" && b.weight > 0);
  if (active.length) {
    const preferred = active.filter((b) => b.preferred === true);
    return preferred.length ? preferred : active;
  }
  return backends.filter((b) => b.state === "terminating" && b.weight > 0);
}

export function refHashString(version: RefVersion, b: RefBackend): string {
  const hp = `${bracket(b.host)}:${b.port}`;
  return version === "1.16" ? hp : `[${hp}/${b.protocol},State:active]`;
}

/** The whole decision as a function of the flow: backend "addr:port" or null, hash and slot or null. */
export function refCiliumRouter(svc: RefService): (flow: { src: Uint8Array; dst: Uint8Array; sport: number; dport: number; proto: number }) => { backend: string | null; hash: number | null; slot: number | null } {
  const table = refTableBackends(svc.backends);
  const entries = table.length
    ? refCiliumTable(table.map((b) => ({ hashString: refHashString(svc.version, b), weight: b.weight })), svc.tableSize, refSeeds(svc.hashSeed).murmur)
    : [];
  return (flow) => {
    const none = { backend: null, hash: null, slot: null };
    if (flow.proto !== 6 && flow.proto !== 17) return none;
    if (!Buffer.from(flow.dst).equals(Buffer.from(svc.address)) || flow.dport !== svc.port) return none;
    if (svc.version !== "1.16" && flow.proto !== svc.proto) return none;
    if (table.length === 0) return none;
    const hash = refCiliumHash(svc.version, svc.affinity, flow.src, flow.sport, flow.dport, flow.proto, svc.hashSeed);
    const slot = hash % svc.tableSize;
    const b = table[entries[slot]!]!;
    return { backend: `${bracket(b.host)}:${b.port}`, hash, slot };
  };
}
