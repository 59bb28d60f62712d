// Bad input, table-driven: every public function, constructor and method of src/api.ts fed
// the malformed values DESIGN.md "Bad input" lists and what a reader would try next. Each
// case must throw a FlowpinError with the promised code, of the promised class (TypeError for
// INVALID_TYPE, RangeError for the range codes), with a message naming the argument; never
// another exception, a silent coercion or a result.
import { afterAll, describe, expect, it } from "vitest";
import {
  FlowBatch,
  FlowHasher,
  GlbTable,
  Maglev,
  Rendezvous,
  Ring,
  canonicalFlowBytes,
  engine,
  formatAddress,
  hashes,
  initFromModule,
  jump,
  parseAddress,
  parseFlow,
  parsePort,
  parseProtocol,
  readPcap,
  useEngine,
  type Flow,
  type FlowpinErrorCode,
} from "../../src/index.js";
import { RANGE_CODES, TYPE_CODES } from "../../src/errors.js";
import { BAD_ADDRESS, BAD_PORT, BAD_PROTO, BAD_U32, BAD_U64, NOT_BYTES, NOT_OBJECT, detachedBytes, type Bad } from "../fuzz/bad-values.js";
import { describeOutcome, outcome } from "../fuzz/outcome.js";

type Code = FlowpinErrorCode;

interface Case {
  label: string;
  call: () => unknown;
  /** The code promised; several when the API documents alternatives. */
  code: Code | readonly Code[];
  /** Text the message must contain (the argument's name). */
  names: string;
}

const groups = new Map<string, Case[]>();
function add(group: string, c: Case): void {
  if (!groups.has(group)) groups.set(group, []);
  groups.get(group)!.push(c);
}
/** One case per bad value: `make(value)` is the call with that value in the argument's place. */
function each(group: string, what: string, names: string, values: readonly Bad[], make: (v: unknown) => unknown): void {
  for (const [label, value, code] of values) add(group, { label: `${what} = ${label}`, call: () => make(value), code, names });
}

/** Why a case failed, or undefined when it behaved. */
function check(c: Case): string | undefined {
  const o = outcome(c.call);
  const want = typeof c.code === "string" ? [c.code] : c.code;
  if (o.kind !== "flowpin") return `${c.label}: expected ${want.join(" or ")}, ${describeOutcome(o)}`;
  if (!want.includes(o.code)) return `${c.label}: expected ${want.join(" or ")}, ${describeOutcome(o)}`;
  const isType = (TYPE_CODES as readonly string[]).includes(o.code);
  const isRange = (RANGE_CODES as readonly string[]).includes(o.code);
  if (o.isType !== isType || o.isRange !== isRange) return `${c.label}: ${o.code} thrown as the wrong class`;
  if (!o.message.includes(c.names)) return `${c.label}: message does not name ${JSON.stringify(c.names)}: ${o.message}`;
  return undefined;
}

// ---- fixtures ------------------------------------------------------------------------------

const KEY8 = Uint8Array.from({ length: 8 }, (_, i) => i + 1);
const KEY16 = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const SEED16 = Uint8Array.from({ length: 16 }, (_, i) => 0x30 + i);
const DATA = new TextEncoder().encode("flowpin");
const FLOW: Flow = { src: "198.51.100.7", dst: "203.0.113.1", sport: 51512, dport: 443, proto: "tcp" };
const hasher = new FlowHasher({ key: KEY8 });
const rss = new FlowHasher({ profile: "toeplitz" });
const maglev = new Maglev({ backends: [{ id: "10.0.0.1:80" }, { id: "10.0.0.2:80" }], size: 251 });
const rdv = new Rendezvous({ backends: ["10.0.0.1:80", "10.0.0.2:80"] });
const glb = new GlbTable({ seed: SEED16, hashKey: KEY16, backends: ["10.0.0.1", "10.0.0.2"] });
const batch = new FlowBatch(4);
const disposed = new FlowBatch(4);
disposed.dispose();
/** A FlowBatch made while another engine was active: it lives in that engine's memory. */
function otherEngineBatch(): FlowBatch {
  const before = engine();
  useEngine(before === "js" ? "wasm" : "js");
  try {
    return new FlowBatch(4);
  } finally {
    useEngine(before);
  }
}

// ---- hashes.* ------------------------------------------------------------------------------

{
  const g = "hashes";
  const dataFns: [string, (d: unknown) => unknown][] = [
    ["xxh32", (d) => hashes.xxh32(d as Uint8Array)],
    ["xxh64", (d) => hashes.xxh64(d as Uint8Array)],
    ["murmur3_32", (d) => hashes.murmur3_32(d as Uint8Array)],
    ["murmur3_128", (d) => hashes.murmur3_128(d as Uint8Array)],
    ["jhash", (d) => hashes.jhash(d as Uint8Array)],
    ["siphash24", (d) => hashes.siphash24(d as Uint8Array, KEY16)],
    ["siphash13", (d) => hashes.siphash13(d as Uint8Array, KEY16)],
    ["halfsiphash24", (d) => hashes.halfsiphash24(d as Uint8Array, KEY8)],
    ["halfsiphash13", (d) => hashes.halfsiphash13(d as Uint8Array, KEY8)],
    ["toeplitz", (d) => hashes.toeplitz(d as Uint8Array, new Uint8Array(40))],
  ];
  for (const [name, f] of dataFns) each(g, `${name}(data)`, "data", NOT_BYTES, f);
  each(g, "xxh32(_, seed)", "seed", BAD_U32.filter(([l]) => l !== "undefined"), (s) => hashes.xxh32(DATA, s as number));
  each(g, "murmur3_32(_, seed)", "seed", BAD_U32, (s) => hashes.murmur3_32(DATA, s as number));
  each(g, "murmur3_128(_, seed)", "seed", BAD_U32, (s) => hashes.murmur3_128(DATA, s as number));
  each(g, "jhash(_, initval)", "initval", BAD_U32, (s) => hashes.jhash(DATA, s as number));
  each(g, "xxh64(_, seed)", "seed", BAD_U64, (s) => hashes.xxh64(DATA, s as bigint));
  const requiredU32 = [...BAD_U32, ["undefined", undefined, "INVALID_TYPE"] as const];
  each(g, "jhash2words(a)", "a", requiredU32, (x) => hashes.jhash2words(x as number, 1, 2));
  each(g, "jhash2words(_, b)", "b", requiredU32, (x) => hashes.jhash2words(1, x as number, 2));
  each(g, "jhash2words(_, _, initval)", "initval", requiredU32, (x) => hashes.jhash2words(1, 2, x as number));
  each(g, "jhash3words(_, _, c)", "c", requiredU32, (x) => hashes.jhash3words(1, 2, x as number, 3));
  each(g, "jhash3words(_, _, _, initval)", "initval", requiredU32, (x) => hashes.jhash3words(1, 2, 3, x as number));
  const keyFns: [string, number, (k: unknown) => unknown][] = [
    ["siphash24", 16, (k) => hashes.siphash24(DATA, k as Uint8Array)],
    ["siphash13", 16, (k) => hashes.siphash13(DATA, k as Uint8Array)],
    ["halfsiphash24", 8, (k) => hashes.halfsiphash24(DATA, k as Uint8Array)],
    ["halfsiphash13", 8, (k) => hashes.halfsiphash13(DATA, k as Uint8Array)],
  ];
  for (const [name, len, f] of keyFns) {
    each(g, `${name}(_, key)`, "key", NOT_BYTES, f);
    each(g, `${name}(_, key)`, "key", [0, len - 1, len + 1, 2 * len].map((n): Bad => [`${n} bytes`, new Uint8Array(n), "INVALID_KEY"]), f);
  }
  each(g, "toeplitz(_, key)", "key", NOT_BYTES, (k) => hashes.toeplitz(DATA, k as Uint8Array));
  each(g, "toeplitz(_, key)", "key", [["10 bytes for 7 of data", new Uint8Array(10), "INVALID_KEY"]], (k) => hashes.toeplitz(DATA, k as Uint8Array));
}

