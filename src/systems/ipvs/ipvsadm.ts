// `ipvsadm-save -n` output read as it is, and any other ipvsadm-restore input: one ipvsadm
// command per line (an optional leading "ipvsadm", everything after '#' a comment, as
// ipvsadm's config_stream.c reads it). Service commands -A/-E/-D/-C and destination commands
// -a/-e/-d are applied in order, the way ipvsadm-restore sends them to the kernel, so the
// result is the service the kernel holds after restoring this file.
//
// What the file cannot say: the table size is a kernel build option (CONFIG_IP_VS_MH_TAB_INDEX,
// default 12 = 4093 slots); give it with `tableSize` or a "# CONFIG_IP_VS_MH_TAB_INDEX=N"
// comment line (ipvsadm-restore ignores comments). ipvsadm-save lists destinations sorted by
// address, not in the kernel's list order, and prints weights, not last_weight: the table of a
// live director whose dests were added in another order, or that has dests edited to weight 0
// (which keep their slots), can differ from the one its saved file restores. For those, give
// the operations as they happened in a {"system": "ipvs", ...} config.
import { flowpinError } from "../../errors.js";
import { LISTED_SIZES } from "../../profiles/maglev-profile.js";
import { closest } from "../../validate.js";
import { endpointName, ipvsAddress, MAX_WEIGHT, type IpvsConfig, type IpvsForward, type IpvsOperation, type IpvsProtocol, type IpvsSchedulerFlag } from "./config.js";

/** Options of `parseIpvsadmSave`. */
export interface IpvsadmParseOptions {
  /** The service, as "tcp 203.0.113.10:80" or "udp [2001:db8::10]:53", when the file has several. */
  name?: string;
  /**
   * IP_VS_MH_TAB_SIZE of the director's kernel (251, 509, ..., 131071), which ipvsadm-save
   * cannot print. Default: a "# CONFIG_IP_VS_MH_TAB_INDEX=N" comment in the file, else 4093
   * (the Kconfig default).
   */
  tableSize?: number;
}

interface Option {
  long: string;
  short?: string;
  /** none, required, or optional (-p [timeout]). */
  arg: 0 | 1 | 2;
}

// ipvsadm.c parse_options' option table (the ones that can appear in a restore stream).
const OPTIONS: readonly Option[] = [
  { long: "add-service", short: "A", arg: 0 },
  { long: "edit-service", short: "E", arg: 0 },
  { long: "delete-service", short: "D", arg: 0 },
  { long: "clear", short: "C", arg: 0 },
  { long: "add-server", short: "a", arg: 0 },
  { long: "edit-server", short: "e", arg: 0 },
  { long: "delete-server", short: "d", arg: 0 },
  { long: "tcp-service", short: "t", arg: 1 },
  { long: "udp-service", short: "u", arg: 1 },
  { long: "sctp-service", arg: 1 },
  { long: "fwmark-service", short: "f", arg: 1 },
  { long: "scheduler", short: "s", arg: 1 },
  { long: "persistent", short: "p", arg: 2 },
  { long: "netmask", short: "M", arg: 1 },
  { long: "real-server", short: "r", arg: 1 },
  { long: "masquerading", short: "m", arg: 0 },
  { long: "ipip", short: "i", arg: 0 },
  { long: "gatewaying", short: "g", arg: 0 },
  { long: "weight", short: "w", arg: 1 },
  { long: "u-threshold", short: "x", arg: 1 },
  { long: "l-threshold", short: "y", arg: 1 },
  { long: "numeric", short: "n", arg: 0 },
  { long: "ipv6", short: "6", arg: 0 },
  { long: "ops", short: "o", arg: 0 },
  { long: "pe", arg: 1 },
  { long: "sched-flags", short: "b", arg: 1 },
  { long: "tun-type", arg: 1 },
  { long: "tun-port", arg: 1 },
  { long: "tun-nocsum", arg: 0 },
  { long: "tun-csum", arg: 0 },
  { long: "tun-remcsum", arg: 0 },
];
const BY_SHORT = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short!, o]));
const BY_LONG = new Map(OPTIONS.map((o) => [o.long, o]));
const COMMANDS = new Set(["add-service", "edit-service", "delete-service", "clear", "add-server", "edit-server", "delete-server"]);
const PROTOCOL_OF: Record<string, IpvsProtocol> = { "tcp-service": "tcp", "udp-service": "udp", "sctp-service": "sctp" };
/** ipvsadm's other commands: real, but no configuration to restore. */
const NOT_CONFIG = new Set(["L", "l", "Z", "S", "R", "h", "v", "c", "list", "zero", "save", "restore", "help", "version", "set", "start-daemon", "stop-daemon", "timeout", "daemon", "stats", "rate", "thresholds", "persistent-conn", "nosort", "sort", "exact", "connection"]);
const TAB_INDEX_COMMENT = /^\s*CONFIG_IP_VS_MH_TAB_INDEX\s*=\s*(\S+)\s*$/;

