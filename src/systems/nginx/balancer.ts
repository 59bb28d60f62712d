/**
 * nginx's peer choice for one connection, with the state nginx keeps between connections in
 * its worker: each peer's smooth-weighted-round-robin weights and its failure marks. One
 * Balancer is one worker (or one `zone`) from start or reload, fed connections in order.
 *
 * Per connection (ngx_http_upstream_init_*_peer, then peer.get until a peer accepts):
 * - hash consistent: ngx_http_upstream_get_chash_peer. From the ring point, take its server
 *   text; among the primary peers with that text not yet tried for this connection, not down,
 *   not failed (max_fails reached within fail_timeout), pick by smooth weighted round robin
 *   (current += effective; the strictly greatest wins, the first on a tie; it gives back the
 *   total). None: the next point, and after more than 20 points round robin.
 * - hash (not consistent): ngx_http_upstream_get_hash_peer, the Cache::Memcached scheme:
 *   hash += (CRC-32([rehash count] key) >> 16) & 0x7fff, peer = the one covering hash mod
 *   Σ weight; skip tried/down/failed, and after more than 20 round robin.
 * - round robin (ngx_http_upstream_get_round_robin_peer): directly when there is one address
 *   and no backup (peers->single), when the key is empty, or without a hash directive; smooth
 *   WRR over the primaries, then the backups when no primary is usable.
 * - A refused connection (a server with `listening: false`) is freed as failed
 *   (ngx_http_upstream_free_round_robin_peer: fails++, checked = now, effective weight lowered
 *   by weight / max_fails) and nginx asks for the next peer (proxy_next_upstream: on for
 *   connect errors in both modules), up to one try per non-down peer; a single peer is never
 *   marked failed and gets no second try.
 * @module
 */
import { CRC32_INIT, crc32, crc32Final, crc32Update } from "./crc32.js";
import type { Peer, Upstream } from "./config.js";
import { findPoint } from "./ring.js";
import { writeDecimal } from "./text.js";

/** How the peer was reached. */
export type Via = "hash" | "round-robin" | "fallback" | "backup";

/** One connection's outcome (reused between calls; copy what you keep). */
export interface Attempt {
  /** Peers tried in order (indices into Balancer.peers), tried[0, triedCount); the last one accepted unless `failed`. */
  readonly tried: Int32Array;
  triedCount: number;
  /** Server text index of every ring point (or modulo slot's peer) looked at, walk[0, walkCount). */
  readonly walk: Int32Array;
  walkCount: number;
  /** CRC-32 of the key, or -1 when the key was not hashed. */
  hash: number;
  /** The first ring point (or modulo slot), or -1. */
  slot: number;
  via: Via;
  /** "none": no live peer; "refused": every try was refused; null: the last tried peer answered. */
  failed: "none" | "refused" | null;
}

export class Balancer {
  /** Primaries then backups. */
  readonly peers: readonly Peer[];
  readonly #up: Upstream;
  readonly #byText: number[][];
  /** Indices into `peers` of the primary list and of the backup list. */
  readonly #primaryPeers: readonly number[];
  readonly #backupPeers: readonly number[];
  // Per-peer state nginx keeps between connections (ngx_http_upstream_rr_peer_t).
  readonly #current: Float64Array;
  readonly #effective: Float64Array;
  readonly #fails: Float64Array;
  readonly #accessed: Float64Array;
  readonly #checked: Float64Array;
  // Per-connection state (ngx_http_upstream_hash_peer_data_t and rrp->tried).
  readonly #tried: Uint8Array;
  #backup = false;
  #pointer = 0;
  #hashTries = 0;
  #rehash = 0;
  #now = 0;
  #key: Uint8Array = new Uint8Array(0);
  #keyLength = 0;
  readonly #digits = new Uint8Array(24);
  readonly #result: Attempt;