// ---- addresses, ports, protocols, flows ----------------------------------------------------

{
  const g = "flow parsing";
  each(g, "parseAddress", "address", BAD_ADDRESS, (a) => parseAddress(a as string));
  each(g, "formatAddress", "address", BAD_ADDRESS, (a) => formatAddress(a as string));
  each(g, "parsePort", "port", BAD_PORT, (p) => parsePort(p));
  each(g, "parseProtocol", "proto", BAD_PROTO, (p) => parseProtocol(p));

  // Every entry that takes a Flow, each field replaced by each bad value of its kind.
  const flowTakers: [string, (f: Flow) => unknown, Record<string, string>?][] = [
    ["parseFlow", (f) => parseFlow(f)],
    ["canonicalFlowBytes", (f) => canonicalFlowBytes(f)],
    ["FlowHasher(flowpin).hash", (f) => hasher.hash(f)],
    ["FlowHasher(toeplitz).hash", (f) => rss.hash(f)],
    ["FlowBatch.set", (f) => batch.set(0, f)],
    ["Maglev.pick", (f) => maglev.pick(f, hasher)],
    ["Rendezvous.pick", (f) => rdv.pick(f, hasher)],
    ["GlbTable.lookup", (f) => glb.lookup(f)],
  ];
  const fields: [keyof Flow, readonly Bad[]][] = [
    ["src", BAD_ADDRESS],
    ["dst", BAD_ADDRESS],
    ["sport", BAD_PORT],
    ["dport", BAD_PORT],
    ["proto", BAD_PROTO],
  ];
  for (const [name, take] of flowTakers) {
    each(g, `${name}(flow)`, "flow", [...NOT_OBJECT, ["undefined", undefined, "INVALID_TYPE"]], (f) => take(f as Flow));
    for (const [field, bad] of fields) each(g, `${name}(flow.${field})`, field, bad, (v) => take({ ...FLOW, [field]: v }));
    add(g, { label: `${name}(IPv4 src, IPv6 dst)`, call: () => take({ ...FLOW, dst: "2001:db8::1" }), code: "MIXED_FAMILIES", names: "dst" });
  }
  each(g, "canonicalFlowBytes(_, options)", "options", [...NOT_OBJECT, ["[]", [], "INVALID_TYPE"]], (o) => canonicalFlowBytes(FLOW, o as never));
  each(g, "canonicalFlowBytes(_, {symmetric})", "symmetric", [['"yes"', "yes", "INVALID_TYPE"], ["1", 1, "INVALID_TYPE"], ["null", null, "INVALID_TYPE"], ['"false"', "false", "INVALID_TYPE"]], (s) => canonicalFlowBytes(FLOW, { symmetric: s as boolean }));
}

// ---- FlowHasher ----------------------------------------------------------------------------

{
  const g = "FlowHasher";
  const make = (o: unknown): unknown => new FlowHasher(o as never);
  each(g, "new FlowHasher(options)", "options", NOT_OBJECT, make);
  each(g, "profile", "profile", [['"FLOWPIN"', "FLOWPIN", "UNKNOWN_PROFILE"], ['""', "", "UNKNOWN_PROFILE"], ['"maglev"', "maglev", "UNKNOWN_PROFILE"], ["5", 5, "UNKNOWN_PROFILE"]], (p) => make({ profile: p, key: KEY8 }));
  each(g, "flowpin key", "key", NOT_BYTES.filter(([l]) => l !== "undefined" && l !== "a detached Uint8Array"), (k) => make({ key: k }));
  add(g, { label: "flowpin key = a detached Uint8Array", call: () => make({ key: detachedBytes(8) }), code: ["INVALID_TYPE", "INVALID_KEY"], names: "key" });
  add(g, { label: "flowpin key missing", call: () => make({}), code: "INVALID_KEY", names: "key" });
  each(g, "flowpin key", "key", [0, 7, 9, 16].map((n): Bad => [`${n} bytes`, new Uint8Array(n), "INVALID_KEY"]), (k) => make({ key: k }));
  add(g, { label: "glb key missing", call: () => make({ profile: "glb" }), code: "INVALID_KEY", names: "key" });
  each(g, "glb key", "key", [8, 15, 17, 32].map((n): Bad => [`${n} bytes`, new Uint8Array(n), "INVALID_KEY"]), (k) => make({ profile: "glb", key: k }));
  each(g, "toeplitz key", "key", [["11 bytes", new Uint8Array(11), "INVALID_KEY"]], (k) => make({ profile: "toeplitz", key: k }));
  add(g, { label: "symmetric toeplitz with a key of period > 16 bits", call: () => make({ profile: "toeplitz", symmetric: true, key: new Uint8Array(40).map((_, i) => i) }), code: "INVALID_KEY", names: "period" });
  for (const p of ["katran", "cilium", "envoy"]) add(g, { label: `${p} with a key`, call: () => make({ profile: p, key: KEY8 }), code: "INVALID_KEY", names: "key" });
  const notBool: Bad[] = [['"yes"', "yes", "INVALID_TYPE"], ["1", 1, "INVALID_TYPE"], ["null", null, "INVALID_TYPE"], ["{}", {}, "INVALID_TYPE"]];
  each(g, "symmetric", "symmetric", notBool, (s) => make({ key: KEY8, symmetric: s }));
  each(g, "noPorts", "noPorts", notBool, (s) => make({ key: KEY8, noPorts: s }));
  each(g, "katran.srcDstPort", "katran.srcDstPort", notBool, (s) => make({ profile: "katran", katran: { srcDstPort: s } }));
  for (const [opt, value] of [["symmetric", true], ["noPorts", true]] as const) {
    for (const p of ["katran", "cilium", "envoy"]) add(g, { label: `${opt} on ${p}`, call: () => make({ profile: p, [opt]: value }), code: "INVALID_CONFIG", names: opt });
  }
  add(g, { label: "katran options on flowpin", call: () => make({ key: KEY8, katran: {} }), code: "INVALID_CONFIG", names: "katran" });
  add(g, { label: "cilium options on katran", call: () => make({ profile: "katran", cilium: {} }), code: "INVALID_CONFIG", names: "cilium" });
  add(g, { label: "glb options on flowpin", call: () => make({ key: KEY8, glb: {} }), code: "INVALID_CONFIG", names: "glb" });
  each(g, "cilium.hashSeed", "cilium.hashSeed", [['"abc"', "abc", "INVALID_KEY"], ['""', "", "INVALID_KEY"], ["5", 5, "INVALID_TYPE"], ["16 chars, one not base64", "JLfvgnHc2kaSUFa!", "INVALID_KEY"], ["17 chars", "JLfvgnHc2kaSUFaIA", "INVALID_KEY"]], (s) => make({ profile: "cilium", cilium: { hashSeed: s } }));
  each(g, "cilium.seeds.v4", "cilium.seeds.v4", [["-1", -1, "INVALID_KEY"], ["2**32", 2 ** 32, "INVALID_KEY"], ["1.5", 1.5, "INVALID_KEY"], ['"1"', "1", "INVALID_TYPE"], ["NaN", NaN, "INVALID_KEY"]], (s) => make({ profile: "cilium", cilium: { seeds: { v4: s, v6: 1 } } }));
  add(g, { label: "cilium seeds and hashSeed", call: () => make({ profile: "cilium", cilium: { seeds: { v4: 1, v6: 2 }, hashSeed: "JLfvgnHc2kaSUFaI" } }), code: "INVALID_CONFIG", names: "hashSeed" });
  each(g, "glb.fields", "glb.fields", [["[]", [], "INVALID_CONFIG"], ['"src_addr"', "src_addr", "INVALID_CONFIG"], ['["src"]', ["src"], "INVALID_CONFIG"], ["[5]", [5], "INVALID_CONFIG"], ['["__proto__"]', ["__proto__"], "INVALID_CONFIG"]], (f) => make({ profile: "glb", key: KEY16, glb: { fields: f } }));

  // hashV4 is the no-parse fast path: its type errors carry the field's range code.
  const v4 = (i: number, x: unknown): unknown => {
    const a: unknown[] = [0xc6336407, 0xcb007101, 51512, 443, 6];
    a[i] = x;
    return hasher.hashV4(...(a as [number, number, number, number, number]));
  };
  const asField = (code: Code, list: readonly Bad[]): Bad[] => list.map(([l, v]) => [l, v, code]);
  each(g, "hashV4(src)", "src", asField("INVALID_ADDRESS", BAD_U32), (x) => v4(0, x));
  each(g, "hashV4(_, dst)", "dst", asField("INVALID_ADDRESS", BAD_U32), (x) => v4(1, x));
  each(g, "hashV4(_, _, sport)", "sport", asField("INVALID_PORT", BAD_PORT), (x) => v4(2, x));
  each(g, "hashV4(_, _, _, dport)", "dport", asField("INVALID_PORT", BAD_PORT), (x) => v4(3, x));
  each(g, "hashV4(_, _, _, _, proto)", "proto", asField("INVALID_PROTOCOL", BAD_PROTO.filter(([, v]) => typeof v !== "string")), (x) => v4(4, x));

  each(g, "hashBatch(batch)", "batch", [...NOT_OBJECT, ["{}", {}, "INVALID_TYPE"], ["a Uint32Array", new Uint32Array(4), "INVALID_TYPE"]], (b) => hasher.hashBatch(b as FlowBatch));
  add(g, { label: "hashBatch(an object with a pointers() method)", call: () => hasher.hashBatch({ pointers: () => ({}), family: 4, length: 1, engine: {} } as never), code: "INVALID_TYPE", names: "batch" });
  add(g, { label: "hashBatch(a FlowBatch-prototyped look-alike)", call: () => hasher.hashBatch(Object.create(FlowBatch.prototype)), code: "INVALID_TYPE", names: "batch" });
  add(g, { label: "hashBatch(a batch of another engine)", call: () => hasher.hashBatch(otherEngineBatch()), code: "INVALID_TYPE", names: "batch" });
  add(g, { label: "hashBatch(a disposed FlowBatch)", call: () => hasher.hashBatch(disposed), code: "DISPOSED", names: "disposed" });
  each(g, "hashPackets(packets)", "packets", [...NOT_OBJECT, ["undefined", undefined, "INVALID_TYPE"], ["a Uint8Array", new Uint8Array(40), "INVALID_TYPE"], ["an array-like", { length: 1, 0: new Uint8Array(40) }, "INVALID_TYPE"]], (p) => hasher.hashPackets(p as Uint8Array[]));
  each(g, "hashPackets([x])", "packets[0]", NOT_BYTES.filter(([l]) => l !== "a detached Uint8Array"), (p) => hasher.hashPackets([p as Uint8Array]));
  add(g, { label: "hashPackets([a detached Uint8Array])", call: () => hasher.hashPackets([detachedBytes()]), code: "INVALID_TYPE", names: "packets[0]" });
  add(g, { label: "hashPackets([ok, a detached Uint8Array])", call: () => hasher.hashPackets([new Uint8Array(20), detachedBytes()]), code: "INVALID_TYPE", names: "packets[1]" });
  add(g, { label: "hashPackets([ok, 5])", call: () => hasher.hashPackets([new Uint8Array(20), 5 as never]), code: "INVALID_TYPE", names: "packets[1]" });
  add(g, { label: "hashPackets(holes)", call: () => hasher.hashPackets(new Array(3)), code: "INVALID_TYPE", names: "packets[0]" });
}