interface ServiceState {
  name: string;
  protocol: IpvsProtocol | "fwmark";
  address: string;
  port: number;
  scheduler: string;
  flags: IpvsSchedulerFlag[];
  persistent: boolean;
  line: number;
  operations: IpvsOperation[];
}

interface Line {
  n: number;
  command: string;
  values: Map<string, string | true>;
}

function bad(n: number, message: string): Error {
  return flowpinError("INVALID_CONFIG", `line ${n}: ${message}`);
}

/** One line's tokens as (option, value) pairs, checked against ipvsadm's option table. */
function parseLine(n: number, tokens: string[]): Line {
  const values = new Map<string, string | true>();
  let command: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    let opt: Option | undefined;
    let inline: string | undefined;
    if (t.startsWith("--")) {
      const eq = t.indexOf("=");
      const name = eq < 0 ? t.slice(2) : t.slice(2, eq);
      if (eq >= 0) inline = t.slice(eq + 1);
      opt = BY_LONG.get(name);
      if (!opt) {
        if (NOT_CONFIG.has(name)) throw bad(n, `--${name} is not a configuration command (an ipvsadm-save file holds -A/-a lines)`);
        const near = closest(name, [...BY_LONG.keys()]);
        throw bad(n, `unknown ipvsadm option ${JSON.stringify(t)}${near ? ` (did you mean "--${near}"?)` : ""}`);
      }
    } else if (/^-[A-Za-z0-9]$/.test(t)) {
      opt = BY_SHORT.get(t[1]!);
      if (!opt) {
        if (NOT_CONFIG.has(t[1]!)) throw bad(n, `${t} is not a configuration command (an ipvsadm-save file holds -A/-a lines)`);
        throw bad(n, `unknown ipvsadm option ${JSON.stringify(t)}`);
      }
    } else {
      throw bad(n, `unexpected argument ${JSON.stringify(t)}`);
    }
    let value: string | true = true;
    if (opt.arg === 1) {
      value = inline ?? tokens[++i] ?? "";
      if (value === "") throw bad(n, `--${opt.long} needs a value`);
    } else if (opt.arg === 2) {
      value = inline ?? (tokens[i + 1] !== undefined && !tokens[i + 1]!.startsWith("-") ? tokens[++i]! : true);
    } else if (inline !== undefined) throw bad(n, `--${opt.long} takes no value`);
    if (COMMANDS.has(opt.long)) {
      if (command !== undefined) throw bad(n, `two commands on one line (--${command} and --${opt.long})`);
      command = opt.long;
      continue;
    }
    if (values.has(opt.long)) throw bad(n, `--${opt.long} given twice`);
    values.set(opt.long, value);
  }
  if (command === undefined) throw bad(n, "no command (-A, -E, -D, -C, -a, -e or -d)");
  return { n, command, values };
}

/** "addr[:port]" as ipvsadm parse_service reads it, numeric only (-n). */
function endpoint(n: number, what: string, text: string): { address: string; port: number | undefined } {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) throw bad(n, `${what} ${JSON.stringify(text)}: missing "]"`);
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) throw bad(n, `${what} ${JSON.stringify(text)}: expected ":port" after "]"`);
    portText = rest === "" ? undefined : rest.slice(1);
  } else {
    const colons = text.split(":").length - 1;
    if (colons > 1) throw bad(n, `${what} ${JSON.stringify(text)}: write an IPv6 address in brackets, [addr]:port`);
    [host, portText] = colons === 1 ? [text.slice(0, text.indexOf(":")), text.slice(text.indexOf(":") + 1)] : [text, undefined];
  }
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
      throw flowpinError("INVALID_PORT", `line ${n}: ${what} ${JSON.stringify(text)}: the port must be a number 0..65535 (ipvsadm-save -n), got ${JSON.stringify(portText)}`);
    }
    port = Number(portText);
  }
  // Validated (and spelled as the kernel prints it) by flow.ts's parser.
  let address: string;
  try {
    address = ipvsAddress(what, host).ntop;
  } catch (e) {
    throw flowpinError("INVALID_ADDRESS", `line ${n}: ${(e as Error).message}${/^[a-z]/i.test(host) && !host.includes(":") ? " (host names need ipvsadm-save -n)" : ""}`);
  }
  return { address, port };
}

