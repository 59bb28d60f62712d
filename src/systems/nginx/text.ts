/**
 * Addresses as nginx writes them, byte for byte: the text `$remote_addr` evaluates to and the
 * peer names `$upstream_addr` shows. IPv4 is dotted decimal; IPv6 follows ngx_inet6_ntop
 * (src/core/ngx_inet.c), which is not RFC 5952: a single zero group is never shortened, and
 * the low 32 bits print as dotted IPv4 for IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible
 * (::a.b.c.d) addresses, so an IPv4 client on a dual-stack listener hashes as
 * "::ffff:127.1.2.3".
 *
 * Writers put ASCII into a caller's byte buffer and return the position after it, so the key
 * of a flow is built without allocating.
 * @module
 */

/** Decimal digits of a non-negative integer at out[at..]. */
export function writeDecimal(out: Uint8Array, at: number, value: number): number {
  if (value < 10) {
    out[at] = 48 + value;
    return at + 1;
  }
  let digits = 1;
  for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
  let p = at + digits;
  for (let v = value; p > at; v = Math.floor(v / 10)) out[--p] = 48 + (v % 10);
  return at + digits;
}

/** Dotted IPv4 of a u32 (most significant byte first). */
export function writeV4(out: Uint8Array, at: number, word: number): number {
  at = writeDecimal(out, at, word >>> 24);
  out[at++] = 46;
  at = writeDecimal(out, at, (word >>> 16) & 0xff);
  out[at++] = 46;
  at = writeDecimal(out, at, (word >>> 8) & 0xff);
  out[at++] = 46;
  return writeDecimal(out, at, word & 0xff);
}

const HEX = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];

/** A 16-bit group as lowercase hex without leading zeros (nginx's "%xd"). */
function writeHex16(out: Uint8Array, at: number, v: number): number {
  let started = false;
  for (let shift = 12; shift >= 0; shift -= 4) {
    const d = (v >>> shift) & 0xf;
    if (d !== 0 || started || shift === 0) {
      out[at++] = HEX[d]!;
      started = true;
    }
  }
  return at;
}

/**
 * ngx_inet6_ntop over 16 address bytes p[0..16): the longest run of at least two zero groups
 * (the first on a tie) becomes "::"; when that run starts the address and is 5 groups followed
 * by ffff, or 6 groups, or 7 groups not ending in 1, the last 4 bytes print as dotted IPv4.
 */
export function writeV6(out: Uint8Array, at: number, p: Uint8Array): number {
  let zero = -1;
  let last = -1;
  let max = 1;
  let n = 0;
  for (let i = 0; i < 16; i += 2) {
    if (p[i] !== 0 || p[i + 1] !== 0) {
      if (max < n) {
        zero = last;
        max = n;
      }
      n = 0;
      continue;
    }
    if (n++ === 0) last = i;
  }
  if (max < n) {
    zero = last;
    max = n;
  }
  let end = 16;
  if (zero === 0) {
    if ((max === 5 && p[10] === 0xff && p[11] === 0xff) || max === 6 || (max === 7 && p[14] !== 0 && p[15] !== 1)) end = 12;
    out[at++] = 58;
  }
  for (let i = 0; i < end; i += 2) {
    if (i === zero) {
      out[at++] = 58;
      i += (max - 1) * 2;
      continue;
    }
    at = writeHex16(out, at, (p[i]! << 8) | p[i + 1]!);
    if (i < 14) out[at++] = 58;
  }
  if (end === 12) {
    at = writeDecimal(out, at, p[12]!);
    out[at++] = 46;
    at = writeDecimal(out, at, p[13]!);
    out[at++] = 46;
    at = writeDecimal(out, at, p[14]!);
    out[at++] = 46;
    at = writeDecimal(out, at, p[15]!);
  }
  return at;
}

/** Address words (as src/flow.ts addressWords writes them, big-endian u32s) as 16 bytes. */
export function wordsToV6Bytes(w: Uint32Array, at: number, family: 4 | 6, out: Uint8Array): Uint8Array {
  if (family === 4) {
    // An IPv4 client accepted on an IPv6 socket: ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2).
    out.fill(0, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    out[12] = w[at]! >>> 24;
    out[13] = (w[at]! >>> 16) & 0xff;
    out[14] = (w[at]! >>> 8) & 0xff;
    out[15] = w[at]! & 0xff;
    return out;
  }
  for (let k = 0; k < 4; k++) {
    const x = w[at + k]!;
    out[4 * k] = x >>> 24;
    out[4 * k + 1] = (x >>> 16) & 0xff;
    out[4 * k + 2] = (x >>> 8) & 0xff;
    out[4 * k + 3] = x & 0xff;
  }
  return out;
}

const scratch = new Uint8Array(64);

/** bytes[start, end) as a string of the same code units (ASCII text nginx wrote). */
export function byteText(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** ngx_inet6_ntop of 16 bytes as a string. */
export function v6Text(bytes: Uint8Array): string {
  return byteText(scratch, 0, writeV6(scratch, 0, bytes));
}
