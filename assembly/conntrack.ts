// The Balancer's connection table (src/balancer/conntrack.ts is its only caller): flow key →
// backend index, fixed capacity chosen at creation, O(1) lookup / insert / remove, per-entry
// idle timeouts, and S3-FIFO eviction (Yang et al., "FIFO queues are all you need for cache
// eviction", SOSP'23) so that a flood of one-packet flows cannot flush established ones.
//
// Why S3-FIFO and not Katran's LRU + MAX_CONN_RATE: Katran (balancer_kern.c, process_packet)
// stops inserting new flows above a rate, which protects the LRU during a flood but also
// leaves every legitimate new flow of that second unpinned, and a flood just below the rate
// still flushes the LRU over time. S3-FIFO puts each new flow in a small FIFO (10% of the
// entries); only flows seen again before they leave it move to the main FIFO (90%), which new
// flows never enter directly. One-packet flows pass through the small queue and out; the main
// queue, where flows that keep sending live, is not touched while the small queue is full.
// Main-queue eviction is CLOCK-like (2-bit frequency, reinsert while > 0), so a flow that
// sent since the hand last passed it is kept. A ghost filter of fingerprints of flows evicted
// from the small queue sends a flow seen again soon after straight to the main queue.
//
// Memory (16-byte aligned, laid out by src/balancer/conntrack.ts from ctBytes()):
//   header   u32[16]                         fields H_* below
//   entries  32 bytes × capacity             layout E_* below
//   buckets  u32[nb], nb = pow2 ≥ capacity   first entry of each hash chain, NIL if none
//   ghost    u32[nb]                         fingerprints of flows evicted from the small queue
//   counts   u32[maxBackends]                live entries per backend
//   states   u8[maxBackends]                 bit 0 set: backend down (its entries are misses)
//
// Entry (32 bytes): the key is (a, b, c, proto, kind): an IPv4 flow is (src, dst,
// sport << 16 | dport, proto, 0); a digest key (IPv6 flow, string key) has kind 1 and the
// words the caller derives. Time is a u32 millisecond clock chosen by the caller; deadlines
// compare with wrapping arithmetic, so timeouts stay below 2^31 ms.
//   +0 a u32 · +4 b u32 · +8 c u32 · +12 proto u8 · +13 flags u8 · +14 backend u16
//   +16 deadline u32 · +20 timeout u32 (0: never idles out) · +24 next in queue u32 · +28 next in chain u32
// flags: bits 0-1 frequency (0..3), bit 2 in the main queue, bit 3 dead (removed, expired or
// evicted: waits in its queue until it reaches the head and is reused), bit 4 kind.
//
// A removed or expired entry leaves its hash chain at once and its queue lazily: queues are
// singly linked FIFOs, and dead entries are reclaimed first when they reach the head. Live
// entries never exceed capacity; neither does anything else: nothing here allocates.

// @ts-ignore: decorator
@inline const NIL: u32 = 0xffffffff;
// @ts-ignore: decorator
@inline const HEADER: u32 = 64;
// @ts-ignore: decorator
@inline const ENTRY: u32 = 32;

// Header fields (byte offsets).
// @ts-ignore: decorator
@inline const H_CAP: u32 = 0;
// @ts-ignore: decorator
@inline const H_MASK: u32 = 4;
// @ts-ignore: decorator
@inline const H_USED: u32 = 8;
// @ts-ignore: decorator
@inline const H_SMALL_TARGET: u32 = 12;
// @ts-ignore: decorator
@inline const H_S_HEAD: u32 = 16;
// @ts-ignore: decorator
@inline const H_S_TAIL: u32 = 20;
// @ts-ignore: decorator
@inline const H_S_SIZE: u32 = 24;
// @ts-ignore: decorator
@inline const H_M_HEAD: u32 = 28;
// @ts-ignore: decorator
@inline const H_M_TAIL: u32 = 32;
// @ts-ignore: decorator
@inline const H_M_SIZE: u32 = 36;
// @ts-ignore: decorator
@inline const H_SEED: u32 = 40;
// @ts-ignore: decorator
@inline const H_LIVE: u32 = 44;
// @ts-ignore: decorator
@inline const H_EVICTED: u32 = 48;
// @ts-ignore: decorator
@inline const H_EXPIRED: u32 = 52;
// @ts-ignore: decorator
@inline const H_BACKENDS: u32 = 56;
// @ts-ignore: decorator
@inline const H_SWEEP: u32 = 60;

