import { flowpinError } from "../../errors.js";
import type { Command } from "../command.js";
import { parseJson, toFleetConfig } from "../config.js";
import { readInput, usage, formatFlag } from "../io.js";
import { kindOf } from "../load-table.js";
import { isSystemFile, loadSystem, NATIVE_HELP, NATIVE_OPTIONS, nativeOptions } from "../system-config.js";
import { systemTablesBin, systemTablesJson, systemTablesText } from "../table-system.js";
import { at } from "../flows.js";
import fs from "node:fs";

export const table: Command = {
  name: "table",
  summary: "build a Maglev, rendezvous or glb table from a fleet config, or print a production system's tables",
  help: `usage: flowpin table --config FLEET.json [--format json|text|bin] [--output FILE]
       flowpin table --config SYSTEM [--system NAME] [--name NAME] [--resolve NAME=IP ...]
                     [--table-size N] [--format json|text|bin] [--output FILE]

Builds the table the fleet config describes and prints it; or, from a production system's
config (as flowpin route reads it), prints the table(s) that system looks flows up in.

  --config FILE   the fleet config: {"algorithm": "maglev"|"rendezvous"|"glb",
                  "profile": "envoy"|"katran"|"cilium"|"ipvs"|..., "size": 65537,
                  "seed": "hex", "backends": [{"id": "10.0.0.1:80", "weight": 1}, ...]}
  --format F      json (default when stdout is not a terminal): {"algorithm", "profile",
                  "size", "backends": [ids in input order], "table": [index per slot]}
                  (glb: "rows": [[primary, secondary], ...]);
                  text (default on a terminal): per-backend shares and a compact view;
                  bin: the binary table file (Maglev: flowpin's format; glb: glb-director's)
  --output FILE   write to FILE instead of stdout (required for bin on a terminal)

  SYSTEM          {"system": NAME, ...} JSON or the system's own file (ipvsadm-save -n
                  output, an Envoy Cluster in JSON or YAML, glb-director's
                  forwarding_table.json, an nginx.conf upstream, a haproxy.cfg backend).
                  JSON: one table prints as above plus "system" and "name"; several
                  (glb-director files with several tables, Envoy clusters with several
                  priorities) print {"system", "tables": [one such object each]}.
                  Maglev slots (flowpin, katran, cilium, ipvs, envoy MAGLEV; -1 = an
                  empty slot), glb rows, ring points for envoy RING_HASH, nginx hash
                  consistent and haproxy consistent hashing ({"algorithm": "ring", "rule",
                  "bits", "backends", "points": [hex], "owners": [index]}), a map for
                  haproxy map-based. bin: flowpin's Maglev file, or glb-director's .bin
                  with every table of the file.
  --system NAME   the system, where the file does not say
  --name NAME     which upstream / backend / service of a file that has several
${NATIVE_HELP}`,
  options: {
    config: { type: "string" },
    format: { type: "string" },
    output: { type: "string" },
    system: { type: "string" },
    name: { type: "string" },
    ...NATIVE_OPTIONS,
  },
  positionals: [0, 0],
  run(values, _positionals, io) {
    const path = values.config;
    if (typeof path !== "string") usage("--config FILE is required");
    const format = formatFlag(values.format, ["json", "text", "bin"] as const);
    if (format === "bin" && values.output === undefined && process.stdout.isTTY) usage("--format bin writes binary: use --output FILE or redirect stdout");
    const systemFlag = values.system as string | undefined;
    let data: string | Uint8Array;
    if (isSystemFile(path, systemFlag)) {
      const { def, config } = loadSystem(path, systemFlag, values.name as string | undefined, nativeOptions(values));
      const fleet = at(`${path}: `, () => def.create(config));
      if (!fleet.table) usage(`the ${def.name} system has no table`);
      const tables = fleet.table();
      data = format === "json" ? systemTablesJson(tables) : format === "text" ? systemTablesText(tables) : systemTablesBin(tables);
    } else {
      for (const flag of ["system", "name", "resolve", "table-size"]) if (values[flag] !== undefined) usage(`--${flag} applies to system configs; ${path} is a fleet config`);
      const config = toFleetConfig(parseJson(new TextDecoder().decode(readInput(path, "config")), path), path);
      const built = kindOf(config.algorithm, path).fromConfig(config);
      if (format === "json") data = `${JSON.stringify(built.json())}\n`;
      else if (format === "text") data = built.text();
      else {
        if (!built.bin) throw flowpinError("INVALID_CONFIG", `${path}: ${config.algorithm} tables have no binary form`);
        data = built.bin();
      }
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
