// Minimal typings for npm peers that ship none (benchmarks only).
declare module "murmurhash3js" {
  const murmur: {
    x86: { hash32(key: string, seed?: number): number; hash128(key: string, seed?: number): string };
    x64: { hash128(key: string, seed?: number): string };
  };
  export default murmur;
}
