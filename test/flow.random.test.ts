// Every profile against the slow references on random flows (seeded; a failure names the
// seed and the flow), symmetric mode proven symmetric, and the batch, numeric and packet
// paths equal to the single-flow path, on every engine.
import { describe, expect, it } from "vitest";
import { FlowBatch, FlowHasher, PacketStatus, type Flow, type FlowHasherOptions } from "../src/index.js";
import { forEachEngine } from "./engines.js";
import { refCilium, refEnvoy, refFlowpin, refGlb, refKatran, refToeplitzFlow, type RefFlow, type RefGlbField } from "./reference/flow.js";
import { buildPacket } from "./packet-build.js";
import { Rng } from "./rng.js";
import { hex } from "./vectors.js";

const SEED = 20240601;
const N = 300;
const MS_KEY = hex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa");

/** Random flows; IPv6 addresses often carry zero runs so the text forms vary. */
function randomFlows(rng: Rng, n: number, family: 4 | 6): RefFlow[] {
  const out: RefFlow[] = [];
  for (let i = 0; i < n; i++) {
    const addr = (): Uint8Array => {
      const b = rng.bytes(family === 4 ? 4 : 16);
      if (family === 6) {
        // Zero a random run of groups; avoid ::ffff:0:0/96, which canonicalizes to IPv4.
        const start = rng.int(8);
        const len = rng.int(9 - start);
        b.fill(0, 2 * start, 2 * (start + len));
        if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) b[10] = 0;
      }
      return b;
    };
    const src = addr();
    // Equal addresses now and then, so symmetric mode's port tie-break is exercised.
    const dst = rng.int(10) === 0 ? src.slice() : addr();
    const protos = [6, 17, 132, 1, 58, rng.int(256)];
    out.push({ src, dst, sport: rng.int(65536), dport: rng.int(65536), proto: protos[rng.int(protos.length)]! });
  }
  return out;
}

const asFlow = (f: RefFlow): Flow => ({ src: f.src, dst: f.dst, sport: f.sport, dport: f.dport, proto: f.proto });
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const show = (f: RefFlow): string => `seed ${SEED} flow ${hexOf(f.src)} -> ${hexOf(f.dst)} ${f.sport}/${f.dport}/${f.proto}`;

interface Case {
  name: string;
  options: FlowHasherOptions;
  ref: (f: RefFlow) => number | bigint;
}

function cases(rng: Rng): Case[] {
  const key8 = rng.bytes(8);
  const key16 = rng.bytes(16);
  const glbFields: RefGlbField[][] = [["src_addr"], ["src_addr", "dst_addr", "src_port", "dst_port"], ["dst_port", "src_addr"], ["src_port"]];
  return [
    { name: "flowpin", options: { key: key8 }, ref: (f) => refFlowpin(f, key8) },
    { name: "flowpin symmetric", options: { key: key8, symmetric: true }, ref: (f) => refFlowpin(f, key8, true) },
    { name: "flowpin noPorts", options: { key: key8, noPorts: true }, ref: (f) => refFlowpin(f, key8, false, true) },
    { name: "toeplitz", options: { profile: "toeplitz" }, ref: (f) => refToeplitzFlow(f, MS_KEY) },
    { name: "toeplitz noPorts", options: { profile: "toeplitz", noPorts: true }, ref: (f) => refToeplitzFlow(f, MS_KEY, false) },
    { name: "katran", options: { profile: "katran" }, ref: (f) => refKatran(f) },
    { name: "katran srcDstPort", options: { profile: "katran", katran: { srcDstPort: true } }, ref: (f) => refKatran(f, { srcDstPort: true }) },
    { name: "katran noSrcPort", options: { profile: "katran", katran: { noSrcPort: true } }, ref: (f) => refKatran(f, { noSrcPort: true }) },
    { name: "katran dportOnly", options: { profile: "katran", katran: { dportOnly: true } }, ref: (f) => refKatran(f, { dportOnly: true }) },
    { name: "cilium", options: { profile: "cilium" }, ref: (f) => refCilium(f, 0x71dcda46, 0x92505688) },
    { name: "cilium seeds", options: { profile: "cilium", cilium: { seeds: { v4: 0xcafe, v6: 0xeb9f } } }, ref: (f) => refCilium(f, 0xcafe, 0xeb9f) },
    { name: "envoy", options: { profile: "envoy" }, ref: (f) => refEnvoy(f) },
    ...glbFields.map((fields) => ({ name: `glb ${fields.join("+")}`, options: { profile: "glb" as const, key: key16, glb: { fields } }, ref: (f: RefFlow) => refGlb(f, key16, fields) })),
  ];
}

const join = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo);

// Reference hashes (BigInt) computed once per (family, case), on first use, for all engines.
const wanted = new Map<string, (number | bigint)[]>();
const wantFor = (key: string, flows: RefFlow[], ref: (f: RefFlow) => number | bigint) => {
  let w = wanted.get(key);
  if (!w) wanted.set(key, (w = flows.map(ref)));
  return w;
};

