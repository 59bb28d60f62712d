// Random Katran fleets and flows: the system agrees with the slow reference
// (test/reference/katran.ts, built from Katran's and folly's sources on plain bytes), and the
// same connection routes alike from address text, a CSV-style record, address bytes, the IP
// packet and a batch. IPv4-mapped clients of IPv6 VIPs stay IPv6 in every form.
import { describe, expect, it } from "vitest";
import { SYSTEM_DEFINITIONS, systems } from "../../src/index.js";
import type { KatranVipFlag } from "../../src/index.js";
import { forEachEngine } from "../engines.js";
import { refFollyHash, refKatranRing, refKatranRoute, refKatranV2U32, type RefKatranPacket, type RefKatranVip } from "../reference/katran.js";
import { Rng } from "../rng.js";
import { loadSystemVectors } from "../vectors.js";

type Form = "v4" | "v6" | "mapped";

function randomAddress(rng: Rng, form: Form): Uint8Array {
  if (form === "v4") return rng.bytes(4);
  const b = rng.bytes(16);
  if (form === "mapped") b.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 0);
  return b;
}

/** The 16-byte form Katran keys and hashes on (IPv4: 4 bytes then zeros). */
const key16 = (a: Uint8Array): Uint8Array => {
  const k = new Uint8Array(16);
  k.set(a, 0);
  return k;
};

/** Address text: dotted IPv4, or IPv6 as eight groups or (mapped) ::ffff:a.b.c.d. */
function text(rng: Rng, a: Uint8Array): string {
  if (a.length === 4) return a.join(".");
  const mapped = a.slice(0, 10).every((x) => x === 0) && a[10] === 0xff && a[11] === 0xff;
  if (mapped && rng.int(2) === 0) return `::ffff:${a.slice(12).join(".")}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((a[i]! << 8) | a[i + 1]!).toString(16));
  return rng.int(2) === 0 ? groups.join(":") : groups.join(":").toUpperCase();
}

/** An IPv4 (IHL 5) or IPv6 packet with a TCP or UDP header (RFC 791, 8200, 793, 768 layouts). */
function packet(v6: boolean, src: Uint8Array, dst: Uint8Array, sport: number, dport: number, proto: number): Uint8Array {
  const l4 = proto === 6 ? [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0] : [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 12, 0, 0, 1, 2, 3, 4];
  if (!v6) {
    const total = 20 + l4.length;
    return Uint8Array.from([0x45, 0, total >> 8, total & 0xff, 0, 1, 0x40, 0, 64, proto, 0, 0, ...src, ...dst, ...l4]);
  }
  return Uint8Array.from([0x60, 0, 0, 0, l4.length >> 8, l4.length & 0xff, proto, 64, ...src, ...dst, ...l4]);
}

const FLAGS: KatranVipFlag[] = ["F_HASH_NO_SRC_PORT", "F_HASH_DPORT_ONLY", "F_HASH_SRC_DST_PORT", "F_LRU_BYPASS", "F_QUIC_VIP"];
const RINGS = [13, 251, 1021, 4093];
const FORMS: Form[] = ["v4", "v6", "mapped"];

interface Fleet {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  config: any;
  vip: RefKatranVip;
  vipForm: Form;
  ringSize: number;
  ring: number[] | null;
  /** Distinct reals as Katran numbers them: first spelling, last weight. */
  ids: string[];
}

function randomFleet(rng: Rng): Fleet {
  const vipForm = FORMS[rng.int(3)]!;
  const vipAddr = randomAddress(rng, vipForm);
  const port = rng.int(3) === 0 ? 0 : 1 + rng.int(65535);
  const proto = rng.int(2) === 0 ? 6 : 17;
  const flags = FLAGS.filter(() => rng.int(3) === 0);
  const ringSize = RINGS[rng.int(RINGS.length)]!;
  const version = rng.int(2) === 0 ? "v1" : "v2";
  const count = rng.int(4) === 0 ? rng.int(30) : 1 + rng.int(8);
  const reals: { address: string; weight: number }[] = [];
  const distinct: { canon: string; address: Uint8Array; id: string; weight: number }[] = [];
  for (let i = 0; i < count; i++) {
    let bytes: Uint8Array;
    let spelling: string;
    if (distinct.length > 0 && rng.int(6) === 0) {
      // The same real again, maybe in its other spelling (a.b.c.d vs ::ffff:a.b.c.d).
      const prev = distinct[rng.int(distinct.length)]!;
      bytes = prev.address;
      if (bytes.length === 4 && rng.int(2) === 0) spelling = `::ffff:${bytes.join(".")}`;
      else spelling = text(rng, bytes);
    } else {
      bytes = randomAddress(rng, FORMS[rng.int(3)]!);
      spelling = text(rng, bytes);
    }
    const weight = rng.int(4) === 0 ? 0 : 1 + rng.int(rng.int(2) === 0 ? 3 : 100);
    reals.push({ address: spelling, weight });
    // folly's operator==: an IPv4-mapped IPv6 address equals its IPv4 address.
    const canonBytes = bytes.length === 16 && bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff ? bytes.slice(12) : bytes;
    const canon = Array.from(canonBytes).join(",");
    const seen = distinct.find((d) => d.canon === canon);
    if (seen) seen.weight = weight;
    else distinct.push({ canon, address: canonBytes, id: spelling, weight });
  }
  const vip: RefKatranVip = { key: key16(vipAddr), port, proto, noSrcPort: flags.includes("F_HASH_NO_SRC_PORT"), dportOnly: flags.includes("F_HASH_DPORT_ONLY"), srcDstPort: flags.includes("F_HASH_SRC_DST_PORT") };
  return {
    config: { vip: { address: text(rng, vipAddr), port, proto, flags }, hash_function: version === "v1" ? "maglev" : "maglev_v2", ring_size: ringSize, reals },
    vip,
    vipForm,
    ringSize,
    ring: refKatranRing(distinct, ringSize, version),
    ids: distinct.map((d) => d.id),
  };
}

describe("the katran reference agrees with folly's own values", () => {
  it("refFollyHash on every address of the vectors' folly section", () => {
    const entries: { address: string; hash: string; family: string }[] = loadSystemVectors("katran").folly_ipaddress_hash;
    const plain = entries.filter((e) => !/[[%]/.test(e.address) && !/[A-F]/.test(e.address));
    expect(plain.length).toBeGreaterThan(40);
    for (const e of plain) {
      // Dotted IPv4, or IPv6 expanded here with URL's parser (a WHATWG implementation, not flowpin's).
      let bytes: Uint8Array;
      if (e.family === "v4") bytes = Uint8Array.from(e.address.split(".").map(Number));
      else {
        const host = new URL(`http://[${e.address}]/`).hostname.slice(1, -1);
        const [head, tail] = host.split("::") as [string, string | undefined];
        const h = head === "" ? [] : head.split(":");
        const t = tail === undefined || tail === "" ? [] : tail.split(":");
        const groups = [...h, ...new Array(8 - h.length - t.length).fill("0"), ...t].map((g) => parseInt(g, 16));
        bytes = Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
      }
      expect(refFollyHash(bytes), e.address).toBe(BigInt(e.hash));
    }
  });
});

