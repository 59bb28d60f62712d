/**
 * Every production system by name: `systems.<name>(config)` builds one from its configuration
 * in its own terms; `system({ system: name, ...config })` does the same from a config file.
 *
 * @example
 * import { systems } from "flowpin";
 * const svc = systems.ipvs({ service: { family: "inet", address: "203.0.113.10", port: 80,
 *   protocol: "tcp", scheduler: "mh", flags: [] }, operations: [{ op: "add", address: "10.0.0.1",
 *   port: 80, weight: 1, forward: "droute" }] });
 * svc.route({ src: "198.51.100.7", dst: "203.0.113.10", sport: 51512, dport: 80, proto: "tcp" }).backend;
 */
import { flowpinError, show } from "../errors.js";
import { didYouMean, object } from "../validate.js";
import type { Route, System, SystemDefinition, SystemName } from "./system.js";
// One import per system (keep in the order of SystemName).
import { flowpinSystem } from "./flowpin/index.js";
import { katranSystem } from "./katran/index.js";
import { cilium, ciliumSystem } from "./cilium/index.js";
import { ipvs, ipvsSystem } from "./ipvs/index.js";
import { envoySystem } from "./envoy/index.js";
import { glbSystem } from "./glb/index.js";
import { nginxSystem } from "./nginx/index.js";
import { haproxySystem } from "./haproxy/index.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = SystemDefinition<any, any, any>;

/** The systems this build knows, by name (one line each, in the order of SystemName). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SYSTEM_DEFINITIONS: Readonly<Partial<Record<SystemName, SystemDefinition<any, any, any>>>> = Object.freeze({
  flowpin: flowpinSystem,
  katran: katranSystem,
  cilium: ciliumSystem,
  ipvs: ipvsSystem,
  envoy: envoySystem,
  glb: glbSystem,
  nginx: nginxSystem,
  haproxy: haproxySystem,
});

/** Builds each system from its configuration in its own terms. */
export const systems = Object.freeze({
  flowpin: flowpinSystem.create,
  katran: katranSystem.create,
  cilium,
  ipvs,
  envoy: envoySystem.create,
  glb: glbSystem.create,
  nginx: nginxSystem.create,
  haproxy: haproxySystem.create,
});

/** The definition of a system by name; an unknown name is UNKNOWN_PROFILE with the closest known name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function systemDefinition(name: unknown): SystemDefinition<any, any, any> {
  const names = Object.keys(SYSTEM_DEFINITIONS);
  if (typeof name === "string" && Object.prototype.hasOwnProperty.call(SYSTEM_DEFINITIONS, name)) return SYSTEM_DEFINITIONS[name as SystemName]!;
  throw flowpinError("UNKNOWN_PROFILE", `system must be one of ${names.join(", ")}, got ${show(name)}${typeof name === "string" ? didYouMean(name, names) : ""}`);
}

/**
 * Builds a system from a `{ "system": NAME, ...config }` object, as `flowpin route --config`
 * reads it.
 */
export function system(config: { system: SystemName } & Record<string, unknown>): System<unknown, Route> {
  const { system: name, ...rest } = object("system config", config);
  return systemDefinition(name).create(rest);
}
