// Big-endian reads and writes on packet and key bytes, shared by the systems that parse IP
// headers or hash address bytes (cilium, katran, glb, haproxy). Network byte order is the same
// in every datapath; what each system reads where stays in its own parser.

/** The big-endian u32 at p[at..at+4). */
export const be32 = (p: Uint8Array, at: number): number => ((p[at]! << 24) | (p[at + 1]! << 16) | (p[at + 2]! << 8) | p[at + 3]!) >>> 0;

/** The big-endian u16 at p[at..at+2). */
export const be16 = (p: Uint8Array, at: number): number => (p[at]! << 8) | p[at + 1]!;

/** Writes `x` as a big-endian u32 at out[at..at+4). */
export function putBe32(out: Uint8Array, at: number, x: number): void {
  out[at] = x >>> 24;
  out[at + 1] = (x >>> 16) & 0xff;
  out[at + 2] = (x >>> 8) & 0xff;
  out[at + 3] = x & 0xff;
}
