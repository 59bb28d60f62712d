/**
 * The `glb` system: GitHub's glb-director, end to end, from the files its operators write —
 * forwarding_table.json (as given to `glb-director-cli build-config`, glb-healthcheck's extra
 * keys included) and the director's JSON config (`hash_fields`, `alt_hash_fields`,
 * `forward_icmp_ping_responses`).
 *
 * For each packet or flow: the bind classifier picks the table (bind_classifier.c; see
 * classify.ts), the director's parser reads the fields (packet_parsing.h; fields.ts: ICMP
 * errors hashed on the quoted header with endpoints swapped, ports at a fixed 20 bytes after
 * an IPv4 header start), SipHash-2-4 under the table's hash_key hashes the configured fields
 * (hash.ts), and row = hash & 0xffff of the table glb-director-cli built (rows.ts: its swap
 * rule and quirks, one and no usable backend, duplicates). The result names the primary
 * (`backend`) and `secondary` as written in the file, the IPv4 `hops` the director writes in
 * its GUE packet (hops[0] the outer destination), and the outer UDP source port
 * (`gue_udp_sport`, glb_encap.c:163). With `alt_hash_fields` the alt row's pair follows as hops
 * 3 and 4 and in `alt`.
 *
 * `reason`: "table" (the row's primary), "no-usable" (the table has no usable backend; the
 * director still forwards to the row's primary, an inactive backend), "empty-slot" (the row
 * holds an index past the table's backends, left by an earlier table: the director sends to
 * 0.0.0.0; `backend` is null), "no-bind" (no table serves the destination: not forwarded),
 * "not-ip" / "truncated" (a packet the director cannot parse: dropped).
 *
 * Input: a flow `{src, dst, sport, dport, proto, icmp?}` (see GlbFlow) or an IP packet as a
 * Uint8Array (from its IP header on). `routeBatch` routes one by one: each table has its own
 * hash key, so a batch is not one Wasm call here.
 *
 * @example
 * import { systems } from "flowpin";
 * const glb = systems.glb({
 *   forwarding_table: { tables: [{ hash_key: "12345678901234561234567890123456", seed: "34567890123456783456789012345678",
 *     binds: [{ ip: "1.1.1.1", proto: "tcp", port: 80 }],
 *     backends: [{ ip: "1.2.3.4", state: "active", healthy: true }, { ip: "2.3.4.5", state: "active", healthy: true }] }] },
 *   director_conf: { hash_fields: { src_addr: true, src_port: true } },
 * });
 * glb.route({ src: "10.11.12.13", dst: "1.1.1.1", sport: 45678, dport: 80, proto: "tcp" });
 * // { backend: "1.2.3.4", secondary: "2.3.4.5", hash: "16dde057551629ea", slot: 10730, reason: "table", table: 0, hops: [...], gue_udp_sport: ... }
 */
import { flowpinError, show } from "../../errors.js";
import { toHex } from "../../encoding.js";
import { bytes as checkBytes, int, knownFields, object } from "../../validate.js";
import { GLB_STATE_ACTIVE, GLB_STATE_DRAINING_INACTIVE, GLB_STATE_FILLING } from "../../glb-bytes.js";
import { diffRoutes, hashHex, type Route, type RouteDiff, type RouteOptions, type System, type SystemDefinition, type SystemGlbTable, type SystemTables } from "../system.js";
import { classify } from "./classify.js";
import { parseConfig, type GlbSystemConfig, type HashFields, type ParsedConfig, type ParsedTable } from "./config.js";
import { Fields, fieldsFromFlow, fieldsFromPacket, type GlbFlow } from "./fields.js";
import { HashInput } from "./hash.js";
import { buildRows, ROWS, type TableRows } from "./rows.js";

export type { GlbSystemConfig, GlbForwardingTable, GlbTableConfig, GlbBackendConfig, GlbBindConfig, GlbDirectorConfig, GlbHashFieldsConfig } from "./config.js";
export type { GlbFlow } from "./fields.js";

/** A flow, or an IP packet (from its IP header on) as glb-director receives it. */
export type GlbInput = GlbFlow | Uint8Array;

/** The pair of the alt_hash_fields row. */
export interface GlbAltRoute {
  backend: string | null;
  secondary: string | null;
  hash: string;
  slot: number;
}

/** glb-director's decision for one packet or flow. */
export interface GlbRoute extends Route {
  /** The row's secondary as written in the file (null: an empty slot, or no table). */
  secondary: string | null;
  /** The index in forwarding_table.tables the bind classifier chose, or null. */
  table: number | null;
  /** The IPv4 hops the director writes: outer destination, then the GUE hop list. */
  hops: string[];
  /** The outer UDP source port, or null where unknown (a text ICMP echo without `icmp.id`) or not forwarded. */
  gue_udp_sport: number | null;
  /** With alt_hash_fields: the alt row's pair (hops 3 and 4). */
  alt?: GlbAltRoute;
}

interface Table {
  parsed: ParsedTable;
  rows: TableRows;
  /** backends[i].ip, then hop text; an index past the list is an empty slot. */
  names: (string | null)[];
  hops: string[];
  inactive: boolean[];
}

