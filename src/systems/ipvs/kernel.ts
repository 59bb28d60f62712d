// What ip_vs_ctl.c does around the mh scheduler's callbacks, operation by operation: the
// service's destination list (new dests at the HEAD), the trash deleted dests wait in, the
// weight / last_weight pair, the overload flag, and when the mh table is rebuilt (every add,
// edit and delete: ip_vs_mh_dest_changed) or kept (more dests than slots: ip_vs_mh_reassign
// returns -EINVAL, which ip_vs_ctl.c ignores). The table itself is the Maglev class with the
// ipvs profile; only its final state is built.
import { flowpinError } from "../../errors.js";
import { Maglev } from "../../maglev.js";
import { destAddressProblem, endpointName, type IpvsForward, type IpvsOp, type IpvsService } from "./config.js";

/** One ip_vs_dest: an object the table points at, alive while the table or the list holds it. */
export interface Dest {
  /** ip_vs_lookup_dest's identity: family, address, port. */
  readonly key: string;
  /** "a.b.c.d:port" or "[v6]:port". */
  readonly name: string;
  /** RFC 5952 text for the Maglev profile. */
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** dest->weight: availability (ip_vs_mh.c is_unavailable: weight <= 0). */
  weight: number;
  /** dest->last_weight: the table's turns (ip_vs_mh_permutate). */
  lastWeight: number;
  /** IP_VS_DEST_F_OVERLOAD. */
  overloaded: boolean;
  forward: IpvsForward;
  /** In svc->destinations (false once deleted; a stale table may still point at it). */
  listed: boolean;
}

/** The table as of the last successful ip_vs_mh_reassign: dests in insertion order with the last_weights it used. */
interface Snapshot {
  readonly dests: readonly Dest[];
  readonly lastWeights: readonly number[];
}

/** The finished table: `maglev.table[slot]` indexes `dests`; null = every slot NULL. */
export interface MhTable {
  readonly maglev: Maglev | null;
  readonly dests: readonly Dest[];
}

const key = (op: IpvsOp): string => `${op.address.family}|${op.address.text}|${op.port}`;

/** Applies the operations in order and builds the final mh table. Throws what the kernel refuses. */
export function applyOperations(service: IpvsService, size: number, ops: readonly IpvsOp[]): { table: MhTable; list: readonly Dest[]; stale: boolean } {
  // svc->destinations in insertion order: the kernel's list is this reversed (list_add_rcu at
  // the head); the ipvs Maglev profile takes insertion order and walks it reversed.
  const list: Dest[] = [];
  const trash = new Map<string, Dest>();
  let snapshot: Snapshot = { dests: [], lastWeights: [] };
  // Whether the table is older than the list (a reassign failed since the last good one).
  let stale = false;
  const find = (op: IpvsOp): number => list.findIndex((d) => d.key === key(op));
  const missing = (op: IpvsOp, what: string): Error =>
    // ip_vs_ctl.c ip_vs_edit_dest / ip_vs_del_dest: -ENOENT.
    flowpinError("INVALID_CONFIG", `${op.at}: cannot ${what} ${endpointName(op.address, op.port)}: the service has no such destination (the kernel answers ENOENT)`);
  const reassign = (): void => {
    // ip_vs_mh_reassign: more dests than slots is -EINVAL and the old table stays.
    if (list.length > size) {
      stale = true;
      return;
    }
    stale = false;
    snapshot = { dests: list.slice(), lastWeights: list.map((d) => d.lastWeight) };
  };

  for (const op of ops) {
    const other = op.address.family !== (service.family === "inet" ? 4 : 6);
    switch (op.op) {
      case "add": {
        if (find(op) >= 0) throw flowpinError("DUPLICATE_BACKEND", `${op.at}: ${endpointName(op.address, op.port)} is already a destination of the service (the kernel answers EEXIST)`);
        if (other && op.forward !== "tunnel") {
          // ip_vs_ctl.c ip_vs_genl_set_cmd: a dest of the other family only with tunnelling.
          throw flowpinError("MIXED_FAMILIES", `${op.at}: ${endpointName(op.address, op.port)} is IPv${op.address.family} in an ${service.family} service: the kernel accepts a destination of the other family only with forward "tunnel" (ipvsadm -i), got ${JSON.stringify(op.forward)}`);
        }
        // ip_vs_add_dest: a deleted dest of this service is taken back from the trash, the same object.
        let dest = trash.get(key(op));
        if (dest) trash.delete(dest.key);
        else {
          const problem = destAddressProblem(op.address);
          if (problem) throw flowpinError("INVALID_ADDRESS", `${op.at}.address ${JSON.stringify(op.address.ntop)}: ${problem} (ip_vs_new_dest answers EINVAL)`);
          dest = { key: key(op), name: endpointName(op.address, op.port), address: op.address.text, port: op.port, family: op.address.family, weight: 0, lastWeight: 0, overloaded: false, forward: "droute", listed: true };
        }
        // __ip_vs_update_dest: weight and last_weight set; with no u_threshold the overload flag clears.
        dest.weight = op.weight;
        dest.lastWeight = op.weight;
        dest.overloaded = false;
        dest.forward = op.forward!;
        dest.listed = true;
        list.push(dest);
        reassign();
        break;
      }
      case "edit": {
        const i = find(op);
        if (i < 0) throw missing(op, "edit");
        const dest = list[i]!;
        const forward = op.forward ?? dest.forward;
        if (other && forward !== "tunnel") {
          throw flowpinError("MIXED_FAMILIES", `${op.at}: ${dest.name} is IPv${op.address.family} in an ${service.family} service: the kernel accepts a destination of the other family only with forward "tunnel", got ${JSON.stringify(forward)}`);
        }
        dest.weight = op.weight;
        // last_weight follows only non-zero weights: a dest edited to 0 keeps its slots, unavailable.
        if (op.weight !== 0) dest.lastWeight = op.weight;
        dest.overloaded = false;
        dest.forward = forward;
        reassign();
        break;
      }
      case "delete": {
        const i = find(op);
        if (i < 0) throw missing(op, "delete");
        const [dest] = list.splice(i, 1);
        dest!.listed = false;
        trash.set(dest!.key, dest!);
        reassign();
        break;
      }
      case "overload":
      case "underload": {
        const i = find(op);
        if (i < 0) throw missing(op, `mark ${op.op}ed`);
        // ip_vs_conn.c ip_vs_bind_dest / ip_vs_unbind_dest: a flag, no table change.
        list[i]!.overloaded = op.op === "overload";
        break;
      }
    }
  }
  return { table: buildTable(service, size, snapshot), list, stale };
}

/** ip_vs_mh_permutate + ip_vs_mh_populate for a snapshot, through the Maglev class (ipvs profile). */
function buildTable(service: IpvsService, size: number, s: Snapshot): MhTable {
  // gcd < 1 (no last_weight > 0): ip_vs_mh_reset, every slot NULL.
  if (!s.lastWeights.some((w) => w > 0)) return { maglev: null, dests: s.dests };
  const maglev = new Maglev({
    profile: "ipvs",
    size,
    backends: s.dests.map((d, i) => ({ id: d.name, address: d.address, port: d.port, weight: s.lastWeights[i]!, serviceFamily: service.family })),
  });
  return { maglev, dests: s.dests };
}
