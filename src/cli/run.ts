// The CLI driver: flag parsing, --help/--version, and the error contract (exit 2 and one
// line on stderr for bad input, never a stack trace; exit 1 for a bug, also one line).
import { parseArgs } from "node:util";
import { FlowpinError } from "../errors.js";
import { didYouMean } from "../validate.js";
import { VERSION } from "../version.js";
import type { Command } from "./command.js";
import { COMMANDS } from "./commands.js";
import { UsageError, type Io } from "./io.js";

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `flowpin ${VERSION}: consistent backend selection and 5-tuple flow hashing`,
    "",
    "usage: flowpin <command> [options]",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `flowpin <command> --help` for a command's options. Errors exit with code 2.",
    "",
  ].join("\n");
}

function oneLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).replace(/\s*\n\s*/g, " ");
}

/** Runs `flowpin` with `argv` (without node and the script); returns the exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`flowpin: unknown command ${JSON.stringify(name)} (commands: ${COMMANDS.map((c) => c.name).join(", ")})\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(command.help.endsWith("\n") ? command.help : `${command.help}\n`);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    const [min, max] = command.positionals;
    if (positionals.length < min || positionals.length > max) {
      const want = min === max ? `${min}` : `${min} to ${max}`;
      throw new UsageError(`${name} takes ${want} argument${max === 1 ? "" : "s"}, got ${positionals.length}; see flowpin ${name} --help`);
    }
    await command.run(values as Record<string, string | boolean | undefined>, positionals, io);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof FlowpinError) {
      io.err(`flowpin ${name}: ${oneLine(e)}\n`);
      return 2;
    }
    if (isParseArgsError(e)) {
      io.err(`flowpin ${name}: ${flagMessage(e as Error, command)}\n`);
      return 2;
    }
    io.err(`flowpin ${name}: internal error: ${oneLine(e)}\n`);
    return 1;
  }
}

/**
 * parseArgs's messages in the CLI's own words: a misspelled flag names the flag meant (its
 * text suggests "-- --profle" for a positional, which no flowpin command takes).
 */
function flagMessage(e: Error, command: Command): string {
  const flags = Object.keys(command.options).map((k) => `--${k}`);
  const unknown = /Unknown option '([^']+)'/.exec(e.message);
  if (unknown) return `unknown option ${unknown[1]}${didYouMean(unknown[1]!, flags)}; see flowpin ${command.name} --help`;
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(e.message);
  if (missing) return `${missing[1]} needs a value; see flowpin ${command.name} --help`;
  const noValue = /Option '(--[\w-]+)' does not take an argument/.exec(e.message);
  if (noValue) return `${noValue[1]} takes no value; see flowpin ${command.name} --help`;
  return oneLine(e);
}

function isParseArgsError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}
