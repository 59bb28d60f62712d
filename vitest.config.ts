import { defineConfig } from "vitest/config";

// Two tiers, both run by `npm test`. "slow" holds what starts other programs or runs for
// seconds by design: runtimes (Deno, Bun, workerd, Chromium), examples, the real nginx and
// HAProxy binaries, packaging (npm pack, attw), the README's type-check, soak, threads, fuzzing
// at length, and the 100 MB capture. `npm run test:fast` runs the "fast" tier alone while
// developing (every vector and reference suite, on every engine).
const SLOW = [
  "test/runtimes/**/*.test.ts",
  "test/examples/**/*.test.ts",
  "test/systems/*.real.test.ts",
  "test/packaging.test.ts",
  "test/readme.test.ts",
  "test/reliability/soak.test.ts",
  "test/reliability/threads.test.ts",
  "test/cli.unix.test.ts",
];

export default defineConfig({
  test: {
    setupFiles: ["test/setup-engines.ts"],
    // Two cores: runtime and CLI tests spawn processes; keep the pool small and patient.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
    projects: [
      { extends: true, test: { name: "fast", include: ["test/**/*.test.ts"], exclude: SLOW } },
      { extends: true, test: { name: "slow", include: SLOW } },
    ],
  },
});
