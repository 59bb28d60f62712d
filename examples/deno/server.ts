// A Deno HTTP server that forwards each request to an origin by a consistent hash of one
// header (the same routing as examples/cloudflare-worker): Envoy's header hash policy
// (XXH64 of the value) into an Envoy-compatible Maglev table over the origins.
//
//   ORIGINS=http://10.0.0.1:8080,http://10.0.0.2:8080 deno task start
//
// flowpin's default entry runs here on Wasm SIMD (the Wasm is inlined; no file access).
import { hashes, Maglev } from "flowpin";

const origins = (Deno.env.get("ORIGINS") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
if (origins.length === 0) throw new Error("set ORIGINS to a comma-separated list of origin URLs");
const header = Deno.env.get("HASH_HEADER") ?? "x-session-id";
const lb = new Maglev({ backends: origins.map((id) => ({ id })) });
const encoder = new TextEncoder();

Deno.serve(
  {
    hostname: Deno.env.get("HOST") ?? "127.0.0.1",
    port: Number(Deno.env.get("PORT") ?? 8000),
    onListen: ({ hostname, port }) => console.log(JSON.stringify({ event: "listening", hostname, port })),
  },
  async (request, info) => {
    // Without the header, fall back to the client's address.
    const value = request.headers.get(header) ?? (info.remoteAddr as Deno.NetAddr).hostname;
    const origin = lb.lookup(hashes.xxh64(encoder.encode(value))).id;
    const url = new URL(request.url);
    const upstream = await fetch(new URL(url.pathname + url.search, origin), {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    const response = new Response(upstream.body, upstream);
    response.headers.set("x-flowpin-origin", origin);
    return response;
  },
);
