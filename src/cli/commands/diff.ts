import type { Route, RouteDiff } from "../../systems/system.js";
import type { Command, Values } from "../command.js";
import { at } from "../flows.js";
import { usage, formatFlag } from "../io.js";
import { loadTable } from "../load-table.js";
import { isSystemFile, loadSystem, NATIVE_HELP, NATIVE_OPTIONS, nativeOptions } from "../system-config.js";
import { systemTablesDiff } from "../table-system.js";
import { padCell } from "../text-width.js";
import { recordInputs } from "./route.js";

/** Two system configs: route the given flows through both and report the ones that move. */
function systemDiff(oldPath: string, newPath: string, values: Values, format: string): string {
  const sys = values.system as string | undefined;
  const name = values.name as string | undefined;
  const extra = nativeOptions(values);
  const a = loadSystem(oldPath, sys, name, extra);
  const b = loadSystem(newPath, sys, name, extra);
  if (a.def !== b.def) usage(`cannot diff a ${a.def.name} config against a ${b.def.name} config`);
  if (values.flow === undefined && values.input === undefined) {
    // No flows: compare the tables both configs build (slots, rows, ring points).
    const x = at(`${oldPath}: `, () => a.def.create(a.config));
    const y = at(`${newPath}: `, () => b.def.create(b.config));
    if (!x.table || !y.table) usage(`the ${a.def.name} system has no table to compare: give the flows (clients, connections) with --flow or --input`);
    const tx = x.table();
    const ty = y.table();
    for (const [t, path] of [[tx, oldPath], [ty, newPath]] as const) {
      if (t.tables.length === 0) usage(`${path}: no table to compare (${t.none ?? "none"}): give the flows (clients, connections) with --flow or --input`);
    }
    return systemTablesDiff(tx, ty, format as "json" | "text");
  }
  const inputs = recordInputs(a.def, values);
  const before = at(`${oldPath}: `, () => a.def.create(a.config));
  const after = at(`${newPath}: `, () => b.def.create(b.config));
  const d: RouteDiff<unknown> = before.diff(after, inputs.map((x) => x.input));
  // Per backend: flows before and after, from the same routes the diff compared.
  const count = (routes: Route[]) => routes.reduce((m, r) => m.set(r.backend ?? "(none)", (m.get(r.backend ?? "(none)") ?? 0) + 1), new Map<string, number>());
  const was = count(a.def.create(a.config).routeBatch(inputs.map((x) => x.input)));
  const now = count(b.def.create(b.config).routeBatch(inputs.map((x) => x.input)));
  const backends = [...new Set([...was.keys(), ...now.keys()])].sort();
  if (format === "json") {
    return `${JSON.stringify({
      system: a.def.name,
      flows: d.total,
      moved: d.moved,
      fraction: d.total ? d.moved / d.total : 0,
      backends: backends.map((id) => ({ id, before: was.get(id) ?? 0, after: now.get(id) ?? 0 })),
      changes: d.changes,
    })}\n`;
  }
  const lines = [
    `${a.def.name}: ${d.moved} of ${d.total} flows move (${d.total ? ((100 * d.moved) / d.total).toFixed(3) : "0.000"}%)`,
    "",
    `${padCell("backend", 24)} ${"before".padStart(8)} ${"after".padStart(8)}`,
    ...backends.map((id) => `${padCell(id, 24)} ${String(was.get(id) ?? 0).padStart(8)} ${String(now.get(id) ?? 0).padStart(8)}`),
  ];
  if (d.changes.length) lines.push("", "moved:", ...d.changes.slice(0, 20).map((c) => `  ${JSON.stringify(c.input)}  ${c.from ?? "(none)"} -> ${c.to ?? "(none)"}`));
  if (d.changes.length > 20) lines.push(`  ... ${d.changes.length - 20} more (--format json lists all)`);
  return `${lines.join("\n")}\n`;
}

export const diff: Command = {
  name: "diff",
  summary: "disruption between two fleet configs, tables, or system configs",
  help: `usage: flowpin diff OLD NEW [--format json|text]
       flowpin diff OLD NEW (--flow SPEC ... | --input FLOWS) [--system NAME] [--name NAME] [--format json|text]

OLD and NEW are fleet configs, tables printed by \`flowpin table --format json\`, or binary
table files, of the same algorithm and profile: prints the slots (rows) that moved, the
fraction, the per-backend gains and losses, and the moves that did not involve a changed
backend.

OLD and NEW may also be two configs of one production system, as \`flowpin route\` reads
them ({"system": NAME, ...} JSON or the system's own file: ipvsadm-save output, an Envoy
Cluster, forwarding_table.json, an nginx.conf upstream, a haproxy.cfg backend): the flows
given (clients, connections) are routed through both, and those that change backend are
listed with the per-backend counts before and after. Without flows, the tables both build
(\`flowpin table --config\`) are compared, paired by name: Maglev slots and glb rows that
moved, or the share of a ring's hash space that changed backend.

  --flow SPEC     one flow, as for flowpin route; repeat for several
  --input FILE    CSV with a header line or JSON Lines, one flow per line; - reads stdin
  --system NAME   the system of both files, where they do not say
  --name NAME     which upstream / backend / cluster of files that have several
${NATIVE_HELP}`,
  options: {
    format: { type: "string" },
    flow: { type: "string", multiple: true },
    input: { type: "string" },
    system: { type: "string" },
    name: { type: "string" },
    ...NATIVE_OPTIONS,
  },
  positionals: [2, 2],
  run(values, [oldPath, newPath], io) {
    const format = formatFlag(values.format, ["json", "text"] as const);
    const sys = values.system as string | undefined;
    const systems = [isSystemFile(oldPath!, sys), isSystemFile(newPath!, sys)];
    if (systems[0] || systems[1]) {
      if (!systems[0] || !systems[1]) usage(`cannot diff a system config against a fleet config or table (${systems[0] ? newPath : oldPath} is not a system config)`);
      io.out(systemDiff(oldPath!, newPath!, values, format));
      return;
    }
    if (["flow", "input", "name", "resolve", "table-size"].some((f) => values[f] !== undefined)) usage("--flow, --input, --name, --resolve and --table-size apply to system configs; these are fleet configs or tables");
    const a = loadTable(oldPath!);
    const b = loadTable(newPath!);
    if (a.algorithm !== b.algorithm) usage(`cannot diff a ${a.algorithm} table against a ${b.algorithm} table`);
    const d = a.table.diff(b.table);
    io.out(format === "json" ? `${JSON.stringify(d.json())}\n` : d.text());
  },
};
