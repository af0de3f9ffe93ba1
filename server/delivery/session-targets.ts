import type { DeliveryTarget } from "./delivery-target.ts";

export interface TargetCursor {
  target: DeliveryTarget;
  /** The highest seq sent to this target. */
  sentUpTo: bigint;
}

/** The targets of one holding, each with how far it was sent. */
export class SessionTargets {
  private readonly cursors = new Map<string, TargetCursor>();

  get size(): number {
    return this.cursors.size;
  }

  all(): IterableIterator<TargetCursor> {
    return this.cursors.values();
  }

  /** Adds (or rejoins) `target`, to be sent everything after `fromSeq`; a rejoining one's old callbacks are let go. */
  set(target: DeliveryTarget, fromSeq: bigint): void {
    this.cursors.get(target.key)?.target.forget();
    this.cursors.set(target.key, { target, sentUpTo: fromSeq });
  }

  delete(key: string): boolean {
    return this.cursors.delete(key);
  }

  /** Sockets on this instance among them. */
  local(): number {
    let n = 0;
    for (const c of this.cursors.values()) if (c.target.instance === undefined) n++;
    return n;
  }

  /** An instance relaying to sockets of the uid, if one is among them. */
  relayInstance(): string | undefined {
    for (const c of this.cursors.values()) if (c.target.instance !== undefined) return c.target.instance;
    return undefined;
  }

  forgetAll(): void {
    for (const c of this.cursors.values()) c.target.forget();
    this.cursors.clear();
  }
}
