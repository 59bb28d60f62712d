import { engine, hashes } from "../../index.js";
import type { Command } from "../command.js";

const hex = (n: number | bigint, digits: number): string => n.toString(16).padStart(digits, "0");

export const demo: Command = {
  name: "demo",
  summary: "hash a sample 5-tuple with every primitive (a quick self-check)",
  help: `usage: flowpin demo

Hashes the canonical bytes of the IPv4 5-tuple 198.51.100.7:51512 -> 203.0.113.1:443/tcp
with every hash primitive on the active engine (keys: bytes 00 01 02 ...) and prints them.
`,
  options: {},
  positionals: [0, 0],
  run(_values, _positionals, io) {
    const v4 = Uint8Array.from([198, 51, 100, 7, 203, 0, 113, 1, 0xc9, 0x38, 0x01, 0xbb, 6]);
    const key = Uint8Array.from({ length: 40 }, (_, i) => i);
    const [m1, m2] = hashes.murmur3_128(v4);
    const rows: [string, string][] = [
      ["xxh32", hex(hashes.xxh32(v4), 8)],
      ["xxh64", hex(hashes.xxh64(v4), 16)],
      ["murmur3_32", hex(hashes.murmur3_32(v4), 8)],
      ["murmur3_128", `${hex(m1, 16)} ${hex(m2, 16)}`],
      ["siphash24", hex(hashes.siphash24(v4, key.subarray(0, 16)), 16)],
      ["siphash13", hex(hashes.siphash13(v4, key.subarray(0, 16)), 16)],
      ["halfsiphash24", hex(hashes.halfsiphash24(v4, key.subarray(0, 8)), 8)],
      ["halfsiphash13", hex(hashes.halfsiphash13(v4, key.subarray(0, 8)), 8)],
      ["jhash", hex(hashes.jhash(v4), 8)],
      ["toeplitz", hex(hashes.toeplitz(v4, key), 8)],
    ];
    const lines = [`engine: ${engine()}`, "input: 198.51.100.7:51512 -> 203.0.113.1:443 tcp (13 canonical bytes)"];
    for (const [name, value] of rows) lines.push(`  ${name.padEnd(14)} ${value}`);
    io.out(`${lines.join("\n")}\n`);
  },
};