// ---- FlowBatch -----------------------------------------------------------------------------

{
  const g = "FlowBatch";
  const capRange: Bad[] = [["0", 0, "OUT_OF_RANGE"], ["-1", -1, "OUT_OF_RANGE"], ["1.5", 1.5, "OUT_OF_RANGE"], ["NaN", NaN, "OUT_OF_RANGE"], ["-0", -0, "OUT_OF_RANGE"], ["2**24 + 1", 2 ** 24 + 1, "OUT_OF_RANGE"], ["Infinity", Infinity, "OUT_OF_RANGE"], ["2**53", 2 ** 53, "OUT_OF_RANGE"]];
  const capType: Bad[] = [['"4"', "4", "INVALID_TYPE"], ["null", null, "INVALID_TYPE"], ["undefined", undefined, "INVALID_TYPE"], ["4n", 4n, "INVALID_TYPE"]];
  each(g, "new FlowBatch(capacity)", "capacity", [...capRange, ...capType], (c) => new FlowBatch(c as number));
  each(g, "new FlowBatch(_, {family})", "family", [["5", 5, "OUT_OF_RANGE"], ['"4"', "4", "OUT_OF_RANGE"], ["0", 0, "OUT_OF_RANGE"], ["4.5", 4.5, "OUT_OF_RANGE"]], (f) => new FlowBatch(4, { family: f as 4 }));
  // null options is INVALID_TYPE, as for new FlowHasher(null) and Maglev's opts.
  each(g, "new FlowBatch(_, options)", "options", NOT_OBJECT, (o) => new FlowBatch(4, o as never));
  const idx: Bad[] = [["-1", -1, "OUT_OF_RANGE"], ["4 (= capacity)", 4, "OUT_OF_RANGE"], ["1.5", 1.5, "OUT_OF_RANGE"], ["NaN", NaN, "OUT_OF_RANGE"], ['"0"', "0", "OUT_OF_RANGE"]];
  each(g, "batch.length", "length", idx.map(([l, v, c]) => (l.startsWith("4 ") ? (["5", 5, c] as Bad) : [l, v, c])), (n) => {
    batch.length = n as number;
  });
  each(g, "batch.set(index)", "index", idx, (i) => batch.set(i as number, FLOW));
  add(g, { label: "batch.set(IPv6 flow) on an IPv4 batch", call: () => batch.set(0, { ...FLOW, src: "2001:db8::1", dst: "2001:db8::2" }), code: "MIXED_FAMILIES", names: "IPv4" });
  add(g, { label: "disposed batch.src", call: () => disposed.src, code: "DISPOSED", names: "disposed" });
  add(g, { label: "disposed batch.set", call: () => disposed.set(0, FLOW), code: "DISPOSED", names: "disposed" });
}

// ---- readPcap, engines -----------------------------------------------------------------------

{
  const g = "readPcap and engines";
  each(g, "readPcap(bytes)", "bytes", NOT_BYTES, (b) => readPcap(b as Uint8Array));
  each(g, "useEngine(kind)", "engine", [['"x"', "x", "OUT_OF_RANGE"], ['"WASM"', "WASM", "OUT_OF_RANGE"], ['""', "", "OUT_OF_RANGE"], ["5", 5, "OUT_OF_RANGE"], ["null", null, "OUT_OF_RANGE"], ["undefined", undefined, "OUT_OF_RANGE"]], (k) => useEngine(k as "js"));
  each(g, "initFromModule(module)", "module", [["{}", {}, "INVALID_TYPE"], ["null", null, "INVALID_TYPE"], ["undefined", undefined, "INVALID_TYPE"], ["Wasm bytes", Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0), "INVALID_TYPE"], ["a Promise", Promise.resolve(1), "INVALID_TYPE"]], (m) => initFromModule(m as WebAssembly.Module));
}

// ---- Maglev --------------------------------------------------------------------------------

