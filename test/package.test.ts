// The package's own facts that must not drift.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { VERSION } from "../src/index.js";

const root = path.resolve(import.meta.dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

describe("package.json", () => {
  it("VERSION matches package.json", () => expect(VERSION).toBe(pkg.version));
  it("has no runtime dependencies and is side-effect free", () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.type).toBe("module");
    expect(pkg.name).toBe("flowpin");
  });
  it("every file the exports map names exists after the build", () => {
    const targets: string[] = [];
    const walk = (v: unknown) => {
      if (typeof v === "string") targets.push(v);
      else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(pkg.exports);
    for (const t of targets) expect(fs.existsSync(path.join(root, t)), t).toBe(true);
  });
});

describe("package-lock.json", () => {
  // npm 11's `npm ci` refuses a lock that lacks any optional platform package, and the
  // registry reachable here does not serve other platforms' packages, so `npm install`
  // cannot write them: scripts/complete-lock.mjs adds them. This catches a lock that lost them.
  it("has an entry for every optional dependency (run scripts/complete-lock.mjs after npm install)", () => {
    const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8"));
    const pkgs: Record<string, { optionalDependencies?: Record<string, string> }> = lock.packages;
    const missing: string[] = [];
    for (const [where, entry] of Object.entries(pkgs)) {
      for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
        let found = false;
        for (let base = where; ; base = base.slice(0, Math.max(0, base.lastIndexOf("/node_modules/")))) {
          if (pkgs[`${base ? `${base}/` : ""}node_modules/${dep}`]) found = true;
          if (found || !base) break;
        }
        if (!found) missing.push(`${dep} (needed by ${where || "the root"})`);
      }
    }
    expect(missing).toEqual([]);
  });
});