  constructor(up: Upstream) {
    this.#up = up;
    this.peers = [...up.primary.peers, ...(up.backup?.peers ?? [])];
    const nPrimary = up.primary.peers.length;
    this.#primaryPeers = up.primary.peers.map((_, i) => i);
    this.#backupPeers = (up.backup?.peers ?? []).map((_, i) => nPrimary + i);
    this.#byText = up.texts.map(() => []);
    up.primary.peers.forEach((p, i) => this.#byText[p.text]!.push(i));
    const n = this.peers.length;
    this.#current = new Float64Array(n);
    this.#effective = Float64Array.from(this.peers, (p) => p.weight);
    this.#fails = new Float64Array(n);
    // nginx starts both at 0 against a clock in seconds since 1970, i.e. long ago.
    this.#accessed = new Float64Array(n).fill(-Infinity);
    this.#checked = new Float64Array(n).fill(-Infinity);
    this.#tried = new Uint8Array(n);
    // At most one try per peer, and at most 21 points per try (more goes round robin).
    this.#result = { tried: new Int32Array(n), triedCount: 0, walk: new Int32Array(22 * n), walkCount: 0, hash: -1, slot: -1, via: "hash", failed: null };
  }

  /**
   * Routes one connection whose key bytes are key[0, keyLength) (ignored without a hash
   * directive) at time `now` (seconds), updating the state. Returns the shared Attempt.
   */
  connect(key: Uint8Array, keyLength: number, now: number): Attempt {
    const up = this.#up;
    const r = this.#result;
    r.triedCount = 0;
    r.walkCount = 0;
    r.hash = -1;
    r.slot = -1;
    r.failed = null;
    this.#tried.fill(0);
    this.#backup = false;
    this.#hashTries = 0;
    this.#rehash = 0;
    this.#pointer = 0;
    this.#now = now;
    this.#key = key;
    this.#keyLength = keyLength;
    const hashing = up.key !== null && !up.primary.single && keyLength > 0;
    r.via = hashing ? "hash" : "round-robin";
    if (hashing) {
      r.hash = crc32(key, 0, keyLength);
      if (up.ring) r.slot = this.#pointer = findPoint(up.ring.hashes, r.hash);
    }
    // ngx_http_upstream_tries: one try per peer that is not down, backups included.
    let tries = up.primary.tries + (up.backup?.tries ?? 0);
    for (;;) {
      const p = hashing && this.#hashTries <= 20 ? (up.ring ? this.#chash() : this.#modulo()) : this.#roundRobin();
      if (p < 0) {
        r.failed = "none";
        return r;
      }
      r.tried[r.triedCount++] = p;
      const peer = this.peers[p]!;
      const single = (this.#backup ? up.backup! : up.primary).single;
      if (peer.listening) {
        if (!single && this.#accessed[p]! < this.#checked[p]!) this.#fails[p] = 0;
        return r;
      }
      if (single) {
        r.failed = "refused";
        return r;
      }
      this.#fails[p]!++;
      this.#accessed[p] = this.#checked[p] = now;
      if (peer.maxFails) this.#effective[p] = Math.max(0, this.#effective[p]! - Math.floor(peer.weight / peer.maxFails));
      if (--tries <= 0) {
        r.failed = "refused";
        return r;
      }
    }
  }

  #usable(i: number): boolean {
    const p = this.peers[i]!;
    if (this.#tried[i] || p.down) return false;
    return !(p.maxFails && this.#fails[i]! >= p.maxFails && this.#now - this.#checked[i]! <= p.failTimeout);
  }

  #picked(i: number): number {
    const p = this.peers[i]!;
    if (this.#now - this.#checked[i]! > p.failTimeout) this.#checked[i] = this.#now;
    this.#tried[i] = 1;
    return i;
  }

  /**
   * Smooth weighted round robin (ngx_http_upstream_get_peer) over the peers `indices`: each
   * usable peer's current weight grows by its effective weight, the highest wins and gives
   * back the total; -1 when none is usable. The hash walk uses it among one server's addresses,
   * round robin over the primary or backup list.
   */
  #smooth(indices: readonly number[]): number {
    let best = -1;
    let total = 0;
    for (const i of indices) {
      if (!this.#usable(i)) continue;
      const w = this.peers[i]!.weight;
      this.#current[i] = this.#current[i]! + this.#effective[i]!;
      total += this.#effective[i]!;
      if (this.#effective[i]! < w) this.#effective[i]!++;
      if (best < 0 || this.#current[i]! > this.#current[best]!) best = i;
    }
    if (best >= 0) this.#current[best] = this.#current[best]! - total;
    return best;
  }

  /** ngx_http_upstream_get_chash_peer. */
  #chash(): number {
    const { hashes, owner } = this.#up.ring!;
    const r = this.#result;
    for (;;) {
      const text = owner[this.#pointer % hashes.length]!;
      r.walk[r.walkCount++] = text;
      const best = this.#smooth(this.#byText[text]!);
      if (best >= 0) {
        r.via = "hash";
        return this.#picked(best);
      }
      this.#pointer++;
      if (++this.#hashTries > 20) return this.#roundRobin();
    }
  }

  /** ngx_http_upstream_get_hash_peer (hash without consistent). */
  #modulo(): number {
    const up = this.#up;
    const r = this.#result;
    const peers = up.primary.peers;
    for (;;) {
      let c = CRC32_INIT;
      if (this.#rehash > 0) c = crc32Update(c, this.#digits, 0, writeDecimal(this.#digits, 0, this.#rehash));
      c = crc32Final(crc32Update(c, this.#key, 0, this.#keyLength));
      this.#pointer += (c >>> 16) & 0x7fff;
      this.#rehash++;
      let w = this.#pointer % up.primary.totalWeight;
      if (r.slot < 0) r.slot = w;
      let p = 0;
      while (w >= peers[p]!.weight) w -= peers[p++]!.weight;
      r.walk[r.walkCount++] = peers[p]!.text;
      if (this.#usable(p)) {
        r.via = "hash";
        return this.#picked(p);
      }
      if (++this.#hashTries > 20) return this.#roundRobin();
    }
  }

  /** ngx_http_upstream_get_round_robin_peer: the current list, then the backups. */
  #roundRobin(): number {
    const up = this.#up;
    const r = this.#result;
    if (r.via === "hash") r.via = "fallback";
    const set = this.#backup ? up.backup! : up.primary;
    const indices = this.#backup ? this.#backupPeers : this.#primaryPeers;
    if (set.single) {
      // No tried bit, no failure check: the only peer is used unless it is down.
      if (!set.peers[0]!.down) return indices[0]!;
    } else {
      const best = this.#smooth(indices);
      if (best >= 0) return this.#picked(best);
    }
    if (!this.#backup && up.backup) {
      this.#backup = true;
      r.via = "backup";
      return this.#roundRobin();
    }
    return -1;
  }
}