const EMPTY_HOP = "0.0.0.0";

function hashWords(f: HashFields): string {
  return (["srcAddr", "dstAddr", "srcPort", "dstPort"] as const).filter((k) => f[k]).map((k) => ({ srcAddr: "src_addr", dstAddr: "dst_addr", srcPort: "src_port", dstPort: "dst_port" })[k]).join(", ");
}

/** A glb-director fleet built from its files (see the module doc). */
export class GlbSystem implements System<GlbInput, GlbRoute> {
  readonly system = "glb" as const;
  readonly #config: ParsedConfig;
  readonly #tables: Table[];
  readonly #fields = new Fields();
  readonly #input = new HashInput();

  constructor(config: GlbSystemConfig) {
    this.#config = parseConfig(config);
    const rows = buildRows(this.#config.tables);
    this.#tables = this.#config.tables.map((parsed, k) => ({
      parsed,
      rows: rows[k]!,
      names: parsed.backends.map((b) => b.ip),
      hops: parsed.backends.map((b) => b.hop),
      inactive: parsed.backends.map((b) => b.state === "inactive"),
    }));
  }

  #pair(t: Table, slot: number): [number, number] {
    const r = t.rows;
    return r.kind === "built" ? [r.rows[2 * slot]!, r.rows[2 * slot + 1]!] : [r.primary, r.secondary];
  }

  /** How many tables the forwarding table holds. */
  get tables(): number {
    return this.#tables.length;
  }

  /**
   * [primary, secondary] backend indices of a row of a table, as glb-director-cli writes them
   * (an index may be past the table's backends: an empty slot).
   * @example glb.entry(0, 4660) // [2, 0]
   */
  entry(table: number, row: number): [number, number] {
    int("table", table, 0, this.#tables.length - 1);
    int("row", row, 0, ROWS - 1);
    return this.#pair(this.#tables[table]!, row);
  }

  route(input: GlbInput, options: RouteOptions = {}): GlbRoute {
    const f = this.#fields;
    const explain = options.explain ? ([] as string[]) : undefined;
    const none = (reason: string, why: string): GlbRoute => {
      explain?.push(why);
      return { backend: null, secondary: null, hash: null, slot: null, reason, table: null, hops: [], gue_udp_sport: null, ...(explain ? { explain } : {}) };
    };
    if (input instanceof Uint8Array) {
      const failure = fieldsFromPacket(checkBytes("packet", input), f);
      if (failure === "not-ip") return none("not-ip", `the packet's IP version is ${input.length ? input[0]! >> 4 : "missing"}: glb-director parses only IPv4 and IPv6`);
      if (failure === "truncated") return none("truncated", `the packet (${input.length} bytes) is shorter than the headers glb-director reads: dropped`);
    } else fieldsFromFlow(input, f);

    const c = this.#config;
    const k = classify(c.tables, f, c.forwardIcmpPing);
    if (k < 0) {
      const what = f.kind === 3 ? (f.icmpType < 0 ? "an ICMP flow without icmp.type/code (give the packet, or icmp: {type, code})" : `ICMP type ${f.icmpType} code ${f.icmpCode}, which no classifier rule passes`) : f.kind === 2 && !c.forwardIcmpPing ? "an echo request, and forward_icmp_ping_responses is false" : "a destination, protocol and port no table's binds serve";
      return none("no-bind", `bind classifier: ${what}: not forwarded`);
    }
    const t = this.#tables[k]!;
    explain?.push(`bind classifier → table ${k}`);
    const n = this.#input.fill(f, c.hashFields);
    const h = this.#input.hash(f, c.hashFields, t.parsed.hashKey);
    const slot = Number(h & 0xffffn);
    const [p, s] = this.#pair(t, slot);
    const hash = hashHex(h);
    if (explain) {
      explain.push(
        `hash input (${hashWords(c.hashFields)}${f.kind === 1 ? "; the quoted header, endpoints swapped" : ""}): ${toHex(this.#input.buf.subarray(0, n))}`,
        `SipHash-2-4 with tables[${k}].hash_key = ${hash}`,
        `row = hash & 0xffff = ${slot} → (${p}, ${s}) = ${t.names[p] ?? "empty slot"}, ${t.names[s] ?? "empty slot"}`,
      );
    }
    const backend = t.names[p] ?? null;
    const secondary = t.names[s] ?? null;
    const hops = [t.hops[p] ?? EMPTY_HOP, t.hops[s] ?? EMPTY_HOP];
    const low = Number(h & 0x7fffn);
    const gue = f.hint < 0 ? null : 0x8000 | ((low ^ f.hint) & 0x7fff);
    explain?.push(gue === null ? "gue_udp_sport: unknown (a text ICMP echo without icmp.id)" : `gue_udp_sport = 0x8000 | ((hash ^ ${f.hint}) & 0x7fff) = ${gue}`);
    const reason = backend === null ? "empty-slot" : t.inactive[p] ? "no-usable" : "table";
    if (reason === "empty-slot") explain?.push(`row ${slot}'s primary index ${p} is past the table's ${t.names.length} backends (left by an earlier table): the director sends to 0.0.0.0`);
    if (reason === "no-usable") explain?.push(`the table has no usable backend: the director still forwards to ${backend}, which is inactive`);
    const out: GlbRoute = { backend, secondary, hash, slot, reason, table: k, hops, gue_udp_sport: gue };
    if (c.altHashFields) {
      const ha = this.#input.hash(f, c.altHashFields, t.parsed.hashKey);
      const altSlot = Number(ha & 0xffffn);
      const [ap, as] = this.#pair(t, altSlot);
      out.alt = { backend: t.names[ap] ?? null, secondary: t.names[as] ?? null, hash: hashHex(ha), slot: altSlot };
      hops.push(t.hops[ap] ?? EMPTY_HOP, t.hops[as] ?? EMPTY_HOP);
      explain?.push(`alt_hash_fields (${hashWords(c.altHashFields)}): hash ${out.alt.hash}, row ${altSlot} → (${ap}, ${as}), appended as hops 3 and 4`);
    }
    if (explain) out.explain = explain;
    return out;
  }

  routeBatch(inputs: readonly GlbInput[]): GlbRoute[] {
    if (!Array.isArray(inputs)) throw flowpinError("INVALID_TYPE", `inputs must be an array of flows or packets, got ${show(inputs)}`);
    return inputs.map((x) => this.route(x));
  }

  diff(next: System<GlbInput, GlbRoute>, inputs: readonly GlbInput[]): RouteDiff<GlbInput> {
    return diffRoutes(this, next, inputs);
  }

  /**
   * Every table of the forwarding table ("tables[0]", ...), in file order, with the rows
   * glb-director-cli writes (rows.ts: one or no usable backend, the carry-over between
   * tables) and what glb-director's binary file holds for each: all of them, encoded by
   * src/glb-bytes.ts, are the forwarding_table.bin glb-director-cli builds from this file.
   */
  table(): SystemTables {
    return { system: "glb", tables: this.#tables.map((t, k) => this.#table(t, k)) };
  }

  #table(t: Table, k: number): SystemGlbTable {
    let rows: Uint32Array;
    if (t.rows.kind === "built") rows = t.rows.rows;
    else {
      rows = new Uint32Array(2 * ROWS);
      for (let r = 0; r < ROWS; r++) {
        rows[2 * r] = t.rows.primary;
        rows[2 * r + 1] = t.rows.secondary;
      }
    }
    const p = t.parsed;
    return {
      kind: "glb",
      name: `tables[${k}]`,
      backends: t.names as string[],
      rows,
      file: {
        // glb_fwd_config.h: state filling 0, active 1, draining and inactive 2; health up 1.
        backends: p.backends.map((b) => ({ address: b.bytes, state: b.state === "filling" ? GLB_STATE_FILLING : b.state === "active" ? GLB_STATE_ACTIVE : GLB_STATE_DRAINING_INACTIVE, health: b.healthy ? 1 : 0 })),
        binds: p.binds.map((b) => ({ address: b.bytes, ipBits: b.bits, portStart: b.portStart, portEnd: b.portEnd, proto: b.proto })),
        hashKey: p.hashKey,
        rows,
      },
    };
  }
}

