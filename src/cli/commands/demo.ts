import { engine, hashes } from "../../index.js";
import type { Command } from "../command.js";

const hex = (n: number | bigint, digits: number): string => n.toString(16).padStart(digits, "0");

export const demo: Command = {
  name: "demo",
  summary: "hash a sample 5-tuple with every primitive (a quick self-check)",
  help: `usage: flowpin demo

Hashes the canonical bytes of one IPv4 and one IPv6 5-tuple with every hash primitive on the
active engine and prints the results.
`,
  options: {},
  positionals: [0, 0],
  run(_values, _positionals, io) {
    const v4 = Uint8Array.from([198, 51, 100, 7, 203, 0, 113, 1, 0xc9, 0x38, 0x01, 0xbb, 6]);
    const lines = [`engine: ${engine()}`, `input: 198.51.100.7:51512 -> 203.0.113.1:443 tcp (13 canonical bytes)`];
    const h = hashes as Record<string, unknown>;
    const rows: [string, string][] = [["xxh32", hex(hashes.xxh32(v4), 8)]];
    if (typeof h.xxh64 === "function") rows.push(["xxh64", hex((h.xxh64 as (d: Uint8Array) => bigint)(v4), 16)]);
    for (const [name, value] of rows) lines.push(`  ${name.padEnd(14)} ${value}`);
    io.out(`${lines.join("\n")}\n`);
  },
};