forEachEngine("katran: random fleets against the reference, every input form alike", () => {
  it("200 fleets x 40 flows", () => {
    const rng = new Rng(0x4b41);
    const def = SYSTEM_DEFINITIONS.katran!;
    let balanced = 0;
    let passed = 0;
    let dropped = 0;
    for (let n = 0; n < 200; n++) {
      const fleet = randomFleet(rng);
      const lb = systems.katran(fleet.config);
      const flows: { text: object; record: object; bytes: object; pkt: Uint8Array; want: object }[] = [];
      for (let i = 0; i < 40; i++) {
        // Mostly to the VIP (IPv4 VIPs also from IPv6 packets to a.b.c.d::), sometimes elsewhere.
        const v6 = fleet.vipForm !== "v4" || rng.int(8) === 0;
        const dst = rng.int(8) === 0 ? randomAddress(rng, v6 ? "v6" : "v4") : v6 ? fleet.vip.key.slice() : fleet.vip.key.slice(0, 4);
        const src = randomAddress(rng, v6 ? (rng.int(3) === 0 ? "mapped" : "v6") : "v4");
        const sport = rng.int(65536);
        const dport = rng.int(3) === 0 ? rng.int(65536) : fleet.vip.port === 0 ? rng.int(65536) : fleet.vip.port;
        const proto = rng.int(6) === 0 ? 23 - fleet.vip.proto : fleet.vip.proto;
        const p: RefKatranPacket = { v6, src: key16(src), dst: key16(dst), sport, dport, proto };
        const r = refKatranRoute(fleet.vip, fleet.ringSize, fleet.ring, p);
        const want = r === null ? { backend: null, hash: null, slot: null } : { backend: r.real === null ? null : fleet.ids[r.real]!, hash: r.hash.toString(16).padStart(8, "0"), slot: r.slot };
        if (r === null) passed++;
        else if (r.real === null) dropped++;
        else balanced++;
        const srcText = text(rng, src);
        const dstText = text(rng, dst);
        flows.push({
          text: { src: srcText, dst: dstText, sport, dport, proto },
          record: { src: srcText, dst: dstText, sport, dport, proto: proto === 6 ? "tcp" : "udp" },
          bytes: { src, dst, sport, dport, proto },
          pkt: packet(v6, src, dst, sport, dport, proto),
          want,
        });
      }
      const pick = (x: { backend: string | null; hash: string | null; slot: number | null }) => ({ backend: x.backend, hash: x.hash, slot: x.slot });
      const batch = lb.routeBatch(flows.map((f) => f.pkt));
      flows.forEach((f, i) => {
        const where = `fleet ${n} ${JSON.stringify(fleet.config)} flow ${JSON.stringify(f.text)}`;
        expect(pick(lb.route(f.text as never)), `${where} (text)`).toEqual(f.want);
        expect(pick(lb.route(def.input(f.record as Record<string, unknown>) as never)), `${where} (CSV record)`).toEqual(f.want);
        expect(pick(lb.route(f.bytes as never)), `${where} (bytes)`).toEqual(f.want);
        expect(pick(lb.route(f.pkt)), `${where} (packet)`).toEqual(f.want);
        expect(pick(batch[i]!), `${where} (batch)`).toEqual(f.want);
      });
    }
    // The generator reaches every outcome.
    expect(balanced).toBeGreaterThan(3000);
    expect(passed).toBeGreaterThan(500);
    expect(dropped).toBeGreaterThan(50);
  });
});

