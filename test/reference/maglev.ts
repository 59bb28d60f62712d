// Slow reference Maglev tables, transcribed loop for loop from each upstream source (no
// incremental walk, no shared skeleton): Envoy maglev_lb.cc + thread_aware_lb_impl.cc,
// Katran MaglevHash.cpp / MaglevHashV2.cpp / Vip.cpp, Cilium pkg/maglev/maglev.go, Linux
// net/netfilter/ipvs/ip_vs_mh.c. Hashes come from the reference hashes in this folder.
// Slots are computed with the closed formula (offset + next*skip) mod M: BigInt where the
// upstream arithmetic is u64, 32-bit integer arithmetic where it is uint32 (Katran).
// Tables hold input indices. An oracle for differential tests, never shipped.
import { refMurmur3_128 } from "./murmur3.js";
import { refSipHash } from "./siphash.js";
import { refXxh64 } from "./xxhash.js";

const utf8 = new TextEncoder();

function bytewise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

export interface RefEnvoyHost {
  key: string;
  weight: number;
  locality?: string;
}

/** Envoy OriginalMaglevTable. `localityWeights` switches on locality-weighted normalization. */
export function refEnvoy(hosts: readonly RefEnvoyHost[], M: number, localityWeights?: Record<string, number>): number[] {
  // normalizeWeights: weight * normalized_locality_weight / sum (doubles).
  const normalized: { index: number; key: string; weight: number }[] = [];
  if (!localityWeights) {
    let sum = 0;
    for (const h of hosts) sum += h.weight;
    hosts.forEach((h, index) => {
      if (h.weight > 0) normalized.push({ index, key: h.key, weight: (h.weight * 1.0) / sum });
    });
  } else {
    let locSum = 0;
    for (const w of Object.values(localityWeights)) locSum += w;
    for (const [loc, lw] of Object.entries(localityWeights)) {
      if (lw === 0) continue;
      let sum = 0;
      for (const h of hosts) if (h.locality === loc) sum += h.weight;
      hosts.forEach((h, index) => {
        if (h.locality === loc && h.weight > 0) normalized.push({ index, key: h.key, weight: (h.weight * (lw / locSum)) / sum });
      });
    }
  }
  let max = 0;
  for (const n of normalized) max = Math.max(max, n.weight);
  normalized.sort((a, b) => bytewise(a.key, b.key));
  const m = BigInt(M);
  const entries = normalized.map((n) => ({
    index: n.index,
    weight: n.weight,
    offset: refXxh64(utf8.encode(n.key), 0n) % m,
    skip: (refXxh64(utf8.encode(n.key), 1n) % (m - 1n)) + 1n,
    target: 0,
    next: 0n,
  }));
  const table = new Array<number>(M).fill(-1);
  const permutation = (e: (typeof entries)[number]): number => Number((e.offset + e.skip * e.next) % m);
  let tableIndex = 0;
  for (let iteration = 1; tableIndex < M; ++iteration) {
    for (let i = 0; i < entries.length && tableIndex < M; i++) {
      const e = entries[i]!;
      if (iteration * e.weight < e.target) continue;
      e.target += max;
      let c = permutation(e);
      while (table[c] !== -1) {
        e.next++;
        c = permutation(e);
      }
      table[c] = e.index;
      e.next++;
      tableIndex++;
    }
  }
  return table;
}

/** MurmurHash3_x64_64(A, B, seed) of Katran: first word of x64_128 over LE64(A) ‖ LE64(B). */
function katranMurmur(a: bigint, b: bigint, seed: number): bigint {
  const data = new Uint8Array(16);
  const dv = new DataView(data.buffer);
  dv.setBigUint64(0, a, true);
  dv.setBigUint64(8, b, true);
  return refMurmur3_128(data, seed)[0];
}

export function refKatranParams(hash: bigint, ringSize: number): [number, number] {
  const r = BigInt(ringSize);
  return [Number(katranMurmur(hash, 42n, 0) % r), Number(katranMurmur(hash, 2718281828n, 2307) % (r - 1n)) + 1];
}

/** Katran Vip::getEndpoints + MaglevHash(V1) / MaglevHashV2 generateHashRing. */
export function refKatran(endpoints: readonly { hash: bigint; weight: number }[], ringSize: number, version: "v1" | "v2"): number[] {
  const eps = endpoints.map((e, num) => ({ num, weight: e.weight, hash: e.hash })).filter((e) => e.weight !== 0);
  eps.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const result = new Array<number>(ringSize).fill(-1);
  if (eps.length === 1) return result.fill(eps[0]!.num);
  const perm = eps.map((e) => refKatranParams(e.hash, ringSize));
  const next = new Array<number>(eps.length).fill(0);
  // uint32 arithmetic: (offset + next * skip) wraps modulo 2^32 before the % ring_size.
  const cur = (i: number): number => ((perm[i]![0] + Math.imul(next[i]!, perm[i]![1])) >>> 0) % ringSize;
  let runs = 0;
  if (version === "v1") {
    for (;;) {
      for (let i = 0; i < eps.length; i++) {
        for (let j = 0; j < eps[i]!.weight; j++) {
          let c = cur(i);
          while (result[c]! >= 0) {
            next[i]! += 1;
            c = cur(i);
          }
          result[c] = eps[i]!.num;
          next[i]! += 1;
          if (++runs === ringSize) return result;
        }
        eps[i]!.weight = 1;
      }
    }
  }
  let maxWeight = 0;
  for (const e of eps) maxWeight = Math.max(maxWeight, e.weight);
  const cum = new Array<number>(eps.length).fill(0);
  for (;;) {
    for (let i = 0; i < eps.length; i++) {
      cum[i]! += eps[i]!.weight;
      if (cum[i]! >= maxWeight) {
        cum[i]! -= maxWeight;
        let c = cur(i);
        while (result[c]! >= 0) {
          next[i]! += 1;
          c = cur(i);
        }
        result[c] = eps[i]!.num;
        next[i]! += 1;
        if (++runs === ringSize) return result;
      }
    }
  }
}

