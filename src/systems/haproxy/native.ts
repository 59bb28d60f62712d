// A haproxy.cfg read as HAProxy 2.6 reads it (src/cfgparse.c, cfgparse-listen.c, server.c):
// sections, the `defaults` a backend inherits, `server` and `default-server` lines, and the
// `bind` lines of the frontends that lead to the backend (they decide whether IPv4 clients
// arrive as ::ffff:a.b.c.d). The result is the haproxy system's config; every directive that
// may change the choice of server and is not modelled is refused by name.
import { flowpinError, show } from "../../errors.js";
import { didYouMean } from "../../validate.js";
import { clientFamily, MAX_WEIGHT, type HaproxyConfig, type HaproxyServerConfig } from "./config.js";
import { applyDirective, atol, defaultSettings, splitWords } from "./directives.js";

const SECTIONS = new Set([
  "global", "defaults", "frontend", "backend", "listen", "userlist", "peers", "resolvers", "mailers", "program",
  "http-errors", "ring", "cache", "log-forward", "fcgi-app", "traces",
]);

interface Line {
  words: string[];
  text: string;
  no: number;
}

interface Section {
  kind: string;
  name: string;
  from: string | undefined;
  lines: Line[];
  /** The defaults lines this section inherits (proxies and named defaults). */
  inherited: Line[];
  text: string[];
}

/** Whether `text` looks like a haproxy.cfg with a backend or listen section. */
export function detectHaproxyCfg(text: string): boolean {
  return !text.includes("{") && /^[ \t]*(backend|listen)[ \t]+\S+/m.test(text) && /^[ \t]*server[ \t]+\S+[ \t]+\S+/m.test(text);
}

function sections(text: string): Section[] {
  const out: Section[] = [];
  let defaults: Line[] = [];
  const named = new Map<string, Line[]>();
  let cur: Section | undefined;
  const close = () => {
    if (cur?.kind === "defaults") {
      defaults = [...cur.inherited, ...cur.lines];
      if (cur.name !== "") named.set(cur.name, defaults);
    }
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const words = splitWords(raw);
    if (words.length === 0) return;
    if (SECTIONS.has(words[0]!)) {
      close();
      const fromAt = words.indexOf("from");
      const from = fromAt > 0 ? words[fromAt + 1] : undefined;
      let inherited = defaults;
      if (from !== undefined) {
        const d = named.get(from);
        if (!d) throw flowpinError("INVALID_CONFIG", `line ${i + 1}: ${words[0]} ${words[1] ?? ""} inherits from defaults ${show(from)}, which is not defined before it`);
        inherited = d;
      }
      cur = { kind: words[0]!, name: fromAt === 1 ? "" : (words[1] ?? ""), from, lines: [], inherited, text: [raw] };
      out.push(cur);
      return;
    }
    if (!cur) throw flowpinError("INVALID_CONFIG", `line ${i + 1}: ${show(words[0])} outside any section`);
    cur.lines.push({ words, text: raw.trim(), no: i + 1 });
    cur.text.push(raw);
  });
  close();
  return out;
}

/** Server keywords that take one argument and leave the choice alone (checks, TLS, pools, PROXY protocol). */
const HARMLESS_ARG = new Set([
  "inter", "fastinter", "downinter", "rise", "fall", "port", "addr", "cookie", "verify", "verifyhost", "sni", "alpn", "npn",
  "ca-file", "crt", "crl-file", "ciphers", "ciphersuites", "check-sni", "check-alpn", "check-proto", "proto", "init-addr",
  "resolvers", "resolve-prefer", "resolve-net", "resolve-opts", "source", "namespace", "pool-max-conn", "pool-purge-delay",
  "pool-low-conn", "max-reuse", "tcp-ut", "ws", "log-proto", "socks4", "proxy-v2-options", "ssl-min-ver", "ssl-max-ver",
  "curves", "sigalgs", "client-sigalgs", "on-marked-up", "on-marked-down", "shard", "usesrc", "interface", "set-proxy-v2-tlv-fmt",
]);
/** Server flags that leave the choice alone. */
const HARMLESS_FLAG = new Set([
  "check-ssl", "no-check-ssl", "ssl", "no-ssl", "send-proxy", "send-proxy-v2", "send-proxy-v2-ssl", "send-proxy-v2-ssl-cn",
  "no-send-proxy", "no-send-proxy-v2", "no-send-proxy-v2-ssl", "no-send-proxy-v2-ssl-cn", "tfo", "no-tfo", "non-stick", "stick",
  "allow-0rtt", "check-send-proxy", "check-via-socks4", "no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13",
  "force-sslv3", "force-tlsv10", "force-tlsv11", "force-tlsv12", "force-tlsv13", "no-tls-tickets", "tls-tickets", "ssl-reuse",
  "no-ssl-reuse", "no-verifyhost", "no-agent-check", "no-backup", "enabled", "no-check",
]);
/** Server keywords that change the choice and are not modelled. */
const REFUSED_SERVER: Record<string, string> = {
  maxconn: "per-server connection limits queue connections and change the choice; not modelled",
  minconn: "dynamic connection limits are not modelled",
  maxqueue: "server queues are not modelled",
  slowstart: "slowstart ramps the weight up after a server comes back; not modelled",
  track: "tracking another server's state is not modelled",
  "agent-check": "an agent can change the server's weight and state; not modelled",
  "agent-port": "an agent can change the server's weight and state; not modelled",
  "agent-inter": "an agent can change the server's weight and state; not modelled",
  "agent-addr": "an agent can change the server's weight and state; not modelled",
  "agent-send": "an agent can change the server's weight and state; not modelled",
  observe: "observed traffic can mark the server down; not modelled",
  "on-error": "error reactions can mark the server down; not modelled",
  "error-limit": "error reactions can mark the server down; not modelled",
  redir: "redirecting clients to the server is not modelled",
  "hash-key": "hash-key is HAProxy 2.7+ (2.6 keys nodes by id)",
};

