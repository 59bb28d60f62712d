// The ln inside rendezvous scores (fdlibm's __ieee754_log, compiled into the Wasm) against
// the host's Math.log, on every engine and over the whole input domain u = m / 2^53,
// m in [1, 2^53]: V8 implements Math.log with the same fdlibm code, so the two must agree
// bit for bit. This is what lets test/reference/rendezvous.ts use Math.log as the oracle.
import { expect, it } from "vitest";
import { active } from "../src/engine/state.js";
import { forEachEngine } from "./engines.js";
import { Rng } from "./rng.js";

function inputs(rng: Rng, n: number, kind: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = rng.next64();
    let m: number;
    if (kind === 0) m = Number(r >> 11n) + 1; // uniform over the domain
    else if (kind === 1) m = Number(r >> 40n) + 1; // u near 0 (large |ln u|)
    else if (kind === 2) m = 2 ** 53 - Number(r >> 40n); // u near 1: fdlibm's |f| < 2^-20 path
    else if (kind === 3) m = 2 ** Number(r % 54n); // powers of two: f = 0
    else m = Math.floor(2 ** 53 * Math.SQRT1_2) + Number(r >> 44n) - 2 ** 19; // around the sqrt(2)/2 reduction boundary
    out[i] = m * 2 ** -53;
  }
  return out;
}

forEachEngine("rendezvous ln", (kind) => {
  it("equals Math.log bit for bit (uniform, near 0, near 1, powers of two, reduction boundary)", () => {
    const e = active();
    const n = kind === "js" ? 1 << 16 : 1 << 19;
    const rng = new Rng(12);
    let checked = 0;
    for (let k = 0; k < 5; k++) {
      const x = inputs(rng, n, k);
      const ptr = e.alloc(8 * n);
      try {
        new Float64Array(e.u8.buffer, ptr, n).set(x);
        e.x.rdvLn(ptr, n);
        const got = new Float64Array(e.u8.buffer, ptr, n);
        for (let i = 0; i < n; i++) {
          if (!Object.is(got[i], Math.log(x[i]!))) expect(got[i], `ln(${x[i]}) kind ${k}`).toBe(Math.log(x[i]!));
        }
        checked += n;
      } finally {
        e.release(ptr);
      }
    }
    expect(checked).toBe(5 * n);
  });
});
