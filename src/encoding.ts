// The one hex and the one base64 decoder every class, system and CLI command uses. Each
// names the value it refused; nothing is coerced (no odd-length hex, no stray characters).
import { flowpinError, show, type FlowpinErrorCode } from "./errors.js";

/** Hex text (optional 0x, even length, any case) as bytes; `code` is the error's (INVALID_CONFIG unless a key). */
export function hexBytes(name: string, text: unknown, code: FlowpinErrorCode = "INVALID_CONFIG"): Uint8Array {
  if (typeof text !== "string") throw flowpinError("INVALID_TYPE", `${name} must be hex text, got ${show(text)}`);
  const clean = text.startsWith("0x") || text.startsWith("0X") ? text.slice(2) : text;
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw flowpinError(code, `${name} must be an even number of hex digits, got ${show(text)}`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes as lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 (RFC 4648 section 4, with padding) as bytes. */
export function base64Bytes(name: string, text: unknown, code: FlowpinErrorCode = "INVALID_CONFIG"): Uint8Array {
  if (typeof text !== "string") throw flowpinError("INVALID_TYPE", `${name} must be base64 text, got ${show(text)}`);
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw flowpinError(code, `${name} must be base64 (RFC 4648), got ${show(text)}`);
  const pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  for (let i = 0, o = 0; i < text.length; i += 4) {
    const v = (B64.indexOf(text[i]!) << 18) | (B64.indexOf(text[i + 1]!) << 12) | ((B64.indexOf(text[i + 2]!) & 63) << 6) | (B64.indexOf(text[i + 3]!) & 63);
    if (o < out.length) out[o++] = v >>> 16;
    if (o < out.length) out[o++] = (v >>> 8) & 0xff;
    if (o < out.length) out[o++] = v & 0xff;
  }
  return out;
}
