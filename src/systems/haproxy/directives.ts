// The backend directives of a haproxy.cfg that decide which server a connection gets, read as
// HAProxy 2.6 reads them (src/cfgparse-listen.c, src/backend.c backend_parse_balance), and the
// ones flowpin knows to be harmless for that decision (timeouts, logging, checks). Anything
// else is refused by name: a directive that may change the decision is never ignored.
// Shared by the JSON config (`options`, `extra`) and the native file reader.
import { flowpinError } from "../../errors.js";
import { HASH_FUNCTIONS, type HaproxyHashFunction } from "./hash.js";

/** The load-balancing settings of one backend, as HAProxy holds them after parsing. */
export interface LbSettings {
  mode: "tcp" | "http";
  /** `balance source` or `balance hash src`; undefined until a balance line (HAProxy's default is roundrobin). */
  balance: "source" | "hash src" | undefined;
  /** `hash-type` arguments as written; undefined without a hash-type line (then map-based, sdbm). */
  hashType: string | undefined;
  lookup: "consistent" | "map-based";
  fn: HaproxyHashFunction;
  avalanche: boolean;
  allbackups: boolean;
  /** `option redispatch [N]`: redispatch_after (-1 without N), or null when off. */
  redispatch: number | null;
  /** `retries N`: connection retries (default 3, src/proxy.c). */
  retries: number;
  /** `hash-balance-factor N`: 0 (off) or above 100. */
  balanceFactor: number;
}

export function defaultSettings(): LbSettings {
  return { mode: "tcp", balance: undefined, hashType: undefined, lookup: "map-based", fn: "sdbm", avalanche: false, allbackups: false, redispatch: null, retries: 3, balanceFactor: 0 };
}

/**
 * C's atol as HAProxy's parser uses it for weights, ids, retries and factors: leading blanks,
 * an optional sign, digits up to the first non-digit; no digits is 0. "weight 2x" is weight 2
 * to HAProxy, so it is to flowpin too.
 */
export function atol(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(text)!;
  const n = m[2] === "" ? 0 : Number(m[2]);
  return m[1] === "-" ? -n : n;
}

function refuse(where: string, what: string, why: string): never {
  throw flowpinError("INVALID_CONFIG", `${where}${what}: ${why}`);
}

/** `option` names that do not take part in choosing a server for a new connection. */
const HARMLESS_OPTIONS = new Set([
  "httplog", "tcplog", "dontlognull", "dontlog-normal", "log-health-checks", "log-separate-errors", "logasap",
  "forwardfor", "originalto", "http-server-close", "httpclose", "http-keep-alive", "http-pretend-keepalive",
  "http-no-delay", "http-buffer-request", "http-ignore-probes", "tcpka", "srvtcpka", "clitcpka", "nolinger",
  "httpchk", "ssl-hello-chk", "smtpchk", "mysql-check", "pgsql-check", "redis-check", "ldap-check", "spop-check",
  "tcp-check", "external-check", "abortonclose", "splice-auto", "splice-request", "splice-response", "contstats",
  "independent-streams", "checkcache", "socket-stats", "accept-invalid-http-request", "accept-invalid-http-response",
  "h1-case-adjust-bogus-client", "h1-case-adjust-bogus-server", "disable-h2-upgrade", "http-restrict-req-hdr-names",
]);

/** `option` names that change the choice and are not modelled. */
const REFUSED_OPTIONS: Record<string, string> = {
  persist: "persistence to a down server is not modelled",
  "prefer-last-server": "reusing the last server of a client connection is not modelled",
  transparent: "transparent mode (no server chosen) is not modelled",
  http_proxy: "proxy mode (no server chosen) is not modelled",
};

/** Directives that never take part in the choice of server. */
const HARMLESS = new Set([
  "timeout", "log", "log-format", "log-tag", "error-log-format", "description", "id", "enabled", "errorfile", "errorfiles",
  "errorloc", "errorloc302", "errorloc303", "http-check", "tcp-check", "external-check", "email-alert", "fullconn",
  "maxconn", "source", "http-reuse", "compression", "acl", "stick-table", "unique-id-format", "unique-id-header",
  "http-send-name-header", "max-keep-alive-queue", "max-session-srv-conns", "default_backend", "use_backend",
  "http-error", "srvtimeout", "contimeout", "clitimeout",
]);

