// YAML for the CLI only: Envoy operators write their Cluster (or bootstrap) in YAML. The
// library parses JSON only and keeps zero runtime dependencies; the `yaml` package is bundled
// into dist/cli.js by tsup and imported from this file alone.
import { LineCounter, parseDocument } from "yaml";
import { flowpinError } from "../errors.js";

/**
 * A YAML document as a plain JSON-compatible object; INVALID_CONFIG naming the line and
 * column of the first syntax error. Anchors and aliases resolve; tags beyond YAML 1.2's core
 * schema are refused.
 *
 * @example
 * yamlDocument("lb_policy: MAGLEV\nmaglev_lb_config: { table_size: 251 }\n");
 * // { lb_policy: "MAGLEV", maglev_lb_config: { table_size: 251 } }
 */
export function yamlDocument(text: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const at = lineCounter.linePos(err.pos[0]);
    throw flowpinError("INVALID_CONFIG", `YAML${at ? ` line ${at.line} column ${at.col}` : ""}: ${err.message.split("\n")[0]}`);
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/** The JSON text of a YAML document, for parsers that read JSON (SystemDefinition.native.parse). */
export function yamlToJson(text: string): string {
  return JSON.stringify(yamlDocument(text));
}