// Entry fields.
// @ts-ignore: decorator
@inline const E_A: u32 = 0;
// @ts-ignore: decorator
@inline const E_B: u32 = 4;
// @ts-ignore: decorator
@inline const E_C: u32 = 8;
// @ts-ignore: decorator
@inline const E_PROTO: u32 = 12;
// @ts-ignore: decorator
@inline const E_FLAGS: u32 = 13;
// @ts-ignore: decorator
@inline const E_BACKEND: u32 = 14;
// @ts-ignore: decorator
@inline const E_DEADLINE: u32 = 16;
// @ts-ignore: decorator
@inline const E_TIMEOUT: u32 = 20;
// @ts-ignore: decorator
@inline const E_QNEXT: u32 = 24;
// @ts-ignore: decorator
@inline const E_CHAIN: u32 = 28;

// @ts-ignore: decorator
@inline const F_FREQ: u32 = 3;
// @ts-ignore: decorator
@inline const F_MAIN: u32 = 4;
// @ts-ignore: decorator
@inline const F_DEAD: u32 = 8;
// @ts-ignore: decorator
@inline const F_KIND: u32 = 16;

// @ts-ignore: decorator
@inline function buckets(cap: u32): u32 {
  let nb: u32 = 1;
  while (nb < cap) nb <<= 1;
  return nb;
}

// @ts-ignore: decorator
@inline function entryAt(t: usize, i: u32): usize {
  return t + HEADER + <usize>i * ENTRY;
}

// @ts-ignore: decorator
@inline function bucketBase(t: usize): usize {
  return t + HEADER + <usize>load<u32>(t, H_CAP) * ENTRY;
}

// @ts-ignore: decorator
@inline function ghostBase(t: usize): usize {
  return bucketBase(t) + (<usize>load<u32>(t, H_MASK) + 1) * 4;
}

// @ts-ignore: decorator
@inline function countsBase(t: usize): usize {
  return ghostBase(t) + (<usize>load<u32>(t, H_MASK) + 1) * 4;
}

// @ts-ignore: decorator
@inline function statesBase(t: usize): usize {
  return countsBase(t) + <usize>load<u32>(t, H_BACKENDS) * 4;
}

/** Bytes of a table region for `capacity` entries and backend indices below `maxBackends`. */
export function ctBytes(capacity: u32, maxBackends: u32): u32 {
  const nb = buckets(capacity);
  return HEADER + capacity * ENTRY + nb * 8 + maxBackends * 4 + ((maxBackends + 15) & ~15);
}

/** Initializes an empty table at t (a region of ctBytes() bytes). `seed` keys the chain hash. */
export function ctInit(t: usize, capacity: u32, maxBackends: u32, seed: u32): void {
  memory.fill(t, 0, HEADER);
  store<u32>(t, capacity, H_CAP);
  store<u32>(t, buckets(capacity) - 1, H_MASK);
  // S3-FIFO's small queue: 10% of the entries (the paper's default), at least one.
  const small = capacity / 10;
  store<u32>(t, small > 0 ? small : 1, H_SMALL_TARGET);
  store<u32>(t, NIL, H_S_HEAD);
  store<u32>(t, NIL, H_S_TAIL);
  store<u32>(t, NIL, H_M_HEAD);
  store<u32>(t, NIL, H_M_TAIL);
  store<u32>(t, seed, H_SEED);
  store<u32>(t, maxBackends, H_BACKENDS);
  const nb = <usize>load<u32>(t, H_MASK) + 1;
  memory.fill(bucketBase(t), 0xff, nb * 4);
  memory.fill(ghostBase(t), 0, nb * 4 + <usize>maxBackends * 4 + <usize>((maxBackends + 15) & ~15));
}

// murmur3's 32-bit finalizer over the key words, keyed by the table's random seed so a client
// cannot aim its flows at one hash chain.
// @ts-ignore: decorator
@inline function mix(h: u32, k: u32): u32 {
  k = k * 0xcc9e2d51;
  k = rotl<u32>(k, 15) * 0x1b873593;
  h ^= k;
  return rotl<u32>(h, 13) * 5 + 0xe6546b64;
}

