/**
 * A reader for packet captures: classic pcap (draft-ietf-opsawg-pcap: both byte orders,
 * microsecond and nanosecond magic) and pcapng (draft-ietf-opsawg-pcapng, what Wireshark and
 * tcpdump write by default: section header, interface description with its own link type and
 * timestamp resolution, enhanced, simple and obsolete packet blocks, both byte orders, several
 * sections), with the link types that carry IP: Ethernet (with 802.1Q/802.1ad tags), raw IP,
 * Linux cooked (SLL and SLL2) and BSD loopback.
 *
 * `readPcap(bytes)` reads a whole file; `CaptureReader` takes it chunk by chunk and returns
 * each packet as soon as its record is complete, so a large capture is read in bounded memory
 * (the reader holds at most one record beyond the chunk it was given).
 *
 * @example
 * const { packets } = readPcap(fs.readFileSync("trace.pcapng"));
 * hasher.hashPackets(packets.filter((p) => p.ip).map((p) => p.ip!));
 */
import { flowpinError } from "./errors.js";
import * as v from "./validate.js";

export interface PcapPacket {
  /** Packet number in the file, from 1 (pcapng: counting packet blocks only). */
  index: number;
  /** The bytes from the IP header on, or undefined when the frame carries no IPv4/IPv6. */
  ip?: Uint8Array;
  /** The frame as captured. */
  frame: Uint8Array;
  /** The link type of the interface it was captured on (LINKTYPE_*). */
  linkType: number;
  /** Capture time in seconds since 1970 (pcapng: in the interface's resolution), or undefined where the block has none. */
  time?: number;
}

export interface Pcap {
  /** "pcap" (classic) or "pcapng". */
  format: "pcap" | "pcapng";
  /** The link type of the file (classic) or of its first interface (pcapng). */
  linkType: number;
  /** "big" or "little": the byte order the file (pcapng: its first section) was written in. */
  byteOrder: "big" | "little";
  packets: PcapPacket[];
}

// LINKTYPE_* values (tcpdump.org link-layer header types).
const LINK_NULL = 0;
const LINK_ETHERNET = 1;
const LINK_RAW_BSD = 12;
const LINK_RAW = 101;
const LINK_LINUX_SLL = 113;
const LINK_IPV4 = 228;
const LINK_IPV6 = 229;
const LINK_LINUX_SLL2 = 276;
const LINK_TYPES = [LINK_NULL, LINK_ETHERNET, LINK_RAW_BSD, LINK_RAW, LINK_LINUX_SLL, LINK_IPV4, LINK_IPV6, LINK_LINUX_SLL2];

const corrupt = (msg: string): Error => flowpinError("CORRUPT_DATA", `pcap: ${msg}`);

function checkLinkType(linkType: number, where: string): void {
  if (!LINK_TYPES.includes(linkType)) throw corrupt(`${where}link type ${linkType} is not supported (Ethernet, raw IP, Linux SLL/SLL2 and loopback are)`);
}

function ipFromEtherType(frame: Uint8Array, typeAt: number): Uint8Array | undefined {
  let at = typeAt;
  for (let tags = 0; tags < 3; tags++) {
    if (at + 2 > frame.length) return undefined;
    const t = (frame[at]! << 8) | frame[at + 1]!;
    // 802.1Q, 802.1ad and the old QinQ type: a 4-byte tag before the real type.
    if (t === 0x8100 || t === 0x88a8 || t === 0x9100) {
      at += 4;
      continue;
    }
    return t === 0x0800 || t === 0x86dd ? frame.subarray(at + 2) : undefined;
  }
  return undefined;
}

