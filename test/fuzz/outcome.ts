// What a call did, in one comparable shape: returned, threw a FlowpinError (with its code and
// class), or threw something else (the bug these tests hunt for).
import { FlowpinError, type FlowpinErrorCode } from "../../src/index.js";

export type Outcome =
  | { kind: "returned"; value: unknown }
  | { kind: "flowpin"; code: FlowpinErrorCode; message: string; isType: boolean; isRange: boolean }
  | { kind: "other"; error: unknown };

export function outcome(call: () => unknown): Outcome {
  try {
    return { kind: "returned", value: call() };
  } catch (e) {
    if (e instanceof FlowpinError) {
      return { kind: "flowpin", code: (e as FlowpinError).code, message: (e as Error).message, isType: e instanceof TypeError, isRange: e instanceof RangeError };
    }
    return { kind: "other", error: e };
  }
}

/** One line for a failure list. */
export function describeOutcome(o: Outcome): string {
  if (o.kind === "returned") return `returned ${short(o.value)}`;
  if (o.kind === "flowpin") return `FlowpinError ${o.code}: ${o.message}`;
  const e = o.error as Error;
  return `non-flowpin ${e?.constructor?.name ?? typeof e}: ${e?.message ?? String(e)}`;
}

function short(v: unknown): string {
  try {
    const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x));
    return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}

/**
 * Fuzz-target wrapper: runs `call` and rethrows anything that is not a FlowpinError (with the
 * input in the message), so fast-check shrinks and reports the offending input.
 */
export function onlyFlowpinErrors<T>(call: () => T, allowed?: readonly FlowpinErrorCode[]): T | undefined {
  try {
    return call();
  } catch (e) {
    if (!(e instanceof FlowpinError)) throw e;
    const code = (e as FlowpinError).code;
    if (allowed && !allowed.includes(code)) throw new Error(`unexpected code ${code}: ${(e as Error).message}`);
    return undefined;
  }
}
