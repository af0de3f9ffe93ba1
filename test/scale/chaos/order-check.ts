/** The two things the chaos test asserts per uid, on what one device received. */

export interface Receipt {
  id: string;
  attempt: number;
  /** ms since epoch. */
  at: number;
  /** The hub (0 or 1) whose socket delivered it. */
  instance: number;
  /** Arrived in a `messages` frame rather than as a single `message`. */
  framed: boolean;
}

export interface Inversion {
  /** The message that arrived for the first time after a newer one. */
  late: Receipt;
  /** The newest id received for the first time before it. */
  newest: Receipt;
}

/**
 * First receipts must come in acceptance order: per uid, ids ascend in acceptance order, so each id
 * received for the first time must be greater than every id first received before it. Repeats of an id
 * (at-least-once redeliveries) are ignored.
 */
export function findInversions(receipts: readonly Receipt[]): Inversion[] {
  const seen = new Set<string>();
  const inversions: Inversion[] = [];
  let newest: Receipt | undefined;
  for (const r of receipts) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    if (newest && BigInt(r.id) < BigInt(newest.id)) inversions.push({ late: r, newest });
    else newest = r;
  }
  return inversions;
}

/** Accepted ids (in acceptance order) that never arrived. */
export function findMissing(accepted: readonly string[], receipts: readonly Receipt[]): string[] {
  const got = new Set(receipts.map((r) => r.id));
  return accepted.filter((id) => !got.has(id));
}

/** Receipts beyond the first of each id. */
export function countDuplicates(receipts: readonly Receipt[]): number {
  return receipts.length - new Set(receipts.map((r) => r.id)).size;
}
