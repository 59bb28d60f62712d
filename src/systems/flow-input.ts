// Flow records the CLI read (a --flow spec, a CSV row, a JSON line) as a 5-tuple, for the
// systems whose input is a plain flow. Checked field by field; the flow itself is validated
// where it is hashed.
import type { Flow } from "../flow.js";
import { knownFields, object } from "../validate.js";

const FLOW_FIELDS = ["src", "dst", "sport", "dport", "proto"];

/** `{src, dst, sport, dport, proto}` and nothing else (plus `extra` fields a system allows). */
export function flowFromRecord(record: Record<string, unknown>, extra: readonly string[] = []): Flow {
  const r = object("flow", record);
  knownFields("flow", r, [...FLOW_FIELDS, ...extra]);
  return { src: r.src, dst: r.dst, sport: r.sport, dport: r.dport, proto: r.proto } as Flow;
}
