import { flowpinError, show } from "../errors.js";
import type { WasmExports } from "./abi.js";
import { Engine, type EngineKind } from "./engine.js";

/**
 * How an entry point obtains engines. The default entry inlines both Wasm builds and loads the
 * JS engine on demand; the workerd entry imports a compiled module; the js entry has only the
 * JS engine.
 */
export interface Provider {
  /** The engines this host can run, best first. */
  available(): EngineKind[];
  /** Instantiates `kind` synchronously, or throws if the host cannot. */
  load(kind: EngineKind): WasmExports;
  /** Prepares the best engine where synchronous compilation is not allowed. */
  init?(): Promise<void>;
}

let provider: Provider | undefined;
let current: Engine | undefined;
// One Engine per kind and provider: each owns its memory allocator, so a kind is never
// instantiated twice (objects in Wasm memory stay valid when tests switch back and forth).
let started = new Map<EngineKind, Engine>();
const ENGINE_KINDS: readonly EngineKind[] = ["wasm-simd", "wasm", "js"];

export function setProvider(p: Provider): void {
  provider = p;
  current = undefined;
  started = new Map();
}

function start(kind: EngineKind): Engine {
  let e = started.get(kind);
  if (!e) {
    e = new Engine(kind, need().load(kind));
    started.set(kind, e);
  }
  return e;
}

function need(): Provider {
  if (!provider) throw flowpinError("ENGINE_UNAVAILABLE", "no flowpin engine provider: import flowpin through one of its entry points");
  return provider;
}

/** The engine every call uses; the best available one is instantiated on first use. */
export function active(): Engine {
  if (current) return current;
  const p = need();
  const kinds = p.available();
  if (kinds.length === 0) {
    throw flowpinError("ENGINE_UNAVAILABLE", "this host runs neither the SIMD build nor (yet) another engine: `await init()` loads the baseline Wasm build or, without WebAssembly, the JS engine (or import flowpin/js)");
  }
  let lastError: unknown;
  for (const kind of kinds) {
    try {
      current = start(kind);
      return current;
    } catch (e) {
      lastError = e;
    }
  }
  throw flowpinError("ENGINE_UNAVAILABLE", `no flowpin engine could start here: ${String(lastError)}`);
}

/**
 * The engine running the hot path: `"wasm-simd"`, `"wasm"` or `"js"` (plain JavaScript,
 * generated from the same Wasm by wasm2js, for hosts without WebAssembly).
 *
 * @example
 * import { engine } from "flowpin";
 * console.log(engine()); // "wasm-simd" on Node 20
 */
export function engine(): EngineKind {
  return active().kind;
}

/** The engines this host can run, best first. */
export function engines(): EngineKind[] {
  return need().available();
}

/**
 * Forces an engine (tests run every suite on every engine; a host can also pin one).
 * Objects that live in Wasm memory (flow batches) belong to the engine that made them.
 *
 * @example
 * useEngine("js"); // identical results, no WebAssembly needed
 */
export function useEngine(kind: EngineKind): void {
  if (!ENGINE_KINDS.includes(kind)) {
    throw flowpinError("OUT_OF_RANGE", `engine must be one of ${ENGINE_KINDS.join(", ")}, got ${show(kind)}`);
  }
  const p = need();
  if (!p.available().includes(kind)) {
    throw flowpinError("ENGINE_UNAVAILABLE", `engine ${kind} is not available here (available: ${p.available().join(", ")})`);
  }
  try {
    current = start(kind);
  } catch (e) {
    throw flowpinError("ENGINE_UNAVAILABLE", `engine ${kind} failed to start: ${String(e)}`);
  }
}

/**
 * Compiles and instantiates the best engine asynchronously. Needed only where the host
 * forbids synchronous compilation of Wasm, and, with the default entry, where the SIMD build
 * does not run: there init() loads the baseline Wasm build or, without WebAssembly, the JS
 * engine (files of their own, so hosts with SIMD never load them); until then calls throw
 * ENGINE_UNAVAILABLE.
 *
 * @example
 * import { init, engine } from "flowpin";
 * await init();
 */
export async function init(): Promise<EngineKind> {
  const p = need();
  if (p.init) await p.init();
  const best = p.available()[0];
  current = best === undefined ? active() : start(best);
  return current.kind;
}