interface ServerDefaults {
  weight?: number;
  backup?: boolean;
  disabled?: boolean;
  check?: string;
}

/** One `server` or `default-server` line's keywords (srv_parse_* in src/server.c). */
function serverKeywords(words: readonly string[], start: number, into: ServerDefaults & { id?: number }, where: string, name: string, isDefault: boolean): void {
  const checkWords: string[] = into.check ? [into.check] : [];
  for (let i = start; i < words.length; i++) {
    const kw = words[i]!;
    const arg = words[i + 1];
    if (kw === "weight" || kw === "id") {
      if (arg === undefined) throw flowpinError("INVALID_CONFIG", `${where}'${kw}' expects an integer argument`);
      const n = atol(arg);
      if (kw === "weight") {
        if (n < 0 || n > MAX_WEIGHT) throw flowpinError("INVALID_WEIGHT", `${where}weight of server ${name} is not within 0 and ${MAX_WEIGHT} (${n}): HAProxy refuses it`);
        into.weight = n;
      } else {
        if (isDefault) throw flowpinError("INVALID_CONFIG", `${where}'id' is not allowed on default-server`);
        // puid is a C int taken from atol: keep its low 32 bits, signed, as HAProxy does.
        const id = Number(BigInt.asIntN(32, BigInt(n)));
        if (id <= 0) throw flowpinError("OUT_OF_RANGE", `${where}'id' : custom id has to be > 0, got ${show(arg)}: HAProxy refuses it`);
        into.id = id;
      }
      i++;
    } else if (kw === "backup") into.backup = true;
    else if (kw === "no-backup") into.backup = false;
    else if (kw === "disabled") into.disabled = true;
    else if (kw === "enabled") into.disabled = false;
    else if (kw === "check") checkWords.push("check");
    else if (kw === "no-check") checkWords.length = 0;
    else if (HARMLESS_FLAG.has(kw)) continue;
    else if (HARMLESS_ARG.has(kw)) {
      if (arg === undefined) throw flowpinError("INVALID_CONFIG", `${where}'${kw}' expects an argument`);
      if (checkWords.length && ["inter", "fastinter", "downinter", "rise", "fall", "port", "addr"].includes(kw)) checkWords.push(kw, arg);
      i++;
    } else if (Object.prototype.hasOwnProperty.call(REFUSED_SERVER, kw)) throw flowpinError("INVALID_CONFIG", `${where}server keyword ${kw}: ${REFUSED_SERVER[kw]}`);
    else {
      const known = [...HARMLESS_ARG, ...HARMLESS_FLAG, "weight", "id", "backup", "disabled", "check"];
      throw flowpinError("INVALID_CONFIG", `${where}unknown or unmodelled server keyword ${show(kw)}${didYouMean(kw, known)}; refused rather than ignored`);
    }
  }
  if (checkWords.length) into.check = checkWords.join(" ");
  else delete into.check;
}

