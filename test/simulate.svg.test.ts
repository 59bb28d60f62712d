// `flowpin simulate --svg DIR`: the charts parse as SVG and render in a real browser (Debian's
// chromium, installed by scripts/install-runtimes.sh, driven by playwright-core) to a picture
// with many drawn pixels in the algorithms' colours. The screenshot PNG is decoded here.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";

const root = path.resolve(import.meta.dirname, "..");
const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowpin-svg-"));

/** RGBA pixels of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium's screenshots are). */
function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString("ascii", pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8], "bit depth").toBe(8);
      expect([2, 6], "colour type").toContain(data[9]);
      expect(data[12], "interlace").toBe(0);
      channels = data[9] === 6 ? 4 : 3;
    } else if (type === "IDAT") idat.push(data);
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? px[y * stride + x - channels]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels]! : 0;
      const p = a + b - c;
      const pred = [0, a, b, (a + b) >> 1, Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c][filter]!;
      px[y * stride + x] = (line[x]! + pred) & 255;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let ch = 0; ch < 3; ch++) rgba[4 * i + ch] = px[i * channels + ch]!;
    rgba[4 * i + 3] = channels === 4 ? px[i * channels + 3]! : 255;
  }
  return { width, height, rgba };
}

function install(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("bash", [path.join(root, "scripts", "install-runtimes.sh")], { timeout: 600_000, encoding: "utf8" }, (err, _out, errOut) => {
      resolve(err ? `${err.message}\n${errOut}`.trim() : undefined);
    });
  });
}

describe("flowpin simulate --svg renders in headless Chromium", () => {
  let browser: Browser;

  beforeAll(async () => {
    const problem = await install();
    if (problem) throw new Error(`chromium could not be installed: ${problem}`);
    const io = { out() {}, err() {}, stderrIsTTY: false, env: {} };
    const args = ["simulate", "--algorithms", "maglev,rendezvous,ring,jump", "--backends", "100", "--sizes", "4099", "--churn", "1,5,10", "--trials", "1", "--samples", "4000", "--svg", dir];
    expect(await run(args, io)).toBe(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, timeout: 60_000 });
  }, 700_000);

  afterAll(async () => {
    await browser?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Colours the charts give maglev (#1f77b4) and rendezvous (#d62728).
  const near = (px: Uint8Array, i: number, [r, g, b]: number[]) => Math.abs(px[i]! - r!) + Math.abs(px[i + 1]! - g!) + Math.abs(px[i + 2]! - b!) < 40;

  for (const name of ["load.svg", "disruption.svg"]) {
    it(`${name} is valid SVG and a non-empty picture`, async () => {
      const file = path.join(dir, name);
      const text = fs.readFileSync(file, "utf8");
      const page = await browser.newPage({ viewport: { width: 1100, height: 520 } });
      try {
        const parsed = await page.evaluate((t) => {
          const d = new DOMParser().parseFromString(t, "image/svg+xml");
          return { error: d.getElementsByTagName("parsererror").length, root: d.documentElement.nodeName, lines: d.getElementsByTagName("polyline").length };
        }, text);
        expect(parsed).toMatchObject({ error: 0, root: "svg" });
        expect(parsed.lines).toBeGreaterThanOrEqual(4);
        await page.goto(`file://${file}`);
        const { width, height, rgba } = decodePng(await page.screenshot({ type: "png" }));
        expect(width).toBe(1100);
        let drawn = 0;
        let blue = 0;
        let red = 0;
        const colours = new Set<number>();
        for (let i = 0; i < width * height * 4; i += 4) {
          const [r, g, b] = [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
          if (r + g + b < 3 * 235) drawn++;
          colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
          if (near(rgba, i, [0x1f, 0x77, 0xb4])) blue++;
          if (near(rgba, i, [0xd6, 0x27, 0x28])) red++;
        }
        expect(drawn / (width * height), "share of drawn pixels").toBeGreaterThan(0.01);
        expect(colours.size, "distinct colours").toBeGreaterThan(20);
        expect(blue, "maglev's line").toBeGreaterThan(100);
        expect(red, "rendezvous's line").toBeGreaterThan(100);
      } finally {
        await page.close();
      }
    });
  }
});