forEachEngine("katran: weights up to 2^32 - 1, as Katran's uint32 takes them", () => {
  it("Maglev V2's uint32 counters wrap as MaglevHashV2's do; V1 gives a huge weight every slot of round one", () => {
    const rng = new Rng(0x32);
    const HUGE = [2 ** 32 - 1, 2 ** 32 - 2, 3 * 2 ** 30, 2 ** 31 + 1, 2 ** 31, 1, 2, 1000];
    for (let n = 0; n < 30; n++) {
      const ringSize = n % 2 === 0 ? 251 : 13;
      const version = n % 3 === 0 ? "v1" : "v2";
      const reals = Array.from({ length: 2 + rng.int(6) }, (_, i) => ({ address: `10.${n}.${i}.${1 + rng.int(250)}`, weight: HUGE[rng.int(HUGE.length)]! }));
      const distinct = reals.filter((r, i) => reals.findIndex((x) => x.address === r.address) === i);
      const endpoints = distinct.map((r) => ({ hash: refFollyHash(Uint8Array.from(r.address.split(".").map(Number))), weight: r.weight }));
      const ring = version === "v2" ? refKatranV2U32(endpoints, ringSize) : refKatranRing(distinct.map((r, i) => ({ address: Uint8Array.from(r.address.split(".").map(Number)), weight: endpoints[i]!.weight })), ringSize, "v1")!;
      const lb = systems.katran({ vip: { address: "192.0.2.1", port: 443, proto: 6 }, hash_function: version === "v2" ? "maglev_v2" : "maglev", ring_size: ringSize, reals: distinct });
      const vip: RefKatranVip = { key: key16(Uint8Array.of(192, 0, 2, 1)), port: 443, proto: 6, noSrcPort: false, dportOnly: false, srcDstPort: false };
      for (let i = 0; i < 100; i++) {
        const src = rng.bytes(4);
        const sport = rng.int(65536);
        const r = refKatranRoute(vip, ringSize, ring, { v6: false, src: key16(src), dst: vip.key, sport, dport: 443, proto: 6 })!;
        const got = lb.route({ src, dst: "192.0.2.1", sport, dport: 443, proto: 6 });
        expect([got.backend, got.slot], `${JSON.stringify(distinct)} ${version} ${ringSize}`).toEqual([distinct[r.real!]!.address, r.slot]);
      }
    }
  });
});