/** Parses a haproxy.cfg and returns the config of backend `name` (or of its only backend). */
export function parseHaproxyCfg(text: string, options: { name?: string } = {}): HaproxyConfig {
  if (typeof text !== "string") throw flowpinError("INVALID_TYPE", `haproxy.cfg must be text, got ${show(text)}`);
  const all = sections(text);
  const backends = all.filter((s) => s.kind === "backend" || s.kind === "listen");
  if (backends.length === 0) throw flowpinError("INVALID_CONFIG", "no backend or listen section in the file");
  let be: Section | undefined;
  if (options.name !== undefined) {
    be = backends.find((s) => s.name === options.name);
    if (!be) throw flowpinError("INVALID_CONFIG", `no backend named ${show(options.name)}${didYouMean(options.name, backends.map((s) => s.name))}; backends: ${backends.map((s) => s.name).join(", ")}`);
  } else if (backends.length === 1) be = backends[0]!;
  else throw flowpinError("INVALID_CONFIG", `the file has ${backends.length} backends (${backends.map((s) => s.name).join(", ")}); pick one with --name`);

  const settings = defaultSettings();
  const config: HaproxyConfig = { name: be.name, balance: "", servers: [], options: [], extra: [], backend_text: be.text.join("\n").trimEnd() };
  let dflt: ServerDefaults = {};
  const binds: { words: string[]; where: string }[] = [];
  const lines = [...be.inherited.map((l) => ({ ...l, defaults: true })), ...be.lines.map((l) => ({ ...l, defaults: false }))];
  for (const line of lines) {
    const where = `line ${line.no}: `;
    const w = line.words;
    if (w[0] === "default-server") {
      const next = { ...dflt };
      serverKeywords(w, 1, next, where, "default-server", true);
      dflt = next;
      continue;
    }
    if (w[0] === "server") {
      if (line.defaults) throw flowpinError("INVALID_CONFIG", `${where}'server' is not allowed in a defaults section`);
      if (w.length < 3) throw flowpinError("INVALID_CONFIG", `${where}'server' expects <name> and <addr>[:<port>]`);
      const srv: ServerDefaults & { id?: number } = { ...dflt };
      serverKeywords(w, 3, srv, where, w[1]!, false);
      const out: HaproxyServerConfig = { name: w[1]!, address: w[2]!, weight: srv.weight ?? 1, backup: srv.backup ?? false, disabled: srv.disabled ?? false, listening: true };
      if (srv.id !== undefined) out.id = srv.id;
      if (srv.check !== undefined) out.check = srv.check;
      config.servers.push(out);
      continue;
    }
    if (w[0] === "bind") {
      if (line.defaults) throw flowpinError("INVALID_CONFIG", `${where}'bind' is not allowed in a defaults section`);
      binds.push({ words: w.slice(1), where });
      continue;
    }
    if (["use_backend", "default_backend"].includes(w[0]!) && be.kind === "backend") throw flowpinError("INVALID_CONFIG", `${where}${w[0]} belongs in a frontend`);
    applyDirective(settings, w, where);
    const rest = w.slice(1).join(" ");
    if (w[0] === "mode") config.mode = w[1] as "tcp" | "http";
    else if (w[0] === "balance") config.balance = rest;
    else if (w[0] === "hash-type") config.hash_type = rest;
    else if (w[0] === "option") config.options!.push(rest);
    else if (w[0] === "no" && w[1] === "option") config.options!.push(`no ${w.slice(2).join(" ")}`);
    else config.extra!.push(w.join(" "));
  }
  if (settings.balance === undefined) {
    throw flowpinError("INVALID_CONFIG", `backend ${show(be.name)} has no 'balance source' or 'balance hash src' line (HAProxy's default is roundrobin, not modelled)`);
  }
  // A backend without servers is valid to HAProxy: it answers 503 (routes say "no-server").
  if (be.kind === "backend") {
    // The frontends that lead here: their binds (and address-changing rules) decide the key.
    const fronts = all.filter((s) => s.kind === "frontend" && s.lines.some((l) => (l.words[0] === "default_backend" || l.words[0] === "use_backend") && l.words[1] === be.name));
    for (const f of fronts) {
      for (const l of f.lines) {
        const where = `line ${l.no}: `;
        if (l.words[0] === "bind") binds.push({ words: l.words.slice(1), where });
        const setSrc = (l.words[0] === "tcp-request" && l.words[2] === "set-src") || (l.words[0] === "http-request" && l.words[1] === "set-src");
        if (setSrc) throw flowpinError("INVALID_CONFIG", `${where}frontend ${f.name}: ${l.words.slice(0, 3).join(" ")} changes the client address balance source hashes; not modelled`);
      }
      config.frontend_text = [config.frontend_text, f.text.join("\n").trimEnd()].filter(Boolean).join("\n\n");
    }
  }
  // Every address of every bind line: one way of seeing IPv4 clients, or the key is ambiguous.
  const kinds = new Map<string, string>();
  for (const b of binds) {
    const opts = b.words.slice(1).join(" ");
    for (const addr of (b.words[0] ?? "").split(",")) {
      const line = `${addr}${opts ? ` ${opts}` : ""}`;
      kinds.set(clientFamily(line, `${b.where}bind`), line);
    }
  }
  if (kinds.size > 1) {
    throw flowpinError("INVALID_CONFIG", `backend ${be.name} is reached through IPv4 and dual-stack IPv6 listeners (${[...kinds.values()].join("; ")}), which key IPv4 clients differently; give one bind in a {"system": "haproxy", ...} config`);
  }
  if (kinds.size === 1) config.bind = [...kinds.values()][0]!;
  return config;
}