// @ts-ignore: decorator
@inline function fmix(h: u32): u32 {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  return h ^ (h >> 16);
}

// @ts-ignore: decorator
@inline function keyHash(t: usize, a: u32, b: u32, c: u32, pk: u32): u32 {
  return fmix(mix(mix(mix(mix(load<u32>(t, H_SEED), a), b), c), pk));
}

// pk = proto | kind << 12: compared with the u16 at +12 masked to the proto byte and kind bit.
// @ts-ignore: decorator
@inline function keyOf(e: usize): u32 {
  return <u32>load<u16>(e, E_PROTO) & 0x10ff;
}

function find(t: usize, h: u32, a: u32, b: u32, c: u32, pk: u32): u32 {
  let i = load<u32>(bucketBase(t) + (<usize>(h & load<u32>(t, H_MASK)) << 2));
  while (i != NIL) {
    const e = entryAt(t, i);
    if (load<u32>(e, E_A) == a && load<u32>(e, E_B) == b && load<u32>(e, E_C) == c && keyOf(e) == pk) return i;
    i = load<u32>(e, E_CHAIN);
  }
  return NIL;
}

// Takes entry i out of its hash chain, marks it dead and updates the counts (it stays in its
// queue until reclaimed at the head).
function kill(t: usize, i: u32): void {
  const e = entryAt(t, i);
  const h = keyHash(t, load<u32>(e, E_A), load<u32>(e, E_B), load<u32>(e, E_C), keyOf(e));
  let link = bucketBase(t) + (<usize>(h & load<u32>(t, H_MASK)) << 2);
  let j = load<u32>(link);
  while (j != i) {
    link = entryAt(t, j) + E_CHAIN;
    j = load<u32>(link);
  }
  store<u32>(link, load<u32>(e, E_CHAIN));
  store<u8>(e, <u8>(load<u8>(e, E_FLAGS) | F_DEAD), E_FLAGS);
  const counts = countsBase(t) + (<usize>load<u16>(e, E_BACKEND) << 2);
  store<u32>(counts, load<u32>(counts) - 1);
  store<u32>(t, load<u32>(t, H_LIVE) - 1, H_LIVE);
}

// @ts-ignore: decorator
@inline function expired(e: usize, now: u32): bool {
  return load<u32>(e, E_TIMEOUT) != 0 && <i32>(now - load<u32>(e, E_DEADLINE)) >= 0;
}

function push(t: usize, i: u32, main: bool): void {
  const q = t + (main ? H_M_HEAD : H_S_HEAD);
  // Queue header: head at q + 0, tail at q + 4, size at q + 8.
  store<u32>(entryAt(t, i), NIL, E_QNEXT);
  const last = load<u32>(q, 4);
  if (last == NIL) store<u32>(q, i, 0);
  else store<u32>(entryAt(t, last), i, E_QNEXT);
  store<u32>(q, i, 4);
  store<u32>(q, load<u32>(q, 8) + 1, 8);
}

function pop(t: usize, main: bool): u32 {
  const q = t + (main ? H_M_HEAD : H_S_HEAD);
  const i = load<u32>(q, 0);
  const next = load<u32>(entryAt(t, i), E_QNEXT);
  store<u32>(q, next, 0);
  if (next == NIL) store<u32>(q, NIL, 4);
  store<u32>(q, load<u32>(q, 8) - 1, 8);
  return i;
}

// A ghost fingerprint: another finalizer of the chain hash, never 0 (0 is an empty slot).
// @ts-ignore: decorator
@inline function fingerprint(h: u32): u32 {
  return fmix(h ^ 0x9e3779b9) | 1;
}

// An idle entry found at a queue head: removed as expired (not counted as an eviction).
function expire(t: usize, i: u32): u32 {
  kill(t, i);
  store<u32>(t, load<u32>(t, H_EXPIRED) + 1, H_EXPIRED);
  return i;
}