const RECORD_FIELDS = ["src", "dst", "sport", "dport", "proto", "icmp"];

/** Whether parsed JSON is a forwarding table ({"tables": [...]}) or the combined form. */
function nativeDoc(text: string): Record<string, unknown> | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return undefined;
  const d = doc as Record<string, unknown>;
  return Array.isArray(d.tables) || (typeof d.forwarding_table === "object" && d.forwarding_table !== null) ? d : undefined;
}

/** The registry entry; `create` returns the GlbSystem (with `entry()` and `tables`). */
export const glbSystem: Omit<SystemDefinition<GlbSystemConfig, GlbInput, GlbRoute>, "create"> & { create(config: GlbSystemConfig): GlbSystem } = {
  name: "glb",
  summary: "GitHub glb-director: bind classifier, SipHash-2-4 of the director's hash_fields, glb-director-cli's rendezvous rows",
  create: (config: GlbSystemConfig) => new GlbSystem(config),
  input(record) {
    const r = object("flow", record);
    knownFields("flow", r, RECORD_FIELDS);
    return r as unknown as GlbFlow;
  },
  packet: (ip) => checkBytes("packet", ip),
  native: {
    description: 'glb-director\'s forwarding_table.json as given to glb-director-cli (hash_fields: {"forwarding_table": ..., "director_conf": ...})',
    detect: (text) => nativeDoc(text) !== undefined,
    parse(text, options) {
      if (options.name !== undefined) throw flowpinError("INVALID_CONFIG", `glb-director picks the table by its binds; --name ${show(options.name)} does not apply`);
      const d = nativeDoc(text);
      if (d === undefined) throw flowpinError("INVALID_CONFIG", `not glb-director's forwarding_table.json: expected a JSON object with "tables": [...] (or {"forwarding_table": ..., "director_conf": ...})`);
      // The forwarding table as written; or the combined form, the system config without "system".
      return (Array.isArray(d.tables) ? { forwarding_table: d } : d) as unknown as GlbSystemConfig;
    },
  },
};
