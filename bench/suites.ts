// Every benchmark suite, one line each.
import type { Suite } from "./harness.js";
import { primitives } from "./primitives.js";
import { calls } from "./calls.js";
import { flows } from "./flows.js";
import { maglev } from "./maglev.js";
import { rendezvous } from "./rendezvous.js";
import { balancer } from "./balancer.js";
import { route } from "./route.js";
import { pick } from "./pick.js";
import { start } from "./start.js";

export const SUITES: Suite[] = [primitives, calls, flows, maglev, rendezvous, route, pick, start, balancer];
