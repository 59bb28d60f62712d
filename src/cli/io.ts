// What a command gets to talk to the world, and the one way to fail with a usage error.
import fs from "node:fs";

/** A bad flag, argument or file: the CLI prints its message on one line and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Fails the command with exit code 2 and `message` on one line. */
export function usage(message: string): never {
  throw new UsageError(message);
}

export interface Io {
  /** Writes to stdout (text or bytes). */
  out(data: string | Uint8Array): void;
  /** Writes to stderr. */
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars only then). */
  readonly stderrIsTTY: boolean;
  readonly env: Record<string, string | undefined>;
}

// process.stdout.write, not fs.writeSync: a large table written to a pipe may be accepted
// only in part by one write(2); the stream finishes it before the process exits (the CLI sets
// process.exitCode and never calls process.exit()).
export const processIo: Io = {
  out: (data) => {
    process.stdout.write(data);
  },
  err: (text) => {
    process.stderr.write(text);
  },
  stderrIsTTY: Boolean(process.stderr.isTTY),
  env: process.env,
};

/**
 * The largest config or table file read (64 MiB): a 5000011-slot Maglev table printed as JSON
 * is about 40 MB, and past this size a mistaken file (a capture, a disk image) would cost
 * seconds and gigabytes to parse before failing (an 88 MB config took 3.8 s and 621 MB).
 */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Reads a file named on the command line; a missing, unreadable or oversized file is a usage error. */
export function readInput(path: string, what: string, limit = MAX_INPUT_BYTES): Uint8Array {
  try {
    const size = fs.statSync(path).size;
    if (size > limit) usage(`${what} ${JSON.stringify(path)} is ${(size / 2 ** 20).toFixed(1)} MiB, over the ${limit / 2 ** 20} MiB flowpin reads for it`);
    return fs.readFileSync(path);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    usage(`cannot read ${what} ${JSON.stringify(path)}: ${code === "ENOENT" ? "no such file" : code ?? String(e)}`);
  }
}

/**
 * The --format flag: one of `allowed`, by default text on a terminal and JSON in a pipe (what
 * a person reads, and what a program parses).
 */
export function formatFlag<F extends string>(value: unknown, allowed: readonly F[]): F {
  const format = (value as string | undefined) ?? (process.stdout.isTTY ? "text" : "json");
  if (!allowed.includes(format as F)) usage(`--format must be ${allowed.slice(0, -1).join(", ")} or ${allowed[allowed.length - 1]}, got ${JSON.stringify(format)}`);
  return format as F;
}