// Frees one entry for an insert (the table is full): S3-FIFO's eviction. Returns its index.
// Each turn either returns, moves a small-queue entry to the main queue, or lowers a
// frequency, so the loop ends; amortized O(1) (each reinsertion spends one earlier hit).
function evict(t: usize, now: u32): u32 {
  for (;;) {
    if (load<u32>(t, H_S_SIZE) >= load<u32>(t, H_SMALL_TARGET) || load<u32>(t, H_M_SIZE) == 0) {
      const i = pop(t, false);
      const e = entryAt(t, i);
      const f = <u32>load<u8>(e, E_FLAGS);
      if (f & F_DEAD) return i;
      if (expired(e, now)) return expire(t, i);
      if (f & F_FREQ) {
        // Seen again while in the small queue: an established flow, promoted.
        store<u8>(e, <u8>((f & ~F_FREQ) | F_MAIN), E_FLAGS);
        push(t, i, true);
        continue;
      }
      // A flow seen once: its fingerprint goes to the ghost filter, its entry is reused.
      const h = keyHash(t, load<u32>(e, E_A), load<u32>(e, E_B), load<u32>(e, E_C), keyOf(e));
      store<u32>(ghostBase(t) + (<usize>(h & load<u32>(t, H_MASK)) << 2), fingerprint(h));
      kill(t, i);
      store<u32>(t, load<u32>(t, H_EVICTED) + 1, H_EVICTED);
      return i;
    }
    const i = pop(t, true);
    const e = entryAt(t, i);
    const f = <u32>load<u8>(e, E_FLAGS);
    if (f & F_DEAD) return i;
    if (expired(e, now)) return expire(t, i);
    if (f & F_FREQ) {
      store<u8>(e, <u8>(f - 1), E_FLAGS);
      push(t, i, true);
      continue;
    }
    kill(t, i);
    store<u32>(t, load<u32>(t, H_EVICTED) + 1, H_EVICTED);
    return i;
  }
}

// @ts-ignore: decorator
@inline function isDown(t: usize, backend: u32): bool {
  return backend >= load<u32>(t, H_BACKENDS) || (load<u8>(statesBase(t) + backend) & 1) != 0;
}

// One lookup: the backend index, or -1 when absent, expired (the entry is removed) or its
// backend is down (the entry is removed: the caller picks again and inserts). A hit raises
// the entry's frequency and restarts its idle timeout.
// @ts-ignore: decorator
@inline function lookupOne(t: usize, a: u32, b: u32, c: u32, pk: u32, now: u32): i32 {
  const i = find(t, keyHash(t, a, b, c, pk), a, b, c, pk);
  if (i == NIL) return -1;
  const e = entryAt(t, i);
  const backend = <u32>load<u16>(e, E_BACKEND);
  if (expired(e, now)) {
    kill(t, i);
    store<u32>(t, load<u32>(t, H_EXPIRED) + 1, H_EXPIRED);
    return -1;
  }
  if (isDown(t, backend)) {
    kill(t, i);
    return -1;
  }
  const f = <u32>load<u8>(e, E_FLAGS);
  if ((f & F_FREQ) != F_FREQ) store<u8>(e, <u8>(f + 1), E_FLAGS);
  store<u32>(e, now + load<u32>(e, E_TIMEOUT), E_DEADLINE);
  return <i32>backend;
}

/** The backend of key (a, b, c, proto | kind << 12) at time `now`, or -1 (see lookupOne). */
export function ctLookup(t: usize, a: u32, b: u32, c: u32, pk: u32, now: u32): i32 {
  return lookupOne(t, a, b, c, pk, now);
}

/**
 * Inserts key → backend (or, when present, points it at `backend` and restarts its timeout).
 * `timeout` in ms, 0 for none. Returns 1 when a live entry was evicted to make room, else 0.
 */
