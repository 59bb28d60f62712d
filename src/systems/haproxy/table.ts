// The lookup structure HAProxy 2.6 builds for a hashing backend, after its servers' weights
// and states are known: the consistent-hash tree (src/lb_chash.c) or the map (src/lb_map.c),
// and the backend's usable-server counts (src/backend.c recount_servers and
// update_backend_weight, include/haproxy/backend.h srv_willbe_usable).
import { eweight, type ServerModel } from "./config.js";
import type { LbSettings } from "./directives.js";
import { fullHash } from "./hash.js";

/** SRV_EWGHT_RANGE (include/haproxy/server-t.h): node j of server puid has key full_hash(puid × 4096 + j). */
export const EWGHT_RANGE = 4096;

/** pick() results that are not a slot. */
export const FIRST_BACKUP = -1;
export const NO_SERVER = -2;

/**
 * Usable for new connections (srv_willbe_usable): a weight, not in maintenance, and running
 * (a health-checked server that nothing answers is down).
 */
export function usable(s: LbSettings, servers: readonly ServerModel[], m: ServerModel): boolean {
  return eweight(s, servers, m) > 0 && !m.maint && (!m.checked || m.listening);
}

export class LbTable {
  readonly settings: LbSettings;
  readonly servers: readonly ServerModel[];
  /** Effective weight per server (0 when unusable). */
  readonly eweights: Int32Array;
  /** Usable active and backup servers. */
  readonly srvAct: number;
  readonly srvBck: number;
  /** The first usable backup, used alone when no active is usable and allbackups is off. */
  readonly fbck: ServerModel | null;
  /** lbprm.tot_weight and tot_used. */
  readonly totWeight: number;
  readonly totUsed: number;
  /** Consistent: node keys ascending and the server index of each. Map-based: the map's server indices. */
  readonly keys: Uint32Array;
  readonly owners: Int32Array;
  /** Set by pick(): how many nodes it stepped over (avoided or over their bound). */
  stepped = 0;

  constructor(settings: LbSettings, servers: readonly ServerModel[]) {
    this.settings = settings;
    this.servers = servers;
    const ew = new Int32Array(servers.length);
    let act = 0;
    let bck = 0;
    let wact = 0;
    let wbck = 0;
    let fbck: ServerModel | null = null;
    for (const m of servers) {
      if (!usable(settings, servers, m)) continue;
      ew[m.index] = eweight(settings, servers, m);
      if (m.backup) {
        if (bck === 0 && !settings.allbackups) fbck = m;
        bck++;
        wbck += ew[m.index]!;
      } else {
        act++;
        wact += ew[m.index]!;
      }
    }
    this.eweights = ew;
    this.srvAct = act;
    this.srvBck = bck;
    this.fbck = fbck;
    if (act) {
      this.totWeight = wact;
      this.totUsed = act;
    } else if (fbck) {
      this.totWeight = ew[fbck.index]!;
      this.totUsed = 1;
    } else {
      this.totWeight = wbck;
      this.totUsed = bck;
    }
    const group = (m: ServerModel) => ew[m.index]! > 0 && m.backup === (act === 0);
    if (settings.lookup === "consistent") [this.keys, this.owners] = tree(servers, ew, group);
    else [this.keys, this.owners] = map(servers, ew, group, this.totUsed === 0 ? 0 : this.totWeight);
  }

  /**
   * The server HAProxy picks for key `h`, as a slot (node index in key order, or map index),
   * FIRST_BACKUP or NO_SERVER. `avoid` is the server index a redispatch avoids (-1: none);
   * `served` the current connections per server (hash-balance-factor), `total` their sum.
   */
  pick(h: number, avoid: number, served: Int32Array | null, total: number): number {
    this.stepped = 0;
    if (this.totWeight === 0) return NO_SERVER;
    if (this.settings.lookup === "map-based") {
      // map_get_server_hash: map[h % tot_weight]; it takes no server to avoid. With only the
      // first backup in use the map still holds every usable backup (tot = its weight).
      return (h >>> 0) % this.totWeight;
    }
    if (this.srvAct === 0 && this.fbck) return FIRST_BACKUP;
    return this.#chash(h >>> 0, avoid, served, total);
  }

