// Every benchmark suite, one line each.
import type { Suite } from "./harness.js";
import { primitives } from "./primitives.js";
import { calls } from "./calls.js";

export const SUITES: Suite[] = [primitives, calls];