/** Directives that change the choice and are not modelled, with HAProxy's effect. */
const REFUSED: Record<string, string> = {
  "use-server": "use-server rules pick servers by condition; not modelled",
  "force-persist": "persistence is not modelled",
  "ignore-persist": "persistence is not modelled",
  stick: "stickiness (stick on/match/store) overrides the hash; not modelled",
  "stick-on": "stickiness overrides the hash; not modelled",
  cookie: "cookie persistence overrides the hash; not modelled",
  persist: "persistence (persist rdp-cookie) overrides the hash; not modelled",
  dispatch: "dispatch sends every connection to one address; not modelled",
  "retry-on": "retry-on changes which failures are retried; not modelled",
  "server-template": "server-template generates servers from DNS; not modelled",
  "load-server-state-from-file": "loading server states from a file changes weights and states; not modelled",
  "server-state-file-name": "loading server states from a file changes weights and states; not modelled",
  disabled: "a disabled proxy answers no connection; not modelled",
  filter: "filters may act on the request before a server is chosen; not modelled",
  redispatch: "the 'redispatch' keyword is refused by HAProxy since 2.1; use 'option redispatch'",
};

/** http-request / tcp-request actions that neither stop the request nor change the client address. */
const HARMLESS_ACTIONS = new Set([
  "set-header", "add-header", "del-header", "replace-header", "replace-value", "set-var", "unset-var", "set-log-level",
  "capture", "set-path", "set-pathq", "set-query", "set-uri", "replace-path", "replace-pathq", "replace-uri", "set-nice",
  "set-tos", "set-mark", "track-sc0", "track-sc1", "track-sc2", "add-acl", "del-acl", "set-map", "del-map",
  "set-timeout", "normalize-uri", "allow", "accept", "sc-inc-gpc0", "sc-inc-gpc1", "sc-set-gpt0", "set-status",
  "inspect-delay",
]);

const RULE_KEYWORDS = new Set(["http-request", "http-response", "http-after-response", "tcp-request", "tcp-response"]);

/** Applies the `option`/`no option` line `words` (without the leading "option"). */
function option(s: LbSettings, words: readonly string[], negate: boolean, where: string): void {
  const name = words[0] ?? "";
  if (name === "allbackups") {
    s.allbackups = !negate;
    return;
  }
  if (name === "redispatch") {
    // cfgparse-listen.c: "option redispatch" is redispatch_after -1 (the last retry); a
    // number N redispatches every N retries (negative: the Nth before last); "no" turns it off.
    s.redispatch = negate ? null : words[1] === undefined ? -1 : atol(words[1]);
    return;
  }
  if (HARMLESS_OPTIONS.has(name)) return;
  if (Object.prototype.hasOwnProperty.call(REFUSED_OPTIONS, name)) refuse(where, `option ${name}`, REFUSED_OPTIONS[name]!);
  refuse(where, `option ${name}`, "not an option flowpin knows to leave the choice of server alone; refused rather than ignored");
}

/** `hash-type` arguments (cfgparse-listen.c): method, optional function, optional "avalanche". */
export function parseHashType(s: LbSettings, args: readonly string[], where: string): void {
  const [method, fn, modifier, extra] = args;
  if (method === "consistent") s.lookup = "consistent";
  else if (method === "map-based") s.lookup = "map-based";
  else refuse(where, `hash-type ${args.join(" ")}`, "HAProxy only supports 'consistent' and 'map-based'");
  if (fn === undefined) {
    // With no function: sdbm, and for consistent also the avalanche modifier.
    s.fn = "sdbm";
    s.avalanche = s.lookup === "consistent";
  } else {
    if (!(HASH_FUNCTIONS as readonly string[]).includes(fn)) refuse(where, `hash-type ${args.join(" ")}`, "HAProxy only supports the 'sdbm', 'djb2', 'crc32' or 'wt6' hash functions");
    s.fn = fn as HaproxyHashFunction;
    if (modifier !== undefined && modifier !== "avalanche") refuse(where, `hash-type ${args.join(" ")}`, "HAProxy only supports 'avalanche' as a modifier");
    s.avalanche = modifier === "avalanche";
  }
  if (extra !== undefined) refuse(where, `hash-type ${args.join(" ")}`, "too many arguments");
  s.hashType = args.join(" ");
}

