// One of each helper (issue 13 item 12): one address parser (src/flow.ts), one hex and one
// base64 decoder (src/encoding.ts), diffTables in its own module. The modules the issue named
// as holding copies are read as text and must no longer define their own; the behaviour is
// checked against the one parser.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { Maglev, parseAddress } from "../src/index.js";
import { formatIPv6, parseIPv4, parseIPv6 } from "../src/profiles/address.js";

const read = (path: string): string => fs.readFileSync(new URL(`../${path}`, import.meta.url), "utf8");
const B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

describe("one of each helper", () => {
  it("no base64 or hex decoder outside src/encoding.ts in the modules that had one", () => {
    expect(read("src/encoding.ts")).toContain(B64_ALPHABET);
    for (const path of ["src/flow-hasher.ts", "src/cli/config.ts", "src/profiles/cilium.ts", "src/profiles/maglev-profile.ts"]) {
      const text = read(path);
      expect(text, path).not.toContain(B64_ALPHABET);
      expect(text, path).not.toMatch(/parseInt\([^)]*,\s*16\)/);
    }
  });

  it("src/profiles/address.ts parses with src/flow.ts and has no parser of its own", () => {
    const text = read("src/profiles/address.ts");
    expect(text).toMatch(/from "\.\.\/flow\.js"/);
    expect(text).not.toMatch(/parseInt\(|split\("::"\)|split\("\."\)/);
  });

  it("diffTables lives in src/table-diff.ts and is still importable from src/maglev.ts", async () => {
    expect(read("src/table-diff.ts")).toMatch(/export function diffTables\(/);
    expect(read("src/maglev.ts")).not.toMatch(/function diffTables\(/);
    const fromMaglev = await import("../src/maglev.js");
    const fromModule = await import("../src/table-diff.js");
    expect(fromMaglev.diffTables).toBe(fromModule.diffTables);
  });

  it("backend addresses: accepted exactly when flowpin's parser accepts the text; IPv4-mapped stays IPv6", () => {
    const texts = [
      "10.0.0.1", "255.255.255.255", "0.0.0.0", "010.0.0.1", "10.0.0", "10.0.0.256", "1.2.3.4.5", " 10.0.0.1", "10.0.0.1/24",
      "::", "::1", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::8", "::ffff:10.0.0.1", "::ffff:0a00:0001",
      "1::2::3", "2001:db8::g", "fe80::1%eth0", "12345::1", ":1", "1:", "[::1]", "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "",
    ];
    for (const s of texts) {
      let accepted = true;
      try {
        parseAddress(s);
      } catch {
        accepted = false;
      }
      const mine = parseIPv4(s) !== undefined || parseIPv6(s) !== undefined;
      expect(mine, JSON.stringify(s)).toBe(accepted);
    }
    // Go's netip keeps an IPv4-mapped address IPv6 ("::ffff:a.b.c.d"), as Cilium hashes it.
    expect(parseIPv4("::ffff:10.0.0.1")).toBeUndefined();
    expect(formatIPv6(parseIPv6("::ffff:0a00:0001")!)).toBe("::ffff:10.0.0.1");
    expect(formatIPv6(parseIPv6("2001:DB8:0:0:1:0:0:1")!)).toBe("2001:db8::1:0:0:1");
    // And the profiles use it: an ipvs backend's address is kept in that canonical text.
    const lb = new Maglev({ profile: "ipvs", backends: [{ id: "a", address: "2001:DB8:0:0:0:0:0:1", port: 80 }] });
    expect(lb.backends[0]!.address).toBe("2001:db8::1");
  });
});
