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
