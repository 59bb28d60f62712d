// pcapng and streaming: files written here from the format's text (draft-ietf-opsawg-pcapng:
// block = type, length, body padded to 32 bits, length again) must give the same packets as
// the classic pcap of the same frames, in either byte order, across sections and interfaces,
// whole or fed in chunks split anywhere.
import { describe, expect, it } from "vitest";
import { CaptureReader, readPcap } from "../src/pcap.js";
import { FlowpinError } from "../src/index.js";
import { buildPcap, ethernet } from "./fuzz/pcap-build.js";
import { Rng } from "./rng.js";

function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const len = 12 + padded;
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, le);
  dv.setUint32(4, len, le);
  out.set(body, 8);
  dv.setUint32(len - 4, len, le);
  return out;
}

function shb(le: boolean): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0x1a2b3c4d, le);
  dv.setUint16(4, 1, le);
  dv.setUint16(6, 0, le);
  dv.setBigInt64(8, -1n, le); // section length unknown
  return block(0x0a0d0d0a, b, le);
}

/** Interface description; tsresol as the option byte (6 = microseconds, 9 = ns, 0x80|n = 2^-n). */
function idb(linkType: number, le: boolean, tsresol?: number, snapLen = 0): Uint8Array {
  const opts = tsresol === undefined ? [] : [9, 0, 1, 0, tsresol, 0, 0, 0, 0, 0, 0, 0];
  const b = new Uint8Array(8 + opts.length);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, linkType, le);
  dv.setUint32(4, snapLen, le);
  opts.forEach((x, i) => (b[8 + i] = x));
  if (tsresol !== undefined) dv.setUint16(8, 9, le), dv.setUint16(10, 1, le);
  return block(1, b, le);
}

function epb(iface: number, ts: bigint, frame: Uint8Array, le: boolean): Uint8Array {
  const b = new Uint8Array(20 + ((frame.length + 3) & ~3));
  const dv = new DataView(b.buffer);
  dv.setUint32(0, iface, le);
  dv.setUint32(4, Number(ts >> 32n), le);
  dv.setUint32(8, Number(ts & 0xffffffffn), le);
  dv.setUint32(12, frame.length, le);
  dv.setUint32(16, frame.length, le);
  b.set(frame, 20);
  return block(6, b, le);
}

function spb(frame: Uint8Array, le: boolean): Uint8Array {
  const b = new Uint8Array(4 + frame.length);
  new DataView(b.buffer).setUint32(0, frame.length, le);
  b.set(frame, 4);
  return block(3, b, le);
}

const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), (at += p.length);
  return out;
};

function randomIp(r: () => number): Uint8Array {
  const v6 = r() < 0.3;
  const len = (v6 ? 48 : 28) + Math.floor(r() * 40);
  const p = new Uint8Array(len);
  for (let i = 0; i < len; i++) p[i] = Math.floor(r() * 256);
  p[0] = v6 ? 0x60 : 0x45;
  return p;
}

function expectCorrupt(f: () => unknown, mentions: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(FlowpinError);
  expect((thrown as FlowpinError).code).toBe("CORRUPT_DATA");
  expect((thrown as Error).message).toMatch(mentions);
}

describe("pcapng", () => {
  const g = new Rng(20261208);
  const r = () => g.u32() / 2 ** 32;
  const frames = Array.from({ length: 40 }, () => randomIp(r));

  for (const le of [true, false]) {
    it(`${le ? "little" : "big"}-endian: the same packets as the classic pcap of the same frames`, () => {
      const classic = readPcap(buildPcap(frames, { linkType: 101 }));
      const ng = readPcap(cat(shb(le), idb(101, le), ...frames.map((f, i) => (i % 3 === 2 ? spb(f, le) : epb(0, BigInt(1_700_000_000_000_000 + i), f, le)))));
      expect(ng.format).toBe("pcapng");
      expect(ng.byteOrder).toBe(le ? "little" : "big");
      expect(ng.packets.map((p) => p.index)).toEqual(classic.packets.map((p) => p.index));
      expect(ng.packets.map((p) => Array.from(p.ip!))).toEqual(classic.packets.map((p) => Array.from(p.ip!)));
    });
  }

  it("several sections, each with its own byte order and interfaces (per-interface link type and time resolution)", () => {
    const a = frames.slice(0, 10);
    const b = frames.slice(10, 20);
    const file = cat(
      shb(true),
      idb(101, true, 9), // raw IP, nanoseconds
      idb(1, true), // Ethernet, default microseconds
      ...a.map((f, i) => epb(i % 2, 1_000_000_000n * 5n + BigInt(i), i % 2 ? ethernet(f) : f, true)),
      block(5, new Uint8Array(8), true), // interface statistics: no packet
      shb(false),
      idb(1, false, 0x80 | 10), // Ethernet, 2^-10 s
      ...b.map((f, i) => epb(0, 1024n * 7n + BigInt(i), ethernet(f), false)),
    );
    const cap = readPcap(file);
    expect(cap.packets.map((p) => Array.from(p.ip!))).toEqual([...a, ...b].map((f) => Array.from(f)));
    expect(cap.packets.map((p) => p.linkType)).toEqual([...a.map((_, i) => (i % 2 ? 1 : 101)), ...b.map(() => 1)]);
    // Interface 0 of section 1 counts nanoseconds; interface 1 microseconds; section 2's 1/1024 s.
    expect(cap.packets[0]!.time).toBeCloseTo(5, 9);
    expect(cap.packets[1]!.time).toBeCloseTo(5000 + 1e-6, 9);
    expect(cap.packets[10]!.time).toBeCloseTo(7, 9);
  });

  it("fed in chunks split at every place, gives the same packets (classic and pcapng)", () => {
    const files = [buildPcap(frames.slice(0, 6), { linkType: 101, bigEndian: true }), cat(shb(true), idb(101, true), ...frames.slice(0, 6).map((f) => epb(0, 0n, f, true)))];
    for (const file of files) {
      const whole = readPcap(file).packets.map((p) => Array.from(p.ip!));
      for (let size = 1; size <= 97; size += 8) {
        const reader = new CaptureReader();
        const got: number[][] = [];
        for (let at = 0; at < file.length; at += size) for (const p of reader.push(file.slice(at, at + size))) got.push(Array.from(p.ip!));
        reader.end();
        expect(got, `chunks of ${size}`).toEqual(whole);
      }
    }
  });

  it("refuses what is not a capture or is cut short, naming the block", () => {
    const good = cat(shb(true), idb(101, true), epb(0, 0n, frames[0]!, true));
    expectCorrupt(() => readPcap(good.subarray(0, good.length - 3)), /block at offset \d+ truncated/);
    expectCorrupt(() => readPcap(cat(shb(true), epb(0, 0n, frames[0]!, true))), /names interface 0/);
    expectCorrupt(() => readPcap(cat(shb(true), idb(147, true))), /link type 147/);
    const badTrailer = good.slice();
    badTrailer[good.length - 4]! ^= 4;
    expectCorrupt(() => readPcap(badTrailer), /trailing length/);
    expectCorrupt(() => readPcap(idb(101, true, 6)), /bad magic number 0x01000000 \(neither pcap nor pcapng\)/);
  });
});
