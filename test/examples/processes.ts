// Starts an example's node scripts for the example tests and collects the JSON-line events
// they print on stdout (everything they print, stdout and stderr, is kept for messages).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export interface Proc {
  child: ChildProcess;
  events: Record<string, unknown>[];
  output: string;
}

/** Runs `script` of the example folder `dir` (from the repository root); stdin is a pipe. */
export function startScript(dir: string, script: string, args: string[]): Proc {
  const root = path.resolve(import.meta.dirname, "../..");
  const child = spawn(process.execPath, [path.join(dir, script), ...args], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
  const p: Proc = { child, events: [], output: "" };
  let buf = "";
  child.stdout!.on("data", (d: Buffer) => {
    p.output += d;
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.startsWith("{")) p.events.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  child.stderr!.on("data", (d: Buffer) => (p.output += d));
  return p;
}
