// `flowpin route`: which backend a production system picks for each flow, from its own
// configuration (a `{"system": NAME, ...}` JSON file or the system's native file).
import { SYSTEM_DEFINITIONS } from "../../systems/index.js";
import type { Route } from "../../systems/system.js";
import type { Command, Values } from "../command.js";
import { at, fileRecords, forEachCaptureChunk, specRecords } from "../flows.js";
import { usage, formatFlag } from "../io.js";
import { loadSystem, NATIVE_HELP, NATIVE_OPTIONS, nativeOptions, type Definition } from "../system-config.js";

/** The inputs of --flow / --input as the system's own input objects. */
export function recordInputs(def: Definition, values: Values): { where: string; input: unknown }[] {
  const given = [values.flow !== undefined, values.input !== undefined, values.pcap !== undefined].filter(Boolean).length;
  if (given !== 1) usage("give exactly one of --flow, --input or --pcap (--flow may repeat)");
  const records = values.flow !== undefined ? specRecords(values.flow) : fileRecords(values.input as string);
  return records.map(({ where, record }) => ({ where, input: at(where, () => def.input(record)) }));
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const route: Command = {
  name: "route",
  summary: "which backend each production system (katran, cilium, ipvs, envoy, glb, nginx, haproxy, flowpin) picks",
  help: `usage: flowpin route --config SYSTEM [--system NAME] [--name NAME]
                     (--flow SPEC ... | --input FLOWS | --pcap FILE)
                     [--format text|json|csv] [--explain]
                     [--resolve NAME=IP ...] [--table-size N]

Routes each flow as the production system does, from its own configuration, and prints
the backend it forwards to (or why none).

  --config FILE   {"system": NAME, ...the system's config} JSON, or the system's own
                  file (ipvsadm-save -n output, an Envoy Cluster in JSON or YAML,
                  glb-director's forwarding_table.json, an nginx.conf upstream block, a
                  haproxy.cfg backend section)
  --system NAME   the system, where the file does not say: ${Object.keys(SYSTEM_DEFINITIONS).join(", ")}
  --name NAME     which upstream / backend / service of a file that has several
  --flow SPEC     one flow: src=,dst=,sport=,dport=,proto= (and the system's own fields,
                  e.g. header.x-user=42 for Envoy); repeat for several
  --input FILE    CSV with a header line (src,dst,sport,dport,proto, ...) or JSON Lines,
                  one flow object per line; - reads standard input
  --pcap FILE     every packet of a pcap file (systems that see packets)
  --format F      text (default on a terminal): one line per flow and a per-backend
                  summary; json: {"system", "results": [{"backend", "hash", "slot",
                  "reason", ...}]}; csv: one row per flow
  --explain       show each step of every decision
${NATIVE_HELP}`,
  options: {
    config: { type: "string" },
    system: { type: "string" },
    name: { type: "string" },
    flow: { type: "string", multiple: true },
    input: { type: "string" },
    pcap: { type: "string" },
    format: { type: "string" },
    explain: { type: "boolean" },
    ...NATIVE_OPTIONS,
  },
  positionals: [0, 0],
  run(values, _positionals, io) {
    const path = values.config;
    if (typeof path !== "string") usage("--config FILE is required");
    const format = formatFlag(values.format, ["text", "json", "csv"] as const);
    const { def, config } = loadSystem(path, values.system as string | undefined, values.name as string | undefined, nativeOptions(values));
    const fleet = at(`${path}: `, () => def.create(config));
    const explain = values.explain === true;
    const routeAll = (items: { where: string; input: unknown }[]): Route[] => items.map(({ where, input }) => at(where, () => fleet.route(input, { explain })));

    // Results are written as they come (a capture is read in chunks): JSON as one document
    // whose "results" array is streamed, text and CSV line by line.
    const counts = new Map<string, number>();
    let n = 0;
    let keys: string[] | undefined;
    const emit = (results: Route[]): void => {
      if (results.length === 0) return;
      const lines: string[] = [];
      for (const r of results) {
        n++;
        const b = r.backend ?? "(none)";
        counts.set(b, (counts.get(b) ?? 0) + 1);
        if (format === "json") lines.push(`${n === 1 ? "" : ","}${JSON.stringify(r)}`);
        else if (format === "csv") {
          if (!keys) {
            keys = [...new Set(results.flatMap((x) => Object.keys(x).filter((k) => k !== "explain")))];
            lines.push(keys.join(","));
          }
          lines.push(keys.map((k) => csvCell((r as unknown as Record<string, unknown>)[k])).join(","));
        } else {
          lines.push(`${n}\t${b}\thash ${r.hash ?? "-"}\tslot ${r.slot ?? "-"}\t${r.reason}`);
          for (const step of r.explain ?? []) lines.push(`\t  ${step}`);
        }
      }
      io.out(format === "json" ? lines.join("") : `${lines.join("\n")}\n`);
    };

    const head = (): void => {
      if (format === "json") io.out(`{"system":${JSON.stringify(def.name)},"results":[`);
    };
    if (values.pcap !== undefined && values.flow === undefined && values.input === undefined) {
      const file = values.pcap as string;
      const packet = def.packet;
      if (!packet) usage(`the ${def.name} system does not route packets; give --flow or --input`);
      head();
      forEachCaptureChunk(file, (packets) => {
        emit(
          packets.map((p) =>
            p.ip === undefined
              ? { backend: null, hash: null, slot: null, reason: "not-ip" }
              : at(`${file} packet ${p.index}: `, () => fleet.route(packet.call(def, p.ip!), { explain })),
          ),
        );
      });
    } else {
      // Every flow is read and routed before the first byte is written: a bad line fails whole.
      const results = routeAll(recordInputs(def, values));
      head();
      emit(results);
    }

    if (format === "json") io.out("]}\n");
    else if (format === "text") {
      const lines = ["", `${def.name}: ${n} flow${n === 1 ? "" : "s"}`];
      for (const [b, k] of [...counts].sort((x, y) => y[1] - x[1])) lines.push(`  ${b}\t${k}\t${((100 * k) / n).toFixed(1)} %`);
      io.out(`${lines.join("\n")}\n`);
    }
  },
};