{
  const g = "Maglev";
  const B = [{ id: "a" }, { id: "b" }];
  const make = (o: unknown): unknown => new Maglev(o as never);
  each(g, "new Maglev(options)", "options", [...NOT_OBJECT, ["undefined", undefined, "INVALID_TYPE"], ["[]", [], "INVALID_TYPE"]], make);
  each(g, "backends", "backends", [["undefined", undefined, "INVALID_TYPE"], ["null", null, "INVALID_TYPE"], ['"a"', "a", "INVALID_TYPE"], ["{}", {}, "INVALID_TYPE"], ["a Set", new Set([{ id: "a" }]), "INVALID_TYPE"], ["[]", [], "NO_BACKENDS"]], (b) => make({ backends: b }));
  each(g, "backends[0]", "backends[0]", [["null", null, "INVALID_TYPE"], ['"a"', "a", "INVALID_TYPE"], ["5", 5, "INVALID_TYPE"], ["[]", [], "INVALID_TYPE"], ["{}", {}, "INVALID_TYPE"]], (b) => make({ backends: [b] }));
  add(g, { label: "backends with holes (new Array(3))", call: () => make({ backends: new Array(3) }), code: "INVALID_TYPE", names: "backends[0]" });
  each(g, "backends[0].id", "backends[0].id", [['""', "", "INVALID_TYPE"], ["5", 5, "INVALID_TYPE"], ["null", null, "INVALID_TYPE"], ["a String object", Object("a"), "INVALID_TYPE"]], (id) => make({ backends: [{ id }] }));
  add(g, { label: "duplicate ids", call: () => make({ backends: [{ id: "a" }, { id: "a" }] }), code: "DUPLICATE_BACKEND", names: "backends[1]" });
  add(g, { label: "duplicate envoy keys", call: () => make({ backends: [{ id: "a", key: "k" }, { id: "b", key: "k" }] }), code: "DUPLICATE_BACKEND", names: "backends[1]" });
  const badWeights: Bad[] = [["NaN", NaN, "INVALID_WEIGHT"], ["-1", -1, "INVALID_WEIGHT"], ["Infinity", Infinity, "INVALID_WEIGHT"], ["1.5", 1.5, "INVALID_WEIGHT"], ["-0", -0, "INVALID_WEIGHT"], ['"1"', "1", "INVALID_TYPE"], ["null", null, "INVALID_TYPE"], ["2**32", 2 ** 32, "INVALID_WEIGHT"], ["1n", 1n, "INVALID_TYPE"]];
  each(g, "backends[0].weight", "backends[0].weight", badWeights, (w) => make({ backends: [{ id: "a", weight: w }, { id: "b" }] }));
  add(g, { label: "all weights 0", call: () => make({ backends: [{ id: "a", weight: 0 }, { id: "b", weight: 0 }] }), code: "INVALID_WEIGHT", names: "weight 0" });
  const sizes: Bad[] = [["65536 (not prime)", 65536, "INVALID_TABLE_SIZE"], ["1", 1, "INVALID_TABLE_SIZE"], ["0", 0, "INVALID_TABLE_SIZE"], ["-1", -1, "INVALID_TABLE_SIZE"], ["-0", -0, "INVALID_TABLE_SIZE"], ["7.5", 7.5, "INVALID_TABLE_SIZE"], ["NaN", NaN, "INVALID_TABLE_SIZE"], ["Infinity", Infinity, "INVALID_TABLE_SIZE"], ["2**53", 2 ** 53, "INVALID_TABLE_SIZE"], ["5000077 (prime, too big)", 5000077, "INVALID_TABLE_SIZE"], ['"251"', "251", "INVALID_TYPE"], ["null", null, "INVALID_TYPE"], ["251n", 251n, "INVALID_TYPE"]];
  each(g, "size", "size", sizes, (s) => make({ backends: B, size: s }));
  add(g, { label: "size 2 for 3 backends", call: () => make({ backends: [{ id: "a" }, { id: "b" }, { id: "c" }], size: 2 }), code: "INVALID_TABLE_SIZE", names: "size" });
  add(g, { label: "cilium size outside its list", call: () => make({ profile: "cilium", backends: [{ id: "a", key: "k" }], size: 65537 }), code: "INVALID_TABLE_SIZE", names: "size" });
  each(g, "profile", "profile", [['"haproxy"', "haproxy", "UNKNOWN_PROFILE"], ['""', "", "UNKNOWN_PROFILE"], ["5", 5, "UNKNOWN_PROFILE"], ['"Envoy"', "Envoy", "UNKNOWN_PROFILE"], ['"__proto__"', "__proto__", "UNKNOWN_PROFILE"]], (p) => make({ backends: B, profile: p }));
  each(g, "shared", "shared", [['"yes"', "yes", "INVALID_TYPE"], ["1", 1, "INVALID_TYPE"], ["null", null, "INVALID_TYPE"]], (s) => make({ backends: B, shared: s }));
  add(g, { label: "unknown option tableSize", call: () => make({ backends: B, tableSize: 7 }), code: "INVALID_CONFIG", names: "tableSize" });
  add(g, { label: "cilium option seed on envoy", call: () => make({ backends: B, seed: "JLfvgnHc2kaSUFaI" }), code: "INVALID_CONFIG", names: "seed" });
  add(g, { label: "katran backend without hash", call: () => make({ profile: "katran", backends: B }), code: "INVALID_KEY", names: "backends[0].hash" });
  each(g, "katran backends[0].hash", "backends[0].hash", [["-1n", -1n, "INVALID_KEY"], ["2n**64n", 2n ** 64n, "INVALID_KEY"], ["1.5", 1.5, "INVALID_KEY"], ['"x"', "x", "INVALID_KEY"], ["-0", -0, "INVALID_KEY"], ["2**53", 2 ** 53, "INVALID_KEY"]], (h) => make({ profile: "katran", backends: [{ id: "a", hash: h }] }));
  each(g, "katran version", "version", [['"v3"', "v3", "INVALID_CONFIG"], ["1", 1, "INVALID_CONFIG"], ['"V1"', "V1", "INVALID_CONFIG"]], (v) => make({ profile: "katran", version: v, backends: [{ id: "a", hash: 1n }] }));
  each(g, "cilium seed", "seed", [['"x"', "x", "INVALID_KEY"], ["5", 5, "INVALID_TYPE"], ['""', "", "INVALID_KEY"]], (s) => make({ profile: "cilium", seed: s, backends: [{ id: "a", key: "k" }] }));
  // A non-string address is a schema error there (INVALID_CONFIG), also acceptable.
  add(g, { label: "ipvs backends[0].address = 5", call: () => make({ profile: "ipvs", backends: [{ id: "a", address: 5, port: 80 }] }), code: ["INVALID_ADDRESS", "INVALID_CONFIG", "INVALID_TYPE"], names: "backends[0].address" });
  each(g, "ipvs backends[0].address", "backends[0].address", [['"10.0.0"', "10.0.0", "INVALID_ADDRESS"], ['"::g"', "::g", "INVALID_ADDRESS"]], (a) => make({ profile: "ipvs", backends: [{ id: "a", address: a, port: 80 }] }));
  each(g, "ipvs backends[0].port", "backends[0].port", BAD_PORT.filter(([l]) => l !== "undefined").map(([l, v]): Bad => [l, v, "INVALID_PORT"]), (p) => make({ profile: "ipvs", backends: [{ id: "a", address: "10.0.0.1", port: p }] }));
  add(g, { label: "ipvs backend without port", call: () => make({ profile: "ipvs", backends: [{ id: "a", address: "10.0.0.1" }] }), code: "INVALID_PORT", names: "backends[0].port" });
  each(g, "envoy localityWeights", "localityWeights", [['"x"', "x", "INVALID_CONFIG"], ["[]", [], "INVALID_CONFIG"], ["null", null, "INVALID_CONFIG"], ["{x: -1}", { x: -1 }, "INVALID_WEIGHT"], ["{x: 0}", { x: 0 }, "INVALID_WEIGHT"], ["{x: NaN}", { x: NaN }, "INVALID_WEIGHT"]], (lw) => make({ backends: [{ id: "a", locality: "x" }], localityWeights: lw }));

  const hashArgs = [...BAD_U64, ["undefined", undefined, "INVALID_TYPE"] as const].map(([l, v, c]): Bad => [l, v, l === "-0" ? "OUT_OF_RANGE" : c]);
  each(g, "lookup(hash)", "hash", hashArgs, (h) => maglev.lookup(h as number));
  each(g, "lookupIndex(hash)", "hash", hashArgs, (h) => maglev.lookupIndex(h as number));
  each(g, "pick(_, hasher)", "hasher", [...NOT_OBJECT, ["undefined", undefined, "INVALID_TYPE"], ["{}", {}, "INVALID_TYPE"], ["{hash: 5}", { hash: 5 }, "INVALID_TYPE"]], (h) => maglev.pick(FLOW, h as FlowHasher));
  add(g, { label: "pick with a hasher returning -1", call: () => maglev.pick(FLOW, { hash: () => -1 }), code: "OUT_OF_RANGE", names: "hash" });
  add(g, { label: "pick with a hasher returning a string", call: () => maglev.pick(FLOW, { hash: () => "1" as never }), code: "INVALID_TYPE", names: "hash" });
  const notU32Array: Bad[] = [["a Uint16Array", new Uint16Array(4), "INVALID_TYPE"], ["an Int32Array", new Int32Array(4), "INVALID_TYPE"], ["an array", [1, 2], "INVALID_TYPE"], ["null", null, "INVALID_TYPE"], ["undefined", undefined, "INVALID_TYPE"]];
  each(g, "lookupBatch(hashes)", "hashes", notU32Array, (h) => maglev.lookupBatch(h as Uint32Array, new Uint32Array(4)));
  each(g, "lookupBatch(_, out)", "out", [["a Uint8Array", new Uint8Array(4), "INVALID_TYPE"], ["an Int32Array", new Int32Array(4), "INVALID_TYPE"], ["an array", [0, 0, 0, 0], "INVALID_TYPE"], ["null", null, "INVALID_TYPE"], ["too short", new Uint32Array(3), "OUT_OF_RANGE"]], (o) => maglev.lookupBatch(new Uint32Array(4), o as Uint32Array));
  each(g, "lookupBatch(_, _, hashesHi)", "hashesHi", [["a Uint16Array", new Uint16Array(4), "INVALID_TYPE"], ["an array", [0, 0, 0, 0], "INVALID_TYPE"], ["null", null, "INVALID_TYPE"], ["too short", new Uint32Array(3), "OUT_OF_RANGE"]], (h) => maglev.lookupBatch(new Uint32Array(4), new Uint32Array(4), h as Uint32Array));
  each(g, "withBackends(backends)", "backends", [["[]", [], "NO_BACKENDS"], ["null", null, "INVALID_TYPE"], ["dup", [{ id: "a" }, { id: "a" }], "DUPLICATE_BACKEND"], ["NaN weight", [{ id: "a", weight: NaN }], "INVALID_WEIGHT"]], (b) => maglev.withBackends(b as never));
  add(g, { label: "withBackends(ok, null)", call: () => maglev.withBackends(B, null as never), code: "INVALID_TYPE", names: "opts" });
  add(g, { label: "withBackends(ok, {shared: \"yes\"})", call: () => maglev.withBackends(B, { shared: "yes" as never }), code: "INVALID_TYPE", names: "shared" });
  each(g, "Maglev.diff(a, b)", "Maglev", [...NOT_OBJECT, ["a Rendezvous", rdv, "INVALID_TYPE"]], (b) => Maglev.diff(maglev, b as Maglev));
  add(g, { label: "Maglev.diff of sizes 251 and 257", call: () => Maglev.diff(maglev, new Maglev({ backends: B, size: 257 })), code: "INVALID_TABLE_SIZE", names: "size" });
  each(g, "Maglev.fromBytes(bytes)", "bytes", NOT_BYTES.filter(([l]) => l !== "a detached Uint8Array"), (b) => Maglev.fromBytes(b as Uint8Array));
  add(g, { label: "Maglev.fromBytes(a detached Uint8Array)", call: () => Maglev.fromBytes(detachedBytes()), code: ["INVALID_TYPE", "CORRUPT_DATA"], names: "" });
  add(g, { label: "Maglev.fromBytes(ok, null)", call: () => Maglev.fromBytes(maglev.toBytes(), null as never), code: "INVALID_TYPE", names: "opts" });
  const shared = maglev.toShared();
  each(g, "Maglev.fromShared(s)", "", [["null", null, "CORRUPT_DATA"], ["{}", {}, "CORRUPT_DATA"], ["wrong format", { ...shared, format: "x" }, "CORRUPT_DATA"], ["table of Uint8Array", { ...shared, table: new Uint8Array(251) }, "CORRUPT_DATA"], ["short table", { ...shared, table: new Uint16Array(250) }, "CORRUPT_DATA"], ["entry out of range", { ...shared, table: new Uint16Array(251).fill(2) }, "CORRUPT_DATA"], ["no backends", { ...shared, backends: [] }, "CORRUPT_DATA"], ["size not prime", { ...shared, size: 250, table: new Uint16Array(250) }, "CORRUPT_DATA"]], (s) => Maglev.fromShared(s as never));
}