function ipOf(linkType: number, frame: Uint8Array): Uint8Array | undefined {
  switch (linkType) {
    case LINK_ETHERNET:
      return ipFromEtherType(frame, 12);
    case LINK_LINUX_SLL:
      return ipFromEtherType(frame, 14);
    case LINK_LINUX_SLL2: {
      // SLL2: the protocol type comes first, the header is 20 bytes.
      const t = frame.length >= 20 ? (frame[0]! << 8) | frame[1]! : 0;
      return t === 0x0800 || t === 0x86dd ? frame.subarray(20) : undefined;
    }
    case LINK_NULL: {
      if (frame.length < 4) return undefined;
      // The address family in the capturing host's byte order: AF_INET = 2; AF_INET6 = 10
      // (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
      const le = frame[0]! | (frame[1]! << 8) | (frame[2]! << 16) | (frame[3]! << 24);
      const be = (frame[0]! << 24) | (frame[1]! << 16) | (frame[2]! << 8) | frame[3]!;
      const fam = [le, be].find((x) => [2, 10, 24, 28, 30].includes(x));
      return fam === undefined ? undefined : frame.subarray(4);
    }
    default:
      // Raw IP: the version nibble decides.
      return frame.length > 0 && (frame[0]! >> 4 === 4 || frame[0]! >> 4 === 6) ? frame : undefined;
  }
}

// pcapng block types (draft-ietf-opsawg-pcapng section 11.1).
const SHB = 0x0a0d0d0a;
const IDB = 1;
const OPB = 2; // obsolete Packet Block
const SPB = 3;
const EPB = 6;
const BOM = 0x1a2b3c4d;
// Records above this are refused rather than buffered: pcapng's own guidance caps a block at
// 16 MiB for readers, and no link type here carries frames near it.
const MAX_RECORD = 16 * 1024 * 1024;

interface Interface {
  linkType: number;
  snapLen: number;
  /** Seconds per timestamp unit (if_tsresol; default microseconds). */
  unit: number;
}

/**
 * Reads a capture chunk by chunk: `push(chunk)` returns the packets whose records the bytes so
 * far complete; `end()` checks that nothing is left over. Chunks may split records anywhere.
 *
 * @example
 * const reader = new CaptureReader();
 * for await (const chunk of fs.createReadStream("trace.pcapng")) for (const p of reader.push(chunk)) use(p);
 * reader.end();
 */
export class CaptureReader {
  /** "pcap" or "pcapng" once the first 4 bytes are in, else undefined. */
  format: "pcap" | "pcapng" | undefined;
  /** The classic file's link type, or the first pcapng interface's. */
  linkType: number | undefined;
  byteOrder: "big" | "little" | undefined;
  #pending = new Uint8Array(0);
  #le = true;
  #index = 0;
  #classicUnit = 1e-6;
  #interfaces: Interface[] = [];
  #sections = 0;
  #offset = 0; // file offset of #pending[0], for messages

