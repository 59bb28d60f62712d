// Minimal typings for npm peers that ship none (benchmarks only).
declare module "murmurhash3js" {
  const murmur: {
    x86: { hash32(key: string, seed?: number): number; hash128(key: string, seed?: number): string };
    x64: { hash128(key: string, seed?: number): string };
  };
  export default murmur;
}
declare module "skeleton-rendezvous" {
  export default class SkeletonRendezvousHasher {
    constructor(options?: { sites?: string[]; fanout?: number; hashAlgorithm?: string; targetClusterSize?: number; minClusterSize?: number });
    findSite(key: string, salt?: number): string;
  }
}
declare module "hashring" {
  export default class HashRing {
    constructor(servers: string[] | Record<string, number | { weight: number }>, algorithm?: string, options?: Record<string, unknown>);
    get(key: string): string;
    range(key: string, size?: number, unique?: boolean): string[];
  }
}
declare module "consistent-hash" {
  export default class ConsistentHash {
    constructor(options?: { range?: number; weight?: number; controlPoints?: number; distribution?: "random" | "uniform" });
    add(node: unknown, weight?: number, points?: number[]): this;
    remove(node: unknown): this;
    get(key: string, count?: number): unknown;
  }
}
