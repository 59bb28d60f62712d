// A one-line progress bar on stderr for long runs. Silent unless stderr is a terminal (a pipe
// or a log file gets no carriage-return noise) and not --quiet; it first shows after a second,
// so quick runs print nothing, and redraws at most ten times a second.
import type { Io } from "./io.js";

export interface Progress {
  /** `done` of `total` units finished; `label` says what is running. */
  update(done: number, total: number, label: string): void;
  /** Clears the line (if anything was drawn). */
  end(): void;
}

const WIDTH = 28;

/** A progress bar for `io`, or one that does nothing when `enabled` is false or stderr is not a TTY. */
export function progressBar(io: Io, enabled: boolean, now: () => number = () => performance.now()): Progress {
  if (!enabled || !io.stderrIsTTY) return { update() {}, end() {} };
  const start = now();
  let last = -Infinity;
  let drawn = false;
  return {
    update(done, total, label) {
      const t = now();
      if (t - start < 1000 || (t - last < 100 && done < total)) return;
      last = t;
      const f = total > 0 ? Math.min(1, done / total) : 1;
      const fill = Math.round(f * WIDTH);
      io.err(`\r\x1b[2K[${"#".repeat(fill)}${"-".repeat(WIDTH - fill)}] ${String(Math.round(f * 100)).padStart(3)}% ${label}`);
      drawn = true;
    },
    end() {
      if (drawn) io.err("\r\x1b[2K");
      drawn = false;
    },
  };
}