function number(n: number, what: string, text: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max) throw flowpinError(what === "weight" ? "INVALID_WEIGHT" : "INVALID_CONFIG", `line ${n}: ${what} must be an integer 0..${max}, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** -b flag,... as ipvsadm parse_sched_flags reads it (mh-fallback / mh-port: newer ipvsadm). */
function schedFlags(n: number, scheduler: string, text: string): IpvsSchedulerFlag[] {
  const out: IpvsSchedulerFlag[] = [];
  for (const f of text.split(",")) {
    if (f === "flag-1" || f === "flag-2" || f === "flag-3") out.push(f);
    else if (f === "mh-fallback" || f === "mh-port") {
      if (scheduler !== "mh") throw bad(n, `incompatible scheduler flag \`${f}' for scheduler ${scheduler}`);
      out.push(f);
    } else if (f === "sh-fallback" || f === "sh-port") {
      if (scheduler !== "sh") throw bad(n, `incompatible scheduler flag \`${f}' for scheduler ${scheduler}`);
    } else {
      const near = closest(f, ["flag-1", "flag-2", "flag-3", "mh-fallback", "mh-port", "sh-fallback", "sh-port"]);
      throw bad(n, `invalid scheduler flag \`${f}'${near ? ` (did you mean "${near}"?)` : ""}`);
    }
  }
  // The kernel keeps bits: flag-1 and mh-fallback are one flag. Name them as the vectors do.
  const bits = new Set<string>(out.map((f) => (f === "flag-1" ? "mh-fallback" : f === "flag-2" ? "mh-port" : f)));
  return (["mh-fallback", "mh-port", "flag-3"] as const).filter((f) => bits.has(f));
}

function serviceOf(l: Line): { key: string; protocol: IpvsProtocol | "fwmark"; address: string; port: number } {
  const kinds = ["tcp-service", "udp-service", "sctp-service", "fwmark-service"].filter((k) => l.values.has(k));
  if (kinds.length !== 1) throw bad(l.n, kinds.length ? "more than one service option" : "no service (-t, -u, --sctp-service or -f)");
  const kind = kinds[0]!;
  const text = l.values.get(kind) as string;
  if (kind === "fwmark-service") {
    if (!/^\d+$/.test(text)) throw bad(l.n, `-f needs a firewall mark number, got ${JSON.stringify(text)}`);
    const family = l.values.has("ipv6") ? " IPv6" : "";
    return { key: `fwmark ${Number(text)}${family}`, protocol: "fwmark", address: "", port: 0 };
  }
  const protocol = PROTOCOL_OF[kind]!;
  const { address, port } = endpoint(l.n, "service address", text);
  const p = port ?? 0;
  const a = ipvsAddress("service address", address);
  return { key: `${protocol} ${endpointName(a, p)}`, protocol, address, port: p };
}

/** The tokens of each command line, with the table-size comment pulled out. */
function lines(text: string): { commands: { n: number; tokens: string[] }[]; tabIndex: { n: number; value: string } | undefined } {
  const commands: { n: number; tokens: string[] }[] = [];
  let tabIndex: { n: number; value: string } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const hash = raw.indexOf("#");
    const body = hash < 0 ? raw : raw.slice(0, hash);
    if (hash >= 0) {
      const m = TAB_INDEX_COMMENT.exec(raw.slice(hash + 1));
      if (m) tabIndex = { n: i + 1, value: m[1]! };
    }
    const tokens = body.trim().split(/\s+/).filter(Boolean);
    if (tokens[0] === "ipvsadm") tokens.shift();
    if (tokens.length) commands.push({ n: i + 1, tokens });
  });
  return { commands, tabIndex };
}

/** Whether `text` reads as ipvsadm-save output (or ipvsadm-restore input). */
export function detectIpvsadm(text: string): boolean {
  return lines(text).commands.some(({ tokens }) => ["-A", "--add-service", "-a", "--add-server"].includes(tokens[0]!));
}