// ---- GlbTable ------------------------------------------------------------------------------

{
  const g = "GlbTable";
  const base = { seed: SEED16, hashKey: KEY16, backends: ["10.0.0.1", "10.0.0.2"] };
  const make = (o: unknown): unknown => new GlbTable(o as never);
  each(g, "new GlbTable(options)", "options", [...NOT_OBJECT, ["undefined", undefined, "INVALID_TYPE"]], make);
  for (const k of ["seed", "hashKey"] as const) {
    each(g, k, k, NOT_BYTES.filter(([l]) => l !== "a detached Uint8Array"), (x) => make({ ...base, [k]: x }));
    add(g, { label: `${k} = a detached Uint8Array`, call: () => make({ ...base, [k]: detachedBytes(16) }), code: ["INVALID_TYPE", "INVALID_KEY"], names: k });
    each(g, k, k, [0, 8, 15, 17, 32].map((n): Bad => [`${n} bytes`, new Uint8Array(n), "INVALID_KEY"]), (x) => make({ ...base, [k]: x }));
  }
  each(g, "backends", "backends", [["undefined", undefined, "INVALID_TYPE"], ['"10.0.0.1"', "10.0.0.1", "INVALID_TYPE"], ["[]", [], "NO_BACKENDS"], ["257 backends", Array.from({ length: 257 }, (_, i) => `10.0.${i >> 8}.${i & 255}`), "OUT_OF_RANGE"], ["2**32-1 holes", (() => { const a: unknown[] = []; a.length = 2 ** 32 - 1; return a; })(), "OUT_OF_RANGE"]], (b) => make({ ...base, backends: b }));
  each(g, "backends[0]", "backends[0]", [["null", null, "INVALID_TYPE"], ["5", 5, "INVALID_TYPE"]], (b) => make({ ...base, backends: [b] }));
  each(g, "backends[0].address", "backends[0].address", BAD_ADDRESS.filter(([l]) => !["-1", "2**32", "1.5", "-0", "NaN"].includes(l)), (a) => make({ ...base, backends: [{ address: a }] }));
  each(g, "backends[0].state", "backends[0].state", [['"up"', "up", "INVALID_CONFIG"], ["1", 1, "INVALID_CONFIG"], ['"ACTIVE"', "ACTIVE", "INVALID_CONFIG"]], (s) => make({ ...base, backends: [{ address: "10.0.0.1", state: s }] }));
  each(g, "backends[0].healthy", "backends[0].healthy", [['"yes"', "yes", "INVALID_TYPE"], ["1", 1, "INVALID_TYPE"]], (h) => make({ ...base, backends: [{ address: "10.0.0.1", healthy: h }] }));
  add(g, { label: "duplicate addresses (IPv4 and its text twin)", call: () => make({ ...base, backends: ["10.0.0.1", Uint8Array.of(10, 0, 0, 1)] }), code: "DUPLICATE_BACKEND", names: "backends[1]" });
  add(g, { label: "all backends inactive", call: () => make({ ...base, backends: [{ address: "10.0.0.1", state: "inactive" }] }), code: "NO_BACKENDS", names: "inactive" });
  // null for an optional field means "absent" throughout flowpin (`??`), so binds: null is not a case.
  each(g, "binds", "binds", [['"x"', "x", "INVALID_TYPE"], ["5", 5, "INVALID_TYPE"]], (b) => make({ ...base, binds: b }));
  const bind = { ip: "192.0.2.1", proto: "tcp", port: 443 };
  each(g, "binds[0]", "binds[0]", [
    ["null", null, "INVALID_TYPE"],
    ["ip 5", { ...bind, ip: 5 }, "INVALID_TYPE"],
    ["ip 192.0.2.1/33", { ...bind, ip: "192.0.2.1/33" }, "INVALID_ADDRESS"],
    ["ip 192.0.2.1/", { ...bind, ip: "192.0.2.1/" }, "INVALID_ADDRESS"],
    ["ip 192.0.2.1/-1", { ...bind, ip: "192.0.2.1/-1" }, "INVALID_ADDRESS"],
    ["ip 192.0.2/24", { ...bind, ip: "192.0.2/24" }, "INVALID_ADDRESS"],
    ["proto sctp", { ...bind, proto: "sctp" }, "INVALID_PROTOCOL"],
    ["proto 6", { ...bind, proto: 6 }, "INVALID_PROTOCOL"],
    ["port 70000", { ...bind, port: 70000 }, "INVALID_PORT"],
    ["port -0", { ...bind, port: -0 }, "INVALID_PORT"],
    ["port and portStart", { ...bind, portStart: 1, portEnd: 2 }, "INVALID_CONFIG"],
    ["no port at all", { ip: "192.0.2.1", proto: "tcp" }, "INVALID_TYPE"],
  ], (b) => make({ ...base, binds: [b] }));
  each(g, "swap", "swap", [['"x"', "x", "INVALID_CONFIG"], ["1", 1, "INVALID_CONFIG"]], (s) => make({ ...base, swap: s }));
  each(g, "hashFields", "hashFields", [["[]", [], "INVALID_CONFIG"], ['["src"]', ["src"], "INVALID_CONFIG"], ['"src_addr"', "src_addr", "INVALID_CONFIG"]], (f) => make({ ...base, hashFields: f }));
  each(g, "entry(row)", "row", [...BAD_U32.filter(([l]) => l !== "2**32"), ["65536", 65536, "OUT_OF_RANGE"], ["undefined", undefined, "INVALID_TYPE"]], (r) => glb.entry(r as number));
  each(g, "row(hash)", "hash", [["-1n", -1n, "OUT_OF_RANGE"], ["2n**64n", 2n ** 64n, "OUT_OF_RANGE"]], (h) => glb.row(h as bigint));
  each(g, "row(a number)", "flow", [["5", 5, "INVALID_TYPE"], ["null", null, "INVALID_TYPE"]], (h) => glb.row(h as bigint));
  each(g, "GlbTable.toBytes(tables)", "tables", [['"x"', "x", "INVALID_TYPE"], ["null", null, "INVALID_TYPE"], ["[5]", [5], "INVALID_TYPE"]], (t) => GlbTable.toBytes(t as GlbTable[]));
  each(g, "GlbTable.fromBytes(bytes)", "bytes", NOT_BYTES.filter(([l]) => l !== "a detached Uint8Array"), (b) => GlbTable.fromBytes(b as Uint8Array));
  each(g, "GlbTable.allFromBytes(bytes)", "bytes", NOT_BYTES.filter(([l]) => l !== "a detached Uint8Array"), (b) => GlbTable.allFromBytes(b as Uint8Array));
  const file = glb.toBytes();
  each(g, "GlbTable.fromBytes(_, index)", "index", [["1 (one table)", 1, "OUT_OF_RANGE"], ["-1", -1, "OUT_OF_RANGE"], ["0.5", 0.5, "OUT_OF_RANGE"], ['"0"', "0", "INVALID_TYPE"], ["null", null, "INVALID_TYPE"]], (i) => GlbTable.fromBytes(file, i as number));
  each(g, "GlbTable.diff(a, b)", "GlbTable", [...NOT_OBJECT, ["a Maglev", maglev, "INVALID_TYPE"]], (b) => GlbTable.diff(glb, b as GlbTable));
  each(g, "withBackends(backends)", "backends", [["[]", [], "NO_BACKENDS"], ["null", null, "INVALID_TYPE"], ["bad address", ["10.0.0"], "INVALID_ADDRESS"]], (b) => glb.withBackends(b as string[]));
}