export function ctInsert(t: usize, a: u32, b: u32, c: u32, pk: u32, backend: u32, now: u32, timeout: u32): i32 {
  const h = keyHash(t, a, b, c, pk);
  let i = find(t, h, a, b, c, pk);
  let evicted: i32 = 0;
  if (i != NIL) {
    const e = entryAt(t, i);
    const counts = countsBase(t);
    const old = <usize>load<u16>(e, E_BACKEND) << 2;
    store<u32>(counts + old, load<u32>(counts + old) - 1);
    store<u32>(counts + (<usize>backend << 2), load<u32>(counts + (<usize>backend << 2)) + 1);
    store<u16>(e, <u16>backend, E_BACKEND);
    store<u32>(e, timeout, E_TIMEOUT);
    store<u32>(e, now + timeout, E_DEADLINE);
    return 0;
  }
  const used = load<u32>(t, H_USED);
  if (used < load<u32>(t, H_CAP)) {
    i = used;
    store<u32>(t, used + 1, H_USED);
  } else {
    const before = load<u32>(t, H_EVICTED);
    i = evict(t, now);
    evicted = load<u32>(t, H_EVICTED) != before ? 1 : 0;
  }
  const e = entryAt(t, i);
  store<u32>(e, a, E_A);
  store<u32>(e, b, E_B);
  store<u32>(e, c, E_C);
  store<u8>(e, <u8>(pk & 0xff), E_PROTO);
  store<u16>(e, <u16>backend, E_BACKEND);
  store<u32>(e, now + timeout, E_DEADLINE);
  store<u32>(e, timeout, E_TIMEOUT);
  // A flow whose fingerprint is in the ghost filter was evicted from the small queue recently
  // and came back: S3-FIFO admits it to the main queue directly.
  const g = ghostBase(t) + (<usize>(h & load<u32>(t, H_MASK)) << 2);
  const ghost = load<u32>(g) == fingerprint(h);
  if (ghost) store<u32>(g, 0);
  store<u8>(e, <u8>(((pk >> 8) & F_KIND) | (ghost ? F_MAIN : 0)), E_FLAGS);
  push(t, i, ghost);
  const link = bucketBase(t) + (<usize>(h & load<u32>(t, H_MASK)) << 2);
  store<u32>(e, load<u32>(link), E_CHAIN);
  store<u32>(link, i);
  const counts = countsBase(t) + (<usize>backend << 2);
  store<u32>(counts, load<u32>(counts) + 1);
  store<u32>(t, load<u32>(t, H_LIVE) + 1, H_LIVE);
  return evicted;
}

/** Removes a key (a TCP close). Returns 1 if it was present and live, else 0. */
export function ctRemove(t: usize, a: u32, b: u32, c: u32, pk: u32): i32 {
  const i = find(t, keyHash(t, a, b, c, pk), a, b, c, pk);
  if (i == NIL) return 0;
  kill(t, i);
  return 1;
}

/**
 * Expires idle entries among `count` entries from the table's sweep cursor (wrapping), so a
 * caller can spread the work. Returns how many expired.
 */
export function ctSweep(t: usize, now: u32, count: u32): u32 {
  const used = load<u32>(t, H_USED);
  if (used == 0) return 0;
  let at = load<u32>(t, H_SWEEP);
  let n: u32 = 0;
  if (count > used) count = used;
  for (let k: u32 = 0; k < count; k++) {
    if (at >= used) at = 0;
    const e = entryAt(t, at);
    if ((load<u8>(e, E_FLAGS) & F_DEAD) == 0 && expired(e, now)) {
      kill(t, at);
      n++;
    }
    at++;
  }
  store<u32>(t, at, H_SWEEP);
  store<u32>(t, load<u32>(t, H_EXPIRED) + n, H_EXPIRED);
  return n;
}

/**
 * Lookup of n IPv4 flows of a FlowBatch (src, dst: u32[n]; sport, dport: u16[n]; proto:
 * u8[n]) at time `now`: out[i] = backend index, or 0xffffffff for a miss. Returns the hits.
 */
export function ctLookupBatch(t: usize, n: u32, src: usize, dst: usize, sport: usize, dport: usize, proto: usize, now: u32, out: usize): u32 {
  let hits: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const j = <usize>i;
    const r = lookupOne(
      t,
      load<u32>(src + (j << 2)),
      load<u32>(dst + (j << 2)),
      (<u32>load<u16>(sport + (j << 1)) << 16) | <u32>load<u16>(dport + (j << 1)),
      <u32>load<u8>(proto + j),
      now,
    );
    store<u32>(out + (j << 2), <u32>r);
    if (r >= 0) hits++;
  }
  return hits;
}