/** Cilium computeLookupTable over (hashString, weight) backends; `seedMurmur` from the cluster seed. */
export function refCilium(backends: readonly { hashString: string; weight: number }[], m: number, seedMurmur: number): number[] {
  const infos = backends.map((b, index) => ({ ...b, index })).filter((b) => b.weight > 0);
  infos.sort((a, b) => bytewise(a.hashString, b.hashString));
  const l = infos.length;
  let weightSum = 0;
  const weightCntr = infos.map((b) => {
    weightSum += b.weight;
    return b.weight / l;
  });
  const weightsUsed = Math.floor(weightSum / l) > 1;
  const M = BigInt(m);
  // getPermutation: the whole permutation of every backend, as Cilium materializes it.
  const perm = infos.map((b) => {
    const [h1, h2] = refMurmur3_128(utf8.encode(b.hashString), seedMurmur);
    const offset = h1 % M;
    const skip = (h2 % (M - 1n)) + 1n;
    const p = new Array<number>(m);
    p[0] = Number(offset);
    for (let j = 1; j < m; j++) p[j] = Number((BigInt(p[j - 1]!) + skip) % M);
    return p;
  });
  const next = new Array<number>(l).fill(0);
  const entry = new Array<number>(m).fill(-1);
  for (let n = 0; n < m; n++) {
    let i = n % l;
    for (;;) {
      if (weightsUsed) {
        if (BigInt(n + 1) * BigInt(infos[i]!.weight) < BigInt(Math.trunc(weightCntr[i]!))) {
          i = (i + 1) % l;
          continue;
        }
        weightCntr[i]! += weightSum;
      }
      let c = perm[i]![next[i]!]!;
      while (entry[c]! >= 0) {
        next[i]! += 1;
        c = perm[i]![next[i]!]!;
      }
      entry[c] = infos[i]!.index;
      next[i]! += 1;
      break;
    }
  }
  return entry;
}

function hsiphash64bit(v: number, k: bigint): number {
  const data = new Uint8Array(4);
  new DataView(data.buffer).setUint32(0, v, true);
  const key = new Uint8Array(16);
  const dv = new DataView(key.buffer);
  dv.setBigUint64(0, k, true);
  dv.setBigUint64(8, k, true);
  return Number(refSipHash(data, key, 1, 3) & 0xffffffffn);
}

/** ip_vs_mh_permutate for one destination: [offset, skip]. `v` = port + ntohl(addr) (u32). */
export function refIpvsParams(v: number, size: number): [number, number] {
  return [hsiphash64bit(v, 2654435761n) % size, (hsiphash64bit(v, 2654446892n) % (size - 1)) + 1];
}

/**
 * ip_vs_mh_populate over destinations in *kernel list order* (each `v` as in
 * ip_vs_mh_hashkey, `tabIndex` = CONFIG_IP_VS_MH_TAB_INDEX). Returns list indices.
 */
export function refIpvs(dests: readonly { v: number; weight: number }[], tabIndex: number): number[] {
  const primes = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071];
  const size = primes[tabIndex - 8]!;
  const bits = Math.floor(tabIndex / 2);
  let g = 0;
  for (const d of dests) {
    if (d.weight > 0) {
      if (g > 0) {
        let a = d.weight;
        let b = g;
        while (b) [a, b] = [b, a % b];
        g = a;
      } else g = d.weight;
    }
  }
  let mw = 0;
  for (const d of dests) mw = Math.max(mw, d.weight);
  const fls = (x: number): number => (x === 0 ? 0 : 32 - Math.clz32(x));
  const rshift = Math.max(0, fls(Math.floor(mw / g)) - bits);
  const ds = dests.map((d) => {
    const [offset, skip] = refIpvsParams(d.v, size);
    return { offset, skip, perm: offset, turns: Math.floor(d.weight / g) >> rshift || (d.weight !== 0 ? 1 : 0) };
  });
  const table = new Array<number>(size).fill(-1);
  const taken = new Array<boolean>(size).fill(false);
  let n = 0;
  let dtCount = 0;
  for (;;) {
    for (let p = 0; p < ds.length; ) {
      const d = ds[p]!;
      if (d.turns < 1) {
        p++;
        continue;
      }
      let c = d.perm;
      while (taken[c]) {
        d.perm += d.skip;
        if (d.perm >= size) d.perm -= size;
        c = d.perm;
      }
      taken[c] = true;
      table[c] = p;
      if (++n === size) return table;
      if (++dtCount >= d.turns) {
        dtCount = 0;
        p++;
      }
    }
  }
}

/** Paper Pseudocode 1 with given (offset, skip) pairs; weights all 1. */
export function refPaper(offsetSkip: readonly (readonly [number, number])[], M: number): number[] {
  const perm = offsetSkip.map(([o, s]) => Array.from({ length: M }, (_, j) => (o + j * s) % M));
  const next = new Array<number>(perm.length).fill(0);
  const entry = new Array<number>(M).fill(-1);
  let n = 0;
  for (;;) {
    for (let i = 0; i < perm.length; i++) {
      let c = perm[i]![next[i]!]!;
      while (entry[c]! >= 0) {
        next[i]!++;
        c = perm[i]![next[i]!]!;
      }
      entry[c] = i;
      next[i]!++;
      if (++n === M) return entry;
    }
  }
}
