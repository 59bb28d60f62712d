/**
 * nginx.conf read as nginx reads it (src/core/ngx_conf_file.c ngx_conf_read_token): words
 * separated by blanks, directives ended by ";", blocks in "{ }", "#" comments, quoted words
 * with backslash escapes, and `${name}` variables inside words. Enough to find `upstream`
 * blocks in an `http { }` or `stream { }` section (or a file holding only the block) and the
 * `server { }` blocks that proxy to them.
 * @module
 */
import { flowpinError } from "../../errors.js";

/** One directive: its name, arguments, block (if it opens one) and where it is in the text. */
export interface Directive {
  readonly name: string;
  readonly args: readonly string[];
  readonly block?: readonly Directive[];
  /** Offset of the directive's first character, and just past its ";" or "}". */
  readonly start: number;
  readonly end: number;
  readonly line: number;
}

function bad(line: number, message: string): Error {
  return flowpinError("INVALID_CONFIG", `line ${line}: ${message}`);
}

/** Parses the whole text into directives (nested blocks included). */
export function parseConf(text: string): Directive[] {
  let i = 0;
  let line = 1;
  const n = text.length;

  const blank = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n";

  /** The next token: a word (quoted or not), ";", "{", "}", or null at the end. */
  function token(): { kind: "word" | ";" | "{" | "}"; value: string; start: number; line: number } | null {
    for (;;) {
      while (i < n && blank(text[i]!)) {
        if (text[i] === "\n") line++;
        i++;
      }
      if (i >= n) return null;
      if (text[i] === "#") {
        while (i < n && text[i] !== "\n") i++;
        continue;
      }
      break;
    }
    const start = i;
    const c = text[i]!;
    if (c === ";" || c === "{" || c === "}") {
      i++;
      return { kind: c, value: c, start, line };
    }
    if (c === '"' || c === "'") {
      const at = line;
      let value = "";
      i++;
      for (;;) {
        if (i >= n) throw bad(at, `unexpected end of file, expecting ${c}`);
        const d = text[i]!;
        if (d === "\\" && i + 1 < n) {
          const e = text[i + 1]!;
          // ngx_conf_read_token unescapes \" \' \\ \t \r \n; any other pair stays as written.
          value += e === "t" ? "\t" : e === "r" ? "\r" : e === "n" ? "\n" : e === '"' || e === "'" || e === "\\" ? e : d + e;
          i += 2;
          continue;
        }
        if (d === "\n") line++;
        i++;
        if (d === c) break;
        value += d;
      }
      if (i < n && !blank(text[i]!) && text[i] !== ";" && text[i] !== "{" && text[i] !== "}") {
        throw bad(line, `unexpected "${text[i]}" after a quoted word`);
      }
      return { kind: "word", value, start, line: at };
    }
    let value = "";
    while (i < n) {
      const d = text[i]!;
      if (blank(d) || d === ";" || d === "}") break;
      if (d === "{") {
        // "${name}": a brace right after "$" belongs to the word (a variable), up to its "}".
        if (value.endsWith("$")) {
          const close = text.indexOf("}", i);
          if (close < 0) throw bad(line, `unexpected end of file in "${value}{"`);
          value += text.slice(i, close + 1);
          i = close + 1;
          continue;
        }
        break;
      }
      if (d === "\\" && i + 1 < n) {
        // The same unescaping as in quoted words; "\$" and the like keep their backslash.
        const e = text[i + 1]!;
        value += e === "t" ? "\t" : e === "r" ? "\r" : e === "n" ? "\n" : e === '"' || e === "'" || e === "\\" ? e : d + e;
        i += 2;
        continue;
      }
      value += d;
      i++;
    }
    return { kind: "word", value, start, line };
  }

  function block(depth: number): Directive[] {
    const out: Directive[] = [];
    for (;;) {
      const t = token();
      if (t === null) {
        if (depth > 0) throw bad(line, 'unexpected end of file, expecting "}"');
        return out;
      }
      if (t.kind === "}") {
        if (depth === 0) throw bad(t.line, 'unexpected "}"');
        return out;
      }
      if (t.kind !== "word") throw bad(t.line, `unexpected "${t.value}"`);
      const args: string[] = [];
      for (;;) {
        const a = token();
        if (a === null) throw bad(line, `unexpected end of file in directive "${t.value}", expecting ";" or "}"`);
        if (a.kind === "word") {
          args.push(a.value);
          continue;
        }
        if (a.kind === ";") {
          out.push({ name: t.value, args, start: t.start, end: i, line: t.line });
          break;
        }
        if (a.kind === "{") {
          const inner = block(depth + 1);
          out.push({ name: t.value, args, block: inner, start: t.start, end: i, line: t.line });
          break;
        }
        throw bad(a.line, `unexpected "}" in directive "${t.value}"`);
      }
    }
  }

  return block(0);
}

/** An `upstream NAME { }` block and where it sits. */
export interface UpstreamBlock {
  readonly name: string;
  /** "http" or "stream" from the enclosing section; null for a file holding only upstream blocks. */
  readonly module: "http" | "stream" | null;
  readonly directive: Directive;
  /** The directives beside it (its section), where the server blocks that use it are. */
  readonly siblings: readonly Directive[];
}

/** Every upstream block of the file, in order. */
export function findUpstreams(dirs: readonly Directive[], module: "http" | "stream" | null = null): UpstreamBlock[] {
  const out: UpstreamBlock[] = [];
  for (const d of dirs) {
    if (d.name === "upstream" && d.block) out.push({ name: d.args[0] ?? "", module, directive: d, siblings: dirs });
    else if ((d.name === "http" || d.name === "stream") && d.block) out.push(...findUpstreams(d.block, d.name));
  }
  return out;
}

/** Every directive named `name` in `dirs` and the blocks below them. */
export function findAll(dirs: readonly Directive[], name: string): Directive[] {
  const out: Directive[] = [];
  for (const d of dirs) {
    if (d.name === name) out.push(d);
    if (d.block) out.push(...findAll(d.block, name));
  }
  return out;
}
