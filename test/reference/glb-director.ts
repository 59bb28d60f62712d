// Slow oracle for glb-director's whole decision, written from its C sources as the vector
// notes describe them (cli/main.c build-config, glb-hashing/packet_parsing.h,
// bind_classifier.c, glb_encap.c), for valid configs only. BigInt SipHash (./siphash.ts), the
// row rule of ./glb.ts (refRow, refRowSeed, refScore), and the CLI's sort buffer simulated
// position by position across the tables of one file, zero-filled at the start.
import { refRow, refRowSeed, refScore, type RefBackend, type RefState } from "./glb.js";
import { refSipHash } from "./siphash.js";

export interface RefDecision {
  table: number;
  hash: string;
  slot: number;
  primaryIndex: number;
  secondaryIndex: number;
  gue: number | null;
  alt?: { hash: string; slot: number; primaryIndex: number; secondaryIndex: number };
}

type Fields = { src: boolean; dst: boolean; sport: boolean; dport: boolean };

function v4(text: string): number[] {
  return text.split(".").map(Number);
}

/** inet_pton, for the well-formed texts the random configs use (full or "::" IPv6). */
export function refAddress(text: string): Uint8Array {
  if (!text.includes(":")) return Uint8Array.from(v4(text));
  const out = new Uint8Array(16);
  let tail = text;
  let dotted: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    dotted = v4(text.slice(lastColon + 1));
    tail = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = tail.includes("::") ? tail.split("::") : [tail, undefined];
  const hs = head ? head.split(":") : [];
  const ts = rest === undefined ? [] : rest ? rest.split(":") : [];
  const groups = rest === undefined ? hs : [...hs, ...Array(8 - hs.length - ts.length).fill("0"), ...ts];
  groups.forEach((g, i) => {
    const x = parseInt(g, 16);
    out[2 * i] = x >> 8;
    out[2 * i + 1] = x & 0xff;
  });
  if (dotted.length) out.set(dotted, 12);
  return out;
}

const hexKey = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));
const hex16 = (h: bigint): string => h.toString(16).padStart(16, "0");
const stateNum = (s: RefState | undefined): number => (s === undefined ? 0 : s === "active" ? 1 : s === "filling" ? 0 : 2);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Config = any;

/** Every table's pair for `row`, and the CLI's sort buffer after it: main.c's loop, per table. */
export function refPairs(config: Config, rowsWanted: (t: number) => number[]): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  const buffer = new Array<number>(256).fill(0);
  config.forwarding_table.tables.forEach((t: Config, k: number) => {
    const seed = hexKey(t.seed);
    const backends: RefBackend[] = t.backends.map((b: Config) => ({ address: refAddress(b.ip), state: b.state, healthy: b.healthy === true }));
    const usable = backends.map((b, i) => i).filter((i) => backends[i]!.state !== "inactive");
    usable.forEach((idx, pos) => (buffer[pos] = idx));
    for (const row of rowsWanted(k)) {
      if (usable.length >= 2) out.set(`${k}/${row}`, refRow(seed, backends, row));
      else {
        const p = buffer[0]!;
        const s = buffer[1]!;
        const P = backends[p];
        const bad = stateNum(P?.state) === 2 || !(P?.healthy ?? false);
        out.set(`${k}/${row}`, bad && stateNum(backends[s]?.state) === 1 ? [s, p] : [p, s]);
      }
    }
    if (usable.length >= 2) {
      // The order qsort leaves after row 65535 (equal addresses keep their order: stable).
      const rs = refRowSeed(seed, 65535);
      const order = usable.map((i, pos) => ({ i, pos, s: refScore(seed, rs, backends[i]!.address) })).sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : a.pos - b.pos));
      order.forEach((o, pos) => (buffer[pos] = o.i));
    }
  });
  return out;
}

function inPrefix(bindIp: string, addr: Uint8Array): boolean {
  const [text, bitsText] = bindIp.split("/");
  const b = refAddress(text!);
  if (b.length !== addr.length) return false;
  const bits = bitsText === undefined ? b.length * 8 : Number(bitsText);
  for (let i = 0; i < bits; i++) {
    const m = 0x80 >> (i % 8);
    if ((b[i >> 3]! & m) !== (addr[i >> 3]! & m)) return false;
  }
  return true;
}

const portsOf = (b: Config): [number, number] => (b.port !== undefined ? [b.port, b.port] : [b.port_start, b.port_end]);

