import type { Command } from "../command.js";
import { usage } from "../io.js";
import { loadTable } from "../load-table.js";

export const diff: Command = {
  name: "diff",
  summary: "disruption between two fleet configs or tables",
  help: `usage: flowpin diff OLD NEW [--format json|text]

OLD and NEW are fleet configs, tables printed by \`flowpin table --format json\`, or binary
table files, of the same algorithm. Prints the slots (rows) that moved, the fraction, the
per-backend gains and losses, and the moves that did not involve a changed backend.
`,
  options: { format: { type: "string" } },
  positionals: [2, 2],
  run(values, [oldPath, newPath], io) {
    const format = (values.format as string | undefined) ?? (process.stdout.isTTY ? "text" : "json");
    if (format !== "json" && format !== "text") usage(`--format must be json or text, got ${JSON.stringify(format)}`);
    const a = loadTable(oldPath!);
    const b = loadTable(newPath!);
    if (a.algorithm !== b.algorithm) usage(`cannot diff a ${a.algorithm} table against a ${b.algorithm} table`);
    const d = a.table.diff(b.table);
    io.out(format === "json" ? `${JSON.stringify(d.json())}\n` : d.text());
  },
};
