/**
 * The `hash` directive's key: nginx compiles its argument as a complex value (text with
 * `$name` / `${name}` variables, src/http/ngx_http_script.c) and, per connection, hashes the
 * evaluated bytes with no separator added (ngx_http_upstream_init_hash_peer → ngx_http_complex_value).
 * flowpin sees connections, so it evaluates the connection variables both modules define:
 *
 * - `$remote_addr`: the client address as ngx_sock_ntop writes it (text.ts); an IPv4 client
 *   on a `listen [::]:PORT ipv6only=off` socket is `::ffff:a.b.c.d`.
 * - `$remote_port`: the client port in decimal. `$binary_remote_addr`: the 4 or 16 address bytes.
 * - `$server_addr`, `$server_port`: the address and port the connection arrived on.
 *
 * Any other variable (request headers, `$request_uri`, ...) is refused by name: flowpin cannot
 * evaluate it from a flow, and guessing would silently give another decision.
 * @module
 */
import { flowpinError } from "../../errors.js";
import { wordsToV6Bytes, writeDecimal, writeV4, writeV6 } from "./text.js";

/** The connection variables a key may use. */
export const KEY_VARIABLES = ["remote_addr", "remote_port", "binary_remote_addr", "server_addr", "server_port"] as const;
type KeyVariable = (typeof KEY_VARIABLES)[number];

const VAR_REMOTE_ADDR = 0;
const VAR_REMOTE_PORT = 1;
const VAR_BINARY_REMOTE_ADDR = 2;
const VAR_SERVER_ADDR = 3;
const VAR_SERVER_PORT = 4;

/** A compiled key: literal byte runs and variables, in order. */
export interface KeyTemplate {
  readonly text: string;
  /** Literal bytes (UTF-8 of the text between variables) or a variable number (KEY_VARIABLES index). */
  readonly parts: readonly (Uint8Array | number)[];
  /** Bytes a key can take at most (literals + the longest form of each variable). */
  readonly maxLength: number;
  /** Whether the key is only literal text (every connection hashes the same). */
  readonly constant: boolean;
}

const isNameChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const utf8 = new TextEncoder();

/**
 * Compiles `hash KEY`'s KEY as nginx's script compiler splits it: `$` starts a variable whose
 * name runs over [A-Za-z0-9_] or is enclosed in `{}`; a `$` with no name is refused, as nginx
 * refuses it ("invalid variable name").
 */
export function compileKey(text: string): KeyTemplate {
  const parts: (Uint8Array | number)[] = [];
  let literal = "";
  let maxLength = 0;
  const flush = () => {
    if (literal !== "") {
      const b = utf8.encode(literal);
      parts.push(b);
      maxLength += b.length;
      literal = "";
    }
  };
  for (let i = 0; i < text.length; ) {
    if (text[i] !== "$") {
      literal += text[i++];
      continue;
    }
    let name: string;
    if (text[i + 1] === "{") {
      const close = text.indexOf("}", i + 2);
      if (close < 0) throw flowpinError("INVALID_CONFIG", `hash key ${JSON.stringify(text)}: the variable name after "\${" has no closing "}" (nginx: the closing bracket in "${text.slice(i + 2)}" variable is missing)`);
      name = text.slice(i + 2, close);
      i = close + 1;
    } else {
      let j = i + 1;
      while (j < text.length && isNameChar(text.charCodeAt(j))) j++;
      name = text.slice(i + 1, j);
      i = j;
    }
    if (name === "") throw flowpinError("INVALID_CONFIG", `hash key ${JSON.stringify(text)}: "$" without a variable name (nginx: invalid variable name)`);
    const v = KEY_VARIABLES.indexOf(name as KeyVariable);
    if (v < 0) {
      throw flowpinError("INVALID_CONFIG", `hash key ${JSON.stringify(text)}: variable $${name} is not modelled; flowpin evaluates the connection variables ${KEY_VARIABLES.map((n) => `$${n}`).join(", ")}`);
    }
    flush();
    parts.push(v);
    // Longest forms: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" is 45 bytes; a port 5.
    maxLength += v === VAR_REMOTE_PORT || v === VAR_SERVER_PORT ? 5 : v === VAR_BINARY_REMOTE_ADDR ? 16 : 46;
  }
  flush();
  return { text, parts, maxLength, constant: parts.every((p) => typeof p !== "number") };
}

const v6 = new Uint8Array(16);

/**
 * Writes the key of one connection into out[0..] and returns its length. `w` holds the flow
 * as src/flow.ts parseFlowInto writes it (src words at 0, dst words at 4, sport at 8, dport at
 * 9); `mapped` says the listener is dual-stack, so IPv4 endpoints are IPv4-mapped IPv6.
 */
export function writeKey(key: KeyTemplate, w: Uint32Array, family: 4 | 6, mapped: boolean, out: Uint8Array): number {
  let at = 0;
  const asV6 = family === 6 || mapped;
  for (const part of key.parts) {
    if (typeof part !== "number") {
      out.set(part, at);
      at += part.length;
      continue;
    }
    switch (part) {
      case VAR_REMOTE_ADDR:
      case VAR_SERVER_ADDR: {
        const base = part === VAR_REMOTE_ADDR ? 0 : 4;
        at = asV6 ? writeV6(out, at, wordsToV6Bytes(w, base, family, v6)) : writeV4(out, at, w[base]!);
        break;
      }
      case VAR_BINARY_REMOTE_ADDR:
        if (asV6) {
          out.set(wordsToV6Bytes(w, 0, family, v6), at);
          at += 16;
        } else {
          const x = w[0]!;
          out[at++] = x >>> 24;
          out[at++] = (x >>> 16) & 0xff;
          out[at++] = (x >>> 8) & 0xff;
          out[at++] = x & 0xff;
        }
        break;
      default: {
        // ngx_http_variable_remote_port / _server_port: port 0 evaluates to "" (not "0").
        const port = w[part === VAR_REMOTE_PORT ? 8 : 9]!;
        if (port > 0) at = writeDecimal(out, at, port);
      }
    }
  }
  return at;
}
