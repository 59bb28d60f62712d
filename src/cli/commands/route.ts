// `flowpin route`: which backend a production system picks for each flow, from its own
// configuration (a `{"system": NAME, ...}` JSON file or the system's native file).
import fs from "node:fs";
import { FlowpinError } from "../../errors.js";
import { readPcap } from "../../pcap.js";
import { SYSTEM_DEFINITIONS, systemDefinition } from "../../systems/index.js";
import type { Route, SystemDefinition } from "../../systems/system.js";
import type { Command, Values } from "../command.js";
import { parseJson } from "../config.js";
import { readInput, usage } from "../io.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Definition = SystemDefinition<any, any, Route>;

/** Prefixes a FlowpinError from one input with its place; other errors pass through. */
function at<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FlowpinError) usage(`${where}${e.message}`);
    throw e;
  }
}

/** The system and its config from --config (and --system, --name). */
export function loadSystem(path: string, systemFlag: string | undefined, name: string | undefined): { def: Definition; config: unknown } {
  const text = new TextDecoder().decode(readInput(path, "config"));
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{")) {
    const doc = parseJson(text, path);
    if (typeof doc === "object" && doc !== null && !Array.isArray(doc) && "system" in doc) {
      const { system, ...config } = doc as Record<string, unknown>;
      if (systemFlag !== undefined && systemFlag !== system) usage(`--system ${systemFlag} disagrees with ${path}'s "system": ${JSON.stringify(system)}`);
      return { def: at(`${path}: `, () => systemDefinition(system)), config };
    }
  }
  let def: Definition | undefined;
  if (systemFlag !== undefined) def = at("--system: ", () => systemDefinition(systemFlag));
  else {
    def = Object.values(SYSTEM_DEFINITIONS).find((d) => d?.native?.detect(text));
    if (!def) {
      const natives = Object.values(SYSTEM_DEFINITIONS).flatMap((d) => (d?.native ? [`${d.name} (${d.native.description})`] : []));
      usage(`${path}: not a {"system": NAME, ...} JSON file nor a native file flowpin recognizes (${natives.join("; ")}); name the system with --system`);
    }
  }
  if (!def.native) usage(`${path}: the ${def.name} system has no native file format; give {"system": "${def.name}", ...} JSON`);
  const native = def.native;
  return { def, config: at(`${path}: `, () => native.parse(text, { name })) };
}

const NUMERIC = new Set(["sport", "dport", "proto"]);

/** One `k=v` field into a record: digits for ports and protocol become numbers, `header.X` gathers into headers. */
function put(record: Record<string, unknown>, k: string, v: string, where: string): void {
  if (k.startsWith("header.")) {
    const headers = (record.headers ??= {}) as Record<string, string>;
    headers[k.slice(7)] = v;
    return;
  }
  if (k === "") usage(`${where}empty field name`);
  if (Object.prototype.hasOwnProperty.call(record, k)) usage(`${where}field ${k} given twice`);
  record[k] = NUMERIC.has(k) && /^\d+$/.test(v) ? Number(v) : v === "true" ? true : v === "false" ? false : v;
}

/** A `--flow "src=…,dst=…,sport=…,dport=…,proto=tcp"` spec as a record. */
function specRecord(spec: string): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const item of spec.split(",")) {
    const eq = item.indexOf("=");
    if (eq < 0) usage(`--flow: expected field=value, got ${JSON.stringify(item)}`);
    put(record, item.slice(0, eq).trim(), item.slice(eq + 1).trim(), "--flow: ");
  }
  return record;
}

/** CSV with a header line, or JSON Lines (one flow object per line). */
function fileRecords(file: string, text: string): { where: string; record: Record<string, unknown> }[] {
  const lines = text.split(/\r?\n/);
  const out: { where: string; record: Record<string, unknown> }[] = [];
  const first = lines.findIndex((l) => l.trim() !== "");
  if (first < 0) return out;
  if (lines[first]!.trimStart().startsWith("{")) {
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      const where = `${file} line ${i + 1}: `;
      const doc = at(where, () => parseJson(line, "the line"));
      if (typeof doc !== "object" || doc === null || Array.isArray(doc)) usage(`${where}expected a JSON object, got ${line.slice(0, 40)}`);
      out.push({ where, record: doc as Record<string, unknown> });
    });
    return out;
  }
  const header = lines[first]!.split(",").map((s) => s.trim());
  for (let i = first + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const where = `${file} line ${i + 1}: `;
    const cells = line.split(",").map((s) => s.trim());
    if (cells.length !== header.length) usage(`${where}expected ${header.length} fields (${header.join(",")}), got ${cells.length}`);
    const record: Record<string, unknown> = {};
    header.forEach((k, j) => put(record, k, cells[j]!, where));
    out.push({ where, record });
  }
  return out;
}