/**
 * The service of an ipvsadm-save file (or any ipvsadm-restore input) as an `IpvsConfig`:
 * what the kernel holds after restoring the file, with the table size from `tableSize`.
 *
 * @example
 * import { systemDefinition, systems } from "flowpin";
 * const text = "-A -t 203.0.113.10:80 -s mh -b flag-1,flag-2\n-a -t 203.0.113.10:80 -r 10.0.0.1:80 -g -w 1\n";
 * const svc = systems.ipvs(systemDefinition("ipvs").native.parse(text, { tableSize: 65521 }));
 */
export function parseIpvsadmSave(text: string, options: IpvsadmParseOptions = {}): IpvsConfig {
  if (typeof text !== "string") throw flowpinError("INVALID_TYPE", "ipvsadm-save text must be a string");
  const { commands, tabIndex } = lines(text);
  const services = new Map<string, ServiceState>();
  for (const { n, tokens } of commands) {
    const l = parseLine(n, tokens);
    if (l.command === "clear") {
      services.clear();
      continue;
    }
    const s = serviceOf(l);
    let svc = services.get(s.key);
    const serviceCommand = l.command.endsWith("-service");
    if (serviceCommand) {
      for (const k of ["real-server", "weight", "masquerading", "ipip", "gatewaying", "u-threshold", "l-threshold"]) {
        if (l.values.has(k)) throw bad(n, `--${k} belongs to a server command (-a, -e, -d), not --${l.command}`);
      }
    } else {
      for (const k of ["scheduler", "persistent", "netmask", "sched-flags", "pe", "ops"]) {
        if (l.values.has(k)) throw bad(n, `--${k} belongs to a service command (-A, -E), not --${l.command}`);
      }
    }
    if (l.command === "delete-service") {
      if (!svc) throw bad(n, `no service ${s.key} to delete (the kernel answers ESRCH)`);
      services.delete(s.key);
      continue;
    }
    if (l.command === "add-service" || l.command === "edit-service") {
      if (l.command === "add-service" && svc) throw bad(n, `service ${s.key} already exists (the kernel answers EEXIST)`);
      if (l.command === "edit-service" && !svc) throw bad(n, `no service ${s.key} to edit (the kernel answers ESRCH)`);
      // ipvsadm.c: the default scheduler is wlc.
      const scheduler = (l.values.get("scheduler") as string | undefined) ?? "wlc";
      const persistent = l.values.has("persistent");
      if (s.protocol !== "fwmark" && s.port === 0 && !persistent) throw bad(n, `Zero port specified for non-persistent service ${s.key} (ipvsadm refuses it)`);
      const flags = l.values.has("sched-flags") ? schedFlags(n, scheduler, l.values.get("sched-flags") as string) : [];
      if (svc) Object.assign(svc, { scheduler, flags, persistent });
      else services.set(s.key, (svc = { name: s.key, protocol: s.protocol, address: s.address, port: s.port, scheduler, flags, persistent, line: n, operations: [] }));
      continue;
    }
    if (!svc) throw bad(n, `no service ${s.key}: add it with -A before its servers (the kernel answers ESRCH)`);
    const server = l.values.get("real-server");
    if (typeof server !== "string") throw bad(n, `--${l.command} needs -r server-address`);
    const dest = endpoint(n, "server address", server);
    // ipvsadm.c: a server given without a port takes the service port.
    let port = dest.port ?? s.port;
    const forwards = (["gatewaying", "ipip", "masquerading"] as const).filter((k) => l.values.has(k));
    if (forwards.length > 1) throw bad(n, "more than one forwarding method (-g, -i, -m)");
    const forward: IpvsForward = forwards[0] === "ipip" ? "tunnel" : forwards[0] === "masquerading" ? "masq" : "droute";
    if (l.command === "delete-server") {
      svc.operations.push({ op: "delete", address: dest.address, port });
      continue;
    }
    // ipvsadm.c process_options: a -g or -i server takes the service port, whatever was written.
    if (s.protocol !== "fwmark" && forward !== "masq") port = s.port;
    // ipvsadm sends weight 1 when -w is absent. ipvsadm itself refuses -w above 65535, but the
    // kernel holds any int and ipvsadm-save prints it, so a saved file may carry one.
    const weightText = l.values.get("weight");
    const weight = weightText === undefined ? 1 : number(n, "weight", weightText as string, MAX_WEIGHT);
    for (const k of ["u-threshold", "l-threshold"] as const) if (l.values.has(k)) number(n, k, l.values.get(k) as string, 0x7fffffff);
    svc.operations.push({ op: l.command === "add-server" ? "add" : "edit", address: dest.address, port, weight, forward });
  }

  const all = [...services.values()];
  if (all.length === 0) throw flowpinError("INVALID_CONFIG", "no IPVS service in the file (expected -A lines, as ipvsadm-save -n prints)");
  let chosen: ServiceState | undefined;
  if (options.name !== undefined) {
    const want = normalizeName(options.name);
    chosen = all.find((s) => s.name === want);
    if (!chosen) {
      const near = closest(options.name, all.map((s) => s.name));
      throw flowpinError("INVALID_CONFIG", `no service ${JSON.stringify(options.name)} in the file${near ? ` (did you mean "${near}"?)` : ""}; it has: ${all.map((s) => s.name).join("; ")}`);
    }
  } else if (all.length === 1) chosen = all[0]!;
  else throw flowpinError("INVALID_CONFIG", `the file has ${all.length} services; pick one by name (--name): ${all.map((s) => JSON.stringify(s.name)).join(", ")}`);

  if (chosen.protocol === "fwmark") throw flowpinError("INVALID_CONFIG", `line ${chosen.line}: ${chosen.name}: firewall-mark services are not modelled (which packets carry the mark is decided by netfilter rules, not in this file)`);
  if (chosen.scheduler !== "mh") throw flowpinError("INVALID_CONFIG", `line ${chosen.line}: service ${chosen.name} uses scheduler ${JSON.stringify(chosen.scheduler)}; flowpin models the mh scheduler only`);
  if (chosen.persistent) throw flowpinError("INVALID_CONFIG", `line ${chosen.line}: service ${chosen.name} is persistent (-p): persistence templates are not modelled, only the mh decision for a client's first connection`);

  const size = pickSize(options.tableSize, tabIndex);
  const family = chosen.address.includes(":") ? "inet6" : "inet";
  return {
    service: { family, address: chosen.address, port: chosen.port, protocol: chosen.protocol, scheduler: "mh", flags: chosen.flags },
    table_size: size,
    operations: chosen.operations,
  };
}