forEachEngine("flow hashes vs reference", () => {
  for (const family of [4, 6] as const) {
    const rng = new Rng(SEED + family);
    const flows = randomFlows(rng, N, family);
    for (const c of cases(rng)) {
      describe(`IPv${family} ${c.name}`, () => {
        const h = new FlowHasher(c.options);
        it("hash() == reference", () => {
          const want = wantFor(`${family}/${c.name}`, flows, c.ref);
          flows.forEach((f, i) => expect(h.hash(asFlow(f)), show(f)).toBe(want[i]));
        });
        it("hashBatch() == hash()", () => {
          const batch = new FlowBatch(flows.length, { family });
          try {
            flows.forEach((f, i) => batch.set(i, asFlow(f)));
            h.hashBatch(batch);
            flows.forEach((f, i) => {
              const got = h.bits === 64 ? join(batch.hashes[i]!, batch.hashesHi[i]!) : batch.hashes[i]!;
              expect(got, show(f)).toBe(h.hash(asFlow(f)));
            });
          } finally {
            batch.dispose();
          }
        });
        it("hashPackets() == hash() (TCP/UDP/SCTP with ports, others without)", () => {
          // In IPv6 these numbers are extension headers, never the upper-layer protocol.
          const ext = family === 6 ? [0, 43, 44, 51, 60, 135, 139, 140] : [];
          const fl = flows.filter((f) => !ext.includes(f.proto));
          const packets = fl.map((f) => buildPacket(f, { seed: f.sport }));
          const r = h.hashPackets(packets);
          fl.forEach((f, i) => {
            const withPorts = f.proto === 6 || f.proto === 17 || f.proto === 132;
            expect(r.status[i], show(f)).toBe(withPorts ? PacketStatus.OK : PacketStatus.NO_PORTS);
            const g = withPorts ? f : { ...f, sport: 0, dport: 0 };
            const got = h.bits === 64 ? join(r.hashes[i]!, r.hashesHi![i]!) : r.hashes[i]!;
            expect(got, show(f)).toBe(h.hash(asFlow(g)));
          });
        });
        if (family === 4) {
          it("hashV4() == hash()", () => {
            const w = (b: Uint8Array): number => ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
            for (const f of flows) expect(h.hashV4(w(f.src), w(f.dst), f.sport, f.dport, f.proto), show(f)).toBe(h.hash(asFlow(f)));
          });
        }
      });
    }
  }

  describe("symmetric mode is symmetric", () => {
    for (const family of [4, 6] as const) {
      it(`flowpin IPv${family}`, () => {
        const rng = new Rng(SEED * 3 + family);
        const h = new FlowHasher({ key: rng.bytes(8), symmetric: true });
        const flows = randomFlows(rng, 500, family);
        const batch = new FlowBatch(2 * flows.length, { family });
        try {
          flows.forEach((f, i) => {
            const rev: RefFlow = { src: f.dst, dst: f.src, sport: f.dport, dport: f.sport, proto: f.proto };
            expect(h.hash(asFlow(rev)), show(f)).toBe(h.hash(asFlow(f)));
            batch.set(2 * i, asFlow(f));
            batch.set(2 * i + 1, asFlow(rev));
          });
          h.hashBatch(batch);
          for (let i = 0; i < flows.length; i++) expect(batch.hashes[2 * i + 1], show(flows[i]!)).toBe(batch.hashes[2 * i]);
        } finally {
          batch.dispose();
        }
      });
      it(`toeplitz with the 6d5a key IPv${family}`, () => {
        const rng = new Rng(SEED * 5 + family);
        const h = new FlowHasher({ profile: "toeplitz", symmetric: true });
        for (const f of randomFlows(rng, 300, family)) {
          const rev: RefFlow = { src: f.dst, dst: f.src, sport: f.dport, dport: f.sport, proto: f.proto };
          expect(h.hash(asFlow(rev)), show(f)).toBe(h.hash(asFlow(f)));
        }
      });
    }
    it("non-symmetric flowpin is not (the test can fail)", () => {
      const rng = new Rng(SEED * 7);
      const h = new FlowHasher({ key: rng.bytes(8) });
      const flows = randomFlows(rng, 50, 4).filter((f) => hexOf(f.src) !== hexOf(f.dst));
      const same = flows.filter((f) => h.hash(asFlow(f)) === h.hash(asFlow({ src: f.dst, dst: f.src, sport: f.dport, dport: f.sport, proto: f.proto })));
      expect(same.length).toBeLessThan(2);
    });
  });

  describe("batches", () => {
    for (const family of [4, 6] as const) {
      for (const symmetric of [false, true]) {
        it(`IPv${family}${symmetric ? " symmetric" : ""}: every length 0..37 (SIMD lanes and the scalar tail)`, () => {
          const rng = new Rng(SEED * 11 + family);
          const h = new FlowHasher({ key: rng.bytes(8), symmetric });
          const flows = randomFlows(rng, 37, family);
          const batch = new FlowBatch(37, { family });
          try {
            flows.forEach((f, i) => batch.set(i, asFlow(f)));
            for (let n = 0; n <= 37; n++) {
              batch.hashes.fill(0xdeadbeef);
              batch.length = n;
              h.hashBatch(batch);
              for (let i = 0; i < 37; i++) expect(batch.hashes[i], `n=${n} i=${i}`).toBe(i < n ? h.hash(asFlow(flows[i]!)) : 0xdeadbeef);
            }
          } finally {
            batch.dispose();
          }
        });
      }
    }
    it("views survive Wasm memory growth", () => {
      const rng = new Rng(SEED * 13);
      const h = new FlowHasher({ key: rng.bytes(8) });
      const batch = new FlowBatch(8);
      const big = new FlowBatch(1 << 20);
      try {
        const flows = randomFlows(rng, 8, 4);
        flows.forEach((f, i) => batch.set(i, asFlow(f)));
        const before = batch.src.buffer;
        const grow = new FlowBatch(1 << 22);
        grow.dispose();
        h.hashBatch(batch);
        flows.forEach((f, i) => expect(batch.hashes[i]).toBe(h.hash(asFlow(f))));
        // Either memory grew (new buffer) or it was large enough already; both must work.
        expect(batch.src.buffer === before || batch.src.buffer.byteLength > before.byteLength).toBe(true);
      } finally {
        batch.dispose();
        big.dispose();
      }
    });
  });
});
