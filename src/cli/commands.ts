// Every `flowpin` command, one line each.
import type { Command } from "./command.js";
import { demo } from "./commands/demo.js";
import { diff } from "./commands/diff.js";
import { table } from "./commands/table.js";
import { bench } from "./commands/bench.js";
import { hash } from "./commands/hash.js";
import { route } from "./commands/route.js";
import { simulateCommand } from "./commands/simulate.js";

export const COMMANDS: Command[] = [table, hash, route, diff, simulateCommand, bench, demo];
