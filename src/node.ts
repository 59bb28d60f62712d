/**
 * `flowpin/node`: what needs Node's built-in modules (Deno and Bun provide them too), kept out
 * of the platform-neutral entries so that bundling flowpin for a browser or a worker never
 * meets a `node:` import. Import the library itself from "flowpin" as usual.
 *
 * @example
 * import { Balancer, healthCheck } from "flowpin";
 * import { tcpCheck } from "flowpin/node";
 * const stop = healthCheck(lb, { check: (id) => tcpCheck(id, 500) });
 * @module
 */
export { tcpCheck } from "./balancer/tcp-check.js";
