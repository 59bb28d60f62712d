// Column widths of text as a terminal shows it, so tables of backend names line up when a
// name holds CJK (two columns a character), emoji, or combining marks (none): String.padEnd
// counts UTF-16 code units and misaligns all three.

// East Asian Wide and Fullwidth ranges (Unicode UAX #11), the blocks backend names use.
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]|\p{Extended_Pictographic}/u;
const ZERO = /^[\p{M}\p{Cf}\p{Cc}]+$/u;
const segmenter = typeof Intl !== "undefined" && "Segmenter" in Intl ? new Intl.Segmenter() : undefined;

/** The number of terminal columns `s` takes. */
export function displayWidth(s: string): number {
  // ASCII, the common case, is one column a character.
  if (/^[\x20-\x7e]*$/.test(s)) return s.length;
  const graphemes = segmenter ? Array.from(segmenter.segment(s), (g) => g.segment) : Array.from(s);
  let w = 0;
  for (const g of graphemes) w += ZERO.test(g) ? 0 : WIDE.test(g) ? 2 : 1;
  return w;
}

/** `s` padded with spaces on the right to `width` columns (display width, not code units). */
export function padCell(s: string, width: number): string {
  return s + " ".repeat(Math.max(0, width - displayWidth(s)));
}
