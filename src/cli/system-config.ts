// The system configs `route` and `diff` read: `{"system": NAME, ...}` JSON, or a system's own
// file (ipvsadm-save output, an Envoy Cluster in JSON or YAML, glb-director's
// forwarding_table.json, an nginx.conf upstream, a haproxy.cfg backend).
import { SYSTEM_DEFINITIONS, systemDefinition } from "../systems/index.js";
import type { NativeParseOptions, Route, SystemDefinition } from "../systems/system.js";
import type { Values } from "./command.js";
import { parseJson } from "./config.js";
import { at } from "./flows.js";
import { readInput, usage } from "./io.js";
import { yamlToJson } from "./yaml.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Definition = SystemDefinition<any, any, Route>;

/**
 * Whether `path` holds a system config rather than a fleet config or table file: JSON with a
 * "system" field and no "table", "rows", "points" or "tables" (those are what `flowpin table`
 * prints), or (not JSON with "algorithm", "table" or "rows") a file --system names or a system
 * recognizes as its own.
 */
export function isSystemFile(path: string, systemFlag: string | undefined): boolean {
  const bytes = readInput(path, "file");
  const text = new TextDecoder().decode(bytes);
  if (text.trimStart().startsWith("{")) {
    try {
      const doc = JSON.parse(text) as Record<string, unknown>;
      if (typeof doc === "object" && doc !== null && !Array.isArray(doc)) {
        // A table `flowpin table --config SYSTEM` printed carries "system" too, beside its table(s).
        if ("system" in doc) return !("table" in doc || "rows" in doc || "points" in doc || "tables" in doc);
        if ("algorithm" in doc || "table" in doc || "rows" in doc) return false;
      }
    } catch {
      // not JSON: a YAML Cluster, or nothing flowpin reads (loadTable says so)
    }
  }
  if (systemFlag !== undefined) return true;
  return Object.values(SYSTEM_DEFINITIONS).some((d) => d?.native?.detect(text));
}

/** The options `route`, `table` and `diff` share for reading native files (--resolve, --table-size). */
export const NATIVE_OPTIONS = {
  resolve: { type: "string", multiple: true },
  "table-size": { type: "string" },
} as const;

/** Help lines for NATIVE_OPTIONS. */
export const NATIVE_HELP = `  --resolve NAME=IP[,IP...]
                  nginx: the addresses of a host name in a server line (repeat for
                  several names or addresses), instead of the system resolver
  --table-size N  ipvsadm-save files: IP_VS_MH_TAB_SIZE of the director's kernel (251,
                  509, 1021, 2039, 4093, 8191, 16381, 32749, 65521 or 131071, from
                  CONFIG_IP_VS_MH_TAB_INDEX 8..17), which ipvsadm-save cannot print;
                  default a "# CONFIG_IP_VS_MH_TAB_INDEX=N" line in the file, else 4093
`;

/** --resolve and --table-size as native-file options (validated here; the system checks the values). */
export function nativeOptions(values: Values): Omit<NativeParseOptions, "name"> {
  const out: { addresses?: Record<string, string[]>; tableSize?: number } = {};
  const resolve = values.resolve as string[] | undefined;
  if (resolve !== undefined) {
    const addresses: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const spec of resolve) {
      const m = /^([^=\s]+)=(\S+)$/.exec(spec);
      if (!m) usage(`--resolve must be NAME=IP[,IP...], got ${JSON.stringify(spec)}`);
      const ips = m[2]!.split(",");
      if (ips.some((ip) => ip === "")) usage(`--resolve ${JSON.stringify(spec)}: an empty address`);
      (addresses[m[1]!] ??= []).push(...ips);
    }
    out.addresses = addresses;
  }
  const size = values["table-size"];
  if (size !== undefined) {
    if (typeof size !== "string" || !/^[0-9]{1,7}$/.test(size)) usage(`--table-size must be a number of slots, got ${JSON.stringify(size)}`);
    out.tableSize = Number(size);
  }
  return out;
}

/**
 * The system and its config from --config (and --system, --name; `extra` from --resolve and
 * --table-size, which only the files that cannot say them take).
 */
export function loadSystem(path: string, systemFlag: string | undefined, name: string | undefined, extra: Omit<NativeParseOptions, "name"> = {}): { def: Definition; config: unknown } {
  const text = new TextDecoder().decode(readInput(path, "config"));
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{")) {
    const doc = parseJson(text, path);
    if (typeof doc === "object" && doc !== null && !Array.isArray(doc) && "system" in doc) {
      const { system, ...config } = doc as Record<string, unknown>;
      if (systemFlag !== undefined && systemFlag !== system) usage(`--system ${systemFlag} disagrees with ${path}'s "system": ${JSON.stringify(system)}`);
      if (extra.addresses !== undefined) usage(`--resolve applies to nginx.conf files; ${path} is a JSON config, whose servers list their "addresses"`);
      if (extra.tableSize !== undefined) usage(`--table-size applies to ipvsadm-save files; ${path} is a JSON config (give "table_size" in it)`);
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
  // Each option belongs to the one file format that cannot say it; elsewhere it would be ignored.
  if (extra.addresses !== undefined && def.name !== "nginx") usage(`--resolve applies to nginx.conf files (host names in server lines), not to ${def.name}'s ${native.description}`);
  if (extra.tableSize !== undefined && def.name !== "ipvs") usage(`--table-size applies to ipvsadm-save files, not to ${def.name}'s ${native.description}`);
  // An Envoy Cluster may be YAML; the library reads JSON only, so the CLI converts it here.
  const source = def.name === "envoy" && !trimmed.startsWith("{") ? at(`${path}: `, () => yamlToJson(text)) : text;
  return { def, config: at(`${path}: `, () => native.parse(source, { ...extra, name })) };
}

