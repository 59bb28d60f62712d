// Hand-written SVG charts of a simulation (no dependency; standalone files that open in any
// browser): the load of every backend, sorted, per algorithm; and % of flows moved against k
// for removals and additions (solid: all moves, dashed: needless moves).
import type { AlgorithmResult, SimulateResult } from "./simulate.js";

const COLORS: Record<string, string> = {
  maglev: "#1f77b4",
  rendezvous: "#d62728",
  ring: "#2ca02c",
  jump: "#9467bd",
  glb: "#ff7f0e",
  "round-robin": "#8c564b",
  random: "#e377c2",
  "least-connections": "#7f7f7f",
  "power-of-two": "#17becf",
};
// A second size (or balance factor) of the same algorithm is drawn lighter, a third dotted.
const SHADES = ["", "99", "66"];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const num = (x: number) => (Math.round(x * 100) / 100).toString();

function label(a: AlgorithmResult): string {
  const name = a.size === null ? a.algorithm : `${a.algorithm} ${a.size}`;
  return a.balanceFactor === null ? name : `${name} c=${a.balanceFactor}`;
}

function color(a: AlgorithmResult, all: readonly AlgorithmResult[]): string {
  const same = all.filter((b) => b.algorithm === a.algorithm);
  return (COLORS[a.algorithm] ?? "#333333") + SHADES[Math.min(same.indexOf(a), SHADES.length - 1)];
}

/** Round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

interface Panel {
  x: number;
  y: number;
  w: number;
  h: number;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

const px = (p: Panel, v: number) => p.x + ((v - p.xMin) / (p.xMax - p.xMin || 1)) * p.w;
const py = (p: Panel, v: number) => p.y + p.h - ((v - p.yMin) / (p.yMax - p.yMin || 1)) * p.h;

function axes(p: Panel, title: string, xLabel: string, yLabel: string, xTicks: number[], yTicks: number[], yFmt: (v: number) => string): string {
  const parts = [`<rect x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" fill="#fafafa" stroke="#888"/>`];
  for (const t of yTicks) {
    const y = num(py(p, t));
    parts.push(`<line x1="${p.x}" x2="${p.x + p.w}" y1="${y}" y2="${y}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${p.x - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(yFmt(t))}</text>`);
  }
  for (const t of xTicks) {
    const x = num(px(p, t));
    parts.push(`<line x1="${x}" x2="${x}" y1="${p.y + p.h}" y2="${p.y + p.h + 4}" stroke="#888"/>`);
    parts.push(`<text x="${x}" y="${p.y + p.h + 16}" text-anchor="middle">${esc(String(t))}</text>`);
  }
  parts.push(`<text x="${p.x + p.w / 2}" y="${p.y - 10}" text-anchor="middle" font-weight="bold">${esc(title)}</text>`);
  parts.push(`<text x="${p.x + p.w / 2}" y="${p.y + p.h + 34}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(${p.x - 46} ${p.y + p.h / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  return parts.join("\n");
}

function legend(x: number, y: number, items: { text: string; color: string; dash?: string }[]): string {
  return items
    .map((it, i) => {
      const yy = y + i * 18;
      const dash = it.dash ? ` stroke-dasharray="${it.dash}"` : "";
      return `<line x1="${x}" x2="${x + 24}" y1="${yy}" y2="${yy}" stroke="${it.color}" stroke-width="3"${dash}/><text x="${x + 30}" y="${yy}" dominant-baseline="middle">${esc(it.text)}</text>`;
    })
    .join("\n");
}

function doc(width: number, height: number, title: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">
<title>${esc(title)}</title>
<rect width="100%" height="100%" fill="#ffffff"/>
${body}
</svg>
`;
}

/** Per-backend load (share / fair share), backends sorted by load, one line per algorithm and size. */
export function loadSvg(r: SimulateResult): string {
  const W = 920;
  const H = 460;
  const p: Panel = { x: 70, y: 40, w: 560, h: 360, xMin: 0, xMax: Math.max(1, r.backends - 1), yMin: 0, yMax: 1 };
  let lo = 1;
  let hi = 1;
  for (const a of r.results) {
    lo = Math.min(lo, a.loadCurve[0] ?? 1);
    hi = Math.max(hi, a.loadCurve[a.loadCurve.length - 1] ?? 1);
  }
  const pad = Math.max(0.01, (hi - lo) * 0.05);
  p.yMin = Math.max(0, lo - pad);
  p.yMax = hi + pad;
  const parts = [axes(p, `Load per backend, ${r.backends} backends (trial 1), sorted`, "backends, sorted by load", "load / fair share", ticks(0, p.xMax), ticks(p.yMin, p.yMax), (v) => v.toFixed(2))];
  const one = num(py(p, 1));
  parts.push(`<line x1="${p.x}" x2="${p.x + p.w}" y1="${one}" y2="${one}" stroke="#444" stroke-dasharray="2 3"/>`);
  for (const a of r.results) {
    const c = a.loadCurve;
    const pts = Array.from(c, (v, i) => `${num(px(p, c.length === 1 ? 0 : (i * p.xMax) / (c.length - 1)))},${num(py(p, v))}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${color(a, r.results)}" stroke-width="2" points="${pts}"><title>${esc(label(a))}: max/mean ${a.balance.maxOverMean.toFixed(4)}</title></polyline>`);
  }
  // Sampled curves spread by sampling noise too: the legend gives the spread of a perfectly
  // even placement on the same sample beside them.
  const text = (a: AlgorithmResult) => `${label(a)} (max ${a.balance.maxOverMean.toFixed(3)}${a.balance.samplingNoise === null ? "" : `; even: ${a.balance.samplingNoise.toFixed(3)}`})`;
  parts.push(legend(p.x + p.w + 24, p.y + 10, r.results.map((a) => ({ text: text(a), color: color(a, r.results) }))));
  if (r.results.some((a) => a.balance.samplingNoise !== null)) {
    parts.push(`<text x="${p.x + p.w + 24}" y="${p.y + 20 + 18 * r.results.length}" font-size="11" fill="#555">even: max of a perfectly even</text>`);
    parts.push(`<text x="${p.x + p.w + 24}" y="${p.y + 34 + 18 * r.results.length}" font-size="11" fill="#555">placement on the ${r.options.samples} sampled flows</text>`);
  }
  return doc(W, H, "flowpin simulate: load per backend", parts.join("\n"));
}

