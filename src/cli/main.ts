// The `flowpin` executable.
import { defaultProvider } from "../engine/provider-default.js";
import { setProvider } from "../engine/state.js";
import { processIo } from "./io.js";
import { run } from "./run.js";

// Explicit, not through src/index.ts: with "sideEffects": false the bundler may skip a
// module whose only job is a top-level call.
setProvider(defaultProvider);
process.exitCode = await run(process.argv.slice(2), processIo);