/** glb-director's route for one IP packet, or null where no table takes it. */
export function refRoute(config: Config, pkt: Uint8Array): RefDecision | null {
  const d = new DataView(pkt.buffer, pkt.byteOffset, pkt.byteLength);
  const v6 = pkt[0]! >> 4 === 6;
  const ipLen = v6 ? 40 : 20;
  const proto = pkt[v6 ? 6 : 9]!;
  const outerSrc = pkt.slice(v6 ? 8 : 12, v6 ? 24 : 16);
  const outerDst = pkt.slice(v6 ? 24 : 16, v6 ? 40 : 20);
  let src = outerSrc;
  let dst = outerDst;
  let sport = 0;
  let dport = 0;
  let hint: number;
  let kind: "l4" | "error" | "echo" | "other";
  let classPort = 0;
  if (proto === (v6 ? 58 : 1)) {
    const type = pkt[ipLen]!;
    const code = pkt[ipLen + 1]!;
    if (type === (v6 ? 2 : 3)) {
      const inner = ipLen + 8; // ICMPv4 header 8 bytes; ICMPv6 4 + the MTU 4
      const innerSrc = pkt.slice(inner + (v6 ? 8 : 12), inner + (v6 ? 24 : 16));
      const innerDst = pkt.slice(inner + (v6 ? 24 : 16), inner + (v6 ? 40 : 20));
      const l4 = inner + ipLen;
      src = innerDst;
      dst = innerSrc;
      sport = d.getUint16(l4 + 2);
      dport = d.getUint16(l4);
      hint = sport;
      kind = code === (v6 ? 0 : 4) ? "error" : "other";
    } else {
      hint = v6 ? d.getUint16(2) : d.getUint16(4);
      kind = type === (v6 ? 128 : 8) && code === 0 ? "echo" : "other";
    }
  } else {
    sport = d.getUint16(ipLen);
    dport = d.getUint16(ipLen + 2);
    hint = sport;
    kind = "l4";
    classPort = v6 ? dport : d.getUint16((pkt[0]! & 15) * 4 + 2);
  }
  const echoOn = config.director_conf?.forward_icmp_ping_responses !== false;
  const tables: Config[] = config.forwarding_table.tables;
  const k = tables.findIndex((t) =>
    t.binds.some((b: Config) => {
      const [lo, hi] = portsOf(b);
      if (kind === "l4") return (b.proto === "tcp" ? 6 : 17) === proto && inPrefix(b.ip, outerDst) && classPort >= lo && classPort <= hi;
      if (kind === "error") return inPrefix(b.ip, outerDst) && inPrefix(b.ip, dst) && dport >= lo && dport <= hi;
      if (kind === "echo") return echoOn && inPrefix(b.ip, outerDst);
      return false;
    }),
  );
  if (k < 0) return null;
  const t = tables[k]!;
  const key = hexKey(t.hash_key);
  const hashOf = (f: Fields): bigint => {
    const msg = [...(f.src ? src : []), ...(f.dst ? dst : []), ...(f.sport ? [sport >> 8, sport & 255] : []), ...(f.dport ? [dport >> 8, dport & 255] : [])];
    return refSipHash(Uint8Array.from(msg), key, 2, 4);
  };
  const fieldsOf = (o: Config): Fields => ({ src: o.src_addr === true, dst: o.dst_addr === true, sport: o.src_port === true, dport: o.dst_port === true });
  const main: Fields = config.director_conf?.hash_fields ? fieldsOf(config.director_conf.hash_fields) : { src: true, dst: false, sport: false, dport: false };
  const h = hashOf(main);
  const slot = Number(h & 0xffffn);
  const alt = config.director_conf?.alt_hash_fields ? hashOf(fieldsOf(config.director_conf.alt_hash_fields)) : undefined;
  const altSlot = alt === undefined ? -1 : Number(alt & 0xffffn);
  const pairs = refPairs(config, (x) => (x === k ? [slot, ...(alt === undefined ? [] : [altSlot])] : []));
  const [p, s] = pairs.get(`${k}/${slot}`)!;
  const out: RefDecision = { table: k, hash: hex16(h), slot, primaryIndex: p, secondaryIndex: s, gue: 0x8000 | ((Number(h & 0x7fffn) ^ hint) & 0x7fff) };
  if (alt !== undefined) {
    const [ap, as] = pairs.get(`${k}/${altSlot}`)!;
    out.alt = { hash: hex16(alt), slot: altSlot, primaryIndex: ap, secondaryIndex: as };
  }
  return out;
}
