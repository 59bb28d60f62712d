import { flowpinError } from "../../errors.js";
import type { Command } from "../command.js";
import { parseJson, toFleetConfig } from "../config.js";
import { readInput, usage } from "../io.js";
import { kindOf } from "../load-table.js";
import fs from "node:fs";

export const table: Command = {
  name: "table",
  summary: "build a Maglev, rendezvous or glb table from a fleet config",
  help: `usage: flowpin table --config FLEET.json [--format json|text|bin] [--output FILE]

Builds the table the fleet config describes and prints it.

  --config FILE   the fleet config: {"algorithm": "maglev"|"rendezvous"|"glb",
                  "profile": "envoy"|"katran"|"cilium"|"ipvs"|..., "size": 65537,
                  "seed": "hex", "backends": [{"id": "10.0.0.1:80", "weight": 1}, ...]}
  --format F      json (default when stdout is not a terminal): {"algorithm", "profile",
                  "size", "backends": [ids in input order], "table": [index per slot]}
                  (glb: "rows": [[primary, secondary], ...]);
                  text (default on a terminal): per-backend shares and a compact view;
                  bin: the binary table file (Maglev: flowpin's format; glb: glb-director's)
  --output FILE   write to FILE instead of stdout (required for bin on a terminal)
`,
  options: {
    config: { type: "string" },
    format: { type: "string" },
    output: { type: "string" },
  },
  positionals: [0, 0],
  run(values, _positionals, io) {
    const path = values.config;
    if (typeof path !== "string") usage("--config FILE is required");
    const format = (values.format as string | undefined) ?? (process.stdout.isTTY ? "text" : "json");
    if (!["json", "text", "bin"].includes(format)) usage(`--format must be json, text or bin, got ${JSON.stringify(format)}`);
    const config = toFleetConfig(parseJson(new TextDecoder().decode(readInput(path, "config")), path), path);
    const built = kindOf(config.algorithm, path).fromConfig(config);
    let data: string | Uint8Array;
    if (format === "json") data = `${JSON.stringify(built.json())}\n`;
    else if (format === "text") data = built.text();
    else {
      if (!built.bin) throw flowpinError("INVALID_CONFIG", `${path}: ${config.algorithm} tables have no binary form`);
      if (values.output === undefined && process.stdout.isTTY) usage("--format bin writes binary: use --output FILE or redirect stdout");
      data = built.bin();
    }
    if (typeof values.output === "string") {
      // A missing directory or no permission is the user's path, not a flowpin bug: exit 2.
      try {
        fs.writeFileSync(values.output, data);
      } catch (e) {
        usage(`cannot write --output ${JSON.stringify(values.output)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    } else io.out(data);
  },
};
