// A slow, independent model of assembly/conntrack.ts, written from its header comment and
// the S3-FIFO paper (Yang et al., SOSP'23): queues are JS arrays, entries are objects, keys
// are strings. Only the chain-hash function is shared in spirit (the ghost filter is indexed
// by it, so the model must compute the same one): murmur3's mix and fmix32 over the key
// words, seeded. The test drives both with the same operations and compares every answer.

const NIL = -1;

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

interface Entry {
  key: string;
  hash: number;
  backend: number;
  deadline: number;
  timeout: number;
  freq: number;
  main: boolean;
  dead: boolean;
}

export class ReferenceConnTable {
  readonly live = new Map<string, Entry>();
  readonly counts = new Map<number, number>();
  readonly down = new Set<number>();
  evicted = 0;
  expired = 0;
  #used = 0;
  #small: Entry[] = [];
  #main: Entry[] = [];
  #ghost: Map<number, number> = new Map();
  readonly #mask: number;
  readonly #smallTarget: number;

  constructor(readonly capacity: number, readonly seed: number) {
    let nb = 1;
    while (nb < capacity) nb *= 2;
    this.#mask = nb - 1;
    this.#smallTarget = Math.max(1, Math.floor(capacity / 10));
  }

  hash(a: number, b: number, c: number, pk: number): number {
    return fmix(mix(mix(mix(mix(this.seed, a), b), c), pk));
  }

  #kill(e: Entry): void {
    e.dead = true;
    this.live.delete(e.key);
    this.counts.set(e.backend, this.counts.get(e.backend)! - 1);
  }

  #expired(e: Entry, now: number): boolean {
    return e.timeout !== 0 && ((now - e.deadline) | 0) >= 0;
  }

  lookup(a: number, b: number, c: number, pk: number, now: number): number {
    const e = this.live.get(`${a},${b},${c},${pk}`);
    if (!e) return -1;
    if (this.#expired(e, now)) {
      this.#kill(e);
      this.expired++;
      return -1;
    }
    if (this.down.has(e.backend)) {
      this.#kill(e);
      return -1;
    }
    if (e.freq < 3) e.freq++;
    e.deadline = (now + e.timeout) >>> 0;
    return e.backend;
  }

  remove(a: number, b: number, c: number, pk: number): boolean {
    const e = this.live.get(`${a},${b},${c},${pk}`);
    if (!e) return false;
    this.#kill(e);
    return true;
  }

  // Returns whether a live entry was evicted.
  #evict(now: number): boolean {
    for (;;) {
      if (this.#small.length >= this.#smallTarget || this.#main.length === 0) {
        const e = this.#small.shift()!;
        if (e.dead) return false;
        if (this.#expired(e, now)) {
          this.#kill(e);
          this.expired++;
          return false;
        }
        if (e.freq > 0) {
          e.freq = 0;
          e.main = true;
          this.#main.push(e);
          continue;
        }
        this.#ghost.set(e.hash & this.#mask, (fmix((e.hash ^ 0x9e3779b9) >>> 0) | 1) >>> 0);
        this.#kill(e);
        this.evicted++;
        return true;
      }
      const e = this.#main.shift()!;
      if (e.dead) return false;
      if (this.#expired(e, now)) {
        this.#kill(e);
        this.expired++;
        return false;
      }
      if (e.freq > 0) {
        e.freq--;
        this.#main.push(e);
        continue;
      }
      this.#kill(e);
      this.evicted++;
      return true;
    }
  }

  insert(a: number, b: number, c: number, pk: number, backend: number, now: number, timeout: number): boolean {
    const key = `${a},${b},${c},${pk}`;
    const found = this.live.get(key);
    if (found) {
      this.counts.set(found.backend, this.counts.get(found.backend)! - 1);
      this.counts.set(backend, (this.counts.get(backend) ?? 0) + 1);
      found.backend = backend;
      found.timeout = timeout;
      found.deadline = (now + timeout) >>> 0;
      return false;
    }
    let evicted = false;
    if (this.#used < this.capacity) this.#used++;
    else evicted = this.#evict(now);
    const hash = this.hash(a, b, c, pk);
    const slot = hash & this.#mask;
    const ghost = this.#ghost.get(slot) === (fmix((hash ^ 0x9e3779b9) >>> 0) | 1) >>> 0;
    if (ghost) this.#ghost.delete(slot);
    const e: Entry = { key, hash, backend, deadline: (now + timeout) >>> 0, timeout, freq: 0, main: ghost, dead: false };
    (ghost ? this.#main : this.#small).push(e);
    this.live.set(key, e);
    this.counts.set(backend, (this.counts.get(backend) ?? 0) + 1);
    return evicted;
  }
}
