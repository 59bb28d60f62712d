// The system configs `route` and `diff` read: `{"system": NAME, ...}` JSON, or a system's own
// file (ipvsadm-save output, an Envoy Cluster in JSON or YAML, glb-director's
// forwarding_table.json, an nginx.conf upstream, a haproxy.cfg backend).
import { SYSTEM_DEFINITIONS, systemDefinition } from "../systems/index.js";
import type { Route, SystemDefinition } from "../systems/system.js";
import { parseJson } from "./config.js";
import { at } from "./flows.js";
import { readInput, usage } from "./io.js";
import { yamlToJson } from "./yaml.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Definition = SystemDefinition<any, any, Route>;

/**
 * Whether `path` holds a system config rather than a fleet config or table file: JSON with a
 * "system" field, or (not JSON with "algorithm", "table" or "rows") a file --system names or a
 * system recognizes as its own.
 */
export function isSystemFile(path: string, systemFlag: string | undefined): boolean {
  const bytes = readInput(path, "file");
  const text = new TextDecoder().decode(bytes);
  if (text.trimStart().startsWith("{")) {
    try {
      const doc = JSON.parse(text) as Record<string, unknown>;
      if (typeof doc === "object" && doc !== null && !Array.isArray(doc)) {
        if ("system" in doc) return true;
        if ("algorithm" in doc || "table" in doc || "rows" in doc) return false;
      }
    } catch {
      // not JSON: a YAML Cluster, or nothing flowpin reads (loadTable says so)
    }
  }
  if (systemFlag !== undefined) return true;
  return Object.values(SYSTEM_DEFINITIONS).some((d) => d?.native?.detect(text));
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
  // An Envoy Cluster may be YAML; the library reads JSON only, so the CLI converts it here.
  const source = def.name === "envoy" && !trimmed.startsWith("{") ? at(`${path}: `, () => yamlToJson(text)) : text;
  return { def, config: at(`${path}: `, () => native.parse(source, { name })) };
}

