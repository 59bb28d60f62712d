// Slow reference of the Linux IPVS mh scheduler as ip_vs_ctl.c drives it, written from
// net/netfilter/ipvs/ip_vs_mh.c and ip_vs_ctl.c (and the vector file's notes), sharing nothing
// with src/: its own address parser (to the 16 bytes of union nf_inet_addr), ip_vs_mh_hashkey
// over those bytes with the BigInt SipHash oracle, the kernel's destination list kept literally
// (new dests at the head), the trash, a table of dest objects, and the lookup and fallback loops
// transcribed. The table fill is refIpvs from ./maglev.ts (ip_vs_mh_populate). An oracle for
// differential tests, never shipped.
import { refIpvs } from "./maglev.js";
import { refSipHash } from "./siphash.js";

/** union nf_inet_addr: 16 bytes; an IPv4 address in the first 4, the rest zero. */
export interface RefAddr {
  v6: boolean;
  bytes: Uint8Array;
}

/** Text to bytes, the plain way: dotted quad, or eight hex groups with one optional "::" and a dotted tail. */
export function refAddr(text: string): RefAddr {
  const bytes = new Uint8Array(16);
  if (!text.includes(":")) {
    const parts = text.split(".").map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`bad IPv4 ${text}`);
    bytes.set(parts, 0);
    return { v6: false, bytes };
  }
  const groups = (s: string): number[] => {
    if (s === "") return [];
    const out: number[] = [];
    for (const p of s.split(":")) {
      if (p.includes(".")) {
        const q = p.split(".").map(Number);
        out.push(q[0]! * 256 + q[1]!, q[2]! * 256 + q[3]!);
      } else out.push(parseInt(p, 16));
    }
    return out;
  };
  const [head, tail] = text.split("::") as [string, string | undefined];
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  if (all.length !== 8) throw new Error(`bad IPv6 ${text}`);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return { v6: true, bytes };
}

const be32 = (b: Uint8Array, at: number): bigint => (BigInt(b[at]!) << 24n) | (BigInt(b[at + 1]!) << 16n) | (BigInt(b[at + 2]!) << 8n) | BigInt(b[at + 3]!);

/** ip_vs_mh_hashkey's v: offset + ntohs(port) + ntohl(fold), fold by the service's af. */
export function refHashInput(svcV6: boolean, a: RefAddr, port: number, offset: number): number {
  const fold = svcV6 ? be32(a.bytes, 0) ^ be32(a.bytes, 4) ^ be32(a.bytes, 8) ^ be32(a.bytes, 12) : be32(a.bytes, 0);
  return Number((BigInt(offset) + BigInt(port) + fold) & 0xffffffffn);
}

/** hsiphash on a 64-bit kernel: SipHash-1-3 of the 4 bytes of v (host order, little-endian), low 32 bits. */
export function refHsiphash(v: number, k: bigint): number {
  const data = new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
  const key = new Uint8Array(16);
  for (let i = 0; i < 8; i++) key[i] = key[8 + i] = Number((k >> BigInt(8 * i)) & 0xffn);
  return Number(refSipHash(data, key, 1, 3) & 0xffffffffn);
}

const PRIMES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071];

interface RefDest {
  addr: RefAddr;
  text: string;
  port: number;
  weight: number;
  lastWeight: number;
  overload: boolean;
}

export interface RefOp {
  op: string;
  address: string;
  port: number;
  weight?: number;
}

export interface RefRoute {
  backend: string | null;
  hash: number;
  slot: number;
  probes: number;
  slots: number[];
}

/** An mh service after `ops` (which must all be accepted by the kernel), and its scheduler. */
export class RefIpvsService {
  readonly size: number;
  private readonly svcV6: boolean;
  private readonly fallback: boolean;
  private readonly usePort: boolean;
  /** svc->destinations, head first. */
  private list: RefDest[] = [];
  private trash: RefDest[] = [];
  private lookup: (RefDest | null)[];

