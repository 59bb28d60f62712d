import type { ParseArgsConfig } from "node:util";
import type { Io } from "./io.js";

export type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parsed flags: strings and booleans as node:util parseArgs returns them. */
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One `flowpin <name>` command. */
export interface Command {
  name: string;
  /** One line for `flowpin --help`. */
  summary: string;
  /** The full `flowpin <name> --help` text (usage line first). */
  help: string;
  options: Options;
  /** How many positional arguments it takes. */
  positionals: [min: number, max: number];
  run(values: Values, positionals: string[], io: Io): Promise<void> | void;
}
