// Runs a Worker under Cloudflare's workerd (npm package `workerd`) without wrangler (which
// needs Node 22): writes a capnp config naming every module, serves on 127.0.0.1 on a free
// port, and stops the process when done. Used by the runtime test and the
// examples/cloudflare-worker test.
import fs from "node:fs";
import path from "node:path";
import { bin, freePort, resolveExport, startProcess, stopProcess, waitForPort } from "./harness.js";

/** Wrangler's resolve conditions for Workers (esbuild `conditions`): what a Worker bundle gets. */
export const WORKERD_CONDITIONS = ["workerd", "worker", "browser", "import"] as const;

/**
 * Workers get FinalizationRegistry (which flowpin's FlowHasher, FlowBatch and Rendezvous use
 * to free Wasm memory) only from compatibility date 2025-05-05 (flag enable_weak_ref); before
 * that, importing flowpin throws "FinalizationRegistry is not defined". Same date as
 * examples/cloudflare-worker/wrangler.toml.
 */
export const COMPATIBILITY_DATE = "2025-09-01";

export interface WorkerModule {
  /** The name other modules import it by ("flowpin", "./fixture.mjs" → "fixture.mjs"). */
  name: string;
  kind: "esModule" | "wasm" | "text" | "json";
  /** Absolute path of the file to embed. */
  file: string;
}

export interface RunningWorker {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * The flowpin modules a Worker gets: the file the `workerd` condition selects (copied as the
 * module "flowpin") and the .wasm module it imports, named as its relative import resolves.
 */
export function flowpinModules(): WorkerModule[] {
  const entry = resolveExport(".", WORKERD_CONDITIONS);
  const text = fs.readFileSync(entry, "utf8");
  const mods: WorkerModule[] = [{ name: "flowpin", kind: "esModule", file: entry }];
  // Every `import x from "./y.wasm"` of the entry (minified: no space after `from`) becomes a wasm module named "y.wasm" (the
  // entry is the module "flowpin" at the bundle root, so "./y.wasm" resolves to "y.wasm").
  for (const m of text.matchAll(/from\s*["']\.\/([^"']+\.wasm)["']/g)) {
    mods.push({ name: m[1]!, kind: "wasm", file: path.join(path.dirname(entry), m[1]!) });
  }
  return mods;
}

function capnpString(s: string): string {
  return JSON.stringify(s);
}

/** Writes the config into `dir`, starts workerd and waits until it listens (bounded). */
export interface WorkerOptions {
  /** Text bindings (wrangler's [vars]). */
  vars?: Record<string, string>;
  compatibilityDate?: string;
  /**
   * Let fetch() reach loopback and private addresses (workerd's default outbound network
   * allows public addresses only): for tests whose origins listen on 127.0.0.1.
   */
  localOutbound?: boolean;
}

export async function startWorker(dir: string, main: WorkerModule, modules: WorkerModule[], opts: WorkerOptions = {}): Promise<RunningWorker> {
  // The free port may be taken between our probe and workerd's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWorkerOn(await freePort(), dir, main, modules, opts);
    } catch (e) {
      if (attempt >= 3 || !/address already in use/i.test((e as Error).message)) throw e;
    }
  }
}

async function startWorkerOn(port: number, dir: string, main: WorkerModule, modules: WorkerModule[], opts: WorkerOptions): Promise<RunningWorker> {
  // workerd embeds only paths relative to the config: copy every module beside it, as a
  // deployment would upload them.
  const bundle = path.join(dir, "workerd-bundle");
  fs.mkdirSync(bundle, { recursive: true });
  const mods = [main, ...modules].map((m, i) => {
    const local = `${i}-${path.basename(m.file)}`;
    fs.copyFileSync(m.file, path.join(bundle, local));
    return `(name = ${capnpString(m.name)}, ${m.kind} = embed ${capnpString(`workerd-bundle/${local}`)})`;
  });
  const config = `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "outbound", network = (allow = [${(opts.localOutbound ? ["public", "private", "local"] : ["public"]).map(capnpString).join(", ")}])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    ${mods.join(",\n    ")}
  ],
  bindings = [ ${Object.entries(opts.vars ?? {}).map(([k, v]) => `(name = ${capnpString(k)}, text = ${capnpString(v)})`).join(", ")} ],
  globalOutbound = "outbound",
  compatibilityDate = ${capnpString(opts.compatibilityDate ?? COMPATIBILITY_DATE)},
);
`;
  const file = path.join(dir, "workerd.capnp");
  fs.writeFileSync(file, config);
  const { child, output } = startProcess(bin("workerd"), ["serve", file, "--verbose"], dir);
  try {
    await waitForPort(port, 30_000, child);
  } catch (e) {
    await stopProcess(child);
    throw new Error(`${(e as Error).message}\nworkerd output:\n${output()}`);
  }
  return { url: `http://127.0.0.1:${port}`, output, stop: () => stopProcess(child) };
}
