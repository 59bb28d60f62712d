// Routes each request to an origin by a consistent hash of one header: requests with the same
// value always reach the same origin, and when the origin list changes only the values that
// were on a removed (or now-shared) origin move. The hash is Envoy's header hash policy
// (XXH64 of the value, seed 0) and the table Envoy's Maglev (default size 65537) over the
// origin strings, so an Envoy fleet with the same hosts and keys would choose alike.
import { Maglev, hashes } from "flowpin";

const encoder = new TextEncoder();
// Built once per isolate and per ORIGINS value (~1 ms for 65537 slots), not per request.
let cached;

function table(env) {
  if (cached?.origins !== env.ORIGINS) {
    const ids = String(env.ORIGINS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    cached = { origins: env.ORIGINS, lb: new Maglev({ backends: ids.map((id) => ({ id })) }) };
  }
  return cached.lb;
}

export default {
  async fetch(request, env) {
    const header = env.HASH_HEADER || "x-session-id";
    // Without the header, fall back to the client address Cloudflare reports.
    const value = request.headers.get(header) ?? request.headers.get("cf-connecting-ip");
    if (value === null) return new Response(`missing ${header} header\n`, { status: 400 });

    const origin = table(env).lookup(hashes.xxh64(encoder.encode(value))).id;
    const url = new URL(request.url);
    const upstream = await fetch(new Request(new URL(url.pathname + url.search, origin), request));
    const response = new Response(upstream.body, upstream);
    response.headers.set("x-flowpin-origin", origin);
    return response;
  },
};