// ---- jump ----------------------------------------------------------------------------------

{
  const g = "jump";
  each(g, "jump(key)", "key", [...BAD_U64.filter(([l]) => l !== "[1]"), ["undefined", undefined, "INVALID_TYPE"]], (k) => jump(k as bigint, 10));
  each(g, "jump([lo, hi])", "key", [["[1]", [1], "INVALID_TYPE"], ["[1, 2, 3]", [1, 2, 3], "INVALID_TYPE"], ["[]", [], "INVALID_TYPE"]], (k) => jump(k as [number, number], 10));
  each(g, "jump([lo])", "key[0]", BAD_U32.map(([l, v, c]): Bad => [l, v, c]), (lo) => jump([lo as number, 0], 10));
  each(g, "jump([_, hi])", "key[1]", BAD_U32, (hi) => jump([0, hi as number], 10));
  each(g, "jump(_, buckets)", "buckets", [["0", 0, "OUT_OF_RANGE"], ["-1", -1, "OUT_OF_RANGE"], ["2**31", 2 ** 31, "OUT_OF_RANGE"], ["1.5", 1.5, "OUT_OF_RANGE"], ["NaN", NaN, "OUT_OF_RANGE"], ["-0", -0, "OUT_OF_RANGE"], ['"5"', "5", "INVALID_TYPE"], ["5n", 5n, "INVALID_TYPE"], ["undefined", undefined, "INVALID_TYPE"]], (b) => jump(1n, b as number));
}

// ---- Rendezvous ----------------------------------------------------------------------------

