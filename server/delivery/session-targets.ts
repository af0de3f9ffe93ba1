import type { DeliveryTarget } from "./delivery-target.ts";

export interface TargetCursor {
  target: DeliveryTarget;
  /** The highest seq sent to this target. */
  sentUpTo: bigint;
}

/**
 * The targets of one holding, each with how far it was sent. An array, not a Map: a uid has a few targets
 * at most (MAX_SOCKETS_PER_UID and relays), and every connected uid keeps one of these.
 */
export class SessionTargets {
  private cursors: TargetCursor[] = [];

  get size(): number {
    return this.cursors.length;
  }

  all(): readonly TargetCursor[] {
    return this.cursors;
  }

  /** Adds (or rejoins) `target`, to be sent everything after `fromSeq`; a rejoining one's old callbacks are let go. */
  set(target: DeliveryTarget, fromSeq: bigint): void {
    const cursor = { target, sentUpTo: fromSeq };
    const i = this.cursors.findIndex((c) => c.target.key === target.key);
    this.cursors[i]?.target.forget();
    // A new array of its exact size (a push would reserve room for 16 more in every holding).
    this.cursors = i < 0 ? [...this.cursors, cursor] : this.cursors.map((c, j) => (j === i ? cursor : c));
  }

  delete(key: string): boolean {
    const left = this.cursors.filter((c) => c.target.key !== key);
    if (left.length === this.cursors.length) return false;
    this.cursors = left; // a new array: a send going over the old one is not disturbed
    return true;
  }

  /** Sockets on this instance among them. */
  local(): number {
    let n = 0;
    for (const c of this.cursors) if (c.target.instance === undefined) n++;
    return n;
  }

  /** An instance relaying to sockets of the uid, if one is among them. */
  relayInstance(): string | undefined {
    for (const c of this.cursors) if (c.target.instance !== undefined) return c.target.instance;
    return undefined;
  }

  forgetAll(): void {
    for (const c of this.cursors) c.target.forget();
    this.cursors = [];
  }
}