/** % of flows moved against k, removals left and additions right; solid all moves, dashed needless. */
export function disruptionSvg(r: SimulateResult): string {
  const churn = r.options.churn;
  const W = 1060;
  const H = 480;
  const kMin = Math.min(...churn);
  const kMax = Math.max(...churn);
  const yMax = Math.max(0.1, ...r.results.flatMap((a) => a.disruption.map((d) => 100 * d.moved))) * 1.08;
  const panels: [Panel, "remove" | "add", string][] = [
    [{ x: 70, y: 40, w: 380, h: 360, xMin: kMin === kMax ? kMin - 1 : kMin, xMax: kMin === kMax ? kMax + 1 : kMax, yMin: 0, yMax }, "remove", "k backends removed"],
    [{ x: 530, y: 40, w: 380, h: 360, xMin: kMin === kMax ? kMin - 1 : kMin, xMax: kMin === kMax ? kMax + 1 : kMax, yMin: 0, yMax }, "add", "k backends added"],
  ];
  const parts: string[] = [];
  for (const [p, change, title] of panels) {
    parts.push(axes(p, `${title} (${r.backends} backends)`, "k", "% of flows moved", churn.slice(), ticks(0, yMax), (v) => `${v}%`));
    for (const a of r.results) {
      const c = color(a, r.results);
      const ds = a.disruption.filter((d) => d.change === change);
      for (const [field, dash] of [["moved", ""], ["needless", "6 4"]] as const) {
        const pts = ds.map((d) => `${num(px(p, d.k))},${num(py(p, 100 * d[field]))}`).join(" ");
        const dashAttr = dash ? ` stroke-dasharray="${dash}"` : "";
        parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2"${dashAttr} points="${pts}"><title>${esc(label(a))} ${field}</title></polyline>`);
        for (const d of ds) parts.push(`<circle cx="${num(px(p, d.k))}" cy="${num(py(p, 100 * d[field]))}" r="3" fill="${c}"><title>${esc(`${label(a)}, k = ${d.k}: ${field} ${(100 * d[field]).toFixed(2)}%`)}</title></circle>`);
      }
    }
  }
  const items: { text: string; color: string; dash?: string }[] = r.results.map((a) => ({ text: label(a) + (a.disruption.some((d) => d.selection === "last") ? " (last k)" : ""), color: color(a, r.results) }));
  items.push({ text: "all moves", color: "#555" }, { text: "needless moves", color: "#555", dash: "6 4" });
  parts.push(legend(930, 50, items));
  return doc(W, H, "flowpin simulate: disruption", parts.join("\n"));
}