{
  const g = "Rendezvous";
  const make = (o: unknown): unknown => new Rendezvous(o as never);
  each(g, "new Rendezvous(options)", "options", [...NOT_OBJECT, ["undefined", undefined, "INVALID_TYPE"]], make);
  each(g, "profile", "profile", [['"x"', "x", "UNKNOWN_PROFILE"], ["5", 5, "UNKNOWN_PROFILE"], ['"Envoy"', "Envoy", "UNKNOWN_PROFILE"]], (p) => make({ backends: ["a"], profile: p }));
  each(g, "backends", "backends", [['"a"', "a", "INVALID_TYPE"], ["null", null, "INVALID_TYPE"], ["[]", [], "NO_BACKENDS"]], (b) => make({ backends: b }));
  add(g, { label: "backends with holes (new Array(3))", call: () => make({ backends: new Array(3) }), code: "INVALID_TYPE", names: "backends[0]" });
  add(g, { label: "2**32-1 long sparse backends", call: () => make({ backends: new Array(2 ** 32 - 1) }), code: "INVALID_TYPE", names: "backends[0]" });
  each(g, "backends[0]", "backends[0]", [["null", null, "INVALID_TYPE"], ["5", 5, "INVALID_TYPE"], ['""', "", "INVALID_TYPE"], ["{}", {}, "INVALID_TYPE"], ["{id: 5}", { id: 5 }, "INVALID_TYPE"]], (b) => make({ backends: [b] }));
  each(g, "backends[0].weight", "backends[0].weight", [["NaN", NaN, "INVALID_WEIGHT"], ["-1", -1, "INVALID_WEIGHT"], ["Infinity", Infinity, "INVALID_WEIGHT"], ["1e-300", 1e-300, "INVALID_WEIGHT"], ["1e300", 1e300, "INVALID_WEIGHT"], ["-0", -0, "INVALID_WEIGHT"], ['"1"', "1", "INVALID_TYPE"], ["1n", 1n, "INVALID_TYPE"]], (w) => make({ backends: [{ id: "a", weight: w }, "b"] }));
  // "" is a string with a bad value: INVALID_KEY, as Maglev's and Ring's keys.
  each(g, "backends[0].key", "backends[0].key", [['""', "", "INVALID_KEY"], ["5", 5, "INVALID_TYPE"]], (k) => make({ backends: [{ id: "a", key: k }] }));
  add(g, { label: "duplicate ids", call: () => make({ backends: ["a", "a"] }), code: "DUPLICATE_BACKEND", names: "backends[1]" });
  add(g, { label: "duplicate keys", call: () => make({ backends: [{ id: "a", key: "k" }, { id: "b", key: "k" }] }), code: "DUPLICATE_BACKEND", names: "backends[1]" });
  add(g, { label: "all weights 0", call: () => make({ backends: [{ id: "a", weight: 0 }] }), code: "INVALID_WEIGHT", names: "weights" });
  const hashArgs = [...BAD_U64, ["undefined", undefined, "INVALID_TYPE"] as const].map(([l, v, c]): Bad => [l, v, l === "-0" ? "OUT_OF_RANGE" : c]);
  each(g, "pick(hash)", "hash", hashArgs, (h) => rdv.pick(h as number));
  each(g, "pickIndex(hash)", "hash", hashArgs, (h) => rdv.pickIndex(h as number));
  each(g, "topK(hash)", "hash", hashArgs, (h) => rdv.topK(h as number, 1));
  each(g, "topK(_, k)", "k", [["0", 0, "OUT_OF_RANGE"], ["3 (> 2 backends)", 3, "OUT_OF_RANGE"], ["1.5", 1.5, "OUT_OF_RANGE"], ["-0", -0, "OUT_OF_RANGE"], ['"1"', "1", "INVALID_TYPE"], ["undefined", undefined, "INVALID_TYPE"]], (k) => rdv.topK(1, k as number));
  each(g, "pick(flow, hasher)", "hasher", [["null", null, "INVALID_TYPE"], ["{}", {}, "INVALID_TYPE"], ["5", 5, "INVALID_TYPE"]], (h) => rdv.pick(FLOW, h as FlowHasher));
  add(g, { label: "pick(a flow, no hasher)", call: () => rdv.pick(FLOW as never), code: "INVALID_TYPE", names: "hasher" });
  each(g, "pickBatch(hashes)", "hashes", [["a Uint16Array", new Uint16Array(4), "INVALID_TYPE"], ["an array", [1, 2], "INVALID_TYPE"], ["null", null, "INVALID_TYPE"]], (h) => rdv.pickBatch(h as Uint32Array, new Uint32Array(4)));
  each(g, "pickBatch(_, out)", "out", [["a Uint16Array", new Uint16Array(4), "INVALID_TYPE"], ["too short", new Uint32Array(3), "OUT_OF_RANGE"], ["null", null, "INVALID_TYPE"]], (o) => rdv.pickBatch(new Uint32Array(4), o as Uint32Array));
  each(g, "pickBatch(_, _, hashesHi)", "hashesHi", [["an Int32Array", new Int32Array(4), "INVALID_TYPE"], ["too short", new Uint32Array(3), "OUT_OF_RANGE"]], (h) => rdv.pickBatch(new Uint32Array(4), new Uint32Array(4), h as Uint32Array));
  each(g, "stats(sample)", "sample", [["0", 0, "OUT_OF_RANGE"], ["-1", -1, "OUT_OF_RANGE"], ["1.5", 1.5, "OUT_OF_RANGE"], ["2**25", 2 ** 25, "OUT_OF_RANGE"], ['"10"', "10", "INVALID_TYPE"], ["empty Uint32Array", new Uint32Array(0), "OUT_OF_RANGE"], ["a Uint16Array", new Uint16Array(4), "INVALID_TYPE"]], (s) => rdv.stats(s as number));
  each(g, "Rendezvous.diff(a, b)", "Rendezvous", [...NOT_OBJECT, ["a Maglev", maglev, "INVALID_TYPE"]], (b) => Rendezvous.diff(rdv, b as Rendezvous));
  each(g, "withBackends(backends)", "backends", [["[]", [], "NO_BACKENDS"], ["null", null, "INVALID_TYPE"], ["dup", ["a", "a"], "DUPLICATE_BACKEND"]], (b) => rdv.withBackends(b as string[]));
}

// ---- Ring (ring hash, landed late in the session) -----------------------------------------

{
  const g = "Ring";
  const make = (o: unknown): unknown => new Ring(o as never);
  const ring = new Ring({ backends: ["a", "b"], minRingSize: 64, maxRingSize: 64 });
  each(g, "new Ring(options)", "options", [...NOT_OBJECT, ["undefined", undefined, "INVALID_TYPE"]], make);
  each(g, "backends", "backends", [['"a"', "a", "INVALID_TYPE"], ["null", null, "INVALID_TYPE"], ["[]", [], "NO_BACKENDS"]], (b) => make({ backends: b }));
  each(g, "backends[0]", "backends[0]", [["null", null, "INVALID_TYPE"], ["5", 5, "INVALID_TYPE"], ['""', "", "INVALID_TYPE"], ["{id: 5}", { id: 5 }, "INVALID_TYPE"]], (b) => make({ backends: [b] }));
  each(g, "backends[0].weight", "backends[0].weight", [["0", 0, "INVALID_WEIGHT"], ["NaN", NaN, "INVALID_WEIGHT"], ["-1", -1, "INVALID_WEIGHT"], ["Infinity", Infinity, "INVALID_WEIGHT"], ['"1"', "1", "INVALID_TYPE"]], (w) => make({ backends: [{ id: "a", weight: w }] }));
  add(g, { label: "duplicate ids", call: () => make({ backends: ["a", "a"] }), code: "DUPLICATE_BACKEND", names: "backends[1]" });
  add(g, { label: "backends with holes (new Array(3))", call: () => make({ backends: new Array(3) }), code: "INVALID_TYPE", names: "backends[0]" });
  add(g, { label: "backends with a hole at 1", call: () => make({ backends: ["a", , "b"] }), code: "INVALID_TYPE", names: "backends[1]" });
  const sparse = (first: boolean): unknown[] => {
    const a: unknown[] = first ? ["a"] : [];
    a.length = 2 ** 32 - 1;
    return a;
  };
  // Refused before any walk over the indices (a sparse map() over them took minutes).
  add(g, { label: "2**32-1 holes", call: () => make({ backends: sparse(false) }), code: "OUT_OF_RANGE", names: "backends" });
  add(g, { label: '["a"] then 2**32-2 holes', call: () => make({ backends: sparse(true) }), code: "OUT_OF_RANGE", names: "backends" });
  add(g, { label: "more backends than maxRingSize", call: () => make({ backends: ["a", "b", "c"], minRingSize: 2, maxRingSize: 2 }), code: "OUT_OF_RANGE", names: "maxRingSize" });
  each(g, "minRingSize", "minRingSize", [["0", 0, "OUT_OF_RANGE"], ["-1", -1, "OUT_OF_RANGE"], ["1.5", 1.5, "OUT_OF_RANGE"], ["2**24", 2 ** 24, "OUT_OF_RANGE"], ["-0", -0, "OUT_OF_RANGE"], ['"64"', "64", "INVALID_TYPE"]], (m) => make({ backends: ["a"], minRingSize: m }));
  each(g, "maxRingSize", "maxRingSize", [["0", 0, "OUT_OF_RANGE"], ["NaN", NaN, "OUT_OF_RANGE"], ["2**53", 2 ** 53, "OUT_OF_RANGE"]], (m) => make({ backends: ["a"], maxRingSize: m }));
  add(g, { label: "minRingSize > maxRingSize", call: () => make({ backends: ["a"], minRingSize: 128, maxRingSize: 64 }), code: "OUT_OF_RANGE", names: "minRingSize" });
  const hashArgs = [...BAD_U64, ["undefined", undefined, "INVALID_TYPE"] as const].map(([l, v, c]): Bad => [l, v, l === "-0" ? "OUT_OF_RANGE" : c]);
  // A ring spans 2^64: every number is refused as the wrong kind of hash (issue 14, "Ring
  // hygiene"); bigints outside 0..2^64-1 stay OUT_OF_RANGE.
  each(g, "pick(hash)", "hash", hashArgs.map(([l, val, c]): Bad => [l, val, typeof val === "number" ? "INVALID_TYPE" : c]), (h) => ring.pick(h as number));
  each(g, "pickBatch(hashes)", "hashes", [["a Uint16Array", new Uint16Array(4), "INVALID_TYPE"], ["null", null, "INVALID_TYPE"]], (h) => ring.pickBatch(h as Uint32Array, new Uint32Array(4), new Uint32Array(4)));
  each(g, "pickBatch(_, _, hashesHi)", "hashesHi", [["too short", new Uint32Array(3), "OUT_OF_RANGE"], ["undefined", undefined, "INVALID_TYPE"]], (h) => ring.pickBatch(new Uint32Array(4), new Uint32Array(4), h as Uint32Array));
  each(g, "withBackends(backends)", "backends", [["[]", [], "NO_BACKENDS"], ["null", null, "INVALID_TYPE"]], (b) => ring.withBackends(b as string[]));
}

