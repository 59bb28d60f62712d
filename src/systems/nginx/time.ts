/**
 * nginx time values in seconds, as ngx_parse_time(text, is_sec = 1) reads `fail_timeout=`
 * (src/core/ngx_parse.c): numbers with units y, M, w, d, h, m, s in that order, each once
 * ("1h30m", "300s", "10"), a bare number meaning seconds; "ms" is refused where seconds are
 * asked for.
 * @module
 */
const UNITS: Record<string, number> = { y: 365 * 86400, M: 30 * 86400, w: 7 * 86400, d: 86400, h: 3600, m: 60, s: 1 };
const ORDER = "yMwdhms";

/** Seconds, or null where nginx would answer NGX_ERROR. */
export function parseNginxSeconds(text: string): number | null {
  let total = 0;
  let value = 0;
  let valid = false;
  let step = -1;
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c >= "0" && c <= "9") {
      value = value * 10 + (c.charCodeAt(0) - 48);
      if (value > Number.MAX_SAFE_INTEGER) return null;
      valid = true;
      i++;
      continue;
    }
    i++;
    let scale: number;
    let at: number;
    if (c === " ") {
      scale = 1;
      at = ORDER.length;
    } else {
      if (c === "m" && text[i] === "s") return null;
      const u = UNITS[c];
      if (u === undefined || !Object.prototype.hasOwnProperty.call(UNITS, c)) return null;
      scale = u;
      at = ORDER.indexOf(c);
    }
    if (at <= step) return null;
    step = at;
    total += value * scale;
    value = 0;
    while (text[i] === " ") i++;
  }
  if (!valid) return null;
  total += value;
  return total > Number.MAX_SAFE_INTEGER ? null : total;
}