  /** chash_get_server_hash (lb_chash.c). */
  #chash(h: number, avoid: number, served: Int32Array | null, total: number): number {
    const keys = this.keys;
    const n = keys.length;
    if (n === 0) return NO_SERVER;
    // next = the first node with key >= h, wrapping to the first; prev = the node before it.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    const next = lo === n ? 0 : lo;
    const prev = next === 0 ? n - 1 : next - 1;
    // The closest node wins; a tie (dp <= dn, u32 distances) goes to prev.
    const dp = (h - keys[prev]!) >>> 0;
    const dn = (keys[next]! - h) >>> 0;
    let node = dp <= dn ? prev : next;
    const factor = this.settings.balanceFactor;
    let srv = this.owners[node]!;
    let loop = 0;
    while (srv === avoid || (factor !== 0 && served !== null && !this.#eligible(srv, served, total))) {
      node++;
      if (node === n) {
        node = 0;
        // Protection against looping: on the second wrap HAProxy returns the server it holds.
        if (++loop > 1) {
          node = n - 1;
          break;
        }
      }
      srv = this.owners[node]!;
      this.stepped++;
    }
    return node;
  }

  /**
   * chash_server_is_eligible: Consistent Hashing with Bounded Loads (Mirrokni, Thorup,
   * Zadimoghaddam) as HAProxy adapts it to weights, in C unsigned arithmetic.
   */
  #eligible(index: number, served: Int32Array, total: number): boolean {
    const m = this.servers[index]!;
    const W = this.totWeight;
    const slotsTotal = Math.floor(((Math.imul(total + 1, this.settings.balanceFactor) >>> 0) + 99) / 100) >>> 0;
    const perWeight = Math.floor(slotsTotal / W);
    const rem = slotsTotal % W;
    const ew = this.eweights[index]!;
    let slots = Math.imul(ew, perWeight) >>> 0;
    const a = Math.floor((Math.imul((m.cumulative + ew) >>> 0, rem) >>> 0) / W);
    const b = Math.floor((Math.imul(m.cumulative, rem) >>> 0) / W);
    slots = (slots + a - b) >>> 0;
    if (slots === 0) slots = 1;
    return served[index]! < slots;
  }

  /** The server at a slot pick() returned. */
  server(slot: number): ServerModel | null {
    if (slot === FIRST_BACKUP) return this.fbck;
    if (slot < 0) return null;
    return this.servers[this.owners[slot]!]!;
  }
}

/**
 * chash_init_server_tree: each server of the group in use gets eweight nodes, node j keyed
 * full_hash(puid × 4096 + j) (u32 arithmetic, as C's int product wraps). A runtime weight
 * change adds or removes the highest j (chash_queue_dequeue_srv), so the node set always is
 * j < eweight: the tree only depends on the current weights.
 */
function tree(servers: readonly ServerModel[], ew: Int32Array, group: (m: ServerModel) => boolean): [Uint32Array, Int32Array] {
  let n = 0;
  for (const m of servers) if (group(m)) n += ew[m.index]!;
  // Sort key × 2^20 + server index as doubles (exact below 2^53): one native numeric sort.
  const packed = new Float64Array(n);
  let k = 0;
  for (const m of servers) {
    if (!group(m)) continue;
    const base = Math.imul(m.puid, EWGHT_RANGE);
    for (let j = 0; j < ew[m.index]!; j++) packed[k++] = fullHash((base + j) | 0) * 1048576 + m.index;
  }
  packed.sort();
  const keys = new Uint32Array(n);
  const owners = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = packed[i]!;
    const key = Math.floor(v / 1048576);
    keys[i] = key;
    owners[i] = v - key * 1048576;
  }
  return [keys, owners];
}

/**
 * recalc_server_map (lb_map.c): tot_weight entries; for each entry every server of the group
 * adds its eweight to its score, the highest (score + tot) / tot wins (the first declared on a
 * tie) and pays tot back. With tot 1 the first server of the group takes it.
 */
function map(servers: readonly ServerModel[], ew: Int32Array, group: (m: ServerModel) => boolean, tot: number): [Uint32Array, Int32Array] {
  const owners = new Int32Array(tot);
  const score = new Float64Array(servers.length);
  for (let o = 0; o < tot; o++) {
    let best = -1;
    let max = 0;
    for (const m of servers) {
      if (!group(m)) continue;
      if (tot === 1) {
        best = m.index;
        break;
      }
      score[m.index]! += ew[m.index]!;
      const v = Math.trunc((score[m.index]! + tot) / tot);
      if (best < 0 || v > max) {
        max = v;
        best = m.index;
      }
    }
    owners[o] = best;
    if (best >= 0) score[best]! -= tot;
  }
  return [new Uint32Array(0), owners];
}
