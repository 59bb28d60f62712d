// One decision per call, N = 100 backends, over 131,072 distinct IPv4 flows (so no peer's
// cache can hit): flowpin from the flow as text (`lb.pick(flow, hasher)`: parsing, keyed
// HalfSipHash, Maglev lookup) and from numbers (`lb.pickV4(hasher, ...)`: hash and lookup in
// one Wasm call; `hasher.hashV4` + `lb.lookup` as a second row), beside the
// string-keyed rings on npm (consistent-hash, hashring), which are handed a ready-made key
// string per flow ("src:sport>dst:dport/tcp": they do not even pay for building it).
// hz = decisions/s; each call of a case makes 1024 decisions.
import ConsistentHash from "consistent-hash";
import HashRing from "hashring";
import { FlowHasher, Maglev, type Flow } from "../src/index.js";
import type { BenchCase, Suite } from "./harness.js";
import { words } from "./inputs.js";

const FLOWS = 1 << 17;
const PER = 1024;
const N = 100;


const ipv4 = (x: number): string => `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;

export const pick: Suite = {
  name: "pick",
  description: "one decision per call from a text or numeric flow, N = 100, 131072 distinct IPv4 flows, vs npm rings; hz = decisions/s",
  cases() {
    const src = words(FLOWS, 31);
    const dst = words(FLOWS, 32);
    const ports = words(FLOWS, 33);
    const flows: Flow[] = Array.from({ length: FLOWS }, (_, i) => ({ src: ipv4(src[i]!), dst: ipv4(dst[i]!), sport: ports[i]! & 0xffff, dport: ports[i]! >>> 16, proto: "tcp" }));
    const keys = flows.map((f) => `${f.src}:${f.sport}>${f.dst}:${f.dport}/tcp`);
    const ids = Array.from({ length: N }, (_, i) => `10.0.${i >> 8}.${i & 255}:8080`);
    const hasher = new FlowHasher({ key: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]) });
    const lb = new Maglev({ backends: ids.map((id) => ({ id })) });
    const ch = new ConsistentHash();
    for (const id of ids) ch.add(id);
    const ring = new HashRing(ids);
    let at = 0;
    const next = (): number => {
      const k = at;
      at = (at + PER) & (FLOWS - 1);
      return k;
    };
    const rows: BenchCase[] = [
      {
        name: "pick-text flowpin",
        per: PER,
        fn: () => {
          const k = next();
          let x = "";
          for (let i = k; i < k + PER; i++) x = lb.pick(flows[i]!, hasher).id;
          return x;
        },
      },
      {
        name: "pick-numeric flowpin",
        per: PER,
        fn: () => {
          const k = next();
          let x = "";
          for (let i = k; i < k + PER; i++) x = lb.pickV4(hasher, src[i]!, dst[i]!, ports[i]! & 0xffff, ports[i]! >>> 16, 6).id;
          return x;
        },
      },
      {
        name: "pick-numeric flowpin hashV4 + lookup",
        per: PER,
        fn: () => {
          const k = next();
          let x = "";
          for (let i = k; i < k + PER; i++) x = lb.lookup(hasher.hashV4(src[i]!, dst[i]!, ports[i]! & 0xffff, ports[i]! >>> 16, 6) as number).id;
          return x;
        },
      },
      {
        name: "pick-text consistent-hash",
        per: PER,
        fn: () => {
          const k = next();
          let x = "";
          for (let i = k; i < k + PER; i++) x = ch.get(keys[i]!) as string;
          return x;
        },
      },
      {
        name: "pick-text hashring",
        per: PER,
        fn: () => {
          const k = next();
          let x = "";
          for (let i = k; i < k + PER; i++) x = ring.get(keys[i]!);
          return x;
        },
      },
    ];
    return rows;
  },
};