  /** Adds the next bytes of the file; returns the packets completed by them. */
  push(chunk: Uint8Array): PcapPacket[] {
    v.bytes("chunk", chunk);
    // Bytes left over from the last chunk (at most one record) are joined to this one.
    let buf: Uint8Array;
    if (this.#pending.length === 0) buf = chunk;
    else {
      buf = new Uint8Array(this.#pending.length + chunk.length);
      buf.set(this.#pending);
      buf.set(chunk, this.#pending.length);
    }
    const out: PcapPacket[] = [];
    const used = this.format === "pcap" || (this.format === undefined && buf.length >= 4 && !isPcapng(buf)) ? this.#classic(buf, out) : this.#pcapng(buf, out);
    // Keep only the unread tail (copied: the caller may reuse its chunk's buffer).
    this.#pending = used === buf.length ? new Uint8Array(0) : buf.slice(used);
    this.#offset += used;
    return out;
  }

  /** The file is complete: a partial record left over is CORRUPT_DATA. */
  end(): void {
    if (this.format === undefined) throw corrupt(`file of ${this.#pending.length} bytes is shorter than the 24-byte global header`);
    if (this.#pending.length === 0) return;
    if (this.format === "pcap") {
      if (this.#pending.length < 16) throw corrupt(`packet ${this.#index + 1}: record header truncated (${this.#pending.length} of 16 bytes)`);
      const incl = dv(this.#pending).getUint32(8, this.#le);
      throw corrupt(`packet ${this.#index + 1}: captured length ${incl} runs past the end of the file`);
    }
    throw corrupt(`block at offset ${this.#offset} truncated (${this.#pending.length} bytes left at the end of the file)`);
  }

  #classic(buf: Uint8Array, out: PcapPacket[]): number {
    let at = 0;
    const view = dv(buf);
    if (this.format === undefined) {
      if (buf.length < 24) return 0;
      const magicLE = view.getUint32(0, true);
      const magicBE = view.getUint32(0, false);
      if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) this.#le = true;
      else if (magicBE === 0xa1b2c3d4 || magicBE === 0xa1b23c4d) this.#le = false;
      else throw corrupt(`bad magic number 0x${magicBE.toString(16).padStart(8, "0")} (neither pcap nor pcapng)`);
      this.#classicUnit = (this.#le ? magicLE : magicBE) === 0xa1b23c4d ? 1e-9 : 1e-6;
      const major = view.getUint16(4, this.#le);
      if (major !== 2) throw corrupt(`unsupported version ${major}.${view.getUint16(6, this.#le)} (expected 2.4)`);
      // The link type is the low 16 bits; the FCS length may sit in the top bits.
      const linkType = view.getUint32(20, this.#le) & 0xffff;
      checkLinkType(linkType, "");
      this.format = "pcap";
      this.linkType = linkType;
      this.byteOrder = this.#le ? "little" : "big";
      at = 24;
    }
    const le = this.#le;
    const linkType = this.linkType!;
    while (at + 16 <= buf.length) {
      const incl = view.getUint32(at + 8, le);
      if (incl > MAX_RECORD) throw corrupt(`packet ${this.#index + 1}: captured length ${incl} runs past the end of the largest record a capture holds (16 MiB)`);
      if (at + 16 + incl > buf.length) break;
      const frame = buf.subarray(at + 16, at + 16 + incl);
      const time = view.getUint32(at, le) + view.getUint32(at + 4, le) * this.#classicUnit;
      out.push(packet(++this.#index, linkType, frame, time));
      at += 16 + incl;
    }
    return at;
  }

  #pcapng(buf: Uint8Array, out: PcapPacket[]): number {
    let at = 0;
    const view = dv(buf);
    while (at + 12 <= buf.length) {
      const rawType = view.getUint32(at, true);
      if (rawType === SHB) {
        // The byte order of a section comes from its own header: read it before the length.
        const bom = view.getUint32(at + 8, true);
        if (bom === BOM) this.#le = true;
        else if (view.getUint32(at + 8, false) === BOM) this.#le = false;
        else throw corrupt(`pcapng section header at offset ${this.#offset + at}: bad byte-order magic 0x${view.getUint32(at + 8, false).toString(16)}`);
      } else if (this.format === undefined) {
        throw corrupt("a pcapng file must start with a section header block");
      }
      const le = this.#le;
      const type = view.getUint32(at, le);
      const len = view.getUint32(at + 4, le);
      const where = `block at offset ${this.#offset + at}: `;
      if (len < 12 || len % 4 !== 0 || len > MAX_RECORD) throw corrupt(`${where}bad block length ${len}`);
      if (at + len > buf.length) break;
      if (view.getUint32(at + len - 4, le) !== len) throw corrupt(`${where}trailing length ${view.getUint32(at + len - 4, le)} differs from ${len}`);
      const body = buf.subarray(at + 8, at + len - 4);
      const b = dv(body);
      if (type === SHB) {
        if (body.length < 16) throw corrupt(`${where}section header too short`);
        const major = b.getUint16(4, le);
        if (major !== 1) throw corrupt(`${where}unsupported pcapng version ${major}.${b.getUint16(6, le)} (expected 1.0)`);
        this.format = "pcapng";
        this.byteOrder ??= le ? "little" : "big";
        this.#interfaces = [];
        this.#sections++;
      } else if (type === IDB) {
        if (body.length < 8) throw corrupt(`${where}interface description too short`);
        const linkType = b.getUint16(0, le);
        checkLinkType(linkType, `${where}interface ${this.#interfaces.length}: `);
        this.linkType ??= linkType;
        this.#interfaces.push({ linkType, snapLen: b.getUint32(4, le), unit: tsUnit(body.subarray(8), le, where) });
      } else if (type === EPB || type === OPB) {
        if (body.length < 20) throw corrupt(`${where}packet block too short`);
        const id = type === EPB ? b.getUint32(0, le) : b.getUint16(0, le);
        const ifc = this.#iface(id, where);
        const incl = b.getUint32(12, le);
        if (20 + incl > body.length) throw corrupt(`${where}captured length ${incl} runs past the block`);
        const ts = b.getUint32(4, le) * 2 ** 32 + b.getUint32(8, le);
        out.push(packet(++this.#index, ifc.linkType, body.subarray(20, 20 + incl), ts * ifc.unit));
      } else if (type === SPB) {
        if (body.length < 4) throw corrupt(`${where}simple packet block too short`);
        const ifc = this.#iface(0, where);
        // Section 4.4: the captured length is the smaller of the original length and the snap length.
        const orig = b.getUint32(0, le);
        const incl = Math.min(orig, ifc.snapLen === 0 ? orig : ifc.snapLen, body.length - 4);
        out.push(packet(++this.#index, ifc.linkType, body.subarray(4, 4 + incl), undefined));
      }
      // Other blocks (name resolution, statistics, decryption secrets, custom) carry no packets.
      at += len;
    }
    return at;
  }

  #iface(id: number, where: string): Interface {
    const ifc = this.#interfaces[id];
    if (!ifc) throw corrupt(`${where}packet names interface ${id}, but section ${this.#sections} describes ${this.#interfaces.length}`);
    return ifc;
  }
}

function isPcapng(buf: Uint8Array): boolean {
  return buf[0] === 0x0a && buf[1] === 0x0d && buf[2] === 0x0d && buf[3] === 0x0a;
}

function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function packet(index: number, linkType: number, frame: Uint8Array, time: number | undefined): PcapPacket {
  const ip = ipOf(linkType, frame);
  const p: PcapPacket = { index, frame, linkType };
  if (ip) p.ip = ip;
  if (time !== undefined) p.time = time;
  return p;
}

/** if_tsresol (option 9) of an interface description: 10^-n or 2^-n seconds; default 10^-6. */
function tsUnit(options: Uint8Array, le: boolean, where: string): number {
  const o = dv(options);
  let at = 0;
  while (at + 4 <= options.length) {
    const code = o.getUint16(at, le);
    const len = o.getUint16(at + 2, le);
    if (code === 0) break;
    if (at + 4 + len > options.length) throw corrupt(`${where}option ${code} runs past the block`);
    if (code === 9 && len >= 1) {
      const r = options[at + 4]!;
      return r & 0x80 ? 2 ** -(r & 0x7f) : 10 ** -r;
    }
    at += 4 + ((len + 3) & ~3);
  }
  return 1e-6;
}

/**
 * Parses a whole capture file, classic pcap or pcapng. A bad header or a truncated record is a
 * CORRUPT_DATA error naming the record; frames that are not IP come back without `ip`.
 */
export function readPcap(bytes: Uint8Array): Pcap {
  // Only a Uint8Array: a string or another typed array has a length and indices too, and
  // would be read as a (corrupt or, worse, valid) file.
  v.bytes("bytes", bytes);
  const reader = new CaptureReader();
  const packets = reader.push(bytes);
  if (reader.format === undefined && bytes.length >= 4 && !isPcapng(bytes)) {
    throw corrupt(`file of ${bytes.length} bytes is shorter than the 24-byte global header`);
  }
  reader.end();
  return { format: reader.format!, linkType: reader.linkType ?? LINK_RAW, byteOrder: reader.byteOrder!, packets };
}