/** `balance` arguments (backend.c backend_parse_balance): only source and hash src are modelled. */
export function parseBalance(s: LbSettings, args: readonly string[], where: string): void {
  const text = args.join(" ");
  if (text === "source") s.balance = "source";
  else if (text === "hash src") s.balance = "hash src";
  else refuse(where, `balance ${text}`, "flowpin models 'balance source' and 'balance hash src' only");
}

/**
 * Applies one backend directive (`words` as HAProxy splits the line) to `s`. Returns false for
 * the lines the caller handles itself (server, default-server, bind); throws INVALID_CONFIG
 * naming any directive that may change the decision and is not modelled.
 */
export function applyDirective(s: LbSettings, words: readonly string[], where: string): boolean {
  const [kw, ...args] = words;
  switch (kw) {
    case "mode":
      if (args[0] !== "tcp" && args[0] !== "http") refuse(where, `mode ${args.join(" ")}`, "HAProxy balances in mode tcp or http");
      s.mode = args[0];
      return true;
    case "balance":
      parseBalance(s, args, where);
      return true;
    case "hash-type":
      parseHashType(s, args, where);
      return true;
    case "hash-balance-factor": {
      if (args[0] === undefined) refuse(where, kw, "HAProxy expects an integer argument");
      const f = atol(args[0]);
      if (f !== 0 && f <= 100) refuse(where, `hash-balance-factor ${args[0]}`, "HAProxy requires 0 or a value above 100");
      s.balanceFactor = f;
      return true;
    }
    case "retries":
      if (args[0] === undefined) refuse(where, kw, "HAProxy expects an integer argument");
      s.retries = atol(args[0]);
      return true;
    case "option":
      option(s, args, false, where);
      return true;
    case "no":
      if (args[0] !== "option") refuse(where, words.join(" "), "only 'no option ...' is known");
      option(s, args.slice(1), true, where);
      return true;
    case "default":
      // "default option X" restores the defaults section's value: refused rather than guessed.
      refuse(where, words.join(" "), "'default option' is not modelled");
      break;
    case "server":
    case "default-server":
    case "bind":
      return false;
    default:
      break;
  }
  if (kw !== undefined && RULE_KEYWORDS.has(kw)) {
    // "tcp-request content ACTION", "tcp-request inspect-delay T", "http-request ACTION ...".
    const action = kw.startsWith("tcp-") && args[0] !== "inspect-delay" ? args[1] : args[0];
    if (action !== undefined && HARMLESS_ACTIONS.has(action)) return true;
    refuse(where, `${words.slice(0, kw.startsWith("tcp-") ? 3 : 2).join(" ")}`, "this rule may stop the request or change the client address before a server is chosen; not modelled");
  }
  if (kw !== undefined && HARMLESS.has(kw)) return true;
  if (kw !== undefined && Object.prototype.hasOwnProperty.call(REFUSED, kw)) refuse(where, kw, REFUSED[kw]!);
  return refuse(where, kw ?? "(empty line)", "not a directive flowpin knows to leave the choice of server alone; refused rather than ignored");
}

/**
 * Splits one configuration line into words as HAProxy's parser does for the common cases:
 * blanks separate, "double" and 'single' quotes group, a backslash escapes the next
 * character, and an unquoted # starts a comment.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === "\\" && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (c === "#") {
      break;
    } else if (c === " " || c === "\t" || c === "\r") {
      if (has) words.push(cur);
      cur = "";
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw flowpinError("INVALID_CONFIG", `unmatched quote in ${JSON.stringify(line.trim())}`);
  if (has) words.push(cur);
  return words;
}
