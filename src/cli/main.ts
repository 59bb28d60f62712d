// The `flowpin` executable.
import { defaultProvider } from "../engine/provider-default.js";
import { setProvider } from "../engine/state.js";
import { processIo } from "./io.js";
import { run } from "./run.js";

// Explicit, not through src/index.ts: with "sideEffects": false the bundler may skip a
// module whose only job is a top-level call.
setProvider(defaultProvider);

// A reader that stops early (`flowpin table ... | head -c 50`) closes the pipe: that is the
// reader's choice, not an error, so exit quietly as Unix tools do instead of printing a stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}
process.exitCode = await run(process.argv.slice(2), processIo);