function inputs(def: Definition, values: Values): { where: string; input: unknown }[] {
  const flows = values.flow === undefined ? [] : ([] as unknown[]).concat(values.flow);
  const given = [flows.length > 0, values.input !== undefined, values.pcap !== undefined].filter(Boolean).length;
  if (given !== 1) usage("give --flow (one or more), --input FILE or --pcap FILE");
  if (flows.length) return flows.map((f, i) => ({ where: "--flow: ", input: at(`--flow ${i + 1}: `, () => def.input(specRecord(String(f)))) }));
  if (typeof values.input === "string") {
    const file = values.input;
    const text = new TextDecoder().decode(file === "-" ? readStdin() : readInput(file, "flows file"));
    return fileRecords(file, text).map(({ where, record }) => ({ where, input: at(where, () => def.input(record)) }));
  }
  const file = values.pcap as string;
  const packet = def.packet;
  if (!packet) usage(`the ${def.name} system does not route packets; give --flow or --input`);
  const cap = at(`${file}: `, () => readPcap(readInput(file, "pcap file")));
  return cap.packets.map((p, i) => {
    const where = `${file} packet ${i + 1}: `;
    if (!p.ip) usage(`${where}not an IP packet`);
    return { where, input: at(where, () => packet.call(def, p.ip!)) };
  });
}

/** Standard input, read whole (`--input -` in a pipeline). */
function readStdin(): Uint8Array {
  return new Uint8Array(fs.readFileSync(0));
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
`,
  options: {
    config: { type: "string" },
    system: { type: "string" },
    name: { type: "string" },
    flow: { type: "string", multiple: true },
    input: { type: "string" },
    pcap: { type: "string" },
    format: { type: "string" },
    explain: { type: "boolean" },
  },
  positionals: [0, 0],
  run(values, _positionals, io) {
    const path = values.config;
    if (typeof path !== "string") usage("--config FILE is required");
    const format = (values.format as string | undefined) ?? (process.stdout.isTTY ? "text" : "json");
    if (!["json", "text", "csv"].includes(format)) usage(`--format must be text, json or csv, got ${JSON.stringify(format)}`);
    const { def, config } = loadSystem(path, values.system as string | undefined, values.name as string | undefined);
    const fleet = at(`${path}: `, () => def.create(config));
    const explain = values.explain === true;
    const results = inputs(def, values).map(({ where, input }) => at(where, () => fleet.route(input, { explain })));

    if (format === "json") {
      io.out(`${JSON.stringify({ system: def.name, results })}\n`);
      return;
    }
    if (format === "csv") {
      const keys = [...new Set(results.flatMap((r) => Object.keys(r).filter((k) => k !== "explain")))];
      io.out(`${keys.join(",")}\n${results.map((r) => keys.map((k) => csvCell((r as unknown as Record<string, unknown>)[k])).join(",")).join("\n")}\n`);
      return;
    }
    const lines: string[] = [];
    const counts = new Map<string, number>();
    results.forEach((r, i) => {
      const b = r.backend ?? "(none)";
      counts.set(b, (counts.get(b) ?? 0) + 1);
      lines.push(`${i + 1}\t${b}\thash ${r.hash ?? "-"}\tslot ${r.slot ?? "-"}\t${r.reason}`);
      for (const step of r.explain ?? []) lines.push(`\t  ${step}`);
    });
    lines.push("", `${def.name}: ${results.length} flow${results.length === 1 ? "" : "s"}`);
    for (const [b, n] of [...counts].sort((x, y) => y[1] - x[1])) lines.push(`  ${b}\t${n}\t${((100 * n) / results.length).toFixed(1)} %`);
    io.out(`${lines.join("\n")}\n`);
  },
};