  constructor(svcV6: boolean, flags: readonly string[], tabIndex: number, ops: readonly RefOp[]) {
    this.size = PRIMES[tabIndex - 8]!;
    this.svcV6 = svcV6;
    this.fallback = flags.includes("mh-fallback") || flags.includes("flag-1");
    this.usePort = flags.includes("mh-port") || flags.includes("flag-2");
    this.lookup = new Array<RefDest | null>(this.size).fill(null);
    const same = (d: RefDest, o: RefOp): boolean => d.port === o.port && d.addr.v6 === refAddr(o.address).v6 && d.addr.bytes.every((b, i) => b === refAddr(o.address).bytes[i]);
    for (const o of ops) {
      if (o.op === "add") {
        let d = this.trash.find((t) => same(t, o));
        if (d) this.trash = this.trash.filter((t) => t !== d);
        else d = { addr: refAddr(o.address), text: "", port: o.port, weight: 0, lastWeight: 0, overload: false };
        d.text = name(d.addr, d.port);
        d.weight = d.lastWeight = o.weight ?? 1;
        d.overload = false;
        this.list.unshift(d);
        this.reassign(tabIndex);
      } else if (o.op === "edit") {
        const d = this.list.find((x) => same(x, o))!;
        d.weight = o.weight ?? 1;
        if (d.weight !== 0) d.lastWeight = d.weight;
        d.overload = false;
        this.reassign(tabIndex);
      } else if (o.op === "delete") {
        const d = this.list.find((x) => same(x, o))!;
        this.list = this.list.filter((x) => x !== d);
        this.trash.push(d);
        this.reassign(tabIndex);
      } else {
        this.list.find((x) => same(x, o))!.overload = o.op === "overload";
      }
    }
  }

  /** ip_vs_mh_dest_changed -> ip_vs_mh_reassign. */
  private reassign(tabIndex: number): void {
    if (this.list.length > this.size) return;
    if (!this.list.some((d) => d.lastWeight > 0)) {
      this.lookup.fill(null);
      return;
    }
    const idx = refIpvs(this.list.map((d) => ({ v: refHashInput(this.svcV6, d.addr, d.port, 0), weight: d.lastWeight })), tabIndex);
    this.lookup = idx.map((i) => this.list[i]!);
  }

  private hash(client: RefAddr, port: number, offset: number): number {
    return refHsiphash(refHashInput(this.svcV6, client, port, offset), 2654435761n) % this.size;
  }

  /** ip_vs_mh_schedule for a client (saddr, or daddr of an inverse header) and its port. */
  route(clientText: string, clientPort: number): RefRoute {
    const client = refAddr(clientText);
    const port = this.usePort ? clientPort : 0;
    const hash = refHsiphash(refHashInput(this.svcV6, client, port, 0), 2654435761n);
    const ihash = hash % this.size;
    const bad = (d: RefDest): boolean => d.weight <= 0 || d.overload;
    const slots = [ihash];
    let dest = this.lookup[ihash]!;
    const done = (d: RefDest | null): RefRoute => ({ backend: d ? d.text : null, hash, slot: ihash, probes: slots.length, slots: slots.slice(0, 32) });
    if (!this.fallback || !dest) return done(dest && !bad(dest) ? dest : null);
    if (!bad(dest)) return done(dest);
    for (let offset = 0; offset < this.size; offset++) {
      const h = this.hash(client, port, (offset + ihash) % this.size);
      slots.push(h);
      dest = this.lookup[h]!;
      if (!dest) return done(null);
      if (!bad(dest)) return done(dest);
    }
    return done(null);
  }
}

/** "a.b.c.d:p" / "[v6]:p" with the v6 part in RFC 5952 form (inet_ntop for non-IPv4-compatible addresses). */
function name(a: RefAddr, port: number): string {
  if (!a.v6) return `${a.bytes.slice(0, 4).join(".")}:${port}`;
  const g = Array.from({ length: 8 }, (_, i) => (a.bytes[2 * i]! << 8) | a.bytes[2 * i + 1]!);
  let best = -1;
  let len = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > len) [best, len] = [i, j - i];
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(":");
  return `[${best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + len))}`}]:${port}`;
}
