// Bad input to Maglev: each throws the FlowpinError code DESIGN.md promises, with a message
// that names the field and shows the value.
import { describe, it } from "vitest";
import { Maglev } from "../src/index.js";
import { expectCode } from "./bad-inputs.js";

const ok = [{ id: "a" }, { id: "b" }];

describe("maglev bad input", () => {
  it("backends: missing, empty, not objects, bad ids, duplicates", () => {
    expectCode(() => new Maglev({} as never), "INVALID_TYPE", /backends must be an array/);
    expectCode(() => new Maglev({ backends: [] }), "NO_BACKENDS");
    expectCode(() => new Maglev({ backends: ["a"] as never }), "INVALID_TYPE", /backends\[0\]/);
    expectCode(() => new Maglev({ backends: [{ id: "" }] }), "INVALID_TYPE", /backends\[0\]\.id/);
    expectCode(() => new Maglev({ backends: [{ id: 5 }] as never }), "INVALID_TYPE", /got 5/);
    expectCode(() => new Maglev({ backends: [{ id: "a" }, { id: "a" }] }), "DUPLICATE_BACKEND", /backends\[1\]\.id "a"/);
    // Two ids, one Envoy hash key.
    expectCode(() => new Maglev({ backends: [{ id: "a", key: "k" }, { id: "b", key: "k" }] }), "DUPLICATE_BACKEND", /"k"/);
    expectCode(() => new Maglev({ profile: "katran", backends: [{ id: "a", hash: 1n }, { id: "b", hash: 1 }] }), "DUPLICATE_BACKEND");
    expectCode(() => new Maglev({ profile: "ipvs", backends: [{ id: "a", address: "10.0.0.1", port: 80 }, { id: "b", address: "10.0.0.1", port: 80 }] }), "DUPLICATE_BACKEND");
  });

  it("weights: NaN, negative, infinite, fractional, too large, all zero", () => {
    for (const w of [NaN, -1, Infinity, -Infinity, 1.5, -0]) {
      expectCode(() => new Maglev({ backends: [{ id: "a", weight: w as number }] }), "INVALID_WEIGHT", /backends\[0\]\.weight/);
    }
    // Not a number at all: the wrong kind of value, INVALID_TYPE (as Rendezvous and Ring).
    for (const w of ["1", null]) {
      expectCode(() => new Maglev({ backends: [{ id: "a", weight: w as unknown as number }] }), "INVALID_TYPE", /backends\[0\]\.weight/);
    }
    expectCode(() => new Maglev({ profile: "cilium", backends: [{ id: "a", key: "k", weight: 65536 }] }), "INVALID_WEIGHT", /0\.\.65535/);
    expectCode(() => new Maglev({ backends: [{ id: "a", weight: 0 }, { id: "b", weight: 0 }] }), "INVALID_WEIGHT", /weight 0/);
    // Holes are missing backends, not weight-0 ones.
    expectCode(() => new Maglev({ backends: new Array(3) }), "INVALID_TYPE", /backends\[0\]/);
    expectCode(() => new Maglev({ backends: [{ id: "a", weight: 2 ** 32 - 1 }, { id: "b", weight: 2 }] }), "INVALID_WEIGHT", /sum/);
    expectCode(() => new Maglev({ backends: [{ id: "a", locality: "x" }], localityWeights: { x: 0 } }), "INVALID_WEIGHT", /all zero/);
    expectCode(() => new Maglev({ backends: [{ id: "a", locality: "x" }], localityWeights: { x: -1 } }), "INVALID_WEIGHT", /localityWeights\["x"\]/);
  });

  it("sizes: not prime, out of the profile's range, below the backend count", () => {
    expectCode(() => new Maglev({ backends: ok, size: 65536 }), "INVALID_TABLE_SIZE", /prime.*65536/);
    expectCode(() => new Maglev({ backends: ok, size: 1 }), "INVALID_TABLE_SIZE");
    expectCode(() => new Maglev({ backends: ok, size: 7.5 }), "INVALID_TABLE_SIZE");
    expectCode(() => new Maglev({ backends: ok, size: "7" as never }), "INVALID_TYPE");
    expectCode(() => new Maglev({ backends: ok, size: 5000077 }), "INVALID_TABLE_SIZE", /at most 5000011/);
    expectCode(() => new Maglev({ backends: [{ id: "a", key: "k" }], profile: "cilium", size: 65537 }), "INVALID_TABLE_SIZE", /one of 251/);
    expectCode(() => new Maglev({ backends: [{ id: "a", address: "10.0.0.1", port: 1 }], profile: "ipvs", size: 7 }), "INVALID_TABLE_SIZE", /one of 251/);
    expectCode(() => new Maglev({ backends: [{ id: "a" }, { id: "b" }, { id: "c" }], size: 2 }), "INVALID_TABLE_SIZE", /smaller than the backend count 3/);
  });

  it("profiles and their fields", () => {
    expectCode(() => new Maglev({ backends: ok, profile: "haproxy" as never }), "UNKNOWN_PROFILE", /"haproxy"/);
    expectCode(() => new Maglev({ backends: ok, seed: "x" } as never), "INVALID_CONFIG", /seed belongs to the cilium profile/);
    expectCode(() => new Maglev({ backends: ok, tableSize: 7 } as never), "INVALID_CONFIG", /unknown Maglev option "tableSize"/);
    expectCode(() => new Maglev({ profile: "katran", backends: ok }), "INVALID_KEY", /backends\[0\]\.hash/);
    expectCode(() => new Maglev({ profile: "katran", backends: [{ id: "a", hash: -1n }] }), "INVALID_KEY");
    expectCode(() => new Maglev({ profile: "katran", backends: [{ id: "a", hash: 2n ** 64n }] }), "INVALID_KEY");
    expectCode(() => new Maglev({ profile: "katran", version: "v3" as never, backends: [{ id: "a", hash: 1n }] }), "INVALID_CONFIG", /"v3"/);
    expectCode(() => new Maglev({ profile: "cilium", backends: [{ id: "a", address: "10.0.0.256", port: 1 }] }), "INVALID_ADDRESS", /10\.0\.0\.256/);
    expectCode(() => new Maglev({ profile: "cilium", backends: [{ id: "a", address: "10.0.0.1", port: 65536 }] }), "INVALID_PORT");
    expectCode(() => new Maglev({ profile: "cilium", backends: [{ id: "a", address: "10.0.0.1", port: 1, protocol: "tcp" }] }), "INVALID_PROTOCOL");
    expectCode(() => new Maglev({ profile: "cilium", seed: "AAAA", backends: [{ id: "a", key: "k" }] }), "INVALID_KEY", /12 bytes/);
    expectCode(() => new Maglev({ profile: "ipvs", backends: [{ id: "a", address: "::1::2", port: 1 }] }), "INVALID_ADDRESS");
    expectCode(() => new Maglev({ profile: "ipvs", backends: [{ id: "a", address: "10.0.0.1" }] }), "INVALID_PORT", /port is required/);
    expectCode(() => new Maglev({ backends: [{ id: "a", locality: "x" }], localityWeights: { y: 1 } }), "INVALID_CONFIG", /locality/);
  });

  it("lookups", () => {
    const lb = new Maglev({ backends: ok, size: 7 });
    for (const h of [-1, 1.5, NaN, Infinity, 2 ** 53, -1n, 2n ** 64n]) expectCode(() => lb.lookup(h as number), "OUT_OF_RANGE");
    expectCode(() => lb.lookup("1" as never), "INVALID_TYPE");
    expectCode(() => lb.lookupBatch(new Uint32Array(4), new Uint16Array(3)), "OUT_OF_RANGE", /fewer than the 4 hashes/);
    expectCode(() => lb.lookupBatch([1, 2] as never, new Uint16Array(3)), "INVALID_TYPE");
    expectCode(() => lb.lookupBatch(new Uint32Array(4), new Uint16Array(4), new Uint32Array(3)), "OUT_OF_RANGE");
    expectCode(() => lb.pick({}, {} as never), "INVALID_TYPE", /hasher/);
    expectCode(() => Maglev.diff(lb, new Maglev({ backends: ok, size: 11 })), "INVALID_TABLE_SIZE");
    expectCode(() => lb.withBackends(ok, null as never), "INVALID_TYPE", /opts/);
    expectCode(() => lb.withBackends(ok, { shared: "yes" as never }), "INVALID_TYPE", /opts\.shared/);
  });
});
