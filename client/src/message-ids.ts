/**
 * Message ids are decimal strings of increasing integers per uid. They can exceed 2^53, so they are
 * compared as BigInt, never as Number.
 */
const DECIMAL = /^(0|[1-9][0-9]{0,29})$/;

/** True for an id the hub can have issued: a canonical non-negative decimal string. */
export function isMessageId(value: unknown): value is string {
  return typeof value === "string" && DECIMAL.test(value);
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The newer of two ids; `null` stands for "none yet". */
export function newerId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareIds(a, b) >= 0 ? a : b;
}
