// What `hash` and `route` read flows from: repeated --flow specs, a CSV (header line) or JSON
// Lines file (`-` = standard input), or a capture read in chunks so memory stays bounded.
import fs from "node:fs";
import { FlowpinError } from "../errors.js";
import { CaptureReader, type PcapPacket } from "../pcap.js";
import { parseJson } from "./config.js";
import { readInput, usage } from "./io.js";

/** One flow record and where it came from, for messages ("flows.csv line 3: "). */
export interface FlowRecord {
  where: string;
  record: Record<string, unknown>;
}

/** Runs `f`, turning a FlowpinError into a usage error prefixed with `where`. */
export function at<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FlowpinError) usage(`${where}${e.message}`);
    throw e;
  }
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
export function specRecord(spec: string, where: string): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const item of spec.split(",")) {
    const eq = item.indexOf("=");
    if (eq < 0) usage(`${where}expected field=value, got ${JSON.stringify(item)}`);
    put(record, item.slice(0, eq).trim(), item.slice(eq + 1).trim(), where);
  }
  return record;
}

/** Every --flow given (the flag may repeat), as records. */
export function specRecords(flow: unknown): FlowRecord[] {
  const specs = flow === undefined ? [] : ([] as unknown[]).concat(flow);
  return specs.map((s, i) => {
    const where = specs.length === 1 ? "--flow: " : `--flow ${i + 1}: `;
    return { where, record: specRecord(String(s), where) };
  });
}

/**
 * The records of a CSV file with a header line, or of JSON Lines (one object per line); `-`
 * is standard input. `header`, when given, is the CSV header the file must have.
 */
export function fileRecords(file: string, header?: readonly string[]): FlowRecord[] {
  const bytes = file === "-" ? new Uint8Array(fs.readFileSync(0)) : readInput(file, "flows file", Infinity);
  const name = file === "-" ? "stdin" : file;
  const lines = new TextDecoder().decode(bytes).split(/\r?\n/);
  const out: FlowRecord[] = [];
  const first = lines.findIndex((l) => l.trim() !== "");
  if (first < 0) return out;
  if (lines[first]!.trimStart().startsWith("{")) {
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      const where = `${name} line ${i + 1}: `;
      const doc = at(where, () => parseJson(line, "the line"));
      if (typeof doc !== "object" || doc === null || Array.isArray(doc)) usage(`${where}expected a JSON object, got ${line.slice(0, 40)}`);
      out.push({ where, record: doc as Record<string, unknown> });
    });
    return out;
  }
  const names = lines[first]!.split(",").map((s) => s.trim());
  if (header && names.join(",") !== header.join(",")) usage(`${name} line ${first + 1}: the header must be ${header.join(",")}, got ${JSON.stringify(lines[first]!.slice(0, 80))}`);
  for (let i = first + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const where = `${name} line ${i + 1}: `;
    const cells = line.split(",").map((s) => s.trim());
    if (cells.length !== names.length) usage(`${where}expected ${names.length} fields (${names.join(",")}), got ${cells.length}`);
    const record: Record<string, unknown> = {};
    names.forEach((k, j) => put(record, k, cells[j]!, where));
    out.push({ where, record });
  }
  return out;
}

// 1 MiB reads: a 100 MB capture is never held whole (the reader keeps at most one record
// beyond the chunk), and the per-chunk overhead is negligible against the hashing.
const CHUNK = 1 << 20;

/** Calls `each` with the packets of every chunk of a pcap or pcapng file, in order. */
export function forEachCaptureChunk(file: string, each: (packets: PcapPacket[]) => void): void {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    usage(`cannot read pcap file ${JSON.stringify(file)}: ${code === "ENOENT" ? "no such file" : code ?? String(e)}`);
  }
  const reader = new CaptureReader();
  const buf = new Uint8Array(CHUNK);
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      const packets = at(`${file}: `, () => reader.push(buf.subarray(0, n)));
      if (packets.length) each(packets);
    }
    at(`${file}: `, () => reader.end());
  } finally {
    fs.closeSync(fd);
  }
}