// ---- run -------------------------------------------------------------------------------------

const counts = { cases: 0 };

describe("bad input to every public entry", () => {
  for (const [group, cases] of groups) {
    it(`${group}: ${cases.length} cases throw the promised FlowpinError`, () => {
      const failures = cases.map(check).filter((f): f is string => f !== undefined);
      counts.cases += cases.length;
      expect(failures, `${failures.length} of ${cases.length} cases misbehaved`).toEqual([]);
    });
  }

  it("a hostile object's own exception passes through untouched, and the engine still works", () => {
    const boom = new Error("getter says no");
    const canary = hasher.hash(FLOW);
    const hostile: [string, () => unknown][] = [
      ["flow.src getter", () => hasher.hash({ ...FLOW, get src(): string { throw boom; } })],
      ["flow.proto getter", () => hasher.hash({ ...FLOW, get proto(): "tcp" { throw boom; } })],
      ["Proxy flow", () => hasher.hash(new Proxy(FLOW, { get: () => { throw boom; } }))],
      ["FlowHasher options getter", () => new FlowHasher({ get key(): Uint8Array { throw boom; } })],
      ["Maglev backends getter", () => new Maglev({ get backends(): never { throw boom; } })],
      ["Maglev backend id getter", () => new Maglev({ backends: [{ get id(): string { throw boom; } }] })],
      ["Rendezvous weight getter", () => new Rendezvous({ backends: [{ id: "a", get weight(): number { throw boom; } }] })],
      ["batch.set flow getter", () => batch.set(0, { ...FLOW, get dport(): number { throw boom; } })],
      ["hashPackets array getter", () => hasher.hashPackets(new Proxy([new Uint8Array(20)], { get: (t, k) => (k === "0" ? (() => { throw boom; })() : Reflect.get(t, k)) }))],
    ];
    for (const [label, call] of hostile) {
      const o = outcome(call);
      expect(o.kind === "other" && o.error === boom, `${label}: ${describeOutcome(o)}`).toBe(true);
      expect(hasher.hash(FLOW), `engine state after ${label}`).toBe(canary);
    }
    counts.cases += hostile.length;
  });

  it("huge inputs are handled or refused, not crashed on", () => {
    // 100 000 empty packets: one TRUNCATED status each.
    const r = hasher.hashPackets(Array.from({ length: 100_000 }, () => new Uint8Array(0)));
    expect(r.status.length).toBe(100_000);
    expect(r.status.every((s) => s === 3)).toBe(true);
    // 70 000 backends in a 65537-slot table: refused before any work.
    const many = Array.from({ length: 70_000 }, (_, i) => ({ id: `b${i}` }));
    expect(check({ label: "70000 backends, size 65537", call: () => new Maglev({ backends: many }), code: "INVALID_TABLE_SIZE", names: "size" })).toBeUndefined();
    // A 1 MB address string is rejected without pathological parsing.
    expect(check({ label: "1 MB address", call: () => parseAddress("1".repeat(1 << 20)), code: "INVALID_ADDRESS", names: "address" })).toBeUndefined();
    counts.cases += 3;
  });

  afterAll(() => {
    console.log(`bad input: ${counts.cases} cases behaved over ${groups.size} groups`);
  });
});

describe("time-of-check / time-of-use: a getter that answers differently on the second read", () => {
  // A flow whose sport reads 80 first, then something else: the hash must be the hash of a
  // validated value (or a FlowpinError), never of the unvalidated second read.
  function flipping(field: "sport" | "dport", first: number, later: unknown): Flow {
    let reads = 0;
    return { ...FLOW, get [field]() { return reads++ === 0 ? first : later; } } as Flow;
  }
  it("FlowHasher.hash hashes the validated first read of flow.sport (80), not a later \"zz\"", () => {
    expect(hasher.hash(flipping("sport", 80, "zz"))).toBe(hasher.hash({ ...FLOW, sport: 80 }));
    expect(rss.hash(flipping("dport", 443, 1e9))).toBe(rss.hash(FLOW));
  });
  it("parseFlow returns the validated first read of flow.dport", () => {
    expect(parseFlow(flipping("dport", 443, 1e9)).dport).toBe(443);
    expect(parseFlow(flipping("sport", 80, -1)).sport).toBe(80);
  });
  it("canonicalFlowBytes encodes the validated read", () => {
    expect(canonicalFlowBytes(flipping("sport", 80, 99999))).toEqual(canonicalFlowBytes({ ...FLOW, sport: 80 }));
  });
  it("FlowBatch.set stores what it validated", () => {
    batch.set(1, flipping("sport", 80, 99999));
    expect(batch.sport[1]).toBe(80);
  });
  it("every flow taker reads each field of the flow exactly once", () => {
    const takers: [string, (f: Flow) => unknown][] = [
      ["parseFlow", (f) => parseFlow(f)],
      ["canonicalFlowBytes", (f) => canonicalFlowBytes(f, { symmetric: true })],
      ["FlowHasher(flowpin).hash", (f) => hasher.hash(f)],
      ["FlowHasher(toeplitz).hash", (f) => rss.hash(f)],
      ["FlowBatch.set", (f) => batch.set(2, f)],
      ["Maglev.pick", (f) => maglev.pick(f, hasher)],
      ["GlbTable.lookup", (f) => glb.lookup(f)],
    ];
    for (const flow of [FLOW, { ...FLOW, src: "2001:db8::1", dst: "2001:db8::2" }]) {
      for (const [name, take] of takers) {
        if (name === "FlowBatch.set" && flow !== FLOW) continue; // an IPv4 batch
        const reads: Record<string, number> = {};
        const counted = new Proxy(flow, { get: (t, k, r) => ((reads[String(k)] = (reads[String(k)] ?? 0) + 1), Reflect.get(t, k, r)) });
        take(counted);
        expect(reads, `${name}, IPv${flow === FLOW ? 4 : 6}`).toEqual({ src: 1, dst: 1, sport: 1, dport: 1, proto: 1 });
      }
    }
  });
});
