// glb-director's flow hash (packet_parsing.h glb_compute_hash): SipHash-2-4 under the table's
// hash_key over the configured fields in the fixed order src_addr, dst_addr, src_port,
// dst_port; addresses 4 bytes in an IPv4 packet and 16 in an IPv6 one, ports big-endian as on
// the wire. The tag is read as a little-endian u64 (glb_siphash), its low 16 bits are the row.
//
// The vectors record the concatenation upstream's tests expect (-fno-strict-aliasing, clang);
// gcc -O2/-O3 builds of the DPDK director lose the fields after src_addr (see the vector notes).
import { siphash24 } from "../../hashes.js";
import type { HashFields } from "./config.js";
import type { Fields } from "./fields.js";

/** The message buffer and a view of each length (no allocation per flow). */
export class HashInput {
  readonly buf = new Uint8Array(36);
  readonly views: Uint8Array[] = Array.from({ length: 37 }, (_, n) => this.buf.subarray(0, n));

  /** Writes the message for `f` under `h`; returns its length. */
  fill(f: Fields, h: HashFields): number {
    const a = f.family === 4 ? 4 : 16;
    const b = this.buf;
    let n = 0;
    if (h.srcAddr) {
      for (let i = 0; i < a; i++) b[n++] = f.src[i]!;
    }
    if (h.dstAddr) {
      for (let i = 0; i < a; i++) b[n++] = f.dst[i]!;
    }
    if (h.srcPort) {
      b[n++] = f.sport >> 8;
      b[n++] = f.sport & 0xff;
    }
    if (h.dstPort) {
      b[n++] = f.dport >> 8;
      b[n++] = f.dport & 0xff;
    }
    return n;
  }

  /** The flow hash of `f` under `key` (16 bytes): one Wasm call. */
  hash(f: Fields, h: HashFields, key: Uint8Array): bigint {
    return siphash24(this.views[this.fill(f, h)]!, key);
  }
}
