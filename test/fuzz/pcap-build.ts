// Writes classic pcap files (libpcap format: 24-byte global header, 16-byte record headers)
// for the fuzzers: raw-IP (linktype 101) or Ethernet (1), either byte order.
export function buildPcap(frames: readonly Uint8Array[], opts: { linkType?: number; bigEndian?: boolean } = {}): Uint8Array {
  const le = !opts.bigEndian;
  const size = 24 + frames.reduce((s, f) => s + 16 + f.length, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, le);
  dv.setUint16(4, 2, le);
  dv.setUint16(6, 4, le);
  dv.setUint32(16, 65535, le);
  dv.setUint32(20, opts.linkType ?? 101, le);
  let at = 24;
  frames.forEach((f, i) => {
    dv.setUint32(at, 1_700_000_000 + i, le);
    dv.setUint32(at + 8, f.length, le);
    dv.setUint32(at + 12, f.length, le);
    out.set(f, at + 16);
    at += 16 + f.length;
  });
  return out;
}

/** An Ethernet II frame around an IP packet (EtherType from the version nibble). */
export function ethernet(ip: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + ip.length);
  f.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2], 0);
  const v6 = ip.length > 0 && ip[0]! >> 4 === 6;
  f[12] = v6 ? 0x86 : 0x08;
  f[13] = v6 ? 0xdd : 0x00;
  f.set(ip, 14);
  return f;
}
