/**
 * A reader for classic pcap files (the libpcap format, draft-ietf-opsawg-pcap): both byte
 * orders, microsecond and nanosecond magic, and the link types that carry IP: Ethernet
 * (with 802.1Q/802.1ad tags), raw IP, Linux cooked (SLL and SLL2) and BSD loopback. pcapng
 * is not read.
 *
 * @example
 * const { packets } = readPcap(fs.readFileSync("trace.pcap"));
 * hasher.hashPackets(packets.filter((p) => p.ip).map((p) => p.ip!));
 */
import { flowpinError } from "./errors.js";
import * as v from "./validate.js";

export interface PcapPacket {
  /** Record number, from 1. */
  index: number;
  /** The bytes from the IP header on, or undefined when the frame carries no IPv4/IPv6. */
  ip?: Uint8Array;
  /** The frame as captured. */
  frame: Uint8Array;
}

export interface Pcap {
  linkType: number;
  /** "big" or "little": the byte order the file was written in. */
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

/**
 * Parses a classic pcap file. A bad header or a truncated record is a CORRUPT_DATA error
 * naming the record; frames that are not IP come back without `ip`.
 */
export function readPcap(bytes: Uint8Array): Pcap {
  // Only a Uint8Array: a string or another typed array has a length and indices too, and
  // would be read as a (corrupt or, worse, valid) file.
  v.bytes("bytes", bytes);
  if (bytes.length < 24) throw corrupt(`file of ${bytes.length} bytes is shorter than the 24-byte global header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLE = dv.getUint32(0, true);
  let le: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) le = true;
  else if (dv.getUint32(0, false) === 0xa1b2c3d4 || dv.getUint32(0, false) === 0xa1b23c4d) le = false;
  else if (magicLE === 0x0a0d0d0a) throw corrupt("this is a pcapng file; convert it with `editcap -F pcap`");
  else throw corrupt(`bad magic number 0x${dv.getUint32(0, false).toString(16).padStart(8, "0")}`);
  const major = dv.getUint16(4, le);
  if (major !== 2) throw corrupt(`unsupported version ${major}.${dv.getUint16(6, le)} (expected 2.4)`);
  // The link type is the low 16 bits; the FCS length may sit in the top bits.
  const linkType = dv.getUint32(20, le) & 0xffff;
  if (!LINK_TYPES.includes(linkType)) throw corrupt(`link type ${linkType} is not supported (Ethernet, raw IP, Linux SLL/SLL2 and loopback are)`);
  const packets: PcapPacket[] = [];
  let at = 24;
  let index = 0;
  while (at < bytes.length) {
    index++;
    if (at + 16 > bytes.length) throw corrupt(`packet ${index}: record header truncated (${bytes.length - at} of 16 bytes)`);
    const incl = dv.getUint32(at + 8, le);
    if (at + 16 + incl > bytes.length) throw corrupt(`packet ${index}: captured length ${incl} runs past the end of the file`);
    const frame = bytes.subarray(at + 16, at + 16 + incl);
    const ip = ipOf(linkType, frame);
    packets.push(ip ? { index, ip, frame } : { index, frame });
    at += 16 + incl;
  }
  return { linkType, byteOrder: le ? "little" : "big", packets };
}
