// The public API shared by every entry point (index, workerd, js).
export * as hashes from "./hashes.js";
export { FlowpinError, FlowpinTypeError, FlowpinRangeError, type FlowpinErrorCode } from "./errors.js";
export { engine, engines, useEngine, init } from "./engine/state.js";
export { initFromModule } from "./engine/provider-module.js";
export type { EngineKind } from "./engine/engine.js";
export { VERSION } from "./version.js";
