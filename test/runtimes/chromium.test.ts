// Headless Chromium (Debian's package, installed by scripts/install-runtimes.sh, driven by
// playwright-core): a page loads the default entry as an ES module through an import map that
// points "flowpin" at the file the exports map gives the `browser` condition, runs the
// fixture (which awaits init(): Chromium may refuse synchronous Wasm compilation on the main
// thread) and must equal Node byte for byte, on a cross-origin isolated page, in a module
// Worker, and on a plain page (no SharedArrayBuffer).
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumerDir, expectSameAsNode, nodeReference, removeDir, resolveExport, root, type FixtureResult } from "./harness.js";

const CHROMIUM = "/usr/bin/chromium";
// The network is closed: without the background-networking flags Chromium floods refused
// connections (update checks, component downloads).
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

function install(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("bash", [path.join(root, "scripts", "install-runtimes.sh")], { timeout: 600_000, encoding: "utf8" }, (err, _out, errOut) => {
      resolve(err ? `${err.message}\n${errOut}`.trim() : undefined);
    });
  });
}

const TYPES: Record<string, string> = { ".js": "text/javascript", ".mjs": "text/javascript", ".html": "text/html", ".wasm": "application/wasm" };

/** Serves the page, the fixture and dist/ (nothing else) on 127.0.0.1. */
function serve(dir: string, entryUrl: string): Promise<http.Server> {
  const page = `<!doctype html>
<script type="importmap">${JSON.stringify({ imports: { flowpin: entryUrl } })}</script>
<script type="module">
  import * as flowpin from "flowpin";
  import { compute } from "/fixture.mjs";
  window.__result = compute(flowpin).then((r) => JSON.stringify(r), (e) => "ERROR " + (e && e.stack || e));
</script>`;
  // Workers have no import maps: the worker imports the entry by URL.
  const worker = `import * as flowpin from ${JSON.stringify(entryUrl)};
import { compute } from "/fixture.mjs";
compute(flowpin).then((r) => postMessage(JSON.stringify(r)), (e) => postMessage("ERROR " + (e && e.stack || e)));`;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let body: Buffer | string | undefined;
    let ext = path.extname(url.pathname);
    if (url.pathname === "/") [body, ext] = [page, ".html"];
    else if (url.pathname === "/worker.mjs") body = worker;
    else if (url.pathname === "/fixture.mjs") body = fs.readFileSync(path.join(dir, "fixture.mjs"));
    else if (url.pathname.startsWith("/dist/")) {
      const file = path.join(root, "dist", path.basename(url.pathname));
      if (fs.existsSync(file)) body = fs.readFileSync(file);
    }
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    // ?isolated: cross-origin isolation, the only way a page gets SharedArrayBuffer. Plain
    // pages (most sites) have none, and the library must not assume it.
    const isolation = url.searchParams.has("isolated") || req.headers.referer?.includes("isolated")
      ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp", "cross-origin-resource-policy": "same-origin" }
      : {};
    res.writeHead(200, { "content-type": TYPES[ext] ?? "application/octet-stream", ...isolation }).end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("headless Chromium (Debian package, playwright-core)", () => {
  let dir: string;
  let ref: FixtureResult;
  let server: http.Server | undefined;
  let browser: Browser | undefined;
  let origin = "";
  let skip: string | undefined;

  beforeAll(async () => {
    dir = consumerDir("chromium");
    ref = await nodeReference(dir);
    const problem = await install();
    if (problem) {
      // CI runs as root on Debian: there a failed install is a failure, not a skip.
      if (process.env.CI) throw new Error(`chromium could not be installed: ${problem}`);
      skip = problem;
      console.warn(`SKIPPED Chromium runtime test: chromium could not be installed here (${problem})`);
      return;
    }
    const entry = resolveExport(".", ["browser", "import"]);
    server = await serve(dir, `/${path.relative(root, entry).split(path.sep).join("/")}`);
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, timeout: 60_000 });
  }, 700_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    removeDir(dir);
  });

  /** Loads the page at `url` and returns what the fixture computed on its main thread. */
  async function onMainThread(url: string, sab: "function" | "undefined"): Promise<FixtureResult> {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    try {
      await page.goto(`${origin}${url}`, { timeout: 30_000 });
      expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe(sab);
      await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, undefined, { timeout: 30_000 });
      const raw = await page.evaluate(() => (window as unknown as { __result: Promise<string> }).__result);
      expect(raw.startsWith("ERROR"), `${raw}\n${errors.join("\n")}`).toBe(false);
      return JSON.parse(raw) as FixtureResult;
    } finally {
      await page.close();
    }
  }

  /** Starts a module Worker from the page at `url` and returns what the fixture computed there. */
  async function inWorker(url: string): Promise<FixtureResult> {
    const page = await browser!.newPage();
    try {
      await page.goto(`${origin}${url}`, { timeout: 30_000 });
      const raw = await page.evaluate(
        () =>
          new Promise<string>((resolve) => {
            const w = new Worker("/worker.mjs", { type: "module" });
            w.onmessage = (e) => resolve(String(e.data));
            w.onerror = (e) => resolve(`ERROR ${e.message}`);
            setTimeout(() => resolve("ERROR worker timed out"), 30_000);
          }),
      );
      expect(raw.startsWith("ERROR"), raw).toBe(false);
      return JSON.parse(raw) as FixtureResult;
    } finally {
      await page.close();
    }
  }

  it("the default entry on the main thread of a cross-origin isolated page matches Node byte for byte after init()", async (ctx) => {
    if (skip) ctx.skip(`chromium unavailable: ${skip}`);
    const result = await onMainThread("/?isolated", "function");
    // Chromium compiles modules this small synchronously even on the main thread, so the
    // engine is the SIMD build before init() already; the JS fallback covers stricter hosts.
    console.log(`Chromium main thread: engine before init() ${result.engineBeforeInit}, after ${result.engine}`);
    expect(result.engine).toBe("wasm-simd");
    expectSameAsNode(result, ref);
  });

  it("a module Worker matches too", async (ctx) => {
    if (skip) ctx.skip(`chromium unavailable: ${skip}`);
    const result = await inWorker("/?isolated");
    console.log(`Chromium worker: engine before init() ${result.engineBeforeInit}, after ${result.engine}`);
    expect(result.engine).toBe("wasm-simd");
    expectSameAsNode(result, ref);
  });

  // Every browser page that is not cross-origin isolated (most sites), and its workers, has
  // no SharedArrayBuffer global: tables must not touch it there.
  it("a plain page (no SharedArrayBuffer) matches too", async (ctx) => {
    if (skip) ctx.skip(`chromium unavailable: ${skip}`);
    const result = await onMainThread("/", "undefined");
    expect(result.engine).toBe("wasm-simd");
    expectSameAsNode(result, ref);
  });
});