/** "tcp 203.0.113.10:80" in any spelling → the canonical name. */
function normalizeName(name: string): string {
  const m = /^\s*(tcp|udp|sctp)\s+(\S+)\s*$/i.exec(name);
  if (!m) return name;
  try {
    const { address, port } = endpoint(0, "name", m[2]!);
    return `${m[1]!.toLowerCase()} ${endpointName(ipvsAddress("name", address), port ?? 0)}`;
  } catch {
    return name;
  }
}

function pickSize(option: number | undefined, comment: { n: number; value: string } | undefined): number {
  let fromComment: number | undefined;
  if (comment) {
    const index = /^\d+$/.test(comment.value) ? Number(comment.value) : NaN;
    if (!(index >= 8 && index <= 17)) throw flowpinError("INVALID_TABLE_SIZE", `line ${comment.n}: CONFIG_IP_VS_MH_TAB_INDEX must be 8..17, got ${JSON.stringify(comment.value)}`);
    fromComment = LISTED_SIZES[index - 8]!;
  }
  if (option !== undefined) {
    if (typeof option !== "number" || !LISTED_SIZES.includes(option)) {
      throw flowpinError("INVALID_TABLE_SIZE", `tableSize must be one of ${LISTED_SIZES.join(", ")}, got ${JSON.stringify(option)}`);
    }
    if (fromComment !== undefined && fromComment !== option) {
      throw flowpinError("INVALID_TABLE_SIZE", `tableSize ${option} disagrees with the file's CONFIG_IP_VS_MH_TAB_INDEX (line ${comment!.n}), which gives ${fromComment}`);
    }
    return option;
  }
  return fromComment ?? 4093;
}

export const ipvsadmNative = {
  description: "ipvsadm-save -n output (or ipvsadm-restore input); table size from a \"# CONFIG_IP_VS_MH_TAB_INDEX=N\" line, default 4093",
  detect: detectIpvsadm,
  parse: (text: string, options: IpvsadmParseOptions = {}) => parseIpvsadmSave(text, options),
};
