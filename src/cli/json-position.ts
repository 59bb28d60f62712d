// Where a JSON text first goes wrong. Node 20's JSON.parse messages often carry no position
// ("Unexpected token ','"), and a config error should name its line. A validating scan per
// RFC 8259 section 2; returns the offset of the first byte that cannot continue the text.
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "")) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === "" || m[0] === "-") fail();
    i += m![0].length;
  };
  const member = () => {
    ws();
    if (text[i] !== '"') fail();
    string();
    ws();
    if (text[i] !== ":") fail();
    i++;
  };
  // An explicit stack of the open containers' closing brackets, not recursion: a million
  // "[" overflowed the call stack, and the RangeError was reported as offset 0.
  const value = (): void => {
    const open: string[] = [];
    for (;;) {
      // A value starts here.
      ws();
      const c = text[i];
      if (c === "{" || c === "[") {
        const close = c === "{" ? "}" : "]";
        i++;
        ws();
        if (text[i] === close) i++;
        else {
          open.push(close);
          if (close === "}") member();
          continue;
        }
      } else if (c === '"') string();
      else if (c === "t") literal("true");
      else if (c === "f") literal("false");
      else if (c === "n") literal("null");
      else number();
      // A value ended: close containers until one continues with ",".
      for (;;) {
        const close = open[open.length - 1];
        if (close === undefined) return;
        ws();
        if (text[i] === ",") {
          i++;
          if (close === "}") member();
          break;
        }
        if (text[i] !== close) fail();
        i++;
        open.pop();
      }
    }
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    if (typeof at !== "number") throw at;
    return at;
  }
}
